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


def quiz(*questions: Question) -> widgets.VBox:
    """Show the questions one under another; returns the widget (tests can drive it)."""
    box = widgets.VBox([q.widget for q in questions])
    box.questions = questions
    display(box)
    return box
