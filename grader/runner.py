"""Grade one exercise against one target, in isolated child processes with timeouts.

    runner ──start──▶ child (new session, scratch cwd, marker in env)
       │  ◀── events pipe: start / imported / result / done
       │  ◀── output pipe: learner prints, kept up to a bound
       └── per-check deadline; on timeout, crash or too many processes: kill the whole
           tree, record why, and start a fresh child for the checks not yet run.

A check counts as passed only when its "result" record says so. A check that started
and never reported is a timeout or a crash; checks after an import that never finished
are not run again.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from . import limits as limits_mod
from . import messages, proctree
from .manifest import PROJECT_ROOT, Check, Exercise
from .results import CheckResult, ExerciseResult

POLL_SECONDS = 0.1  # how often the tree is inspected while a check runs
START_GRACE = 15.0  # seconds the child may take to start Python and pytest, beyond a check
TOO_MANY_PROCESSES = (
    "your code started more than {limit} processes at once, so the grader stopped it. "
    "Use a pool with a fixed number of workers instead of starting a process per item."
)


@dataclass
class _Attempt:
    """What one child process reported before it ended."""

    results: dict[str, dict] = field(default_factory=dict)
    current: str | None = None
    imported: bool = False
    finished: bool = False
    ending: str = ""  # why the child was stopped or how it died, for the current check
    ending_status: str = messages.ERROR


class _OutputBuffer:
    """Keeps the first `limit` bytes of the learner's output and counts the rest."""

    def __init__(self, limit: int):
        self.limit = limit
        self.kept = bytearray()
        self.dropped = 0

    def feed(self, data: bytes) -> None:
        room = self.limit - len(self.kept)
        self.kept += data[: max(room, 0)]
        self.dropped += max(len(data) - max(room, 0), 0)

    def text(self) -> str:
        text = self.kept.decode("utf-8", errors="replace")
        if self.dropped:
            text += f"\n[... {self.dropped} more bytes of output were cut ...]"
        return text


def check_files(exercise: Exercise, include_hidden: bool, root: Path) -> list[Path]:
    files = [exercise.checks_file(root)]
    hidden = exercise.hidden_checks_file(root)
    if include_hidden and hidden.exists():
        files.append(hidden)
    return files


def _nodeid(exercise: Exercise, check: Check, root: Path) -> str:
    file = exercise.hidden_checks_file(root) if check.hidden else exercise.checks_file(root)
    return f"{file}::{check.name}"


def _child_env(run_id: str) -> dict:
    env = dict(os.environ)
    env[proctree.MARKER] = run_id
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["MPLBACKEND"] = "Agg"
    env.pop("PYTEST_ADDOPTS", None)
    pythonpath = [str(PROJECT_ROOT)]
    if env.get("PYTHONPATH"):
        pythonpath.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(pythonpath)
    return env


def _run_child(
    exercise: Exercise, target: Path, checks: list[Check], settings: dict, root: Path, out
) -> _Attempt:
    attempt = _Attempt()
    run_id = uuid.uuid4().hex
    read_fd, write_fd = os.pipe()
    with tempfile.TemporaryDirectory(prefix="conclab-grade-") as scratch:
        cmd = [
            sys.executable,
            "-m",
            "grader.child",
            "--target",
            str(exercise.module_in(target).parent),
            "--events-fd",
            str(write_fd),
            "--limits",
            json.dumps(settings),
            *(_nodeid(exercise, c, root) for c in checks),
        ]
        proc = subprocess.Popen(
            cmd,
            cwd=scratch,
            env=_child_env(run_id),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            pass_fds=(write_fd,),
            start_new_session=True,
        )
        os.close(write_fd)
        try:
            _watch(proc, read_fd, exercise, settings, attempt, out)
        finally:
            os.close(read_fd)
            proctree.kill_all(proc.pid, run_id)
            proc.wait()
            if proc.stdout:
                proc.stdout.close()
        if not attempt.finished and not attempt.ending:
            code = proc.returncode
            if code is not None and code < 0:
                attempt.ending = messages.KILLED_BY_SIGNAL.format(signal=signal.Signals(-code).name)
            else:
                attempt.ending = messages.PROCESS_DIED.format(code=code)
    return attempt


def _watch(proc, read_fd, exercise, settings, attempt: _Attempt, out: _OutputBuffer) -> None:
    """Read events and output until the child ends or must be stopped."""
    selector = selectors.DefaultSelector()
    selector.register(read_fd, selectors.EVENT_READ, "events")
    selector.register(proc.stdout, selectors.EVENT_READ, "output")
    pending = b""
    deadline = time.monotonic() + exercise.timeout + START_GRACE
    open_streams = 2
    while open_streams:
        for key, _ in selector.select(timeout=POLL_SECONDS):
            data = os.read(key.fd, 65536)
            if not data:
                selector.unregister(key.fileobj)
                open_streams -= 1
                continue
            if key.data == "output":
                out.feed(data)
                continue
            pending += data
            *lines, pending = pending.split(b"\n")
            for line in lines:
                deadline = _apply_event(line, attempt, exercise, deadline)
        if time.monotonic() > deadline:
            attempt.ending = messages.TIMED_OUT.format(seconds=exercise.timeout)
            attempt.ending_status = messages.TIMEOUT
            return
        if proctree.count_tree(proc.pid) > settings["processes"]:
            attempt.ending = TOO_MANY_PROCESSES.format(limit=settings["processes"])
            return
    selector.close()


def _apply_event(line: bytes, attempt: _Attempt, exercise: Exercise, deadline: float) -> float:
    try:
        event = json.loads(line)
    except ValueError:
        return deadline
    kind = event.get("event")
    if kind == "start":
        attempt.current = event["name"]
        return time.monotonic() + exercise.timeout
    if kind == "imported":
        attempt.imported = True
    elif kind == "result":
        attempt.results[event["name"]] = event
        attempt.current = None
    elif kind == "done":
        attempt.finished = True
    return deadline


def grade_exercise(
    exercise: Exercise,
    target: Path,
    include_hidden: bool = False,
    root: Path = PROJECT_ROOT,
) -> ExerciseResult:
    """Run every check of one exercise against the module in target; never raises."""
    started = time.monotonic()
    target = Path(target)
    hidden_available = exercise.hidden_checks_file(root).exists()
    checks = [c for c in exercise.checks if include_hidden and hidden_available or not c.hidden]
    settings = limits_mod.merged(exercise.limits)
    out = _OutputBuffer(settings["output_kib"] * 1024)
    records: dict[str, CheckResult] = {}

    module = exercise.module_in(target)
    if not module.exists():
        reason = messages.MISSING_FILE.format(path=module)
        for c in checks:
            records[c.name] = _result(c, messages.ERROR, reason)
    remaining = [c for c in checks if c.name not in records]
    while remaining:
        attempt = _run_child(exercise, target, remaining, settings, root, out)
        for c in remaining:
            if c.name in attempt.results:
                event = attempt.results[c.name]
                records[c.name] = _result(c, event["status"], event["message"], event["duration"])
        if attempt.finished or attempt.current is None and not attempt.ending:
            break
        stuck = attempt.current
        if stuck is not None and stuck not in records:
            records[stuck] = _result(exercise.check(stuck), attempt.ending_status, attempt.ending)
        if not attempt.imported:
            # The learner's module never finished importing: every later check would hang
            # or crash the same way, so they are not run again.
            what = (
                "could not import your file" if not stuck else "stopped while importing your file"
            )
            for c in remaining:
                if c.name not in records:
                    why = messages.NOT_RUN_AFTER.format(what=what)
                    records[c.name] = _result(c, messages.NOT_RUN, f"{why} {attempt.ending}")
            break
        remaining = [c for c in remaining if c.name not in records]
        if stuck is None:
            break
    for c in checks:
        records.setdefault(c.name, _result(c, messages.ERROR, messages.NOT_RECORDED))
    return ExerciseResult(
        slug=exercise.slug,
        title=exercise.title,
        order=exercise.order,
        checks=[records[c.name] for c in checks],
        output=out.text(),
        duration=time.monotonic() - started,
        hidden_included=include_hidden and hidden_available,
    )


def _result(check: Check, status: str, message: str, duration: float = 0.0) -> CheckResult:
    return CheckResult(
        name=check.name,
        task=check.task,
        status=status,
        score=check.points if status == messages.PASSED else 0.0,
        max_score=check.points,
        message=message,
        hidden=check.hidden,
        duration=round(duration, 3),
    )
