"""`grader validate`: a complete exercise passes, each kind of gap is named, exit status follows."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.course import validate
from grader.manifest import PROJECT_ROOT, ManifestError, discover

EXERCISE = discover(PROJECT_ROOT)[0]


@pytest.fixture
def root(tmp_path) -> Path:
    """A one-exercise collection copied from the real one."""
    for part in ("exercises", "solutions"):
        shutil.copytree(PROJECT_ROOT / part / EXERCISE.folder, tmp_path / part / EXERCISE.folder)
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / EXERCISE.notebook).write_text("{}")
    return tmp_path


def folder(root: Path) -> Path:
    return root / "exercises" / EXERCISE.folder


def problems(root: Path) -> list[str]:
    return validate.static_problems(discover(root)[0], root)


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "grader", "validate", *args],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def test_a_complete_exercise_has_no_static_problems(root):
    assert problems(root) == []


def test_every_exercise_of_the_collection_is_statically_complete():
    done = run_cli("--no-grade")
    assert done.returncode == 0, done.stdout
    assert validate.ALL_OK.format(count=len(discover(PROJECT_ROOT))) in done.stdout


def test_missing_hints_are_named(root):
    hints = folder(root) / "hints.md"
    text = hints.read_text(encoding="utf-8")
    start = text.index("## 1.")
    end = text.index("## 2.")
    hints.write_text(text[:start] + "## 1. Nothing here\n\n" + text[end:], encoding="utf-8")
    assert any("hints.md has 0 hint(s) under '## 1.'" in p for p in problems(root))


def test_undeclared_and_missing_checks_are_named(root):
    checks = folder(root) / f"test_{EXERCISE.slug}.py"
    text = checks.read_text(encoding="utf-8")
    gone = EXERCISE.public_checks()[0].name
    text = text.replace(f"def {gone}(", "def renamed_away(")
    checks.write_text(text + "\n\ndef test_extra(submission):\n    pass\n", encoding="utf-8")
    found = problems(root)
    assert any("test_extra is not declared" in p for p in found)
    assert any(f"declares public check {gone}" in p for p in found)


def test_missing_files_and_readme_sections_are_named(root):
    (root / "solutions" / EXERCISE.folder / f"{EXERCISE.slug}.py").unlink()
    (folder(root) / "README.md").write_text("# No sections\n", encoding="utf-8")
    found = problems(root)
    assert any(f"missing file solutions/{EXERCISE.folder}" in p for p in found)
    assert any("README.md has no section '## 1." in p for p in found)


def test_unknown_exercise_exits_2():
    done = run_cli("no_such_exercise")
    assert done.returncode == 2 and "no exercise matches" in done.stderr


@pytest.mark.slow
def test_a_stub_that_passes_is_reported_and_fails_validation(root):
    solution = root / "solutions" / EXERCISE.folder / f"{EXERCISE.slug}.py"
    shutil.copy(solution, folder(root) / f"{EXERCISE.slug}.py")
    lines = []
    status = validate.validate([EXERCISE.slug], root=root, out=lines.append)
    assert status == 1
    assert lines[0] == validate.BAD.format(order=EXERCISE.order, slug=EXERCISE.slug)
    assert any(f"the stub gets {EXERCISE.max_score:g} points, it should get 0" in x for x in lines)
    assert validate.STUB_MARKS in "\n".join(lines)  # the solution has no TODO


@pytest.mark.slow
def test_a_failing_solution_is_reported(root):
    solution = root / "solutions" / EXERCISE.folder / f"{EXERCISE.slug}.py"
    shutil.copy(folder(root) / f"{EXERCISE.slug}.py", solution)
    lines = []
    assert validate.validate([EXERCISE.slug], root=root, out=lines.append) == 1
    assert any(line.strip().startswith("- the solution fails") for line in lines)


@pytest.mark.slow
def test_validate_passes_a_real_exercise():
    done = run_cli(EXERCISE.slug)
    assert done.returncode == 0, done.stdout + done.stderr
    assert validate.OK.format(order=EXERCISE.order, slug=EXERCISE.slug) in done.stdout


def test_a_requirement_no_check_proves_is_named(root):
    manifest = folder(root) / "exercise.toml"
    text = manifest.read_text(encoding="utf-8")
    requirement = EXERCISE.requirements[0].id
    kept = [c.name for c in EXERCISE.proving(requirement)]
    assert kept, "the real exercise proves its first requirement"
    text = text.replace(f'"{requirement}", ', "").replace(f', "{requirement}"', "")
    text = text.replace(f'proves = ["{requirement}"]', "proves = []")
    manifest.write_text(text, encoding="utf-8")
    expected = validate.UNPROVEN.format(id=requirement, text=EXERCISE.requirements[0].text)
    assert expected in problems(root)


def test_a_manifest_without_requirements_is_named(root):
    manifest = folder(root) / "exercise.toml"
    text = manifest.read_text(encoding="utf-8")
    head, checks = text.split("[[checks]]", 1)
    head = head.split("[[requirements]]", 1)[0]
    checks = "[[checks]]" + checks
    checks = "\n".join(line for line in checks.splitlines() if not line.startswith("proves"))
    manifest.write_text(head + checks + "\n", encoding="utf-8")
    assert validate.NO_REQUIREMENTS in problems(root)


def test_a_check_proving_an_unknown_requirement_breaks_the_manifest(root):
    manifest = folder(root) / "exercise.toml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace("proves = [", 'proves = ["no-such-rule", ', 1), "utf-8")
    with pytest.raises(ManifestError, match="proves 'no-such-rule'"):
        discover(root)
