"""Helpers for notebook 05-callbacks: record where callbacks run, catch what they log, and
show progress from them without printing into the wrong cell.

    pool thread (or manager thread)              notebook
    task returns ─▶ future set ─▶ waiters woken ─▶ result()/wait() return
                              └─▶ callbacks run, one after another, in the same thread
                                  ProgressBoard.callback ─▶ lock ─▶ counters ─▶ widgets

The callbacks run after the waiters are woken, so `wait()` returning does not mean they
have run: read totals after the pool has shut down, or wait for the board itself.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import threading
import time
from collections import Counter

import ipywidgets as widgets

# Workers for process pools wait here; a multiprocessing.Event can only reach a child by
# inheritance, so the pool hands it over through `initializer=install_gate`.
_GATE = None
GATE_SECONDS = 30.0  # generous: only a demo that never opens the gate waits this long


def install_gate(gate) -> None:
    """Pool initializer: keep the parent's multiprocessing.Event for `wait_at_gate`."""
    global _GATE
    _GATE = gate


def wait_at_gate(x):
    """Process worker: wait until the parent opens the gate, then return (x, pid)."""
    if _GATE is None or not _GATE.wait(GATE_SECONDS):
        raise TimeoutError(f"the gate was not opened within {GATE_SECONDS:g} s")
    return x, os.getpid()


def new_gate():
    """A multiprocessing.Event from the current start method's context."""
    return multiprocessing.get_context().Event()


def wait_for(event: threading.Event, value, seconds: float = GATE_SECONDS):
    """Thread worker: block until event is set, then return value (never waits forever)."""
    if not event.wait(seconds):
        raise TimeoutError(f"nobody set the event within {seconds:g} s")
    return value


def where() -> dict:
    """The thread and process running this line, for a table of who ran a callback."""
    thread = threading.current_thread()
    return {
        "thread": thread.name,
        "main thread": thread is threading.main_thread(),
        "pid": os.getpid(),
    }


def sleep_then_maybe_fail(seconds: float, fail: bool = False) -> float:
    """Stands for a download: waits `seconds`, then returns them or raises OSError."""
    time.sleep(seconds)
    if fail:
        raise OSError(f"simulated failure after {seconds:.2f} s")
    return seconds


class ListHandler(logging.Handler):
    """Keeps every record it receives (Handler.handle holds the handler's own lock)."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def captured_log(name: str = "concurrent.futures"):
    """Collect the records of logger `name` in the block, and keep them from going anywhere
    else (no stderr output landing in some other cell). Yields the list of records."""
    logger = logging.getLogger(name)
    handler = ListHandler()
    previous = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)
        logger.propagate = previous


class ProgressBoard:
    """A progress bar and a summary line, updated from done-callbacks in any thread.

    Use `board.callback` as the done-callback of every future. Updating a widget sends a
    message to the browser; it does not print, so nothing lands in the wrong cell.
    """

    def __init__(self, total: int, description: str = "tasks"):
        self.total = total
        self._lock = threading.Lock()  # guards done, failed, by_thread (callbacks race)
        self._all_seen = threading.Condition(self._lock)
        self.done = 0
        self.failed = 0
        self.by_thread: Counter[str] = Counter()
        self.bar = widgets.IntProgress(value=0, min=0, max=total, description=description)
        self.label = widgets.HTML(self._summary())
        self.widget = widgets.VBox([self.bar, self.label])

    def _summary(self) -> str:
        threads = ", ".join(f"{name}: {n}" for name, n in sorted(self.by_thread.items()))
        return (
            f"{self.done} of {self.total} finished, {self.failed} failed"
            f"<br><small>callbacks per thread: {threads or '-'}</small>"
        )

    def callback(self, future) -> None:
        """The done-callback: count the future, then refresh the widgets."""
        failed = future.cancelled() or future.exception() is not None
        with self._lock:
            self.done += 1
            self.failed += failed
            self.by_thread[threading.current_thread().name] += 1
            self.bar.value = self.done
            self.bar.bar_style = "danger" if self.failed else "info"
            if self.done == self.total:
                self.bar.bar_style = "warning" if self.failed else "success"
            self.label.value = self._summary()
            self._all_seen.notify_all()

    def wait(self, timeout: float = 30.0) -> bool:
        """Block until every callback has run (True) or the timeout passes (False)."""
        with self._lock:
            return self._all_seen.wait_for(lambda: self.done >= self.total, timeout)


def meet_then(barrier: threading.Barrier, value, seconds: float = 0.05):
    """Thread worker: wait until every task is at the barrier (so each has its own pool
    thread), then work a little and return value."""
    barrier.wait(GATE_SECONDS)
    time.sleep(seconds)
    return value
