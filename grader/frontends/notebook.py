"""What a notebook shows: `check("slug")` result panels with hints, and `progress()`.

Both grade in isolated processes (grader.engine.runner), remember the result
(grader.frontends.progress_store) and never raise, so a notebook stays executable while
exercises are unsolved. With ipywidgets the panels have buttons (next hint, check again, refresh);
without it they fall back to static HTML or text.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from grader import messages
from grader.engine.assignment import grade
from grader.engine.runner import grade_exercise
from grader.frontends.hints import HintStepper
from grader.frontends.panels import checks_table, colour_of, exercise_html
from grader.frontends.progress_store import overview_html, record
from grader.manifest import EXERCISES_DIR, PROJECT_ROOT, Exercise, select

try:
    import ipywidgets as widgets
except ImportError:  # pragma: no cover - ipywidgets is a dependency, but stay usable without
    widgets = None

CHECKING = "Checking your file again..."
HINT_BUTTON = "Show hint {n} of {total} for task {task}"
NO_MORE_HINTS = "No more hints for task {task}"


def _grade(exercise: Exercise, target: Path):
    """Grade the learner's file and remember the result (per target folder)."""
    result = grade_exercise(exercise, target, include_hidden=False)
    _remember(result, exercise, target)
    return result


def grade_all(target: Path, on_graded=None) -> None:
    """Grade every exercise, several at once, remembering each result as it comes in."""
    exercises = {e.slug: e for e in select(None)}

    def remember(result) -> None:
        _remember(result, exercises[result.slug], target)
        if on_graded is not None:
            on_graded(result)

    grade(list(exercises), Path(target), include_hidden=False, on_result=remember)


def _remember(result, exercise: Exercise, target: Path) -> None:
    try:
        record(result, exercise, target)
    except OSError:
        pass  # a read-only checkout still shows the result


def inline_markdown(text: str) -> str:
    """Escape text and render its `code` spans, as hints.md writes them."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


class CheckPanel:
    """A result panel: checks, a graduated hint button per failing task, and check again."""

    def __init__(self, exercise: Exercise, target: Path = EXERCISES_DIR, root=PROJECT_ROOT):
        self.exercise = exercise
        self.target = Path(target)
        self.stepper = HintStepper(exercise, root)  # keeps revealed hints across re-checks
        self.result = None
        self.table = widgets.HTML()
        self.hint_boxes = widgets.VBox()
        self.again = widgets.Button(
            description="Check again",
            icon="refresh",
            tooltip="grade the file on disk again",
            layout={"width": "auto"},
        )
        self.status = widgets.Label()
        self.again.on_click(lambda _: self.refresh())
        self.show_runs = widgets.ToggleButton(
            description="Show every run",
            icon="chart-bar",
            tooltip="draw the run of passing checks too (failed checks always show theirs)",
            layout={"width": "auto"},
        )
        self.show_runs.observe(lambda _: self.render(), names="value")
        self.widget = widgets.VBox(
            [
                self.table,
                self.hint_boxes,
                widgets.HBox([self.again, self.show_runs, self.status]),
            ],
            layout={"border_left": "4px solid #6e7781", "padding": "4px 10px"},
        )
        self.widget.add_class("conclab-check")

    def refresh(self):
        """Grade the file on disk again and redraw; never raises."""
        self.again.disabled = True
        self.status.value = CHECKING
        try:
            self.result = _grade(self.exercise, self.target)
            self.status.value = ""
        except Exception as exc:  # noqa: BLE001 - a button must never raise into the kernel
            self.status.value = messages.CHECK_NEVER_RAISES.format(error=exc)
        finally:
            self.again.disabled = False
        if self.result is not None:
            self.render()
        return self.result

    def render(self) -> None:
        if self.result is None:  # the toggle was pressed before a grade came back
            return
        colour = colour_of(self.result.status)
        self.widget.layout.border_left = f"4px solid {colour}"
        self.table.value = checks_table(self.result, self.show_runs.value)
        tasks = []
        for c in self.result.checks:
            if not c.passed and c.task not in tasks:
                tasks.append(c.task)
        self.hint_boxes.children = [self._hint_box(task) for task in tasks]

    def _hint_box(self, task: int):
        shown = widgets.HTML()
        button = widgets.Button(layout={"width": "auto"}, icon="lightbulb-o")
        button.add_class("conclab-hint-button")

        def redraw() -> None:
            items = "".join(f"<li>{inline_markdown(h)}</li>" for h in self.stepper.revealed(task))
            shown.value = f"<ol class='conclab-hints'>{items}</ol>" if items else ""
            left, total = self.stepper.remaining(task), self.stepper.count(task)
            button.disabled = left == 0
            button.description = (
                HINT_BUTTON.format(n=total - left + 1, total=total, task=task)
                if left
                else NO_MORE_HINTS.format(task=task)
            )

        def reveal(_):
            self.stepper.next(task)
            redraw()

        button.on_click(reveal)
        redraw()
        return widgets.VBox([button, shown])


def check(slug: str, target=EXERCISES_DIR, display: bool = True):
    """Grade one exercise in an isolated process and show a result panel.

    Returns the ExerciseResult (or None when grading could not start), so a notebook
    stays executable while the exercise is unsolved.
    """
    try:
        (exercise,) = select([slug])
        if widgets is not None and display:
            panel = CheckPanel(exercise, target)
            _show(panel.widget, None, None)
            return panel.refresh()
        result = _grade(exercise, target)
    except Exception as exc:  # noqa: BLE001 - a notebook cell must never fail here
        text = messages.CHECK_NEVER_RAISES.format(error=exc)
        if display:
            _show(None, f"<div class='conclab-check'><b>{html.escape(text)}</b></div>", text)
        return None
    if display:
        _show(None, exercise_html(result), None)
    return result


class ProgressPanel:
    """Every exercise's status and points, with a button that grades them all again."""

    def __init__(self, target: Path = EXERCISES_DIR):
        self.target = Path(target)
        self.exercises = select(None)
        self.table = widgets.HTML(overview_html(self.target))
        self.bar = widgets.IntProgress(min=0, max=len(self.exercises), description="Grading")
        self.bar.layout.visibility = "hidden"
        self.label = widgets.Label()
        self.button = widgets.Button(
            description="Check all exercises", icon="refresh", layout={"width": "auto"}
        )
        self.button.on_click(lambda _: self.refresh())
        self.widget = widgets.VBox([widgets.HBox([self.button, self.bar, self.label]), self.table])
        self.widget.add_class("conclab-progress-panel")

    def _graded(self, result) -> None:
        self.bar.value += 1
        self.label.value = f"{self.bar.value}/{len(self.exercises)} graded"
        self.table.value = overview_html(self.target)

    def refresh(self) -> None:
        """Grade every exercise, moving the bar after each one; never raises."""
        self.button.disabled = True
        self.bar.value = 0
        self.bar.layout.visibility = "visible"
        self.label.value = f"0/{len(self.exercises)} graded"
        try:
            grade_all(self.target, on_graded=self._graded)
            self.label.value = ""
        except Exception as exc:  # noqa: BLE001 - a button must never raise into the kernel
            self.label.value = messages.CHECK_NEVER_RAISES.format(error=exc)
        finally:
            self.button.disabled = False
            self.bar.layout.visibility = "hidden"


def progress(refresh: bool = False, target=EXERCISES_DIR) -> None:
    """Show every exercise's remembered status and points, with a button that grades them
    all again (a few seconds per exercise on a busy machine); refresh=True grades at once."""
    try:
        if widgets is None:
            if refresh:
                grade_all(Path(target))
            _show(None, overview_html(Path(target)), None)
            return
        panel = ProgressPanel(target)
        _show(panel.widget, None, None)
        if refresh:
            panel.refresh()
    except Exception as exc:  # noqa: BLE001 - a notebook cell must never fail here
        text = messages.CHECK_NEVER_RAISES.format(error=exc)
        _show(None, f"<b>{html.escape(text)}</b>", text)


def _show(widget, markup: str | None, text: str | None) -> None:
    try:
        from IPython.display import HTML
        from IPython.display import display as ipy_display

        ipy_display(widget if widget is not None else HTML(markup))
    except ImportError:
        print(text or markup)
