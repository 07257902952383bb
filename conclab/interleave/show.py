"""Pictures of an interleaving: the step table and a timeline with one row per thread."""

from __future__ import annotations

import html

COLOURS = ("#4C72B0", "#DD8452", "#55A868", "#C44E52")


class StepTable:
    """Step, thread, line, source, instruction, shared state after the step; prints as
    text and shows as an HTML table in a notebook."""

    COLUMNS = ("step", "thread", "line", "source", "instruction", "shared state after")

    def __init__(self, interleaving, limit=None):
        self.interleaving, self.limit = interleaving, limit

    def rows(self):
        steps = self.interleaving.steps[: self.limit]
        return [
            (s.index, s.thread, s.line, s.code, s.instruction, _state_text(s.state)) for s in steps
        ]

    def __str__(self):
        lines = [
            f"{i:>3} {t:<2} line {ln:<4} {code:<34.34} {ins:<26.26} {st}"
            for i, t, ln, code, ins, st in self.rows()
        ]
        if self.interleaving.failure:
            lines.append(f"=> {self.interleaving.failure}")
        return "\n".join(lines)

    def _repr_html_(self):
        head = "".join(f"<th>{c}</th>" for c in self.COLUMNS)
        body = []
        for row in self.rows():
            colour = COLOURS[list(self.interleaving_threads()).index(row[1]) % 4]
            cells = "".join(f"<td>{html.escape(str(c))}</td>" for c in row)
            body.append(f'<tr style="border-left:4px solid {colour}">{cells}</tr>')
        verdict = self.interleaving.failure or "no invariant broken"
        return (
            f"<table class='interleave-steps'><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table><p><b>{html.escape(verdict)}</b></p>"
        )

    def interleaving_threads(self):
        return dict.fromkeys(sorted(self.interleaving.schedule))


def _state_text(state) -> str:
    if isinstance(state, dict):
        return ", ".join(f"{k}={v}" for k, v in state.items())
    return str(state)


def timeline(interleaving, title=None):
    """A matplotlib figure: x is the step number, one row per thread, a box per step
    labelled with its source line; the last step is marked with the verdict."""
    import matplotlib.pyplot as plt

    names = sorted(set(interleaving.schedule))
    steps = interleaving.steps
    fig, ax = plt.subplots(figsize=(min(14, 2 + 0.32 * max(len(steps), 8)), 0.6 + 0.6 * len(names)))
    for step in steps:
        row = names.index(step.thread)
        ax.barh(row, 1, left=step.index - 0.5, color=COLOURS[row % 4], edgecolor="white")
        ax.text(
            step.index, row, str(step.line), ha="center", va="center", fontsize=7, color="white"
        )
    ax.set_yticks(range(len(names)), [f"thread {n}" for n in names])
    ax.set_ylim(len(names) - 0.5, -0.5)
    ax.set_xlim(0.5, max(len(steps), 1) + 0.5)
    ax.set_xlabel("step (one shared-memory instruction each; the box shows its source line)")
    ax.set_ylabel("thread")
    verdict = interleaving.failure or "no invariant broken"
    ax.set_title(title or f"{interleaving.compact()}  ->  {verdict}"[:110], fontsize=10)
    fig.tight_layout()
    return fig
