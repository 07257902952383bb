"""Hints come from hints.md one at a time; the notebook panel reveals them on a click."""

from __future__ import annotations

import shutil

import pytest

from grader import messages
from grader.frontends.hints import ALL_SHOWN, NO_HINTS, HintStepper, load_hints, parse_hints
from grader.frontends.notebook import HINT_BUTTON, NO_MORE_HINTS, CheckPanel, check
from grader.frontends.progress_store import STATE_ENV
from grader.manifest import EXERCISES_DIR, SOLUTIONS_DIR

from .conftest import all_exercises


@pytest.fixture(autouse=True)
def private_progress_file(tmp_path, monkeypatch):
    """Checks against exercises/ remember progress: keep it out of the project's file."""
    monkeypatch.setenv(STATE_ENV, str(tmp_path / "progress.json"))


SAMPLE = """# Hints for 09 Sample

Read one hint at a time.

## 1. First task

- A nudge.
- Closer: a bullet that goes on
  over two lines.

Some paragraph that is not a hint.

## 2. Second task
- Only hint with `code`.
* Star bullets count too.

## Notes
- not a hint of any task
"""


def test_parse_hints_by_task_in_order_with_continuation_lines():
    tasks = parse_hints(SAMPLE)
    assert sorted(tasks) == [1, 2]
    assert tasks[1].title == "First task"
    assert tasks[1].hints == ["A nudge.", "Closer: a bullet that goes on over two lines."]
    assert tasks[2].hints == ["Only hint with `code`.", "Star bullets count too."]


def test_parse_hints_of_text_without_sections_is_empty():
    assert parse_hints("- a bullet before any heading\n") == {}


@pytest.mark.parametrize("exercise", all_exercises(), ids=lambda e: e.slug)
def test_every_task_of_every_exercise_has_at_least_two_hints(exercise):
    tasks = load_hints(exercise)
    for task in {c.task for c in exercise.checks}:
        assert task in tasks, f"{exercise.hints_file()} has no '## {task}.' section"
        assert len(tasks[task].hints) >= 2, f"task {task} of {exercise.slug}"


def test_stepper_reveals_one_hint_at_a_time_then_says_there_are_no_more():
    exercise = all_exercises()[0]
    stepper = HintStepper(exercise)
    hints = load_hints(exercise)[1].hints
    assert stepper.revealed(1) == [] and stepper.remaining(1) == len(hints)
    got = [stepper.next(1) for _ in hints]
    assert got == hints
    assert stepper.next(1) == ALL_SHOWN.format(task=1)
    assert stepper.revealed(1) == hints and stepper.remaining(1) == 0
    assert stepper.next(99) == NO_HINTS.format(task=99, path="hints.md")


def _fetch_in_order():
    return next(e for e in all_exercises() if e.slug == "fetch_in_order")


def test_panel_on_the_stub_offers_hints_for_each_failing_task_and_reveals_them(tmp_path):
    exercise = _fetch_in_order()
    panel = CheckPanel(exercise, EXERCISES_DIR)
    result = panel.refresh()
    assert result.score == 0 and result.status == messages.FAILED
    assert "NotImplementedError" in panel.table.value
    boxes = panel.hint_boxes.children
    tasks = sorted({c.task for c in exercise.checks})
    assert len(boxes) == len(tasks)
    button, shown = boxes[0].children
    hints = load_hints(exercise)[tasks[0]].hints
    assert button.description == HINT_BUTTON.format(n=1, total=len(hints), task=tasks[0])
    assert shown.value == ""
    button.click()
    assert "<li>" in shown.value and shown.value.count("<li>") == 1
    assert "list comprehension" in shown.value
    for _ in hints[1:]:
        button.click()
    assert shown.value.count("<li>") == len(hints)
    assert button.disabled and button.description == NO_MORE_HINTS.format(task=tasks[0])


def test_check_again_regrades_the_file_on_disk_and_keeps_revealed_hints(tmp_path):
    exercise = _fetch_in_order()
    target = tmp_path / "target"
    shutil.copytree(EXERCISES_DIR / exercise.folder, target / exercise.folder)
    panel = CheckPanel(exercise, target)
    assert panel.refresh().score == 0
    panel.hint_boxes.children[0].children[0].click()
    assert panel.stepper.revealed(1)
    shutil.copy(SOLUTIONS_DIR / exercise.folder / f"{exercise.slug}.py", target / exercise.folder)
    panel.again.click()
    assert panel.result.status == messages.PASSED, panel.table.value
    assert panel.hint_boxes.children == ()
    assert f"{exercise.max_score:g}/{exercise.max_score:g} points" in panel.table.value
    assert panel.stepper.revealed(1), "hints already read stay revealed"


def test_check_never_raises_and_returns_none_for_an_unknown_slug(capsys):
    assert check("no_such_exercise", display=False) is None
