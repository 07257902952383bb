"""The GitHub workflows: the project's CI matrix, and the classroom workflow of a release."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from grader.course import release
from grader.frontends.cli import build_parser
from grader.manifest import PROJECT_ROOT, SOLUTIONS_DIR, discover

EXERCISES = discover(PROJECT_ROOT)
CI = PROJECT_ROOT / ".github" / "workflows" / "ci.yml"
PYTHONS = ["3.10", "3.11", "3.12", "3.13", "3.14"]
COMMAND_GRADER = "classroom-resources/autograding-command-grader@v1"
REPORTER = "classroom-resources/autograding-grading-reporter@v1"
GRADER_INPUTS = {"test-name", "setup-command", "command", "timeout", "max-score"}


def load(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def steps(workflow: dict) -> list[dict]:
    return [s for job in workflow["jobs"].values() for s in job["steps"]]


def run_commands(workflow: dict) -> list[str]:
    """Every shell command of `run:` steps and of the command grader's `command:` inputs."""
    found = []
    for step in steps(workflow):
        if "run" in step:
            found += [line.strip() for line in step["run"].splitlines() if line.strip()]
        if step.get("uses") == COMMAND_GRADER:
            found.append(step["with"]["command"])
    return found


def resolve_grader_command(command: str) -> None:
    """A `python -m grader ...` command parses, and names exercises that exist."""
    argv = shlex.split(command)
    assert argv[:3] == ["python", "-m", "grader"], command
    args = build_parser().parse_args(argv[3:])  # exits (fails the test) on a bad flag
    if args.command == "check":
        from grader.manifest import select

        assert select(args.exercises), command


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("release") / "student-repo"
    release.release(out)
    return out


@pytest.fixture(scope="module")
def classroom(released) -> dict:
    return load(released / ".github" / "workflows" / "classroom.yml")


def test_ci_runs_make_test_on_every_supported_python():
    ci = load(CI)
    assert {"push", "pull_request"} <= set(ci["on"])
    job = ci["jobs"]["test"]
    assert job["strategy"]["matrix"]["python-version"] == PYTHONS
    setup = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"]["python-version"] == "${{ matrix.python-version }}"
    commands = run_commands(ci)
    assert any(c.startswith("make test") for c in commands)
    assert any("apt-get install" in c and "chromium" in c for c in commands)


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_ci_make_command_resolves():
    done = subprocess.run(
        ["make", "-n", "test", "PYTHON=python"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "pytest tests" in done.stdout


def test_classroom_workflow_is_shipped_and_generated_from_the_manifests(released):
    shipped = (released / ".github" / "workflows" / "classroom.yml").read_text(encoding="utf-8")
    assert shipped == release.classroom_workflow(EXERCISES)
    assert not (PROJECT_ROOT / ".github" / "workflows" / "classroom.yml").exists()


def test_classroom_workflow_has_what_github_classroom_reads(classroom):
    assert "push" in classroom["on"]
    assert classroom["permissions"] == {"checks": "write", "actions": "read", "contents": "read"}
    all_steps = steps(classroom)
    graders = [s for s in all_steps if s.get("uses") == COMMAND_GRADER]
    assert [s["id"] for s in graders] == [e.slug for e in EXERCISES]
    for step, exercise in zip(graders, EXERCISES):
        assert set(step["with"]) == GRADER_INPUTS
        assert step["with"]["command"] == f"python -m grader check {exercise.slug}"
        public = sum(c.points for c in exercise.public_checks())
        assert step["with"]["max-score"] == public
        assert isinstance(step["with"]["timeout"], int) and 1 <= step["with"]["timeout"] <= 360
        worst = len(exercise.public_checks()) * exercise.timeout
        assert step["with"]["timeout"] * 60 > worst, "the step may end before the grader"
    reporter = all_steps[-1]
    assert reporter["uses"] == REPORTER
    assert reporter["with"]["runners"].split(",") == [s["id"] for s in graders]
    for step in graders:
        key = f"{step['id'].upper()}_RESULTS"
        assert reporter["env"][key] == f"${{{{steps.{step['id']}.outputs.result}}}}"


def test_every_workflow_command_exists(released, classroom):
    for command in run_commands(classroom):
        argv = shlex.split(command)
        if argv[:3] == ["python", "-m", "grader"]:
            resolve_grader_command(command)
        elif argv[:4] == ["python", "-m", "pip", "install"]:
            assert argv[-1] == "." and (released / "pyproject.toml").is_file(), command
        else:
            pytest.fail(f"unexpected command in the classroom workflow: {command}")


def _run_in(folder: Path, command: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(folder), "CONCLAB_PROGRESS_FILE": str(folder / "p")}
    env.pop("GITHUB_STEP_SUMMARY", None)
    argv = shlex.split(command)
    argv[0] = sys.executable
    return subprocess.run(argv, cwd=folder, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_an_exercise_command_fails_on_the_stub_and_passes_when_solved(released, classroom):
    """The command grader scores an exercise by exit status: 0 only when it is solved."""
    exercise = EXERCISES[0]
    step = next(s for s in steps(classroom) if s.get("id") == exercise.slug)
    stub = _run_in(released, step["with"]["command"])
    assert stub.returncode == 1, stub.stdout + stub.stderr
    folder = released / "exercises" / exercise.folder
    original = (folder / f"{exercise.slug}.py").read_bytes()
    shutil.copy(SOLUTIONS_DIR / exercise.folder / f"{exercise.slug}.py", folder)
    try:
        solved = _run_in(released, step["with"]["command"])
    finally:
        (folder / f"{exercise.slug}.py").write_bytes(original)
    assert solved.returncode == 0, solved.stdout + solved.stderr
