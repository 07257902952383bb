"""Grade one exercise against one target, in isolated processes with timeouts.

    runner ──start──▶ supervisor ──▶ worker (see grader/engine/child.py)
       │  ◀── events pipe: start / imported / result / done / exit (with the run's secret)
       │  ◀── output pipe: what the learner's code printed, kept up to a bound
       └── per-check deadline, process cap; on timeout, crash or exit: kill the whole tree,
           record why, and start a fresh supervisor for the checks not yet run.

A check counts as passed only when the worker's record says so. A check that started and
never reported is a timeout or a crash. Checks after an import that never finished, or
after two timeouts in one exercise, are not run again.

Who holds what: the runner holds the read ends of both pipes and the write end of the
supervisor's stdin (its end tells the supervisor the runner is gone); only the run's
processes hold the events pipe's write end (channel.py), so its end means the run is over.
What the run sees is made in scratch.py; what it says is read in events.py.

One module, about 340 lines: it is the one loop that owns a run's lifetime (start, watch,
stop, start again), and its steps share that loop's state.
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
import threading
import time
import traceback
import uuid
from pathlib import Path

import psutil

from grader import messages
from grader.engine import channel, events, proctree, sandbox, scratch, screen, stacks, zygote
from grader.limits import merged as merged_limits
from grader.manifest import PROJECT_ROOT, Check, Exercise
from grader.results import CheckResult, ExerciseResult

POLL_SECONDS = 0.05  # how often the tree is inspected while a check runs
MAX_TIMEOUTS = 2  # timeouts in one exercise after which its remaining checks are not run


def worst_case_seconds(checks: int, per_check: float) -> float:
    """The longest one exercise's grading can take: every check at its timeout, and each
    fresh start (the first, and one after each timeout allowed) with its graces."""
    return checks * per_check + (MAX_TIMEOUTS + 1) * (events.START_GRACE + events.EXIT_GRACE)


DRAIN_SECONDS = 2.0  # at most this long reading what a run wrote before it ended
# Set by Ctrl-C (assignment.grade): every run in flight stops at its next poll, and no
# new run starts. Cleared when a new grading begins.
ABORT = threading.Event()


# What of the grader's environment reaches the learner's code: nothing else (no CI tokens).
def _start_supervisor(args: list[str], scratch: str, env: dict, chan):
    """The run's supervisor, in its own session: forked by the zygote where there is one,
    else a fresh `python -m grader.engine.child`. Either way its output comes on .stdout."""
    if chan.write_fd >= 0:
        forked = zygote.start_supervisor(args, scratch, env, chan.write_fd)
        if forked is not None:
            return forked
    own_group = {"start_new_session": True}
    if sys.platform == "win32":  # its own group, so that a console's Ctrl-C is ours alone
        own_group = {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    return subprocess.Popen(
        [sys.executable, "-m", "grader.engine.child", *chan.child_args(), *args],
        cwd=scratch,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        pass_fds=chan.pass_fds,
        **own_group,
    )


def describe_exit(code: int | None, settings: dict) -> str:
    """Why the worker ended, in words for a learner."""
    if code is None:
        return messages.PROCESS_DIED.format(code="unknown")
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:  # real-time and other unnamed signals
            name = f"{-code} ({signal.strsignal(-code) or 'unknown signal'})"
        reason = messages.SIGNAL_REASONS.get(name, messages.SIGNAL_OTHER).format(**settings)
        return messages.KILLED_BY_SIGNAL.format(signal=name, reason=reason)
    return messages.PROCESS_DIED.format(code=code)


def _run_once(exercise, target, checks, settings, root, timeout, out) -> events.Attempt:
    attempt = events.Attempt()
    run_id = uuid.uuid4().hex
    secret = secrets.token_hex(16)
    backend = sandbox.choose()
    cgroup = sandbox.PidsCgroup(int(settings["processes"]) + 3)  # + supervisor, init, worker
    chan = channel.make()
    stacks.prepare(run_id)
    try:
        with tempfile.TemporaryDirectory(prefix="conclab-grade-") as scratch_dir:
            os.chmod(scratch_dir, 0o755)
            submission, nodeids = scratch.copy_in(exercise, checks, target, root, scratch_dir)
            args = ["--target", str(submission), "--limits", json.dumps(settings)]
            args += ["--sandbox", backend]
            for folder in scratch.hidden_folders(root):
                args += ["--hide", folder]
            if cgroup.path is not None:
                args += ["--cgroup", str(cgroup.path)]
            args += nodeids
            proc = _start_supervisor(args, scratch_dir, scratch.run_env(run_id, root), chan)
            try:
                handle = psutil.Process(proc.pid)  # safe against pid reuse when killing
            except psutil.Error:
                handle = None
            chan.started()
            try:  # the pipe stays open: its end tells the supervisor the runner is gone
                proc.stdin.write(f"{secret}\n".encode())
                proc.stdin.flush()
            except OSError:
                pass
            try:
                _watch(proc, chan, secret, settings, timeout, cgroup, attempt, out)
                if attempt.ending_status == messages.TIMEOUT:
                    attempt.ending = "\n".join(
                        [attempt.ending, *_where_it_waited(proc, run_id, submission, attempt)]
                    )
            finally:
                _stop(proc, handle, run_id, cgroup)
    finally:
        chan.close()
        cgroup.remove()
        stacks.remove(run_id)
    names = [n for n in (attempt.sandbox or sandbox.SESSION, cgroup.name) if n]
    attempt.sandbox = "+".join(names)
    if not attempt.finished and not attempt.ending:
        attempt.ending = describe_exit(attempt.exit_code, settings)
    capped = messages.TOO_MANY_PROCESSES_CAPPED.format(**settings)
    if cgroup.hit_limit() and capped not in attempt.ending:
        attempt.ending = f"{attempt.ending} {capped}".strip()
    return attempt


def _where_it_waited(proc, run_id: str, submission: Path, attempt: events.Attempt) -> list[str]:
    """Before a timed-out run is killed: every process's stacks, trimmed to the learner's
    lines, and the exceptions nobody saw. Never fails the grading."""
    try:
        pids = {p.pid for p in proctree.descendants(proc.pid)[1:]}
        pids |= {p.pid for p in proctree.marked(run_id)}
        pids.discard(proc.pid)
        lines = stacks.summarise(stacks.request(sorted(pids), run_id), str(submission))
    except Exception:  # noqa: BLE001 - a report that cannot be made is left out
        lines = []
    if attempt.vanished:
        lines += [messages.VANISHED_HEADER, *(f"  {v}" for v in attempt.vanished[:10])]
    return lines


def _stop(proc, handle, run_id: str, cgroup) -> None:
    """Kill everything of this run except the supervisor, let it reap, then end it too.

    Only live handles are signalled (psutil checks each process's start time, and the
    zygote's supervisors are waited for through a pidfd), so a reused pid is never hit."""
    keep = {proc.pid}
    try:
        proc.stdin.close()  # the supervisor's watchdog ends the run too, on every platform
    except OSError:
        pass
    for _ in range(3):
        below = proctree.descendants(proc.pid)[1:] if handle and handle.is_running() else []
        victims = below + [p for p in proctree.marked(run_id) if p.pid not in keep]
        victims += [p for p in proctree.by_pid(cgroup.pids()) if p.pid not in keep]
        cgroup.kill_all()
        if not victims:
            break
        proctree.kill(victims)
    try:
        proc.wait(timeout=2)
    except subprocess.TimeoutExpired:
        proctree.kill([handle] if handle else [])
    proc.wait()
    rest = proctree.marked(run_id) + proctree.by_pid(cgroup.pids())
    if rest:
        proctree.kill_marked(run_id, rest)
    if proc.stdout:
        proc.stdout.close()


def _watch(proc, chan, secret, settings, timeout, cgroup, attempt, out) -> None:
    """Read events and output until the worker has ended or the run must be stopped."""
    selector = selectors.DefaultSelector()
    reader = events.Reader(selector, chan, secret, attempt, timeout, out)
    reader.open_streams = chan.register(selector)
    if channel.portable():  # no selecting on pipes everywhere: a thread reads the output
        threading.Thread(target=events.pump, args=(proc.stdout, out), daemon=True).start()
    else:
        selector.register(proc.stdout, selectors.EVENT_READ, "output")
        reader.open_streams += 1
    try:
        while attempt.exit_code is None:
            reader.read(POLL_SECONDS)
            if attempt.exit_code is not None or proc.poll() is not None:
                # What the run wrote before it ended is in the pipes: read all of it, or the
                # last results are lost when the supervisor ends quickly. (Bounded: a
                # process that escaped the tree may keep writing.)
                until = time.monotonic() + DRAIN_SECONDS
                while reader.read(0) and time.monotonic() < until:
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
            if ABORT.is_set():
                attempt.ending, attempt.ending_status = messages.INTERRUPTED, messages.NOT_RUN
                return
            # The supervisor (and the namespace's init) are the grader's, not the learner's.
            ours = 2 if attempt.sandbox == sandbox.NAMESPACE else 1
            if cgroup.path is None and proctree.count_tree(proc.pid) - ours > settings["processes"]:
                attempt.ending = messages.TOO_MANY_PROCESSES.format(**settings)
                return
    finally:
        selector.close()


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
    machine or for the grader's own tests. A failure of the grader itself becomes this
    exercise's error result (internal_error), never an exception.
    """
    started = time.monotonic()
    target = Path(target).resolve()
    root = Path(root).resolve()
    hidden_available = exercise.hidden_checks_file(root).exists()
    checks = [c for c in exercise.checks if not c.hidden or include_hidden and hidden_available]
    result = ExerciseResult(
        slug=exercise.slug,
        title=exercise.title,
        order=exercise.order,
        checks=[],
        hidden_included=include_hidden and hidden_available,
    )
    try:
        _grade_into(result, exercise, checks, target, root, timeout, limits)
    except Exception as exc:  # noqa: BLE001 - the grader's fault: say so, grade the rest
        reason = messages.INTERNAL_ERROR.format(error=f"{type(exc).__name__}: {exc}")
        result.checks = [_result(c, messages.ERROR, reason) for c in checks]
        result.internal_error = True
        result.output += traceback.format_exc()
    result.duration = time.monotonic() - started
    return result


def _grade_into(result, exercise, checks, target, root, timeout, limits) -> None:
    timeout = float(timeout or exercise.timeout)
    settings = merged_limits({**exercise.limits, **(limits or {})})
    out = events.OutputBuffer(int(settings["output_kib"]) * 1024)
    records: dict[str, CheckResult] = {}
    module = exercise.module_in(target)
    if not module.is_file():
        reason = messages.MISSING_FILE.format(path=module)
        records.update({c.name: _result(c, messages.ERROR, reason) for c in checks})
    else:
        result.flags = screen.flags(module)
    timeouts = 0
    remaining = [c for c in checks if c.name not in records]
    backends = []
    while remaining:
        if ABORT.is_set():
            for c in remaining:
                records[c.name] = _result(c, messages.NOT_RUN, messages.INTERRUPTED)
            break
        attempt = _run_once(exercise, target, remaining, settings, root, timeout, out)
        backends.append(attempt.sandbox)
        if attempt.collect_error:
            raise RuntimeError(f"the checks could not be collected:\n{attempt.collect_error}")
        progress = False
        for c in remaining:
            if c.name in attempt.results:
                event = attempt.results[c.name]
                records[c.name] = _result(c, event["status"], event["message"], event["duration"])
                records[c.name].spans = list(event.get("spans") or [])[:200]
                progress = True
        stuck = attempt.current
        if stuck is not None and stuck not in records:
            ending = attempt.ending or messages.SESSION_STOPPED
            records[stuck] = _result(exercise.check(stuck), attempt.ending_status, ending)
            progress = True
        timeouts += attempt.ending_status == messages.TIMEOUT
        remaining = [c for c in remaining if c.name not in records]
        if not remaining:
            break
        if not attempt.imported or timeouts >= MAX_TIMEOUTS or not progress:
            # The module never finished importing, the code hangs again and again, or a
            # fresh run got no further: later checks would fail the same way.
            if not attempt.imported:
                what = messages.IMPORT_NEVER_DONE
            elif timeouts >= MAX_TIMEOUTS:
                what = messages.TWO_TIMEOUTS
            else:
                what = messages.NO_PROGRESS
            ending = attempt.ending or messages.SESSION_STOPPED
            for c in remaining:
                why = messages.NOT_RUN_AFTER.format(what=what)
                records[c.name] = _result(c, messages.NOT_RUN, f"{why} {ending}")
            break
        # Otherwise the run ended between checks (a crash, an exit, a stopped session):
        # the checks it never reached run again in a fresh process.
    for c in checks:
        records.setdefault(c.name, _result(c, messages.ERROR, messages.NOT_RECORDED))
    result.checks = [records[c.name] for c in checks]
    result.output = out.text()
    result.sandbox = ", ".join(sorted(set(backends)))


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
