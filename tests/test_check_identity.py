"""A check is one name from manifest to report, parametrized or not: the manifest names the
test function, every case of it runs, and the check passes only when every case passes."""

from __future__ import annotations

import textwrap

import pytest

from grader import messages
from grader.engine.runner import grade_exercise
from grader.manifest import discover

MANIFEST = """
slug = "double"
title = "Double it"
order = 1
notebook = "00-start-here.ipynb"
timeout = 20

[[checks]]
name = "test_doubles_every_case"
task = 1
points = 3

[[checks]]
name = "test_plain"
task = 1
points = 1
"""
CHECKS = """
import pytest

@pytest.mark.parametrize("n", [1, 2, 3])
def test_doubles_every_case(submission, n):
    assert submission.double(n) == 2 * n, f"double({n}) returned {submission.double(n)!r}"

def test_plain(submission):
    assert submission.double(0) == 0
"""


@pytest.fixture
def course(tmp_path):
    folder = tmp_path / "exercises" / "01_double"
    folder.mkdir(parents=True)
    (folder / "exercise.toml").write_text(MANIFEST, encoding="utf-8")
    (folder / "test_double.py").write_text(textwrap.dedent(CHECKS), encoding="utf-8")
    return tmp_path


def grade(course, tmp_path, source: str):
    target = tmp_path / "target"
    (target / "01_double").mkdir(parents=True)
    (target / "01_double" / "double.py").write_text(source, encoding="utf-8")
    (exercise,) = discover(course)
    result = grade_exercise(exercise, target, include_hidden=False, root=course)
    return {c.name: c for c in result.checks}


def test_every_case_passing_passes_the_check(course, tmp_path):
    checks = grade(course, tmp_path, "def double(n):\n    return 2 * n\n")
    assert set(checks) == {"test_doubles_every_case", "test_plain"}
    assert all(c.status == messages.PASSED for c in checks.values())
    assert checks["test_doubles_every_case"].score == 3


def test_one_failing_case_fails_the_check_with_its_message(course, tmp_path):
    checks = grade(course, tmp_path, "def double(n):\n    return 2 * n if n != 2 else 5\n")
    check = checks["test_doubles_every_case"]
    assert check.status == messages.FAILED and check.score == 0
    assert "double(2) returned 5" in check.message
    assert checks["test_plain"].status == messages.PASSED
