"""Grade one exercise against one target, in isolated processes with timeouts.

    runner ──start──▶ supervisor ──▶ worker (see grader/child.py)
       │  ◀── events pipe: start / imported / result / done / exit (with the run's secret)
       │  ◀── output pipe: what the learner's code printed, kept up to a bound
       └── per-check deadline, process cap; on timeout, crash or exit: kill the whole tree,
           record why, and start a fresh supervisor for the checks not yet run.

A check counts as passed only when the worker's record says so. A check that started and
never reported is a timeout or a crash. Checks after an import that never finished, or
after two timeouts in one exercise, are not run again.
"""

from __future__ import annotations

import json
import os
import secrets
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
from . import messages, proctree, zygote
from .manifest import PROJECT_ROOT, Check, Exercise
from .results import CheckResult, ExerciseResult

POLL_SECONDS = 0.05  # how often the tree is inspected while a check runs
START_GRACE = 15.0  # seconds to start Python and pytest, on top of the first check's timeout
MAX_TIMEOUTS = 2  # timeouts in one exercise after which its remaining checks are not run
EXIT_GRACE = 3.0  # seconds the worker may take to exit after its last check
DRAIN_SECONDS = 2.0  # at most this long reading what a run wrote before it ended


@dataclass
class _Attempt:
    """What one supervised run reported before it ended."""

    results: dict[str, dict] = field(default_factory=dict)
    current: str | None = None
    imported: bool = False
    finished: bool = False
    exit_code: int | None = None
    ending: str = ""  # why the run was stopped, or how the worker died
    ending_status: str = messages.ERROR


class _OutputBuffer:
    """Keeps the first `limit` bytes of the learner's output and counts the rest."""

    def __init__(self, limit: int):
        self.limit = limit
        self.kept = bytearray()
        self.dropped = 0

    def feed(self, data: bytes) -> None:
        room = max(self.limit - len(self.kept), 0)
        self.kept += data[:room]
        self.dropped += max(len(data) - room, 0)

    def text(self) -> str:
        text = self.kept.decode("utf-8", errors="replace")
        if self.dropped:
            text += "\n" + messages.OUTPUT_CUT.format(dropped=self.dropped)
        return text


def _nodeid(exercise: Exercise, check: Check, root: Path) -> str:
    file = exercise.hidden_checks_file(root) if check.hidden else exercise.checks_file(root)
    return f"{file}::{check.name}"


def _child_env(run_id: str) -> dict:
    env = dict(os.environ)
    env[proctree.MARKER] = run_id
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONUNBUFFERED"] = "1"
    env["MPLBACKEND"] = "Agg"
    env.pop("PYTEST_ADDOPTS", None)
    pythonpath = [str(PROJECT_ROOT)]
    if env.get("PYTHONPATH"):
        pythonpath.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(pythonpath)
    return env


def _start_supervisor(args: list[str], scratch: str, env: dict, events_fd: int):
    """The run's supervisor, in its own session: forked by the zygote where there is one,
    else a fresh `python -m grader.child`. Either way its output comes on .stdout."""
    forked = zygote.start_supervisor(args, scratch, env, events_fd)
    if forked is not None:
        return forked
    return subprocess.Popen(
        [sys.executable, "-m", "grader.child", "--events-fd", str(events_fd), *args],
        cwd=scratch,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        pass_fds=(events_fd,),
        start_new_session=True,
    )


def describe_exit(code: int | None, settings: dict) -> str:
    """Why the worker ended, in words for a learner."""
    if code is None:
        return messages.PROCESS_DIED.format(code="unknown")
    if code < 0:
        sig = signal.Signals(-code)
        reason = messages.SIGNAL_REASONS.get(sig.name, "")
        return messages.KILLED_BY_SIGNAL.format(signal=sig.name, reason=reason, **settings)
    return messages.PROCESS_DIED.format(code=code)


def _run_once(exercise, target, checks, settings, root, timeout, out) -> _Attempt:
    attempt = _Attempt()
    run_id = uuid.uuid4().hex
    secret = secrets.token_hex(16)
    cgroup = limits_mod.PidsCgroup(int(settings["processes"]) + 2)  # + supervisor and worker
    read_fd, write_fd = os.pipe()
    try:
        with tempfile.TemporaryDirectory(prefix="conclab-grade-") as scratch:
            args = ["--target", str(exercise.module_in(target).parent)]
            args += ["--limits", json.dumps(settings)]
            if cgroup.path is not None:
                args += ["--cgroup", str(cgroup.path)]
            args += [_nodeid(exercise, c, root) for c in checks]
            proc = _start_supervisor(args, scratch, _child_env(run_id), write_fd)
            os.close(write_fd)
            write_fd = -1
            try:
                proc.stdin.write(f"{secret}\n".encode())
                proc.stdin.close()
            except OSError:
                pass
            try:
                _watch(proc, read_fd, secret, settings, timeout, cgroup, attempt, out)
            finally:
                _stop(proc, run_id, cgroup)
    finally:
        for fd in (read_fd, write_fd):
            if fd >= 0:
                os.close(fd)
        cgroup.remove()
    if not attempt.finished and not attempt.ending:
        attempt.ending = describe_exit(attempt.exit_code, settings)
    if cgroup.hit_limit() and messages.TOO_MANY_PROCESSES not in attempt.ending:
        attempt.ending = f"{attempt.ending} {messages.TOO_MANY_PROCESSES}".strip().format(
            **settings
        )
    return attempt


def _stop(proc, run_id: str, cgroup) -> None:
    """Kill everything of this run except the supervisor, let it reap, then end it too."""
    keep = {proc.pid}
    for _ in range(3):
        victims = [p for p in proctree.marked(run_id) if p.pid not in keep]
        victims += [p for p in proctree.by_pid(cgroup.pids()) if p.pid not in keep]
        if not victims:
            break
        proctree.kill(victims)
    try:
        proc.wait(timeout=2)
    except subprocess.TimeoutExpired:
        pass
    proctree.kill_all(proc.pid, run_id)
    for pid in cgroup.pids():
        proctree.kill(proctree.by_pid([pid]))
    proc.wait()
    if proc.stdout:
        proc.stdout.close()


def _watch(proc, read_fd, secret, settings, timeout, cgroup, attempt, out) -> None:
    """Read events and output until the worker has ended or the run must be stopped."""
    selector = selectors.DefaultSelector()
    selector.register(read_fd, selectors.EVENT_READ, "events")
    selector.register(proc.stdout, selectors.EVENT_READ, "output")
    reader = _Reader(selector, secret, attempt, timeout, out)
    try:
        while reader.open_streams and attempt.exit_code is None:
            reader.read(POLL_SECONDS)
            if attempt.exit_code is not None or proc.poll() is not None:
                # What the run wrote before it ended is in the pipes: read all of it, or the
                # last results are lost when the supervisor ends quickly. (Bounded: a
                # process that escaped the tree may keep writing.)
                until = time.monotonic() + DRAIN_SECONDS
                while reader.open_streams and reader.read(0) and time.monotonic() < until:
                    pass
                return
            if time.monotonic() > reader.deadline and attempt.finished:
                return  # every check reported; the worker is only slow to exit
            if time.monotonic() > reader.deadline:
                attempt.ending = messages.TIMED_OUT.format(seconds=timeout)
                if out.dropped:
                    attempt.ending += " " + messages.OUTPUT_FLOOD.format(dropped=out.dropped)
                attempt.ending_status = messages.TIMEOUT
                return
            if cgroup.path is None and proctree.count_tree(proc.pid) > settings["processes"]:
                attempt.ending = messages.TOO_MANY_PROCESSES.format(**settings)
                return
    finally:
        selector.close()


class _Reader:
    """Reads a run's two pipes: event lines (which move the deadline) and output."""

    def __init__(self, selector, secret: str, attempt: _Attempt, timeout: float, out):
        self.selector, self.secret, self.attempt = selector, secret, attempt
        self.timeout, self.out = timeout, out
        self.deadline = time.monotonic() + timeout + START_GRACE  # moved by each event
        self.open_streams = 2
        self.pending = b""  # an event line not yet complete

    def read(self, wait: float) -> bool:
        """Read what is ready within `wait` seconds; False when nothing was."""
        ready = self.selector.select(timeout=wait)
        for key, _ in ready:
            data = os.read(key.fd, 65536)
            if not data:
                self.selector.unregister(key.fileobj)
                self.open_streams -= 1
            elif key.data == "output":
                self.out.feed(data)
            else:
                self.pending += data
                *lines, self.pending = self.pending.split(b"\n")
                for line in lines:
                    self.deadline = _apply_event(
                        line, self.secret, self.attempt, self.timeout, self.deadline
                    )
        return bool(ready)


def _apply_event(line: bytes, secret: str, attempt: _Attempt, timeout: float, deadline: float):
    try:
        event = json.loads(line)
    except ValueError:
        return deadline
    if not isinstance(event, dict) or event.get("secret") != secret:
        return deadline  # not written by the grader's own recorder
    kind = event.get("event")
    if kind == "start":
        attempt.current = event["name"]
        return time.monotonic() + timeout
    if kind == "imported":
        attempt.imported = True
    elif kind == "result":
        attempt.results[event["name"]] = event
        attempt.current = None
    elif kind == "done":
        attempt.finished = True
        return min(deadline, time.monotonic() + EXIT_GRACE)
    elif kind == "exit":
        attempt.exit_code = int(event["code"])
    return deadline


def grade_exercise(
    exercise: Exercise,
    target: Path,
    include_hidden: bool = False,
    root: Path = PROJECT_ROOT,
    timeout: float | None = None,
    limits: dict | None = None,
) -> ExerciseResult:
    """Run the checks of one exercise against the module in target; never raises.

    `timeout` (seconds per check) and `limits` override the manifest's, e.g. for a slow
    machine or for the grader's own tests.
    """
    started = time.monotonic()
    target = Path(target)
    timeout = float(timeout or exercise.timeout)
    hidden_available = exercise.hidden_checks_file(root).exists()
    checks = [c for c in exercise.checks if not c.hidden or include_hidden and hidden_available]
    settings = limits_mod.merged({**exercise.limits, **(limits or {})})
    out = _OutputBuffer(int(settings["output_kib"]) * 1024)
    records: dict[str, CheckResult] = {}

    module = exercise.module_in(target)
    if not module.is_file():
        reason = messages.MISSING_FILE.format(path=module)
        records.update({c.name: _result(c, messages.ERROR, reason) for c in checks})
    timeouts = 0
    remaining = [c for c in checks if c.name not in records]
    while remaining:
        attempt = _run_once(exercise, target, remaining, settings, root, timeout, out)
        for c in remaining:
            if c.name in attempt.results:
                event = attempt.results[c.name]
                records[c.name] = _result(c, event["status"], event["message"], event["duration"])
        stuck = attempt.current
        if attempt.finished or stuck is None:
            break
        if stuck not in records:
            records[stuck] = _result(exercise.check(stuck), attempt.ending_status, attempt.ending)
        timeouts += attempt.ending_status == messages.TIMEOUT
        remaining = [c for c in remaining if c.name not in records]
        if not attempt.imported or timeouts >= MAX_TIMEOUTS:
            # The module never finished importing, or the code hangs again and again:
            # later checks would fail the same way, so they are not run.
            what = messages.IMPORT_NEVER_DONE if not attempt.imported else messages.TWO_TIMEOUTS
            for c in remaining:
                why = messages.NOT_RUN_AFTER.format(what=what)
                records[c.name] = _result(c, messages.NOT_RUN, f"{why} {attempt.ending}")
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
