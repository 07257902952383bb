"""Helpers for notebook 06-callbacks: record where callbacks run, catch what they log, and
show progress from them without printing into the wrong cell.

    pool thread (or manager thread)              notebook
    task returns ─▶ future set ─▶ waiters woken ─▶ result()/wait() return
                              └─▶ callbacks run, one after another, in the same thread
                                  ProgressBoard.callback ─▶ lock ─▶ counters ─▶ widgets

The callbacks run after the waiters are woken, so `wait()` returning does not mean they
have run: read totals after the pool has shut down, or wait for the board itself.

One module because it is one notebook's helpers (06-callbacks), named after it.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import re
import sys
import threading
import time
from collections import Counter

import ipywidgets as widgets
import traitlets

# Workers for process pools wait here; a multiprocessing.Event can only reach a child by
# inheritance, so the pool hands it over through `initializer=install_gate`.
_GATE = None
GATE_SECONDS = 30.0  # generous: only a demo that never opens the gate waits this long


def install_gate(gate) -> None:
    """Pool initializer: keep the parent's multiprocessing.Event for `wait_at_gate`."""
    global _GATE
    _GATE = gate


_EVENTS: dict = {}  # name -> multiprocessing.Event, for `wait_then_set` in pool workers


def install_events(events: dict) -> None:
    """Pool initializer: keep the parent's named multiprocessing.Events."""
    _EVENTS.update(events)


def wait_then_set(x, wait_for: str, then_set: str | None = None):
    """Process worker: wait for event `wait_for`, set event `then_set` (the call has run
    in the worker), then return (x, pid)."""
    if not _EVENTS[wait_for].wait(GATE_SECONDS):
        raise TimeoutError(f"{wait_for!r} was not set within {GATE_SECONDS:g} s")
    if then_set is not None:
        _EVENTS[then_set].set()
    return x, os.getpid()


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
    message to the browser; it does not print, so nothing lands in the wrong cell. But
    `bar.value += 1` is a read and a write that callbacks in other threads can interleave
    (see `held_open`), so the counts and the widgets are updated under one lock.
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


# Which cell a thread's print lands in depends on the ipykernel version: 6.29.0 (PR 1186)
# began routing a thread's output to the cell that started the thread; 7.1.0 (PR 1451)
# went back to the cell that is running when the thread prints.
ROUTED_TO_STARTING_CELL = ((6, 29, 0), (7, 1, 0))  # [from, until)


def _version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version)[:3])


def output_rule(version: str | None = None, inherit_context: bool | None = None) -> str:
    """Where `print` from a pool thread lands, for this ipykernel (or `version`)."""
    if version is None:
        import ipykernel

        version = ipykernel.__version__
    if inherit_context is None:  # 3.14+: threads copy the caller's context (free-threaded)
        inherit_context = bool(getattr(sys.flags, "thread_inherit_context", 0))
    start, until = ROUTED_TO_STARTING_CELL
    if start <= _version_tuple(version) < until:
        return (
            f"ipykernel {version}: a thread's print goes to the cell that STARTED the thread "
            "(ipykernel 6.29.0 to 7.0.x); if that cell has finished, you never see the line"
        )
    rule = f"ipykernel {version}: a thread's print goes to the cell RUNNING when it prints"
    if inherit_context:
        rule += (
            "; but threads here inherit the context of the code that starts them "
            "(sys.flags.thread_inherit_context), which ipykernel reads as the cell that "
            "started the thread (ipykernel issue 1491)"
        )
    return rule


class OutputLog:
    """An ipywidgets.Output that done-callbacks in any thread may append lines to.

    `Output.append_stdout(text)` is `self.outputs += (...)`: it reads the tuple of outputs,
    then stores a longer one, so two threads appending at once can both read the same
    tuple and one line is lost. The lock makes each append whole.
    """

    def __init__(self, **layout):
        self.widget = widgets.Output(layout=layout or {"border": "1px solid #999"})
        self._lock = threading.Lock()  # guards widget.outputs: each append reads, then stores

    def write(self, text: str) -> None:
        with self._lock:
            self.widget.append_stdout(text)

    @property
    def lines(self) -> list[str]:
        with self._lock:
            return [line for o in self.widget.outputs for line in o["text"].splitlines()]


def _hold_if_asked(widget) -> None:
    """Inside a trait assignment, after the new value was computed from the old one and
    before it is stored: wait there once, if `held_open` asked for it."""
    held = widget.__dict__.pop("_held", None)
    if held is not None:
        paused, resume = held
        paused.set()
        resume.wait(GATE_SECONDS)


class _HeldOutput(widgets.Output):
    @traitlets.validate("outputs")
    def _hold_outputs(self, proposal):
        _hold_if_asked(self)
        return proposal["value"]


class _HeldProgress(widgets.IntProgress):
    @traitlets.validate("value")
    def _validate_value(self, proposal):
        _hold_if_asked(self)
        return super()._validate_value(proposal)


UPDATES = {
    # name: (widget class, one update by writer `who`, what the widget holds afterwards)
    "out.append_stdout(line)": (
        _HeldOutput,
        lambda w, who: w.append_stdout(f"line from {who}\n"),
        lambda w: [o["text"].strip() for o in w.outputs],
    ),
    "bar.value += 1": (
        _HeldProgress,
        lambda w, who: setattr(w, "value", w.value + 1),
        lambda w: w.value,
    ),
}


def held_open(update: str, locked: bool):
    """Two threads make one `update` each to one widget; the first is held open between
    reading the trait and storing its new value, while the second runs. Without a lock the
    second update is overwritten, for certain; with one, both are kept."""
    make, apply, outcome = UPDATES[update]
    widget = make()
    paused, resume = threading.Event(), threading.Event()
    widget._held = (paused, resume)  # the first assignment waits inside, after its read
    lock = threading.Lock() if locked else contextlib.nullcontext()

    def writer(who):
        with lock:
            apply(widget, who)

    first = threading.Thread(target=writer, args=("the first thread",))
    second = threading.Thread(target=writer, args=("the second thread",))
    first.start()
    paused.wait(GATE_SECONDS)  # the first writer has read the old value, not stored yet
    second.start()
    if not locked:
        second.join(GATE_SECONDS)  # its whole update happens inside the first one's
    resume.set()
    first.join(GATE_SECONDS)
    second.join(GATE_SECONDS)
    return outcome(widget)


def appends_from_callbacks(
    workers: int, lines: int, log: OutputLog | None = None, switch_interval: float | None = None
) -> int:
    """`workers` tasks meet at a barrier, so their done-callbacks run in `workers` pool
    threads at about the same time; each callback appends `lines` lines to one Output,
    through `log` (locked) or straight to the widget. Returns how many lines it kept.
    `switch_interval` (seconds, restored afterwards) makes the interpreter switch threads
    more often than its default 5 ms, so that a small run shows what a long one would."""
    from concurrent.futures import ThreadPoolExecutor

    out = log.widget if log else widgets.Output()
    append = log.write if log else out.append_stdout
    barrier = threading.Barrier(workers)

    def callback(future):
        for i in range(lines):
            append(f"{future.result()} {i}\n")

    previous = sys.getswitchinterval()
    if switch_interval is not None:
        sys.setswitchinterval(switch_interval)
    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for w in range(workers):
                pool.submit(meet_then, barrier, f"worker {w}", 0.0).add_done_callback(callback)
    finally:
        sys.setswitchinterval(previous)
    return len(out.outputs)
