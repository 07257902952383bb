"""Reports of a grading run: terminal text, HTML for notebooks, and JSON."""

from __future__ import annotations

import json
from pathlib import Path

from grader import messages
from grader.manifest import PROJECT_ROOT
from grader.results import ExerciseResult, RunResult

MARKS = {True: "[pass]", False: "[FAIL]"}


def _points(score: float, max_score: float) -> str:
    return f"{score:g}/{max_score:g}"


def hint_pointer(result: ExerciseResult, task: int) -> str:
    folder = f"{result.order:02d}_{result.slug}"
    return messages.HINT_POINTER.format(task=task, hints=f"exercises/{folder}/hints.md")


def text_timeline(spans: list[dict], width: int = 40) -> list[str]:
    """One row per worker of the learner's run: '#' while it ran a call, '.' otherwise,
    then the calls it ran, in order."""
    if not spans:
        return []
    total = max(s["end"] for s in spans) or 1e-9
    rows: dict[str, tuple[list[str], list[str]]] = {}
    for s in sorted(spans, key=lambda s: s["start"]):
        row, labels = rows.setdefault(s["worker"], (["."] * width, []))
        first = min(int(s["start"] / total * width), width - 1)
        last = max(first, min(int(s["end"] / total * width), width - 1))
        row[first : last + 1] = ["#"] * (last + 1 - first)
        labels.append(s["label"])
    name = min(max(len(n) for n in rows), 24)
    lines = [
        f"{n[:24]:<{name}} |{''.join(row)}| {', '.join(labels)[:40]}"
        for n, (row, labels) in list(rows.items())[:12]
    ]
    span = f"{total * 1000:.1f} ms" if total < 1 else f"{total:.2f} s"
    lines.append(f"{'':<{name}}  0{span:>{width}}")
    return lines


def exercise_text(
    result: ExerciseResult, verbose: bool = False, show_runs: bool = False
) -> list[str]:
    """Lines for one exercise: a summary line, then the first failure (or all with verbose);
    with show_runs, the timeline of every passing check's run as well."""
    ok = result.status == messages.PASSED
    lines = [
        f"{MARKS[ok]} {result.order:02d} {result.slug:<24} "
        f"{_points(result.score, result.max_score):>9} points  {result.title}"
    ]
    failures = [c for c in result.checks if not c.passed]
    for check in failures if verbose else failures[:1]:
        hidden = " (hidden check)" if check.hidden else ""
        lines.append(
            f"       {check.status}: {check.name}{hidden}, task {check.task}, "
            f"{_points(check.score, check.max_score)} points"
        )
        for part in check.message.splitlines() or [""]:
            lines.append(f"         {part}")
        if check.spans:
            lines.append("         " + messages.YOUR_RUN)
            lines += [f"           {row}" for row in text_timeline(check.spans)]
        lines.append(f"         {hint_pointer(result, check.task)}")
    for check in (c for c in result.checks if c.passed and c.spans) if show_runs else ():
        lines.append(f"       {check.status}: {check.name}; {messages.YOUR_RUN}")
        lines += [f"           {row}" for row in text_timeline(check.spans)]
    if failures and not verbose and len(failures) > 1:
        lines.append(f"       ... and {len(failures) - 1} more failing check(s); use --verbose")
    if result.flags:
        lines.append("       " + messages.FLAGGED.format(reasons="; ".join(result.flags)))
    return lines


PUBLIC_ONLY = "public checks only: hidden checks were not run, so this is not the final grade"
WITH_HIDDEN = "including {hidden} hidden check(s)"
NO_HIDDEN = "every check: these exercises have no hidden checks"
RELEASE_MARKER = ".conclab-release"  # at the root of a student release, which has no hidden checks


def hidden_count(run: RunResult) -> int:
    """How many of the run's checks were hidden ones."""
    return sum(c.hidden for e in run.exercises for c in e.checks)


def hidden_declared(run: RunResult) -> bool:
    """Whether hidden checks exist for the run's exercises (always, in a student release,
    whose manifests have had them taken out)."""
    return run.hidden_declared or (PROJECT_ROOT / RELEASE_MARKER).exists()


def summary_line(run: RunResult) -> str:
    """The run's summary, saying plainly whether hidden checks ran (never a bare 'passed')."""
    hidden = hidden_count(run)
    if hidden:
        scope = WITH_HIDDEN.format(hidden=hidden)
    else:
        scope = PUBLIC_ONLY if hidden_declared(run) else NO_HIDDEN
    return f"{run.summary()} ({scope})"


def run_json(run: RunResult) -> str:
    return json.dumps(run.to_dict(), indent=2)


def write_json(run: RunResult, path: Path) -> None:
    Path(path).write_text(run_json(run) + "\n", encoding="utf-8")
