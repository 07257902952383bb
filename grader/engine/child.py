"""The isolated processes that run one exercise's checks: `python -m grader.engine.child ...`.

    runner ──stdin: secret──▶ supervisor (new session, limits, cgroup, subreaper)
       ▲                          │ starts, then reaps every process below it
       │                          ▼
       │                      worker (worker.py) ──pytest──▶ checks ──▶ learner's module
       │                          │
       └── events pipe: JSON lines (start, imported, result, done from the worker;
           exit from the supervisor when the worker ends), each with the secret.

The supervisor never runs learner code, so it can always reap: on Linux it is a child
subreaper, so processes the learner's code orphaned are re-parented to it and reaped
rather than left as zombies. Limits are set in the supervisor and inherited.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import signal
import subprocess
import sys
import threading
import time

from grader.engine import worker

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="grader.engine.child")
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--target", required=True)
    parser.add_argument("--events-fd", type=int, default=None)  # a pipe (POSIX)
    parser.add_argument("--events-port", type=int, default=None)  # loopback (portable)
    parser.add_argument("--limits", default="{}")
    parser.add_argument("--cgroup", default=None)
    parser.add_argument("--sandbox", default="session", help="namespace or session")
    parser.add_argument("--hide", action="append", default=[], help="folder the run must not see")
    parser.add_argument("nodeids", nargs="+")
    return parser


def _portable() -> bool:
    return os.environ.get("CONCLAB_GRADER_PORTABLE") == "1"


def _become_subreaper() -> None:
    if sys.platform.startswith("linux") and not _portable():
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        except (OSError, AttributeError):
            pass


ENDING = threading.Event()  # set once the clean-up below has begun; it ends this process


def _kill_everything_and_exit(signum=None, frame=None) -> None:
    """The runner died (or asked us to stop): take every process of this run with us.

    Deepest first, and with ENDING set: the main thread, woken when the worker dies, must
    not let this process exit before the worker's own children are dead too."""
    from grader.engine import proctree

    ENDING.set()
    me = os.getpid()
    victims = list(reversed(proctree.descendants(me)[1:]))
    run_id = os.environ.get(proctree.MARKER)
    if run_id:
        victims += [p for p in proctree.marked(run_id) if p.pid != me]
    proctree.kill(victims, timeout=2)
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline and hasattr(os, "WNOHANG"):  # reap: leave no zombie
        try:
            os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if not proctree.descendants(me)[1:]:
            break
        time.sleep(0.01)
    if hasattr(os, "killpg"):  # and whatever is left in our process group, ourselves last
        try:
            os.killpg(os.getpgid(0), signal.SIGKILL)
        except OSError:
            pass
    os._exit(1)


def _watch_the_runner() -> None:
    """Every platform's way to notice the runner went away: our stdin (a pipe the runner
    holds open for the run) reaches end of file. Then the whole run is ended. Started only
    after the last fork here, so no process is forked while this thread exists."""

    def watch() -> None:
        try:
            while os.read(0, 4096):
                pass
        except OSError:
            pass
        _kill_everything_and_exit()

    threading.Thread(target=watch, name="grader-watchdog", daemon=True).start()


def _die_with_parent() -> None:
    """On Linux, get SIGTERM when the runner dies, and clean up then."""
    if not sys.platform.startswith("linux") or _portable():
        return
    parent = os.getppid()
    signal.signal(signal.SIGTERM, _kill_everything_and_exit)
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the runner was already gone before the call
        _kill_everything_and_exit()


def supervise(args, argv: list[str], forked: bool = False) -> int:
    """Start the worker and reap every descendant; report how the worker ended.

    `forked`: this supervisor was forked by the zygote with pytest imported, so the worker
    is forked too rather than started as a fresh interpreter. With the namespace sandbox,
    a forked copy of this process is pid 1 of the run's own PID namespace and does the
    reaping; this one only waits for it, so killing it (or it dying) ends the whole run.
    """
    from grader.engine import channel, rlimits, sandbox

    _die_with_parent()
    secret = sys.stdin.readline().strip()
    rlimits.apply_json(args.limits, args.cgroup)
    _become_subreaper()
    events = channel.open_in_child(args)
    got = sandbox.SESSION
    if args.sandbox == sandbox.NAMESPACE and sandbox.enter_namespaces(args.hide):
        got = sandbox.NAMESPACE
    _emit(events, {"event": "sandbox", "name": got}, secret)
    if got == sandbox.NAMESPACE:
        init = os.fork()
        if init == 0:
            code = 1
            try:
                sandbox.become_init()
                _stdin_from_devnull()  # the runner's pipe is the outer supervisor's to watch
                ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                code = _start_and_reap(args, argv, forked, secret, events)
            finally:
                os._exit(code)
        return _wait_for_init(init)
    return _start_and_reap(args, argv, forked, secret, events)


def _wait_for_init(init: int) -> int:
    """Wait until the namespace's init ends, or the runner goes away (our stdin ends), and
    then end the run. No thread here: after unshare(CLONE_NEWPID) Linux refuses them."""
    import select

    pidfd = os.pidfd_open(init)
    runner_open = True
    while True:
        ready = select.select([pidfd] + ([0] if runner_open else []), [], [])[0]
        if 0 in ready:
            try:
                runner_open = bool(os.read(0, 4096))
            except OSError:
                runner_open = False
            if not runner_open:
                _kill_everything_and_exit()
        if pidfd in ready:
            try:
                _, status = os.waitpid(init, 0)
            except ChildProcessError:
                return 1
            return 0 if os.waitstatus_to_exitcode(status) == 0 else 1


def _stdin_from_devnull() -> None:
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)


def _emit(events, record: dict, secret: str) -> None:
    try:
        events.write(json.dumps({**record, "secret": secret}) + "\n")
        events.flush()
    except OSError:
        pass


def _in_namespace_init() -> bool:
    return os.getpid() == 1


def _start_and_reap(args, argv, forked: bool, secret: str, events) -> int:
    """Start the worker, reap every process re-parented here, report the worker's end."""
    worker = None
    if forked:
        worker_pid = _fork_worker(args, secret)
    else:
        worker = subprocess.Popen(
            [sys.executable, "-m", "grader.engine.child", "--worker", *argv],
            stdin=subprocess.PIPE,
            pass_fds=() if args.events_fd is None else (args.events_fd,),
        )
        worker.stdin.write(f"{secret}\n".encode())
        worker.stdin.close()
        worker_pid = worker.pid
    if not _in_namespace_init():
        _watch_the_runner()
    if _portable():  # no waitpid(-1) everywhere: wait for the worker; the runner kills the rest
        code = worker.wait()
        if ENDING.is_set():  # the watchdog is ending the run: it exits when all are dead
            time.sleep(60)
        _emit(events, {"event": "exit", "code": code}, secret)
        return 0 if code == 0 else 1
    code = 0
    while True:
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        if pid == worker_pid:
            code = os.waitstatus_to_exitcode(status)
            if worker is not None:
                worker.returncode = code  # reaped here, not by Popen
            _emit(events, {"event": "exit", "code": code}, secret)
    if ENDING.is_set():  # the watchdog is ending the run: it exits when all are dead
        time.sleep(60)
    return 0 if code == 0 else 1


def _fork_worker(args, secret: str) -> int:
    """Fork the worker from this (zygote-forked) supervisor; returns its pid."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the supervisor's clean-up is not ours
            _stdin_from_devnull()  # the runner's pipe is the supervisor's to watch
            code = worker.work(args, secret)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:  # noqa: BLE001 - report it, never return into the supervisor
            import traceback

            traceback.print_exc()
        finally:
            _exit_like_an_interpreter(code)
    return pid


def _exit_like_an_interpreter(code: int) -> None:
    """What interpreter exit does that matters here, in its order: wait for non-daemon
    threads (what `threading._shutdown` does, which also lets concurrent.futures join its
    workers), exit handlers (multiprocessing joins or ends its children), flushed output;
    then leave without unwinding. Both launchers therefore end a run the same way."""
    import atexit
    import threading

    try:
        if threading.current_thread() is threading.main_thread():
            threading._shutdown()
        atexit._run_exitfuncs()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError, AttributeError):
                pass
        os._exit(code)


def main(argv: list[str] | None = None, forked: bool = False) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(argv)
    return worker.work(args) if args.worker else supervise(args, argv, forked)


if __name__ == "__main__":
    sys.exit(main())
