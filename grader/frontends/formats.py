"""Results in the formats course platforms read: JUnit XML, Gradescope JSON, Markdown.

Each format is built from the grader's own RunResult (never from the learner's output),
says which checks were hidden, and never claims a full pass when hidden checks did not run.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

from grader import messages
from grader.frontends import report
from grader.results import CheckResult, ExerciseResult, RunResult

STEP_SUMMARY_ENV = "GITHUB_STEP_SUMMARY"  # GitHub Actions appends this file to the job page
HIDDEN_VISIBILITY = "after_published"  # Gradescope shows hidden checks once grades are out
SUITE_NAME = "concurrency-lab"
OUTPUT_LIMIT = 8000  # characters of one Gradescope test's output


def _check_output(result: ExerciseResult, check: CheckResult) -> str:
    if check.passed:
        return ""
    return f"{check.status}: {check.message}\n{report.hint_pointer(result, check.task)}".strip()


# --- JUnit XML -------------------------------------------------------------------------


def junit_xml(run: RunResult) -> str:
    """testsuites > testsuite per exercise > testcase per check, as every CI system reads."""
    suites = ET.Element("testsuites", name=SUITE_NAME)
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    total_time = 0.0
    for result in run.exercises:
        counts = {
            "tests": len(result.checks),
            "failures": sum(c.status == messages.FAILED for c in result.checks),
            "errors": sum(c.status in (messages.ERROR, messages.TIMEOUT) for c in result.checks),
            "skipped": sum(c.status == messages.NOT_RUN for c in result.checks),
        }
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=result.slug,
            time=f"{result.duration:.3f}",
            **{k: str(v) for k, v in counts.items()},
        )
        props = ET.SubElement(suite, "properties")
        for name, value in (
            ("title", result.title),
            ("score", f"{result.score:g}"),
            ("max_score", f"{result.max_score:g}"),
            ("hidden_included", str(result.hidden_included).lower()),
            ("sandbox", result.sandbox),
            ("flagged_for_review", "; ".join(result.flags)),
        ):
            ET.SubElement(props, "property", name=name, value=value)
        folder = f"{result.order:02d}_{result.slug}"
        for check in result.checks:
            name = check.name + (" (hidden)" if check.hidden else "")
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"exercises.{folder}",
                name=name,
                time=f"{check.duration:.3f}",
            )
            text = _check_output(result, check)
            first = (check.message.splitlines() or [check.status])[0]
            if check.status == messages.FAILED:
                ET.SubElement(case, "failure", message=first, type="failed").text = text
            elif check.status in (messages.ERROR, messages.TIMEOUT):
                ET.SubElement(case, "error", message=first, type=check.status).text = text
            elif check.status == messages.NOT_RUN:
                ET.SubElement(case, "skipped", message=first)
        for key in totals:
            totals[key] += counts[key]
        total_time += result.duration
    for key, value in totals.items():
        suites.set(key, str(value))
    suites.set("time", f"{total_time:.3f}")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suites, "unicode") + "\n"


# --- Gradescope ------------------------------------------------------------------------


def gradescope(run: RunResult) -> dict:
    """Gradescope's results.json: one test per check, hidden checks after publication."""
    tests = []
    for result in run.exercises:
        for i, check in enumerate(result.checks, start=1):
            tests.append(
                {
                    "score": check.score,
                    "max_score": check.max_score,
                    "status": "passed" if check.passed else "failed",
                    "name": f"{result.order:02d} {result.slug}: {check.name}",
                    "number": f"{result.order}.{i}",
                    "output": _check_output(result, check)[:OUTPUT_LIMIT],
                    "output_format": "text",
                    "tags": [result.slug, f"task {check.task}"],
                    "visibility": HIDDEN_VISIBILITY if check.hidden else "visible",
                }
            )
    flagged = [
        f"{r.slug}: " + messages.FLAGGED.format(reasons="; ".join(r.flags))
        for r in run.exercises
        if r.flags
    ]
    return {
        "score": run.score,
        "execution_time": round(sum(e.duration for e in run.exercises), 3),
        "output": "\n".join([report.summary_line(run), *flagged]),
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "extra_data": {
            "target": run.target,
            "max_score": run.max_score,
            "hidden_checks_run": report.hidden_count(run),
            "flagged_for_review": {r.slug: r.flags for r in run.exercises if r.flags},
            "sandbox": {r.slug: r.sandbox for r in run.exercises},
        },
        "tests": tests,
    }


# --- Markdown --------------------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(run: RunResult) -> str:
    """A summary table and each failing check, for a CI job page or a pull request."""
    lines = [f"## Concurrency Lab: {run.score:g}/{run.max_score:g} points", ""]
    lines += [report.summary_line(run), ""]
    lines += ["| exercise | points | status | hidden checks |", "| --- | ---: | --- | --- |"]
    for result in run.exercises:
        hidden = sum(c.hidden for c in result.checks)
        lines.append(
            f"| {result.order:02d} {_cell(result.title)} | {result.score:g}/{result.max_score:g}"
            f" | {result.status} | {hidden if hidden else 'none run'} |"
        )
    for result in run.exercises:
        if result.flags:
            reasons = "; ".join(result.flags)
            lines += ["", f"**{result.slug}**: {_cell(messages.FLAGGED.format(reasons=reasons))}"]
    failing = [(r, c) for r in run.exercises for c in r.checks if not c.passed]
    if failing:
        lines += ["", "### Checks that did not pass", ""]
        for result, check in failing:
            hidden = " (hidden check)" if check.hidden else ""
            message = _cell(check.message.strip()) or check.status
            lines.append(
                f"- **{result.slug}** `{check.name}`{hidden}, task {check.task}, "
                f"{check.status}: {message} {report.hint_pointer(result, check.task)}"
            )
    return "\n".join(lines) + "\n"


# --- Writing ---------------------------------------------------------------------------


def write(run: RunResult, junit=None, gradescope_file=None, markdown_file=None) -> list[Path]:
    """Write each requested format; append the Markdown to $GITHUB_STEP_SUMMARY when set."""
    written = []
    if junit:
        Path(junit).write_text(junit_xml(run), encoding="utf-8")
        written.append(Path(junit))
    if gradescope_file:
        path = Path(gradescope_file)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(gradescope(run), indent=2) + "\n", encoding="utf-8")
        written.append(path)
    if markdown_file:
        Path(markdown_file).write_text(markdown(run), encoding="utf-8")
        written.append(Path(markdown_file))
    summary = os.environ.get(STEP_SUMMARY_ENV)
    if summary:
        with open(summary, "a", encoding="utf-8") as fh:
            fh.write(markdown(run) + "\n")
        written.append(Path(summary))
    return written


def add_arguments(check) -> None:
    """The `check` options that write these formats."""
    check.add_argument("--junit", metavar="FILE", help="write the results as JUnit XML")
    check.add_argument(
        "--gradescope", metavar="FILE", help="write Gradescope's results.json to FILE"
    )
    check.add_argument(
        "--markdown",
        metavar="FILE",
        help=f"write a Markdown summary (also appended to ${STEP_SUMMARY_ENV} when set)",
    )
