"""A preloaded parent for graded runs: forks each run's supervisor with pytest imported.

    runner ──unix socket: request + fds──▶ zygote (pytest and the grader imported; never
       ▲                                     runs learner code; one thread)
       └── pidfd of the new supervisor ◀──────── fork ──▶ supervisor ──fork──▶ worker

Starting two fresh interpreters and importing pytest costs about 0.35 s of CPU per
exercise; forking a process that has already done it costs a few milliseconds. The zygote
only ever forks: it imports no learner code and starts no threads, so fork is safe in it,
and the worker still gets a fresh process per exercise. Used on Linux (pidfds, passing
file descriptors); elsewhere, or with CONCLAB_GRADER_ZYGOTE=0, the runner starts fresh
interpreters (see runner.py). Nothing in the learner's code depends on how its worker began.

One module, a little over 300 lines: the runner's side of the zygote and the zygote's own
loop speak one small protocol, and keeping both halves together keeps it in one place.
"""

from __future__ import annotations

import atexit
import ctypes
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor

from grader.engine import proctree

ENABLED = (
    sys.platform.startswith("linux")
    and hasattr(os, "pidfd_open")
    and hasattr(socket, "send_fds")
    and os.environ.get("CONCLAB_GRADER_ZYGOTE", "1") != "0"
    and os.environ.get("CONCLAB_GRADER_PORTABLE") != "1"
)
READY = b"ready"
START_SECONDS = 30.0  # how long a new zygote may take to import pytest
MAX_REQUEST = 1 << 20  # bytes: argv, folder and environment of one run
PR_SET_PDEATHSIG = 1
# Set anew for each run: one zygote serves every run of a session or a batch worker.
PER_RUN = (proctree.MARKER, proctree.JOB_MARKER)
# Imported once here, not in every worker: what checks import besides the learner's code.
# The project's own and the standard library's, and none of it starts a thread, a process
# or a semaphore when imported, so every fork gets a clean copy.
PRELOAD = (
    "concurrent.futures.process",
    "concurrent.futures.thread",
    "multiprocessing.managers",
    "multiprocessing.sharedctypes",
    "multiprocessing.synchronize",
    "random",
)


class ForkedSupervisor:
    """The runner's handle on a supervisor the zygote forked: the parts of Popen it uses."""

    def __init__(self, pid: int, pidfd: int, stdin_fd: int, stdout_fd: int):
        self.pid = pid
        self.returncode: int | None = None  # 0 once gone: its exit status is the zygote's
        self._pidfd = pidfd  # readable once the process has ended
        self.stdin = open(stdin_fd, "wb", buffering=0)  # noqa: SIM115 - closed by the runner
        self.stdout = open(stdout_fd, "rb", buffering=0)  # noqa: SIM115 - closed by the runner

    def poll(self) -> int | None:
        if self.returncode is None and select.select([self._pidfd], [], [], 0)[0]:
            self._ended()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            if not select.select([self._pidfd], [], [], timeout)[0]:
                raise subprocess.TimeoutExpired(f"supervisor {self.pid}", timeout)
            self._ended()
        return self.returncode

    def _ended(self) -> None:
        self.returncode = 0
        os.close(self._pidfd)


class Zygote:
    """One zygote process, started with one environment; `start` forks a supervisor."""

    def __init__(self, env: dict[str, str]):
        self.env = env
        # ours: the runner's threads, one request at a time under _lock; theirs: the zygote's
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        with theirs:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "grader.engine.zygote", str(theirs.fileno())],
                # The markers' places in the environment block, filled in by each fork so
                # that scans of /proc find the run and its batch job (see _stamp_markers).
                env={**env, **dict.fromkeys(PER_RUN, proctree.UNSET)},
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                pass_fds=(theirs.fileno(),),
                # Its own session: Ctrl-C in the terminal reaches the runner only, which
                # then stops the runs itself; the zygote ends when its socket closes.
                start_new_session=True,
            )
        self.sock = ours
        self.sock.settimeout(START_SECONDS)
        try:
            ready = self.sock.recv(16)
            self.sock.settimeout(None)
        except OSError:
            self.close(kill=True)
            raise
        if ready != READY:
            self.close(kill=True)
            raise OSError("the grader's zygote did not start")

    def start(self, argv: list[str], cwd: str, env: dict, fds: list[int]) -> int:
        """Fork a supervisor running `grader.engine.child` with argv; returns its pid and pidfd."""
        request = json.dumps({"argv": argv, "cwd": cwd, "env": env}).encode()
        socket.send_fds(self.sock, [request], fds)
        reply, got, _, _ = socket.recv_fds(self.sock, 4096, 1)
        if not reply or len(got) != 1:
            raise OSError("the grader's zygote ended")
        return json.loads(reply)["pid"], got[0]

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self, kill: bool = False) -> None:
        """Stop taking runs; the zygote exits once the runs it forked have ended."""
        self.sock.close()
        if kill:
            self.proc.kill()
        self.proc.wait()


_lock = threading.Lock()  # guards _current and the conversation on its socket
# Zygotes are started from this one long-lived thread: Linux sends the parent-death signal
# when the thread that started a process ends, and gradings run in short-lived threads.
_starter = ThreadPoolExecutor(1, thread_name_prefix="grader-zygote")
_current: Zygote | None = None
_broken = False  # a zygote failed to start here: use fresh interpreters from now on


def start_supervisor(argv, cwd, env, events_fd) -> ForkedSupervisor | None:
    """Fork a supervisor from the zygote for this environment; None where there is none,
    and the runner starts a fresh interpreter instead."""
    if not ENABLED or _broken:
        return None
    # The supervisor's stdin and stdout: it gets stdin_r and stdout_w (passed to the zygote,
    # closed here at once); the runner keeps stdin_w (its end tells the supervisor the
    # runner is gone) and stdout_r (the learner's output).
    stdin_r, stdin_w = os.pipe()
    stdout_r, stdout_w = os.pipe()
    started = None
    try:
        started = _fork(argv, cwd, env, [stdin_r, stdout_w, events_fd])
    finally:
        os.close(stdin_r)
        os.close(stdout_w)
        if started is None:
            os.close(stdin_w)
            os.close(stdout_r)
    return ForkedSupervisor(*started, stdin_w, stdout_r) if started else None


def _fork(argv, cwd, env, fds) -> tuple[int, int] | None:
    global _current, _broken
    base = {k: v for k, v in env.items() if k not in PER_RUN}
    with _lock:
        for _ in range(2):  # a zygote that died (say, killed from outside) is replaced
            if _current is None or _current.env != base or not _current.alive():
                if _current is not None:  # retire it: it ends once its runs have ended
                    threading.Thread(target=_current.close, daemon=True).start()
                    _current = None
                try:
                    _current = _starter.submit(Zygote, base).result()
                except OSError:
                    _broken = True
                    return None
            try:
                return _current.start(argv, cwd, env, fds)
            except OSError:
                _current.close(kill=True)
                _current = None
    return None


def pids() -> list[int]:
    """The zygotes this process has running: long-lived helpers, not leftovers of a run."""
    with _lock:
        return [_current.proc.pid] if _current is not None and _current.alive() else []


@atexit.register
def _shutdown() -> None:
    if _current is not None:
        _current.sock.close()


# -- the zygote itself ------------------------------------------------------------------


def _reap(signum=None, frame=None) -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _stamp_markers(env: dict) -> None:
    """Write this run's markers into the process's original environment block, which is
    what /proc/PID/environ shows (os.environ changes only a copy), so scans find the run."""
    libc = ctypes.CDLL(None)
    environ = ctypes.POINTER(ctypes.c_void_p).in_dll(libc, "environ")
    width = len(proctree.UNSET)
    prefixes = {f"{name}=".encode(): env.get(name, "") for name in PER_RUN}
    i = 0
    while environ[i]:
        for prefix, run_id in prefixes.items():
            if ctypes.string_at(environ[i], len(prefix)) == prefix:
                value = run_id.encode()[:width].ljust(width, b"-")
                ctypes.memmove(environ[i] + len(prefix), value, len(value))
        i += 1


def _run_supervisor(request: dict, fds: list[int]) -> int:
    """In the forked child: become the run's supervisor, as `python -m grader.engine.child`."""
    from grader.engine import child

    stdin_r, stdout_w, events_fd = fds
    os.setsid()
    os.dup2(stdin_r, 0)
    os.dup2(stdout_w, 1)
    os.dup2(stdout_w, 2)
    os.close(stdin_r)
    os.close(stdout_w)
    sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
    sys.stdout = open(1, "w", encoding="utf-8", buffering=1, closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", encoding="utf-8", buffering=1, closefd=False)  # noqa: SIM115
    os.chdir(request["cwd"])
    env = request["env"]
    _stamp_markers(env)
    os.environ.clear()
    os.environ.update(env)
    return child.main([*request["argv"], "--events-fd", str(events_fd)], forked=True)


def serve(fd: int) -> None:
    """Answer fork requests until the runner closes the socket, then wait for the runs."""
    if sys.platform.startswith("linux"):  # die with the runner; supervisors follow us
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a kernel's interrupt is not for us
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))  # quietly, no traceback
    import gc
    import importlib

    import _pytest.config

    for name in _pytest.config.default_plugins:  # pytest imports them for every session
        importlib.import_module(f"_pytest.{name}")
    from grader.engine import child, plugin, recorder, rlimits, worker  # noqa: F401

    for name in (*PRELOAD, *worker.preloaded()):
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the check that imports it reports the error
            continue

    gc.freeze()  # what is imported now is never collected: forks skip it and share its pages

    sock = socket.socket(fileno=fd)
    signal.signal(signal.SIGCHLD, _reap)
    sock.send(READY)
    while True:
        message, fds, _, _ = socket.recv_fds(sock, MAX_REQUEST, 3)
        if not message:
            break
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                sock.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.default_int_handler)  # as in python
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
                code = _run_supervisor(json.loads(message), fds)
            except BaseException:  # noqa: BLE001 - report, never return into the loop
                traceback.print_exc()
            finally:
                os._exit(code)
        pidfd = os.pidfd_open(pid)  # before it can be reaped, so the pid cannot be reused
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        for f in fds:
            os.close(f)
        socket.send_fds(sock, [json.dumps({"pid": pid}).encode()], [pidfd])
        os.close(pidfd)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    while True:  # the runner is done with us: let the runs we forked finish
        try:
            os.wait()
        except ChildProcessError:
            break


if __name__ == "__main__":
    serve(int(sys.argv[1]))
