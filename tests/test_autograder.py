"""The Gradescope autograder zip, built from the manifests and run in Gradescope's layout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader.course import autograder
from grader.manifest import PROJECT_ROOT, discover


@pytest.fixture(scope="module")
def autograder_root(tmp_path_factory):
    """An /autograder folder: the zip's contents, as Gradescope unpacks them."""
    root = tmp_path_factory.mktemp("autograder")
    zipped = root / "autograder.zip"
    count, points = autograder.build(zipped)
    assert count == len(discover(PROJECT_ROOT))
    assert points == sum(e.max_score for e in discover(PROJECT_ROOT))
    with zipfile.ZipFile(zipped) as archive:
        names = archive.namelist()
        archive.extractall(root)
        modes = {i.filename: i.external_attr >> 16 for i in archive.infolist()}
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    assert not [n for n in names if n.startswith("source/solutions")]
    assert any(n.startswith("source/hidden/") for n in names)
    for exercise in discover(PROJECT_ROOT):  # no stub, no reference solution inside
        assert f"source/exercises/{exercise.folder}/{exercise.slug}.py" not in names
    return root


def run_autograder(root: Path, submission: Path) -> dict:
    shutil.rmtree(root / "submission", ignore_errors=True)
    shutil.rmtree(root / "results", ignore_errors=True)
    shutil.copytree(submission, root / "submission")
    env = {**os.environ, "CONCLAB_AUTOGRADER_ROOT": str(root)}
    env["CONCLAB_AUTOGRADER_PYTHON"] = sys.executable  # setup.sh's venv, here the suite's
    done = subprocess.run(
        ["bash", str(root / "run_autograder")], env=env, capture_output=True, text=True,
        timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads((root / "results" / "results.json").read_text())


@pytest.mark.slow
def test_a_solved_submission_gets_every_point_hidden_checks_included(autograder_root):
    results = run_autograder(autograder_root, PROJECT_ROOT / "solutions")
    total = sum(e.max_score for e in discover(PROJECT_ROOT))
    assert results["score"] == total
    assert any(t["visibility"] != "visible" for t in results["tests"])  # hidden checks ran
    assert all(t["score"] == t["max_score"] for t in results["tests"])


@pytest.mark.slow
def test_a_stub_submission_in_a_repository_layout_gets_zero(autograder_root, tmp_path):
    repo = tmp_path / "student-repo"
    shutil.copytree(PROJECT_ROOT / "exercises", repo / "exercises")
    results = run_autograder(autograder_root, repo)
    assert results["score"] == 0
    assert len(results["tests"]) == sum(len(e.checks) for e in discover(PROJECT_ROOT))
