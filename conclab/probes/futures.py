"""Probes for the futures chapter's checks: prove early returns, cancellation and locking
by construction, never by elapsed time.

    check ──holds──▶ gate (threading.Event) ◀──wait── blocked tasks (slow replicas, stragglers)
      │                                                  ▲
      └── BackgroundCall(learner's function) ──submits───┘
          the check sees the call return while the gate is still closed, then opens the
          gate; StartLog says which tasks ever started once the workers have drained.

Nothing here is timed except generous give-up bounds that only a wrong solution reaches.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
import time
from collections import Counter

from conclab.probes.common import BARRIER_SECONDS

# Longest a blocked task waits for its gate. Checks always open the gate much sooner (in a
# `finally`), so this only bounds how long a thread lingers if a check itself crashes.
HOLD_SECONDS = 30.0


class BackgroundCall:
    """Runs fn(*args, **kwargs) in a daemon thread, so a check can see whether it returns
    while tasks it started are still blocked (the check's thread stays free to unblock them)."""

    def __init__(self, fn, *args, **kwargs):
        self.result = None
        self.error: BaseException | None = None
        self._done = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(fn, args, kwargs), name="conclab-call", daemon=True
        )
        self._thread.start()

    def _run(self, fn, args, kwargs) -> None:
        try:
            self.result = fn(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - handed to the check by outcome()
            self.error = exc
        finally:
            self._done.set()

    def wait(self, timeout: float = BARRIER_SECONDS) -> bool:
        """True once the call has returned or raised."""
        return self._done.wait(timeout)

    @property
    def finished(self) -> bool:
        return self._done.is_set()

    def stack(self) -> list[str]:
        """The functions the call's thread is in right now, outermost first (empty once done)."""
        frame = sys._current_frames().get(self._thread.ident)
        names = []
        while frame is not None:
            names.append(frame.f_code.co_name)
            frame = frame.f_back
        return names[::-1]

    def why_blocked(self) -> str:
        """A sentence on what the still-running call waits in: leaving a `with` block
        (shutdown), or one future's result() or exception(), or a wait over several."""
        stack = self.stack()
        if "shutdown" in stack or "__exit__" in stack:
            return (
                "It was waiting in shutdown(): leaving a `with ThreadPoolExecutor` block waits "
                "for every task, so create the pool without `with` and call "
                "pool.shutdown(wait=False, cancel_futures=True)."
            )
        if "result" in stack or "exception" in stack:
            return (
                "It was waiting in result() (or exception()) of one future that was still "
                "running: reading the futures in list order waits for the slow ones first. "
                "Take the answers as they complete (as_completed or wait(FIRST_COMPLETED))."
            )
        return f"It was still running in {' > '.join(stack[-4:]) or 'an unknown place'}."

    def outcome(self, what: str = "the call"):
        """The call's return value; re-raises its exception; fails if it never finished."""
        if not self._done.is_set():
            raise AssertionError(
                f"{what} had still not returned {BARRIER_SECONDS:g} s after every task it "
                "started was unblocked; expected it to return."
            )
        if self.error is not None:
            raise self.error
        return self.result


class StartLog:
    """Which tasks started, in which threads; every method is thread-safe."""

    def __init__(self):
        self._lock = threading.Lock()  # guards started and threads
        self.started: list[object] = []
        self.threads: dict[int, threading.Thread] = {}

    def record(self, item) -> None:
        with self._lock:
            self.started.append(item)
            thread = threading.current_thread()
            self.threads[thread.ident] = thread

    def join_threads(self, timeout: float = BARRIER_SECONDS) -> bool:
        """Wait (at most timeout in all) for every thread that ran a task to end, so that
        nothing still queued can start later. True when they all ended."""
        deadline = time.monotonic() + timeout
        with self._lock:
            threads = [t for t in self.threads.values() if t is not threading.current_thread()]
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(t.is_alive() for t in threads)


class AttemptLog:
    """Counts the calls made for each input; thread-safe."""

    def __init__(self):
        self._lock = threading.Lock()  # guards counts
        self.counts: Counter = Counter()

    def next_attempt(self, item) -> int:
        """Record one more call for item and return its number (1 for the first call)."""
        with self._lock:
            self.counts[item] += 1
            return self.counts[item]


class LockProbe:
    """Stands in for an object's lock and measures how much `read()` (a count) changed
    while the lock was held. Counts updated outside the lock show as no change.

    Re-entrant when the lock it replaces is (an RLock). `read` is called by the probe
    itself while it holds the lock; during that call the probe lets the same thread
    through without locking, so `read` may take the lock too.
    """

    def __init__(self, read, reentrant: bool = False):
        self._read = read
        self._reentrant = reentrant
        self._real = threading.Lock()  # the lock the probed object believes it holds
        self._local = threading.local()  # marks the thread that is inside read()
        self._owner: int | None = None  # written only by the thread holding _real
        self._depth = 0  # re-entry depth of the owner, for an RLock stand-in
        self._before = 0
        self.acquisitions = 0
        self.changed_inside = 0

    @classmethod
    def replacing(cls, lock, read) -> LockProbe:
        """A probe that behaves like `lock` (re-entrant or not)."""
        return cls(read, reentrant=isinstance(lock, _RLOCK_TYPES))

    def _reading(self) -> bool:
        return getattr(self._local, "reading", False)

    def _measure(self) -> int:
        self._local.reading = True
        try:
            return self._read()
        finally:
            self._local.reading = False

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        if self._reading():
            return True
        if self._reentrant and self._owner == threading.get_ident():
            self._depth += 1
            return True
        if not self._real.acquire(blocking, timeout):
            return False
        self._owner, self._depth = threading.get_ident(), 1
        self.acquisitions += 1
        self._before = self._measure()
        return True

    def release(self) -> None:
        if self._reading():
            return
        if self._depth > 1:
            self._depth -= 1
            return
        self.changed_inside += self._measure() - self._before
        self._owner, self._depth = None, 0
        self._real.release()

    def locked(self) -> bool:
        return self._real.locked()

    __enter__ = acquire

    def __exit__(self, *exc_info) -> None:
        self.release()


# The C RLock and, where it exists, the pure-Python one.
_RLOCK_TYPES = tuple(
    {type(threading.RLock()), getattr(threading, "_PyRLock", type(threading.RLock()))}
)


@contextlib.contextmanager
def switch_interval(seconds: float):
    """Make threads switch as often as possible inside the block, then restore the interval."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(seconds)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


class _ErrorCollector(logging.Handler):
    """Keeps the exception of every record logged with exc_info."""

    def __init__(self, errors: list):
        super().__init__(logging.DEBUG)
        self.errors = errors

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            self.errors.append(record.exc_info[1])


@contextlib.contextmanager
def swallowed_callback_errors():
    """Collect the exceptions that concurrent.futures logs and swallows when a done-callback
    raises ("exception calling callback for <Future ...>"); yields the list it fills."""
    errors: list[BaseException] = []
    logger = logging.getLogger("concurrent.futures")
    handler = _ErrorCollector(errors)
    previous = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False  # keep the grader's output free of these tracebacks
    try:
        yield errors
    finally:
        logger.removeHandler(handler)
        logger.propagate = previous


def describe_errors(errors: list[BaseException]) -> str:
    """`ValueError: x, KeyError: 'y'` for a message."""
    return ", ".join(f"{type(e).__name__}: {e}" if str(e) else type(e).__name__ for e in errors)
