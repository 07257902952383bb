"""`check("slug")` for notebooks: grade the file on disk and show the result; never raises."""

from __future__ import annotations

import html

from . import messages
from .manifest import EXERCISES_DIR, select
from .report import exercise_html
from .runner import grade_exercise


def check(slug: str, target=EXERCISES_DIR, display: bool = True):
    """Grade one exercise in an isolated process and show a result panel.

    Returns the ExerciseResult (or None when grading could not start), so a notebook
    stays executable while the exercise is unsolved.
    """
    try:
        (exercise,) = select([slug])
        result = grade_exercise(exercise, target, include_hidden=False)
    except Exception as exc:  # noqa: BLE001 - a notebook cell must never fail here
        text = messages.CHECK_NEVER_RAISES.format(error=exc)
        _show(f"<div class='conclab-check'><b>{html.escape(text)}</b></div>", text, display)
        return None
    _show(exercise_html(result), None, display)
    return result


def _show(markup: str, text: str | None, display: bool) -> None:
    if not display:
        return
    try:
        from IPython.display import HTML
        from IPython.display import display as ipy_display

        ipy_display(HTML(markup))
    except ImportError:
        print(text or markup)
