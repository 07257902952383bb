"""Tasks that fail on purpose, for notebook 07: errors, crashes, cancellation, retries and
the deadlocks of a pool waiting on itself. Importable, so process pools can run them under
every start method.

    worker process                          notebook process
    raise ValueError ─▶ pickled with its ─▶ future.result() raises ValueError,
                        traceback text       __cause__ = _RemoteTraceback(text)
    os._exit(1)      ─▶ pipe closes      ─▶ every unfinished future: BrokenProcessPool,
                                             and every later submit() raises it at once
"""

from __future__ import annotations

import os
import threading
import time

WAIT_SECONDS = 30.0  # upper bound for every wait here: a demo must never hang forever


def parse_reading(text: str) -> float:
    """Parse one sensor reading like '21.5C'; raises ValueError on anything else."""
    if not text.endswith("C"):
        raise ValueError(f"reading {text!r} has no unit 'C'")
    return _to_number(text[:-1])


def _to_number(digits: str) -> float:
    # A second frame, so the remote traceback shows more than one line of ours.
    return float(digits)


def parse_logged(text: str, ran: list, seconds: float = 0.05) -> float:
    """Thread worker: note `text` in `ran` (list.append is atomic), take `seconds` (the
    work), then parse_reading: shows which tasks of a map ever started."""
    ran.append(text)
    time.sleep(seconds)
    return parse_reading(text)


class HTTPError(Exception):
    """Defined the way many HTTP and database clients define their errors: two required
    arguments, one message made from them. Pickle rebuilds an exception as
    `cls(*exc.args)`, and `args` here is the one message: unpickling raises TypeError."""

    def __init__(self, url: str, status: int):
        super().__init__(f"{url} answered {status}")
        self.url, self.status = url, status


class PicklableHTTPError(Exception):
    """The fix: hand every constructor argument to Exception, so `args == (url, status)`
    and `cls(*args)` rebuilds it; the message comes from __str__."""

    def __init__(self, url: str, status: int):
        super().__init__(url, status)
        self.url, self.status = url, status

    def __str__(self) -> str:
        return f"{self.url} answered {self.status}"


def fetch(url: str, status: int, error: type = HTTPError):
    """Process worker: a request that fails with `error(url, status)`."""
    raise error(url, status)


def failing_initializer() -> None:
    """Pool initializer that fails, as one that cannot reach its database would."""
    raise ConnectionError("the initializer could not connect")


def touch_then_sleep(path: str, seconds: float) -> int:
    """Process worker: create the file `path` (the caller watches for it: this task has
    started), sleep, return this worker's pid."""
    with open(path, "w"):
        pass
    time.sleep(seconds)
    return os.getpid()


# Run by notebook 07 in a separate interpreter (its own process group): what Jupyter's
# Interrupt button does to a process pool on POSIX, with and without cancel_futures.
INTERRUPT_LIKE_JUPYTER = """
import os, signal, sys, tempfile, time
from concurrent.futures import ProcessPoolExecutor
from conclab.lessons.errors_cancellation_timeouts import touch_then_sleep

def outcome(future):
    if future.cancelled():
        return "cancelled"
    error = future.exception(timeout=60)
    return type(error).__name__ if error else "ran"

if __name__ == "__main__":
    for cancel in (False, True):
        folder = tempfile.mkdtemp()
        pool = ProcessPoolExecutor(2)
        # The first two tasks (one per worker) take 30 s: still running when the signal
        # comes. The six queued behind them take 0.2 s.
        futures = [
            pool.submit(touch_then_sleep, os.path.join(folder, str(i)), 30 if i < 2 else 0.2)
            for i in range(8)
        ]
        deadline = time.monotonic() + 60
        while len(os.listdir(folder)) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)  # until both workers run a task
        try:
            with pool:
                try:
                    os.killpg(os.getpgid(0), signal.SIGINT)  # what Interrupt sends
                    time.sleep(60)
                except BaseException:
                    if cancel:
                        pool.shutdown(cancel_futures=True)  # wait=True, the default
                    raise
        except KeyboardInterrupt:
            pass
        how = "with + shutdown(cancel_futures=True)" if cancel else "with block only"
        print(f"{how:37} {[outcome(f) for f in futures]}", flush=True)
"""


def crash(code: int = 1) -> None:
    """Process worker: end the worker process at once, as a segfault or the OOM killer would.

    os._exit skips every cleanup, so the pool only sees its worker vanish.
    """
    os._exit(code)


def pid_after(seconds: float = 0.0) -> int:
    """Process worker: sleep, then return this worker's pid."""
    time.sleep(seconds)
    return os.getpid()


def wait_for(event: threading.Event, value, started: threading.Event | None = None):
    """Thread worker: set `started` (so the caller knows it runs), block until event is set,
    then return value. Raises TimeoutError after WAIT_SECONDS rather than wait forever."""
    if started is not None:
        started.set()
    if not event.wait(WAIT_SECONDS):
        raise TimeoutError(f"nobody set the event within {WAIT_SECONDS:g} s")
    return value


def count_until_stopped(stop: threading.Event, started: threading.Event, step: float = 0.01):
    """Cooperative cancellation: work in small steps, check `stop` between them, and return
    how many steps were done. Gives up after WAIT_SECONDS so a demo cannot hang."""
    started.set()
    steps = 0
    deadline = time.monotonic() + WAIT_SECONDS
    while not stop.is_set() and time.monotonic() < deadline:
        time.sleep(step)  # one small unit of work
        steps += 1
    return steps


def sleep_and_log(seconds: float, log: list, started: threading.Event | None = None) -> str:
    """Thread worker: note 'started', sleep, note 'finished': shows that a task the caller
    stopped waiting for still runs to the end. list.append is atomic, so no lock is needed."""
    log.append(("started", time.perf_counter()))
    if started is not None:
        started.set()
    time.sleep(seconds)
    log.append(("finished", time.perf_counter()))
    return f"slept {seconds} s"


class Flaky:
    """A service that fails the first `failures[key]` calls for each key with ConnectionError,
    then answers. Deterministic, so a retry demo shows the same attempts every run."""

    def __init__(self, failures: dict):
        self.failures = dict(failures)
        self._lock = threading.Lock()  # guards calls: pool threads call concurrently
        self.calls: dict = {}

    def fetch(self, key):
        with self._lock:
            self.calls[key] = n = self.calls.get(key, 0) + 1
        if n <= self.failures.get(key, 0):
            raise ConnectionError(f"{key}: attempt {n} failed")
        return f"{key}: ok"


def with_retries(func, arg, attempts: int = 3, retry_on=(ConnectionError,), delay=0.01, log=None):
    """Call func(arg) up to `attempts` times while it raises one of `retry_on`, waiting
    delay, 2*delay, 4*delay... between tries. Appends (arg, attempt, outcome) to log.
    Re-raises the last error when every attempt failed; other errors are never retried."""
    for attempt in range(1, attempts + 1):
        try:
            value = func(arg)
        except retry_on as exc:
            if log is not None:
                log.append((arg, attempt, f"{type(exc).__name__}: {exc}"))
            if attempt == attempts:
                raise
            time.sleep(delay * 2 ** (attempt - 1))
        else:
            if log is not None:
                log.append((arg, attempt, "ok"))
            return value
    raise ValueError("attempts must be at least 1")


def wait_on_own_pool(pool, inner_futures: list, inner_submitted: threading.Event):
    """The deadlock from the CPython docs: a task that submits to its own pool and waits for
    the result. With every worker busy (this task is one), the inner task never starts.

    The inner future goes into inner_futures so the caller can cancel it to unblock us.
    """
    inner = pool.submit(pow, 5, 2)
    inner_futures.append(inner)
    inner_submitted.set()
    return inner.result()  # waits for a worker: the only worker is this one


def submit_from_worker(executor):
    """Process worker: try to use the parent's executor from inside a task (never works)."""
    return executor.submit(pow, 5, 2).result()
