"""JUnit XML, Gradescope results.json and Markdown, each checked against its published shape."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import jsonschema
import pytest

from grader import messages
from grader.frontends import formats, report
from grader.frontends.cli import build_parser
from grader.manifest import PROJECT_ROOT, discover
from grader.results import CheckResult, ExerciseResult, RunResult

# Gradescope's autograder results format (Gradescope's "Autograder Specifications"):
# top-level score/execution_time/output/visibility/stdout_visibility/extra_data/tests;
# each test has score, max_score, status, name, number, output, tags, visibility.
VISIBILITY = {"enum": ["hidden", "after_due_date", "after_published", "visible"]}
OUTPUT_FORMAT = {"enum": ["text", "html", "simple_format", "md", "ansi"]}
GRADESCOPE_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["tests"],
    "additionalProperties": False,
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number", "minimum": 0},
        "output": {"type": "string"},
        "output_format": OUTPUT_FORMAT,
        "test_output_format": OUTPUT_FORMAT,
        "test_name_format": OUTPUT_FORMAT,
        "visibility": VISIBILITY,
        "stdout_visibility": VISIBILITY,
        "extra_data": {"type": "object"},
        "leaderboard": {"type": "array"},
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["score", "max_score", "name"],
                "additionalProperties": False,
                "properties": {
                    "score": {"type": "number", "minimum": 0},
                    "max_score": {"type": "number", "minimum": 0},
                    "status": {"enum": ["passed", "failed"]},
                    "name": {"type": "string", "minLength": 1},
                    "name_format": OUTPUT_FORMAT,
                    "number": {"type": "string"},
                    "output": {"type": "string"},
                    "output_format": OUTPUT_FORMAT,
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "visibility": VISIBILITY,
                    "extra_data": {"type": "object"},
                },
            },
        },
    },
}


def _check(name, status, points, hidden=False, task=1, message=""):
    return CheckResult(
        name=name,
        task=task,
        status=status,
        score=points if status == messages.PASSED else 0.0,
        max_score=points,
        message=message,
        hidden=hidden,
        duration=0.25,
    )


@pytest.fixture
def run() -> RunResult:
    """One exercise with every status, one hidden check failing, one exercise passing."""
    mixed = ExerciseResult(
        slug="first_result_wins",
        title="First good answer",
        order=3,
        duration=1.5,
        hidden_included=True,
        checks=[
            _check("test_a", messages.PASSED, 2),
            _check("test_b", messages.FAILED, 3, message="called f([1]); got 2; expected 1"),
            _check("test_c", messages.TIMEOUT, 1, task=2, message="timed out after 20 s"),
            _check("test_d", messages.ERROR, 1, task=2, message="crashed | badly"),
            _check("test_e", messages.NOT_RUN, 1, task=3, message="not run: timed out twice"),
            _check("test_hidden_one", messages.FAILED, 2, hidden=True, message="hidden reason"),
        ],
    )
    good = ExerciseResult(
        slug="fetch_in_order",
        title="Fetch",
        order=1,
        duration=0.5,
        checks=[_check("test_x", messages.PASSED, 4)],
    )
    return RunResult(target="exercises", exercises=[good, mixed])


def test_gradescope_results_match_the_schema(run):
    data = formats.gradescope(run)
    jsonschema.validate(data, GRADESCOPE_SCHEMA)
    assert data["score"] == run.score == 6
    assert len(data["tests"]) == 7
    assert sum(t["max_score"] for t in data["tests"]) == run.max_score
    hidden = [t for t in data["tests"] if "test_hidden_one" in t["name"]]
    assert hidden[0]["visibility"] == formats.HIDDEN_VISIBILITY
    assert all(t["visibility"] == "visible" for t in data["tests"] if t not in hidden)
    failed = next(t for t in data["tests"] if t["name"].endswith("test_b"))
    assert failed["status"] == "failed" and "expected 1" in failed["output"]
    assert "hints.md" in failed["output"]
    assert len({t["number"] for t in data["tests"]}) == len(data["tests"])


def test_the_schema_rejects_a_malformed_results_file(run):
    data = formats.gradescope(run)
    data["tests"][0]["visibility"] = "sometimes"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, GRADESCOPE_SCHEMA)


def test_junit_has_the_structure_junit_readers_expect(run):
    root = ET.fromstring(formats.junit_xml(run).encode("utf-8"))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["fetch_in_order", "first_result_wins"]
    for suite in suites:
        for attr in ("name", "tests", "failures", "errors", "skipped", "time"):
            assert suite.get(attr) is not None, attr
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases)
        for kind, attr in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
            assert int(suite.get(attr)) == sum(c.find(kind) is not None for c in cases)
        for case in cases:
            assert case.get("classname") and case.get("name")
            float(case.get("time"))
    mixed = {c.get("name"): c for c in suites[1].findall("testcase")}
    assert mixed["test_b"].find("failure").get("message") == "called f([1]); got 2; expected 1"
    assert mixed["test_c"].find("error").get("type") == messages.TIMEOUT
    assert mixed["test_e"].find("skipped") is not None
    assert mixed["test_hidden_one (hidden)"].find("failure") is not None
    assert mixed["test_a"].find("failure") is None and mixed["test_a"].find("error") is None
    totals = {a: sum(int(s.get(a)) for s in suites) for a in ("tests", "failures", "errors")}
    assert (
        totals
        == {a: int(root.get(a)) for a in totals}
        == {
            "tests": 7,
            "failures": 2,
            "errors": 2,
        }
    )


def test_markdown_names_hidden_checks_and_every_failure(run):
    text = formats.markdown(run)
    assert text.startswith("## Concurrency Lab: 6/14 points")
    assert report.WITH_HIDDEN.format(hidden=1) in text
    assert "`test_hidden_one` (hidden check)" in text
    assert "crashed \\| badly" in text  # a pipe never breaks the table
    for name in ("test_b", "test_c", "test_d", "test_e"):
        assert f"`{name}`" in text


def test_summary_never_claims_a_full_pass_without_hidden_checks(run):
    public = RunResult(
        target="exercises",
        exercises=[
            ExerciseResult(
                slug="first_result_wins",
                title="First",
                order=3,
                checks=[_check("test_a", messages.PASSED, 2)],
            )
        ],
        hidden_declared=True,  # first_result_wins has hidden checks; only public ones ran
    )
    assert public.passed
    line = report.summary_line(public)
    assert report.PUBLIC_ONLY in line
    assert report.PUBLIC_ONLY in formats.markdown(public)
    assert report.PUBLIC_ONLY in formats.gradescope(public)["output"]
    assert report.WITH_HIDDEN.format(hidden=1) in report.summary_line(run)
    no_hidden = next(e for e in discover(PROJECT_ROOT) if not any(c.hidden for c in e.checks))
    plain = RunResult("exercises", [ExerciseResult(no_hidden.slug, "t", no_hidden.order, [])])
    assert report.NO_HIDDEN in report.summary_line(plain)


def test_write_appends_to_the_github_step_summary(run, tmp_path, monkeypatch):
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv(formats.STEP_SUMMARY_ENV, str(summary))
    formats.write(run, markdown_file=tmp_path / "m.md")
    formats.write(run)
    text = summary.read_text()
    assert text.startswith("earlier step\n")
    assert text.count("## Concurrency Lab") == 2
    assert (tmp_path / "m.md").read_text() == formats.markdown(run)


def test_check_accepts_the_format_options():
    args = build_parser().parse_args(
        ["check", "x", "--junit", "j.xml", "--gradescope", "r.json", "--markdown", "m.md"]
    )
    assert (args.junit, args.gradescope, args.markdown) == ("j.xml", "r.json", "m.md")


@pytest.mark.slow
def test_check_writes_every_format_from_a_real_grading(tmp_path):
    exercise = discover(PROJECT_ROOT)[0]
    env = {**os.environ, formats.STEP_SUMMARY_ENV: str(tmp_path / "step.md")}
    env["CONCLAB_PROGRESS_FILE"] = str(tmp_path / "progress.json")
    done = subprocess.run(
        [sys.executable, "-m", "grader", "check", exercise.slug, "--target", "solutions",
         "--junit", str(tmp_path / "j.xml"), "--gradescope", str(tmp_path / "gs" / "results.json"),
         "--markdown", str(tmp_path / "m.md")],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads((tmp_path / "gs" / "results.json").read_text())
    jsonschema.validate(data, GRADESCOPE_SCHEMA)
    assert data["score"] == exercise.max_score
    assert ET.parse(tmp_path / "j.xml").getroot().get("failures") == "0"
    assert (tmp_path / "step.md").read_text() == (tmp_path / "m.md").read_text() + "\n"
