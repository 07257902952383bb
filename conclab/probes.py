"""Tasks that checks hand to a learner's code to prove concurrency by construction.

Nothing here measures speed. A probe records which thread or process ran each task and
how many ran at once, and tasks can be made to wait for each other (a barrier, or a
chain of events) so that only a concurrent run can finish them.
"""

from __future__ import annotations

import os
import threading

# How long a task waits for the others before the check gives up. Generous on purpose:
# only an implementation that never runs the tasks together ever waits this long.
BARRIER_SECONDS = 5.0  # threads in one process start within milliseconds
PROCESS_BARRIER_SECONDS = 15.0  # spawn start-up on a loaded machine can take seconds


class NeverMet(AssertionError):
    """The tasks never ran at the same time: a barrier or chain timed out."""


class ThreadProbe:
    """Counts tasks in flight and records thread ids; every method is thread-safe."""

    def __init__(self):
        self._lock = threading.Lock()  # guards in_flight, peak, threads and calls
        self._changed = threading.Condition(self._lock)
        self.in_flight = 0
        self.peak = 0
        self.threads: set[int] = set()
        self.calls: list[object] = []
        self.caller_done = False

    def enter(self, item) -> None:
        with self._lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            self.threads.add(threading.get_ident())
            self.calls.append(item)
            self._changed.notify_all()

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1
            self._changed.notify_all()

    def done(self) -> None:
        """The code under test returned or raised: stop waiting for more tasks."""
        with self._lock:
            self.caller_done = True
            self._changed.notify_all()

    def wait_for_in_flight(self, count: int, timeout: float) -> bool:
        """Block until at least count tasks are in flight at once (True), or until the
        timeout or the caller being done (False)."""
        with self._lock:
            self._changed.wait_for(lambda: self.in_flight >= count or self.caller_done, timeout)
            return self.in_flight >= count


def meet(barrier: threading.Barrier, what: str = "tasks") -> None:
    """Wait at the barrier; a timeout means the tasks never ran at the same time."""
    try:
        barrier.wait(BARRIER_SECONDS)
    except threading.BrokenBarrierError:
        raise NeverMet(
            f"the {what} never ran at the same time: each one waited up to "
            f"{BARRIER_SECONDS:g} s for the others at a barrier that only a concurrent run "
            "can pass. Submit all of them to the pool before you wait for any result."
        ) from None


def meet_then_sum(barrier, chunk) -> tuple[int, int]:
    """For process pools: meet the other chunks at a Manager barrier, return (pid, sum).

    Module-level, so it pickles by reference under every start method; `barrier` is a
    `multiprocessing.Manager().Barrier` proxy, which pickles too.
    """
    try:
        barrier.wait(PROCESS_BARRIER_SECONDS)
    except threading.BrokenBarrierError:
        raise NeverMet(
            "the chunks never ran at the same time in different processes: each waited "
            f"{PROCESS_BARRIER_SECONDS:g} s at a barrier that only parallel workers can pass."
        ) from None
    return os.getpid(), sum(chunk)


def pid_and_sum(chunk) -> tuple[int, int]:
    """For process pools: which process summed this chunk."""
    return os.getpid(), sum(chunk)


def fail_on_negative(chunk) -> int:
    """Raises ValueError for a chunk holding a negative number; used to test error paths."""
    if any(x < 0 for x in chunk):
        raise ValueError(f"negative number in chunk {chunk}")
    return sum(chunk)
