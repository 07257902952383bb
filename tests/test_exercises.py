"""The collection stays honest: every solution passes, every stub fails, wrong code is caught."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from grader import messages
from grader.course import validate
from grader.engine.runner import grade_exercise
from grader.manifest import EXERCISES_DIR, PROJECT_ROOT, SOLUTIONS_DIR
from grader.settings import preload_modules

from .conftest import WRONG_DIR, all_exercises, make_target

EXERCISES = all_exercises()
IDS = [e.slug for e in EXERCISES]
FILE_SET = {"{slug}.py", "README.md", "hints.md", "test_{slug}.py", "exercise.toml"}


def wrong_implementations():
    for exercise in EXERCISES:
        for path in sorted((WRONG_DIR / exercise.folder).glob("*.py")):
            yield pytest.param(exercise, path, id=f"{exercise.slug}/{path.stem}")


def declared(path: Path, name: str) -> list[str]:
    """A wrong implementation's CAUGHT_BY (the checks that must fail on it) or BREAKS (the
    README requirements it breaks, by id from exercise.toml)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return next(
        (
            ast.literal_eval(n.value)
            for n in tree.body
            if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == name
        ),
        [],
    )


def test_there_are_exercises():
    assert len(EXERCISES) >= 2


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_exercise_folder_has_the_fixed_file_set(exercise):
    folder = EXERCISES_DIR / exercise.folder
    expected = {name.format(slug=exercise.slug) for name in FILE_SET}
    present = {p.name for p in folder.iterdir() if p.is_file()}
    assert expected <= present, f"{folder} lacks {sorted(expected - present)}"
    assert (SOLUTIONS_DIR / exercise.folder / f"{exercise.slug}.py").exists()
    assert (PROJECT_ROOT / "notebooks" / exercise.notebook).exists(), exercise.notebook


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_the_solution_is_finished(exercise):
    solution = (SOLUTIONS_DIR / exercise.folder / f"{exercise.slug}.py").read_text("utf-8")
    assert not any(word in solution for word in validate.STUB_WORDS)


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_solution_gets_full_points(exercise, no_leaked_processes):
    result = grade_exercise(exercise, SOLUTIONS_DIR, include_hidden=True)
    failed = [(c.name, c.status, c.message) for c in result.checks if not c.passed]
    assert not failed, failed
    assert result.score == result.max_score == exercise.max_score


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_stub_gets_zero_points(exercise, no_leaked_processes):
    result = grade_exercise(exercise, EXERCISES_DIR, include_hidden=True)
    assert result.score == 0, [(c.name, c.status) for c in result.checks if c.passed]
    assert all(c.status != messages.TIMEOUT for c in result.checks), "a stub should fail fast"


@pytest.mark.parametrize("exercise,path", list(wrong_implementations()))
def test_wrong_implementation_loses_points(exercise, path, tmp_path, no_leaked_processes):
    """Each file in tests/wrong/NN_slug/ names, in CAUGHT_BY, the checks that must fail."""
    caught_by = declared(path, "CAUGHT_BY")
    result = grade_exercise(exercise, make_target(tmp_path, exercise, path), include_hidden=True)
    statuses = {c.name: c.status for c in result.checks}
    assert result.score < result.max_score
    for name in caught_by:
        assert statuses[name] != messages.PASSED, f"{name} passed a wrong implementation"
        message = next(c.message for c in result.checks if c.name == name)
        assert message.strip(), f"{name} failed without a message for the learner"


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_every_requirement_has_a_wrong_implementation_that_breaks_it(exercise):
    """Each README rule listed in the manifest is broken by at least one file in
    tests/wrong/NN_slug/ (BREAKS = [ids]), whose CAUGHT_BY checks prove that rule."""
    assert exercise.requirements, f"{exercise.folder}/exercise.toml lists no [[requirements]]"
    ids = {r.id for r in exercise.requirements}
    broken: dict[str, list[str]] = {}
    for path in sorted((WRONG_DIR / exercise.folder).glob("*.py")):
        breaks, caught_by = declared(path, "BREAKS"), declared(path, "CAUGHT_BY")
        assert breaks, f"{path.name} names no BREAKS = [requirement ids]"
        assert set(breaks) <= ids, f"{path.name} breaks unknown requirements {set(breaks) - ids}"
        proved = {rid for name in caught_by for rid in exercise.check(name).proves}
        assert set(breaks) <= proved, (
            f"{path.name} breaks {sorted(set(breaks) - proved)}, which none of its CAUGHT_BY "
            f"checks proves ({caught_by})"
        )
        for rid in breaks:
            broken.setdefault(rid, []).append(path.stem)
    assert ids <= set(broken), f"no wrong implementation breaks {sorted(ids - set(broken))}"


@pytest.mark.parametrize("exercise", EXERCISES, ids=IDS)
def test_requirements_come_before_the_checks_in_the_manifest(exercise):
    """A release keeps the manifest's head and strips hidden [[checks]] tables (see
    grader/course/release.py): requirements after the first check could be stripped with one."""
    text = (EXERCISES_DIR / exercise.folder / "exercise.toml").read_text(encoding="utf-8")
    last_requirement = text.rfind("[[requirements]]")
    assert last_requirement < text.find("[[checks]]"), "put [[requirements]] before [[checks]]"


def test_every_exercise_has_wrong_implementations():
    for exercise in EXERCISES:
        assert len(list((WRONG_DIR / exercise.folder).glob("*.py"))) >= 2, exercise.folder


def test_the_checks_helpers_are_all_preloaded():
    """The grader preloads (zygote, forkserver) the conclab modules checks import; one
    missing from exercises/course.toml's preload list would still work, only slower."""
    imported = set()
    for exercise in EXERCISES:
        for path in (exercise.checks_file(), exercise.hidden_checks_file()):
            if path.exists():
                for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                    if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                        "conclab"
                    ):
                        imported.add(node.module)
                    elif isinstance(node, ast.Import):
                        imported.update(a.name for a in node.names if a.name.startswith("conclab"))
    assert imported, "no check imports a conclab helper"
    assert imported <= set(preload_modules()), imported - set(preload_modules())
