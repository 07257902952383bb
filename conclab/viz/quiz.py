"""Self-check questions at the end of a notebook: pick an answer, see feedback at once."""

from __future__ import annotations

import ipywidgets as widgets
from IPython.display import display


class Question:
    """One multiple-choice question with an explanation shown after each answer."""

    def __init__(self, prompt: str, options: list[str], answer: int, explanation: str):
        if not 0 <= answer < len(options):
            raise ValueError("answer must index one of the options")
        self.prompt = prompt
        self.options = options
        self.answer = answer
        self.explanation = explanation
        self.choice = widgets.RadioButtons(options=options, value=None, layout={"width": "auto"})
        self.feedback = widgets.HTML()
        self.choice.observe(self._on_change, names="value")
        self.widget = widgets.VBox([widgets.HTML(f"<b>{prompt}</b>"), self.choice, self.feedback])

    def _on_change(self, change) -> None:
        self.feedback.value = self.feedback_for(change["new"])

    def feedback_for(self, option: str | None) -> str:
        if option is None:
            return ""
        if option == self.options[self.answer]:
            return f"<span style='color:#1a7f37'>Right.</span> {self.explanation}"
        return f"<span style='color:#cf222e'>Not quite.</span> {self.explanation}"


def _execution_count() -> int | None:
    """The number of the cell IPython is running now (None outside IPython)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    return None if shell is None else shell.execution_count


class Quiz:
    """What `quiz()` returns: the questions and their widget, shown once.

    `quiz()` displays the widget itself, so the cell shows it whether or not the result is
    assigned. When the call is also the cell's last expression, IPython displays the result
    again: that second display, in the same cell, shows nothing. Displayed from a later
    cell, the quiz shows again.
    """

    def __init__(self, questions: tuple[Question, ...]):
        self.questions = questions
        self.widget = widgets.VBox([q.widget for q in questions])
        self.widget.questions = questions
        self.shown_in: int | None = None  # the cell that displayed it last

    @property
    def children(self):
        return self.widget.children

    def show(self) -> None:
        self.shown_in = _execution_count()
        display(self.widget)

    def _ipython_display_(self) -> None:
        if self.shown_in is not None and self.shown_in == _execution_count():
            return  # already shown by quiz() in this very cell
        self.show()


def quiz(*questions: Question) -> Quiz:
    """Show the questions one under another; returns the Quiz (tests can drive its widget).
    The cell shows the questions once, whether it ends with `quiz(...)` or assigns it."""
    result = Quiz(questions)
    result.show()
    return result
