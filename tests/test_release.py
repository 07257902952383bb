"""The student release: everything a learner needs, nothing an instructor keeps back."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.course import release
from grader.frontends import report
from grader.manifest import PROJECT_ROOT, SOLUTIONS_DIR, discover

EXERCISES = discover(PROJECT_ROOT)
PUBLIC_SOURCES = ("exercises", "notebooks", "conclab", "grader")
MIN_LINE = 12  # shorter lines (`return x`, `import os`) are not distinctive


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("release") / "student-repo"
    release.release(out)
    return out


def run_release_grader(out: Path, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    """Run the release's own `python -m grader`, importing only the release's packages."""
    env = {**os.environ, "PYTHONPATH": str(out), "CONCLAB_PROGRESS_FILE": str(out / "p.json")}
    env.pop("GITHUB_STEP_SUMMARY", None)
    return subprocess.run(
        [sys.executable, "-m", "grader", *args],
        cwd=out,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def text_files(folder: Path) -> dict[Path, str]:
    return {
        p: p.read_text(encoding="utf-8", errors="replace")
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def searchable(texts) -> str:
    """All texts in one string, with each notebook's cell sources unescaped as well."""
    parts = []
    for text in texts:
        parts.append(text)
        if text.lstrip().startswith("{"):
            try:
                cells = json.loads(text).get("cells", [])
            except ValueError:
                cells = []
            parts.extend("".join(cell["source"]) for cell in cells)
    return "\n".join(parts)


def distinctive_solution_lines() -> dict[Path, list[str]]:
    """Per instructor-only file: its lines that the course's public material never shows.

    Hints and notebooks show idioms (`with ThreadPoolExecutor(...) as pool:`) on purpose;
    what only a solution or a hidden check holds must never reach the release.
    """
    public = searchable(
        text for source in PUBLIC_SOURCES for text in text_files(PROJECT_ROOT / source).values()
    )
    found = {}
    instructor_only = [*SOLUTIONS_DIR.glob("*/*.py"), *(PROJECT_ROOT / "hidden").glob("*/*.py")]
    for path in sorted(instructor_only):
        lines = {line.strip() for line in path.read_text(encoding="utf-8").splitlines()}
        found[path] = sorted(line for line in lines if len(line) >= MIN_LINE and line not in public)
    return found


def leaks(folder: Path) -> list[str]:
    texts = text_files(folder)
    found = []
    for path, lines in distinctive_solution_lines().items():
        for line in lines:
            hits = [p.relative_to(folder) for p, text in texts.items() if line in text]
            if hits:
                found.append(f"{path.relative_to(PROJECT_ROOT)}: {line!r} in {hits[0]}")
    return found


def test_release_holds_what_a_learner_needs(released):
    for name in ("README.md", "Makefile", "pyproject.toml", "environment.yml",
                 "tools/lab-overrides.json", ".github/workflows/classroom.yml",
                 "grader/__main__.py", "conclab/__init__.py", "exercises/conftest.py",
                 "exercises/course.toml"):  # fmt: skip
        assert (released / name).is_file(), name
    for exercise in EXERCISES:
        folder = released / "exercises" / exercise.folder
        for name in (f"{exercise.slug}.py", "README.md", "hints.md", f"test_{exercise.slug}.py"):
            assert (folder / name).is_file(), folder / name
        stub = (PROJECT_ROOT / "exercises" / exercise.folder / f"{exercise.slug}.py").read_bytes()
        assert (folder / f"{exercise.slug}.py").read_bytes() == stub
    notebooks = sorted(p.name for p in (PROJECT_ROOT / "notebooks").glob("*.ipynb"))
    assert sorted(p.name for p in (released / "notebooks").glob("*.ipynb")) == notebooks
    readme = (released / "README.md").read_text(encoding="utf-8")
    assert all(e.slug in readme for e in EXERCISES)
    assert "make lab" in readme and "hidden checks" in readme


def test_release_holds_nothing_instructor_only(released):
    for name in ("solutions", "tests", "docs", ".ci", ".github/workflows/ci.yml", ".venv"):
        assert not (released / name).exists(), f"{name} is instructor-only"
    assert not list(released.rglob("*_hidden.py"))
    assert not list(released.rglob("__pycache__"))


def test_no_solution_or_hidden_check_text_in_release(released):
    distinctive = distinctive_solution_lines()
    assert all(len(lines) >= 3 for lines in distinctive.values()), "too few lines to compare"
    assert leaks(released) == []


def test_the_leak_scan_finds_a_solution_put_in_a_release(released, tmp_path):
    """The scan above can fail: a copy with one solution and one hidden check is caught."""
    copy = tmp_path / "leaky"
    shutil.copytree(released, copy)
    exercise = next(e for e in EXERCISES if any(c.hidden for c in e.checks))
    shutil.copy(SOLUTIONS_DIR / exercise.folder / f"{exercise.slug}.py", copy / "stolen.py")
    shutil.copy(exercise.hidden_checks_file(), copy / "notes.txt")
    found = leaks(copy)
    assert any("stolen.py" in leak for leak in found)
    assert any("notes.txt" in leak for leak in found)


def test_release_manifests_declare_public_checks_only(released):
    everything = "\n".join(text_files(released).values())
    for exercise in EXERCISES:
        for check in exercise.checks:
            if check.hidden:
                assert check.name not in everything, f"hidden check {check.name} is named"
        manifest = released / "exercises" / exercise.folder / "exercise.toml"
        assert release.load_manifest(manifest).checks == exercise.public_checks()


def test_release_notebooks_have_no_outputs(released):
    for path in (released / "notebooks").glob("*.ipynb"):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None, path.name


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize("target", ["lab", "check", "install"])
def test_release_makefile_targets_resolve(released, target):
    done = subprocess.run(
        ["make", "-n", target], cwd=released, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    if target == "check":
        assert "-m grader check" in done.stdout


def test_release_refuses_bad_destinations(tmp_path):
    with pytest.raises(release.ReleaseError, match="inside the course repository"):
        release.release(PROJECT_ROOT / "build" / "student")
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("mine")
    with pytest.raises(release.ReleaseError, match="--force"):
        release.release(busy)
    assert (busy / "keep.txt").exists()
    with pytest.raises(release.ReleaseError, match="refusing"):
        release.release(PROJECT_ROOT.parent, force=True)


def test_release_force_replaces_contents_but_keeps_git(tmp_path):
    out = tmp_path / "repo"
    (out / ".git").mkdir(parents=True)
    (out / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (out / "old.txt").write_text("stale")
    release.release(out, force=True)
    assert not (out / "old.txt").exists()
    assert (out / ".git" / "HEAD").read_text() == "ref: refs/heads/main\n"
    assert (out / report.RELEASE_MARKER).exists()


def test_release_cli_exit_codes(tmp_path):
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "x").write_text("x")
    done = subprocess.run(
        [sys.executable, "-m", "grader", "release", str(busy)],
        capture_output=True, text=True, timeout=120, cwd=PROJECT_ROOT,
    )  # fmt: skip
    assert done.returncode == 2 and "--force" in done.stderr


def test_release_grader_is_the_release_copy(released):
    done = subprocess.run(
        [sys.executable, "-c", "import grader, conclab; print(grader.__file__, conclab.__file__)"],
        cwd=released, env={**os.environ, "PYTHONPATH": str(released)},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.stdout.split() == [
        str(released / "grader" / "__init__.py"),
        str(released / "conclab" / "__init__.py"),
    ]


@pytest.mark.slow
def test_release_stubs_score_zero(released, tmp_path):
    names = [e.slug for e in EXERCISES[:2]]
    done = run_release_grader(released, "check", *names, "--json", str(tmp_path / "r.json"))
    assert done.returncode == 1, done.stdout + done.stderr
    result = json.loads((tmp_path / "r.json").read_text())
    assert result["score"] == 0 and result["max_score"] > 0
    assert report.PUBLIC_ONLY in done.stdout


@pytest.mark.slow
def test_release_with_reference_solutions_gets_every_public_point(released, tmp_path):
    solved = tmp_path / "solved"
    shutil.copytree(released, solved)
    for exercise in EXERCISES:
        name = f"{exercise.slug}.py"
        shutil.copy(SOLUTIONS_DIR / exercise.folder / name, solved / "exercises" / exercise.folder)
    done = run_release_grader(solved, "check", "--json", str(tmp_path / "r.json"))
    result = json.loads((tmp_path / "r.json").read_text())
    failed = [
        (e["slug"], c["name"], c["status"], c["message"][:200])
        for e in result["exercises"]
        for c in e["checks"]
        if c["status"] != "passed"
    ]
    assert done.returncode == 0 and not failed, failed
    public = sum(c.points for e in EXERCISES for c in e.public_checks())
    assert result["score"] == result["max_score"] == public
    assert not any(c["hidden"] for e in result["exercises"] for c in e["checks"])
    # Every public check passed, yet the summary must not read as a final, complete grade.
    assert report.PUBLIC_ONLY in done.stdout
