"""Gates that hold a learner's tasks until the probe has seen what it must: how many are in
flight at once (InFlightGate), the order they finish in (FinishingOrder), and a thread
parked in a wait (parked, release_when_parked). The waiting is proved from the threads'
stacks, never by sleeping a while.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Callable, Sequence

from conclab.probes import runspans
from conclab.probes.common import BARRIER_SECONDS, NeverMet

# How long to keep watching when the probes cannot prove that the other threads are stuck
# (the code under test waits in a way they do not recognise). Only such code pays it.
WATCH_SECONDS = 0.5
_POLL_SECONDS = 0.002  # how often a probe looks at the other threads while it waits

_CONDITION_WAIT = threading.Condition.wait.__code__
_THREAD_START = threading.Thread.start.__code__
_JOIN_WAIT = getattr(threading.Thread, "_wait_for_tstate_lock", None)  # CPython up to 3.12


def parked(thread: threading.Thread) -> bool:
    """True when `thread` is blocked, without a timeout, in a wait that nothing has ended yet
    and that only another thread can end: Condition.wait() not yet notified (which is what
    Future.result(), wait(), as_completed(), Event.wait() and Queue.get() block in), or
    join() of a thread still running. Not inside Thread.start(), which waits only for the
    new thread to run. Other ways of waiting are not recognised (False)."""
    frame = sys._current_frames().get(thread.ident)
    outer = frame
    while outer is not None:
        if outer.f_code is _THREAD_START:
            return False
        outer = outer.f_back
    if frame is None:
        return False
    code, names = frame.f_code, frame.f_locals
    if code is _CONDITION_WAIT:
        waiter, condition = names.get("waiter"), names.get("self")
        # The waiter lock is in the condition's list from just before the thread blocks
        # until a notify() takes it out, so being there means "not woken yet".
        return names.get("timeout") is None and waiter in getattr(condition, "_waiters", ())
    if _JOIN_WAIT is not None and code is _JOIN_WAIT.__code__:
        joined = names.get("self")
        return names.get("timeout") == -1 and joined is not None and joined.is_alive()
    if _JOIN_WAIT is None and code is threading.Thread.join.__code__:
        # 3.13+: join() blocks in the C handle's join, so join is the innermost Python frame.
        joined = names.get("self")
        return names.get("timeout") is None and joined is not None and joined.is_alive()
    return False


def _on_stack(thread: threading.Thread, frame) -> bool:
    """Whether `frame` is still running in `thread`."""
    current = sys._current_frames().get(thread.ident)
    while current is not None:
        if current is frame:
            return True
        current = current.f_back
    return False


class InFlightGate:
    """A task that waits at a closed gate, to prove code never runs more than `limit` tasks
    at once: watch() opens the gate only once `limit` wait there and no other can start."""

    def __init__(self, limit: int):
        self.limit = limit
        self._open = threading.Event()
        # Guards in_flight, peak, calls, threads, _held and caller_done.
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self.in_flight = 0
        self.peak = 0
        self.calls: list[object] = []
        # Each thread that ran a task, once. The Thread objects themselves are kept, so
        # that a thread id reused after a thread has ended cannot hide a thread.
        self.threads: list[threading.Thread] = []
        self._held: set[threading.Thread] = set()
        self.caller_done = False

    @property
    def reached(self) -> bool:
        """`limit` tasks were in flight at the same time."""
        return self.peak >= self.limit

    @property
    def too_many(self) -> bool:
        """More than `limit` tasks were in flight at the same time."""
        return self.peak > self.limit

    def __call__(self, item):
        """The task: wait at the gate (at most BARRIER_SECONDS), then return `item`."""
        me = threading.current_thread()
        with self._lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            self.calls.append(item)
            if me not in self.threads:
                self.threads.append(me)
            self._held.add(me)
            self._changed.notify_all()
        started = time.perf_counter()
        try:
            self._open.wait(BARRIER_SECONDS)
            return item
        finally:
            runspans.record(repr(item), started, time.perf_counter())
            with self._lock:
                self.in_flight -= 1
                self._held.discard(me)
                self._changed.notify_all()

    def open(self) -> None:
        """Let every task through from now on."""
        self._open.set()

    def _nothing_else_can_start(self, caller: threading.Thread | None) -> bool:
        """Every thread but this one holds a task at the gate, or is `caller` parked (or
        done): until the gate opens, no thread can start another task."""
        me = threading.current_thread()
        for thread in threading.enumerate():
            if thread is me or thread in self._held:
                continue
            if thread is caller and (self.caller_done or parked(thread)):
                continue
            return False
        return True

    def watch(self, caller: threading.Thread | None = None) -> None:
        """Keep the gate closed until the answer is known, then open it.

        Known means: more than `limit` tasks are in flight, or the caller is done, or no
        other task can start (see _nothing_else_can_start; with caller=None the current
        thread did the submitting and has finished it). When that cannot be proven, it
        watches for WATCH_SECONDS once `limit` tasks are in, or BARRIER_SECONDS in all.
        """
        started = time.monotonic()
        full_since = None
        with self._changed:
            while not (self.too_many or self.caller_done or self._nothing_else_can_start(caller)):
                now = time.monotonic()
                if self.in_flight >= self.limit:
                    full_since = full_since or now
                    if now - full_since >= WATCH_SECONDS:
                        break
                elif now - started >= BARRIER_SECONDS:
                    break
                self._changed.wait(_POLL_SECONDS)
        self._open.set()

    def run(self, call: Callable[[], object], timeout: float = BARRIER_SECONDS * 2) -> object:
        """Run call() in a new caller thread while watching; return what it returned, or
        raise what it raised (None if it is still running after `timeout` seconds)."""
        outcome: dict[str, object] = {}

        def caller_thread():
            try:
                outcome["result"] = call()
            except BaseException as exc:  # noqa: BLE001 - re-raised in the check's thread
                outcome["error"] = exc
            finally:
                with self._lock:
                    self.caller_done = True
                    self._changed.notify_all()

        caller = threading.Thread(target=caller_thread, name="check-caller", daemon=True)
        caller.start()
        try:
            self.watch(caller)
        finally:
            self._open.set()
        caller.join(timeout)
        if "error" in outcome:
            raise outcome["error"]
        return outcome.get("result")


class FinishingOrder:
    """Wraps a task so that the calls finish in a fixed order, one at a time: each waits
    until the one before it in `order` has returned and the caller has dealt with it."""

    def __init__(
        self,
        order: Sequence,
        task: Callable,
        *,
        key: Callable = lambda item: item,
        describe: Callable = repr,
        what: str = "calls",
        caller: threading.Thread | None = None,
    ):
        self._order = list(order)
        self._task, self._key, self._describe, self._what = task, key, describe, what
        self._caller = caller or threading.current_thread()
        self._returned = {k: threading.Event() for k in self._order}
        # Guards _made_by: which thread, and which frame in it, made each call.
        self._lock = threading.Lock()
        self._made_by: dict[object, tuple[threading.Thread, object]] = {}
        self._stopped = threading.Event()

    def stop(self) -> None:
        """The caller has finished (or failed): the calls left need not wait for it."""
        self._stopped.set()

    def __call__(self, item):
        k = self._key(item)
        me = threading.current_thread()
        with self._lock:
            self._made_by[k] = (me, sys._getframe(1))
        i = self._order.index(k) if k in self._order else 0
        started = time.perf_counter()
        try:
            if i > 0:
                before = self._order[i - 1]
                if not self._returned[before].wait(BARRIER_SECONDS):
                    raise NeverMet(
                        f"{self._describe(k)} waited {BARRIER_SECONDS:g} s for "
                        f"{self._describe(before)} to finish, but it never ran: the "
                        f"{self._what} did not run at the same time."
                    )
                if me is not self._caller:
                    self._wait_until_dealt_with(before)
            return self._task(item)
        finally:
            runspans.record(self._describe(k), started, time.perf_counter())
            self._returned[k].set()

    def _wait_until_dealt_with(self, k) -> None:
        """Until the code that made call k has finished with it (the pool has set its
        future: the frame that made the call has returned) and the caller is parked again,
        so that the caller sees each call finish on its own, never two at once."""
        with self._lock:
            thread, frame = self._made_by[k]
        deadline = time.monotonic() + WATCH_SECONDS
        while not self._stopped.is_set() and time.monotonic() < deadline:
            finished = thread is self._caller or not _on_stack(thread, frame)
            if finished and (not self._caller.is_alive() or parked(self._caller)):
                return
            time.sleep(_POLL_SECONDS)


@contextlib.contextmanager
def release_when_parked(thread: threading.Thread, release: threading.Event):
    """Set `release` once `thread` is parked inside the block (see parked()), or when the
    block ends: tasks that wait for `release` are still running when the block's code
    starts to wait for them, and cannot finish before it does."""
    stop = threading.Event()

    def releaser():
        while not stop.is_set() and not parked(thread):
            time.sleep(_POLL_SECONDS)
        release.set()

    helper = threading.Thread(target=releaser, name="check-releaser", daemon=True)
    helper.start()
    try:
        yield
    finally:
        stop.set()
        helper.join()
