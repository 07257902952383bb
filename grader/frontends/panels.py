"""Every piece of HTML the grader shows: a result's checks table (notebook widget, static
panel, progress overview), the picture of a learner's run, one colour per status.

One renderer, so that the notebook's live panel, its static fallback and the overview
cannot drift apart in what they say or how they look.
"""

from __future__ import annotations

import html

from grader import messages
from grader.frontends.report import hint_pointer
from grader.results import ExerciseResult

STATUS_COLOURS = {
    messages.PASSED: "#1a7f37",
    messages.FAILED: "#cf222e",
    messages.ERROR: "#cf222e",
    messages.TIMEOUT: "#bc4c00",
    messages.NOT_RUN: "#6e7781",
    messages.NOT_CHECKED: "#6e7781",
}
OTHER_COLOUR = "#bc4c00"  # a status not in the table (an overview's "failed, outdated")
TABLE_STYLE = "border-collapse:collapse;line-height:1.35;font-size:0.92em"
CELL = "padding:1px 10px 1px 0;vertical-align:top;text-align:left"
# Messages wrap (the widget's HTML box does not, by default) and keep a readable width.
TABLE_FITS = "white-space:normal;width:100%"  # the table wraps to the output's width
MESSAGE_STYLE = ";text-align:left;white-space:normal;min-width:14em;overflow-wrap:anywhere"
CHECK_HEADS = ("status", "task", "check", "points", "message")


def colour_of(status: str) -> str:
    return STATUS_COLOURS.get(status.split(",")[0], OTHER_COLOUR)


def status_html(status: str) -> str:
    return f"<b style='color:{colour_of(status)}'>{html.escape(status)}</b>"


def cells(*contents: str, style: str = "") -> str:
    return "".join(f"<td style='{CELL}{style}'>{c}</td>" for c in contents)


def table(heads, rows: list[str], style: str = "") -> str:
    """A table in the course's style; rows are `<tr>` strings, heads plain words."""
    head = cells(*(f"<b>{h}</b>" for h in heads))
    return (
        f"<table style='{TABLE_STYLE}{style}'><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def run_picture_html(spans: list[dict]) -> str:
    """The learner's own run as a timeline image (one row per worker, a bar per call), in
    the lessons' style; empty if it cannot be drawn."""
    try:
        import base64
        import io

        import matplotlib

        matplotlib.use("Agg", force=False)
        from matplotlib.figure import Figure
    except ImportError:
        return ""
    workers = list(dict.fromkeys(s["worker"] for s in spans))
    seconds = max(s["end"] for s in spans) > 2  # long runs (a barrier timed out) in s
    scale, unit = (1, "s") if seconds else (1000, "ms")
    fig = Figure(figsize=(7, 1.3 + 0.3 * len(workers)))
    ax = fig.subplots()
    for row, worker in enumerate(workers):
        for s in (s for s in spans if s["worker"] == worker):
            width = max((s["end"] - s["start"]) * scale, 0.0005 * scale)
            ax.barh(row, width, left=s["start"] * scale, height=0.6, color="#4c72b0")
            ax.text(s["start"] * scale, row, f" {s['label']}", va="center", fontsize=7)
    ax.set_yticks(range(len(workers)), workers, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel(f"time since the first call ({unit})", fontsize=8)
    ax.set_ylabel("worker", fontsize=8)
    ax.set_title("Your run, as the check saw it: a bar per call", fontsize=9)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    data = base64.b64encode(buffer.getvalue()).decode()
    return f"<img alt='your run' style='max-width:100%' src='data:image/png;base64,{data}'>"


def checks_table(result: ExerciseResult, show_runs: bool = False, hints: bool = False) -> str:
    """The result's header and one row per check: status, task, check, points, message;
    a failed check's message ends with a picture of its run (every check's, with show_runs)
    and, with hints (where no hint buttons are shown), where its hints are."""
    rows = []
    for c in result.checks:
        hidden = " <em>(hidden)</em>" if c.hidden else ""
        message = html.escape(c.message).replace("\n", "<br>")
        if hints and not c.passed:
            message += f"<br><small>{html.escape(hint_pointer(result, c.task))}</small>"
        name = f"<code>{html.escape(c.name)}</code>{hidden}"
        rows.append(
            f"<tr>{cells(status_html(c.status), str(c.task), name, f'{c.score:g}/{c.max_score:g}')}"
            f"{cells(message, style=MESSAGE_STYLE)}</tr>"
        )
        if c.spans and (show_runs or not c.passed):  # the picture gets the table's width
            rows.append(f"<tr><td colspan='5' style='{CELL}'>{run_picture_html(c.spans)}</td></tr>")
    printed = ""
    if result.output.strip():
        printed = (
            "<details><summary>What your code printed</summary><pre>"
            f"{html.escape(result.output[:5000])}</pre></details>"
        )
    points = f"{result.score:g}/{result.max_score:g} points"
    return (
        f"<h4 style='margin:4px 0'>{result.order:02d} {html.escape(result.title)}: "
        f"<span style='color:{colour_of(result.status)}'>{points}</span></h4>"
        f"{table(CHECK_HEADS, rows, ';' + TABLE_FITS)}{printed}"
    )


def exercise_html(result: ExerciseResult) -> str:
    """The static panel (a notebook without widgets): the checks table, hints named."""
    colour = colour_of(result.status)
    return (
        f"<div class='conclab-check' style='border-left:4px solid {colour};padding:4px 10px'>"
        f"{checks_table(result, hints=True)}</div>"
    )
