"""Stage functions and a recorder for the three-stage pipeline checks (exercise 11).

    items ──download (threads)──▶ compute (processes) ──▶ save (threads) ──▶ results

The compute stage runs in worker processes, so its functions live here at module level:
spawn and forkserver workers import them by name. Each returns the pid that ran it, so a
check can prove the stage ran in processes other than the caller's. The thread stages
are closures in the checks; they record their threads with a StageLog.
"""

from __future__ import annotations

import os
import threading

from conclab.probes import runspans
from conclab.probes.common import PROCESS_BARRIER_SECONDS, NeverMet


def square_in_process(x: int) -> tuple[int, int]:
    """The compute stage: (pid of the process that ran it, x squared)."""
    with runspans.timed(f"compute {x!r}"):
        return os.getpid(), x * x


def meet_then_square(barrier, x: int) -> tuple[int, int]:
    """The compute stage, meeting another compute at a Manager barrier first.

    `barrier` is a `multiprocessing.Manager().Barrier` proxy (it pickles, a
    `threading.Barrier` does not); use it as `functools.partial(meet_then_square, barrier)`.
    """
    with runspans.timed(f"compute {x!r}"):
        try:
            barrier.wait(PROCESS_BARRIER_SECONDS)
        except threading.BrokenBarrierError:
            raise NeverMet(
                "the compute stage never ran twice at the same time in different processes: "
                f"compute({x}) waited {PROCESS_BARRIER_SECONDS:g} s at a barrier that only "
                "parallel workers can pass. Submit each downloaded item to the process pool "
                "as soon as it is ready, before waiting for any compute result."
            ) from None
        return os.getpid(), x * x


def square_unless_negative(x: int) -> tuple[int, int]:
    """The compute stage that fails for a negative item, to test the error path."""
    if x < 0:
        raise ValueError(f"cannot compute item {x}: negative")
    return os.getpid(), x * x


class StageLog:
    """Which threads ran each thread stage, and each stage's calls; thread-safe."""

    def __init__(self):
        self._lock = threading.Lock()  # guards threads and calls
        self.threads: dict[str, set[int]] = {"download": set(), "save": set()}
        self.calls: dict[str, list[object]] = {"download": [], "save": []}

    def record(self, stage: str, item: object) -> None:
        with self._lock:
            self.threads[stage].add(threading.get_ident())
            self.calls[stage].append(item)

    def timed(self, stage: str, item: object) -> runspans.timed:
        """Record the call and draw it: `with log.timed("download", item): ...`."""
        self.record(stage, item)
        return runspans.timed(f"{stage} {item!r}")
