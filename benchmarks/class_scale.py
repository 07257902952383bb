"""Class scale: batch grading of generated submissions with 1 and 2 workers.

The class is a mix like a real one: 40% solved everything (reference solutions), 40%
solved half the exercises (stubs for the rest), 20% handed in something broken in one
exercise (a syntax error, os._exit at import, a missing function, or a deadlock that runs
into the timeout), the rest of it solved.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
import time
from pathlib import Path

from grader.course.batch import run_batch
from grader.course.gradebook import Progress
from grader.manifest import EXERCISES_DIR, PROJECT_ROOT, SOLUTIONS_DIR, discover

from .stats import Figure

HOSTILE = PROJECT_ROOT / "tests" / "hostile"
BROKEN = ["syntax_error", "exit_at_import", "missing_function", "deadlock_two_locks"]


def make_class(folder: Path, size: int) -> list[Path]:
    """Write `size` submission folders laid out like exercises/; returns their paths."""
    exercises = discover()
    broken = itertools.cycle(BROKEN)
    paths = []
    for i in range(size):
        sub = folder / f"student{i:03d}"
        kind = "solved" if i % 5 in (0, 1) else "half" if i % 5 in (2, 3) else "broken"
        hostile_slot = i % len(exercises)
        for j, exercise in enumerate(exercises):
            (sub / exercise.folder).mkdir(parents=True)
            source = exercise.module_in(SOLUTIONS_DIR)
            if kind == "half" and j % 2:
                source = exercise.module_in(EXERCISES_DIR)
            if kind == "broken" and j == hostile_slot:
                source = HOSTILE / f"{next(broken)}.py"
            shutil.copy(source, exercise.module_in(sub))
        paths.append(sub)
    return paths


class _Quiet(Progress):
    def update(self, row, note=""):  # the benchmark prints its own table
        self.done += 1


def run(repeats: int, size: int = 100, timeout: float = 5.0) -> list[Figure]:
    """Grade the class once per worker count (repeats would take too long at this size).

    `timeout` (seconds per check) keeps the deadlocked submissions' cost bounded.
    """
    rates = {}
    with tempfile.TemporaryDirectory(prefix="conclab-class-") as tmp:
        paths = make_class(Path(tmp), size)
        for workers in (1, 2):
            csv = Path(tmp) / f"grades-{workers}.csv"
            started = time.perf_counter()
            run_batch(
                paths, csv, options={"include_hidden": True, "timeout": timeout},
                workers=workers, regrade=True, progress=_Quiet(len(paths)),
            )  # fmt: skip
            minutes = (time.perf_counter() - started) / 60
            rates[workers] = size / minutes
    return [
        Figure("class scale", f"{size} submissions, 1 worker", "subs/min", [rates[1]]),
        Figure(
            "class scale",
            f"{size} submissions, 2 workers",
            "subs/min",
            [rates[2]],
            target=20.0,  # 100 submissions in 5 minutes
        ),
        Figure(
            "class scale",
            "parallel efficiency with 2 workers",
            "ratio",
            [rates[2] / (2 * rates[1])],
            target=0.85,
        ),
    ]
