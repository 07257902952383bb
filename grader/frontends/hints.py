"""Graduated hints from an exercise's hints.md: `## n. Title` sections of `- ` bullets.

The notebook panel and `grader watch` reveal them one at a time, so a learner who fails a
check of task n reads the nudge before the near-answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from grader.manifest import PROJECT_ROOT, Exercise

HEADING = re.compile(r"^##\s+(\d+)\.\s*(.*?)\s*$")
BULLET = re.compile(r"^[-*]\s+(.*)$")
NO_HINTS = "There are no hints for task {task} in {path}."
ALL_SHOWN = "That was the last hint for task {task}: read the task again in README.md."


@dataclass
class TaskHints:
    """The hints of one task, in the order they should be revealed."""

    task: int
    title: str
    hints: list[str] = field(default_factory=list)


def parse_hints(text: str) -> dict[int, TaskHints]:
    """Map task number to its hints; a bullet's indented continuation lines are joined."""
    tasks: dict[int, TaskHints] = {}
    current: TaskHints | None = None
    in_bullet = False
    for raw in text.splitlines():
        line = raw.rstrip()
        heading = HEADING.match(line)
        if heading:
            current = TaskHints(int(heading.group(1)), heading.group(2))
            tasks[current.task] = current
            in_bullet = False
            continue
        if line.startswith("#"):  # any other heading ends the task's section
            current, in_bullet = None, False
            continue
        if current is None:
            continue
        bullet = BULLET.match(line)
        if bullet:
            current.hints.append(bullet.group(1).strip())
            in_bullet = True
        elif in_bullet and line and raw[:1].isspace():
            current.hints[-1] += " " + line.strip()
        else:
            in_bullet = False
    return tasks


def load_hints(exercise: Exercise, root: Path = PROJECT_ROOT) -> dict[int, TaskHints]:
    """The parsed hints.md of one exercise (empty when the file is missing)."""
    path = exercise.hints_file(root)
    try:
        return parse_hints(path.read_text(encoding="utf-8"))
    except OSError:
        return {}


class HintStepper:
    """Reveals the hints of each task one at a time and remembers how many were shown."""

    def __init__(self, exercise: Exercise, root: Path = PROJECT_ROOT):
        self.exercise = exercise
        self.path = exercise.hints_file(root)
        self.tasks = load_hints(exercise, root)
        self.shown: dict[int, int] = {}

    def count(self, task: int) -> int:
        entry = self.tasks.get(task)
        return len(entry.hints) if entry else 0

    def revealed(self, task: int) -> list[str]:
        """The hints of task already shown, oldest first."""
        entry = self.tasks.get(task)
        return entry.hints[: self.shown.get(task, 0)] if entry else []

    def next(self, task: int) -> str:
        """Reveal and return the next hint of task, or say that there is none left."""
        total = self.count(task)
        if total == 0:
            return NO_HINTS.format(task=task, path=self.path.name)
        shown = self.shown.get(task, 0)
        if shown >= total:
            return ALL_SHOWN.format(task=task)
        self.shown[task] = shown + 1
        return self.tasks[task].hints[shown]

    def remaining(self, task: int) -> int:
        return self.count(task) - self.shown.get(task, 0)
