"""Progress is remembered per exercise and shown by `grader list` and `progress()`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from grader import messages
from grader.engine.runner import grade_exercise
from grader.frontends.notebook import ProgressPanel, check, progress
from grader.frontends.progress_store import EDITED, NOT_CHECKED, STATE_ENV, load, record, status_of
from grader.manifest import EXERCISES_DIR, PROJECT_ROOT, SOLUTIONS_DIR

from .conftest import all_exercises


@pytest.fixture(autouse=True)
def state(tmp_path, monkeypatch):
    """A private progress file, so the project's own .grader/progress.json is never touched."""
    path = tmp_path / "progress.json"
    monkeypatch.setenv(STATE_ENV, str(path))
    return path


@pytest.fixture
def solved(tmp_path):
    """A target where the first exercise is solved and the others are still stubs."""
    exercises = all_exercises()
    target = tmp_path / "target"
    for exercise in exercises:
        shutil.copytree(EXERCISES_DIR / exercise.folder, target / exercise.folder)
    first = exercises[0]
    shutil.copy(SOLUTIONS_DIR / first.folder / f"{first.slug}.py", target / first.folder)
    return first, target


def test_record_then_status_and_points_until_the_file_is_edited(solved, state):
    exercise, target = solved
    entries = load(state, target)
    assert status_of(exercise, target, entries) == (NOT_CHECKED, f"-/{exercise.max_score:g}")
    result = grade_exercise(exercise, target)
    record(result, exercise, target, state)
    entries = load(state, target)
    points = f"{exercise.max_score:g}/{exercise.max_score:g}"
    assert status_of(exercise, target, entries) == (messages.PASSED, points)
    other = load(state, EXERCISES_DIR)
    assert status_of(exercise, EXERCISES_DIR, other)[0] == NOT_CHECKED, "kept per target"
    module = exercise.module_in(target)
    stat = module.stat()
    os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    edited = f"{messages.PASSED}, {EDITED}"
    assert status_of(exercise, target, load(state, target)) == (edited, points)


def test_unreadable_state_counts_as_empty_and_is_replaced(solved, state):
    exercise, target = solved
    state.write_text("{not json", encoding="utf-8")
    assert load(state, target) == {}
    record(grade_exercise(exercise, target), exercise, target, state)
    data = json.loads(state.read_text(encoding="utf-8"))
    assert data["targets"][str(target.resolve())][exercise.slug]["status"] == messages.PASSED
    assert not [p for p in state.parent.iterdir() if p.name.startswith(".progress-")]


def test_list_command_shows_remembered_status_and_points(solved, state):
    exercise, target = solved
    record(grade_exercise(exercise, target), exercise, target, state)
    proc = subprocess.run(
        [sys.executable, "-m", "grader", "list", "--target", str(target), "--state", str(state)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    exercises = all_exercises()
    assert len(lines) == len(exercises) + 1
    first = lines[0].split()
    assert first[:3] == [
        f"{exercise.order:02d}",
        exercise.slug,
        f"{exercise.max_score:g}/{exercise.max_score:g}",
    ]
    assert first[4] == messages.PASSED
    for line, other in zip(lines[1:], exercises[1:]):
        assert other.slug in line and NOT_CHECKED in line
    total = sum(e.max_score for e in exercises)
    assert lines[-1].startswith(f"1/{len(exercises)} exercises, {exercise.max_score:g}/{total:g}")


def test_progress_panel_grades_every_exercise_and_fills_the_bar(solved):
    exercise, target = solved
    panel = ProgressPanel(target)
    assert panel.table.value.count(NOT_CHECKED) == len(panel.exercises)
    panel.refresh()
    assert panel.bar.value == panel.bar.max == len(panel.exercises)
    assert panel.bar.layout.visibility == "hidden" and not panel.button.disabled
    assert panel.table.value.count(NOT_CHECKED) == 0
    assert panel.table.value.count(f">{messages.PASSED}<") == 1
    assert f"1/{len(panel.exercises)} exercises" in panel.table.value


def test_progress_never_raises(monkeypatch, capsys):
    monkeypatch.setattr(ProgressPanel, "__init__", lambda *a: 1 / 0)
    assert progress() is None


def test_check_in_a_notebook_returns_the_result_and_remembers_it(state):
    result = check("fetch_in_order", display=False)
    assert result.slug == "fetch_in_order" and result.score == 0, "the stub is unsolved"
    entry = load(state, EXERCISES_DIR)["fetch_in_order"]
    assert entry["status"] == messages.FAILED and entry["max_score"] == result.max_score
