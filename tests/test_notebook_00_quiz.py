"""conclab.viz.quiz: every notebook's self-check shows its questions once (issue 16, item 17)."""

from __future__ import annotations

import pytest

pytest.importorskip("ipywidgets")

from conclab.viz import quiz as quiz_module  # noqa: E402


@pytest.fixture
def shown(monkeypatch):
    """Record what quiz displays, in a pretend cell numbered by cell[0]."""
    calls, cell = [], [7]
    monkeypatch.setattr(quiz_module, "display", calls.append)
    monkeypatch.setattr(quiz_module, "_execution_count", lambda: cell[0])
    return calls, cell


def _one_question():
    return quiz_module.Question("2 + 2?", ["3", "4"], 1, "Arithmetic.")


def test_a_quiz_as_the_last_expression_of_a_cell_shows_once(shown):
    calls, _ = shown
    result = quiz_module.quiz(_one_question())
    result._ipython_display_()  # what IPython does with a cell's last expression
    assert len(calls) == 1 and calls[0] is result.widget


def test_a_quiz_displayed_again_in_a_later_cell_shows_again(shown):
    calls, cell = shown
    result = quiz_module.quiz(_one_question())
    cell[0] += 1
    result._ipython_display_()
    assert len(calls) == 2


def test_the_widget_still_gives_feedback(shown):
    result = quiz_module.quiz(_one_question())
    question = result.questions[0]
    question.choice.value = "4"
    assert "Right." in question.feedback.value
    assert result.children == result.widget.children


@pytest.mark.slow
def test_in_a_real_kernel_each_cell_shows_the_quiz_once():
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    make = "from conclab.viz.quiz import Question, quiz\n"
    ask = "Question('2 + 2?', ['3', '4'], 1, 'Arithmetic.')"
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(f"{make}quiz({ask})"),  # last expression: displayed twice before
        nbformat.v4.new_code_cell(f"answers = quiz({ask})"),
        nbformat.v4.new_code_cell("answers"),  # a later cell shows it again, once
    ]
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    views = [
        sum("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in c.outputs)
        for c in nb.cells
    ]
    assert views == [1, 1, 1]
