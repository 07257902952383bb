"""Grading speed: each exercise against its reference solution, the whole assignment, and
the grader's overhead against running the same checks with bare pytest."""

from __future__ import annotations

import tempfile
from pathlib import Path

from grader.engine.assignment import default_jobs, grade
from grader.engine.runner import grade_exercise
from grader.frontends import panels, report
from grader.manifest import SOLUTIONS_DIR, discover

from .stats import Figure, run_pytest, timed


def bare_pytest(exercise) -> None:
    """The same checks, in one plain pytest process, without the grader around them."""
    files = [str(exercise.checks_file())]
    if exercise.hidden_checks_file().exists():
        files.append(str(exercise.hidden_checks_file()))
    target = str(exercise.module_in(SOLUTIONS_DIR).parent)
    args = ["-p", "grader.engine.plugin", "--import-mode=importlib", "--conclab-target", target]
    run_pytest([*args, *files], timeout=600, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")


def render_reports(run) -> None:
    """Every report a passing submission gets: the terminal text (with every run drawn,
    as --show-runs does), the notebook panels and the JSON."""
    for result in run.exercises:
        report.exercise_text(result, verbose=True, show_runs=True)
        panels.checks_table(result)
    with tempfile.TemporaryDirectory() as folder:
        report.write_json(run, Path(folder) / "results.json")


def run(repeats: int) -> list[Figure]:
    figures = []
    grader_total = bare_total = 0.0
    for exercise in discover():
        times = [
            timed(grade_exercise, exercise, SOLUTIONS_DIR, include_hidden=True)
            for _ in range(repeats)
        ]
        bare = [timed(bare_pytest, exercise) for _ in range(repeats)]
        grader_total += sum(times)
        bare_total += sum(bare)
        figures.append(
            Figure(
                "grading",
                f"grade {exercise.order:02d} {exercise.slug}",
                "s",
                times,
                target=1.0,
                higher_is_better=False,
            )
        )
    jobs = default_jobs()
    whole = [timed(grade, None, SOLUTIONS_DIR, include_hidden=True) for _ in range(repeats)]
    run = grade(None, SOLUTIONS_DIR, include_hidden=True)
    figures.append(
        Figure(
            "grading",
            "reports of the passing assignment (terminal, notebook, JSON)",
            "s",
            [timed(render_reports, run) for _ in range(repeats)],
            target=0.05,
            higher_is_better=False,
        )
    )
    figures.append(
        Figure(
            "grading",
            f"grade the whole assignment ({jobs} at once)",
            "s",
            whole,
            target=5.0,
            higher_is_better=False,
        )
    )
    figures.append(
        Figure(
            "grading",
            "grader time / bare pytest time",
            "ratio",
            [grader_total / bare_total],
            target=1.3,
            higher_is_better=False,
        )
    )
    return figures
