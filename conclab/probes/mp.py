"""Workers and helpers that the checks of the processes chapter (exercises 07 to 09) use.

Every worker here is module-level, so it pickles by reference under every start method,
and takes its shared objects (Manager proxies, shared Values) as arguments, usually bound
with functools.partial. As in conclab.probes.common, nothing measures speed: the workers record
which process ran them (pids) and wait for each other at barriers, so only processes that
really ran at the same time can pass.

    check ──partial(worker, barrier, notes)──▶ learner's code ──start──▶ processes
      ▲                                                              │
      └──── results: (item, pid, met) / notes in a Manager list ◀─────┘
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import Counter
from dataclasses import dataclass, field

from conclab.probes.common import PROCESS_BARRIER_SECONDS

# How long a check waits for the learner's multi-process code to return. Far beyond what a
# correct solution needs (about a second); only a deadlock or a lost sentinel gets near it.
DEADLINE_SECONDS = 30.0


def _met(barrier) -> bool:
    """Wait at a Manager or multiprocessing barrier; False when the others never came."""
    try:
        barrier.wait(PROCESS_BARRIER_SECONDS)
        return True
    except threading.BrokenBarrierError:
        return False


# --- exercise 08: queue pipeline --------------------------------------------------------


def record_item(item) -> tuple[object, int]:
    """A consumer's work: return the item itself and the pid of the process that took it."""
    return item, os.getpid()


def meet_then_record(barrier, meeters, item) -> tuple[object, int, bool]:
    """Items in `meeters` wait at the barrier until as many consumers hold one at once.

    A consumer that waits here cannot take another item, so the other meeters must be
    taken by other consumer processes: meeting proves that several consumers ran at once.
    """
    met = _met(barrier) if item in meeters else True
    return item, os.getpid(), met


# --- exercise 09: shared counters -------------------------------------------------------


def start_together(barrier, work, *args) -> None:
    """Process target: wait until every process is ready, then call work(*args).

    Starting the loops at the same moment makes their increments overlap, so an
    increment without the lock loses updates on every run, not just now and then.
    """
    _met(barrier)
    work(*args)


def meet_add_and_note(barrier, notes, counter, times) -> None:
    """Stands in for add_to_counter: meet the other processes, add `times` under the lock,
    and note (pid, met) in a Manager list."""
    met = _met(barrier)
    with counter.get_lock():  # guards counter.value: += reads, then writes
        counter.value += times
    notes.append((os.getpid(), met))


def meet_count_and_note(barrier, notes, values, bins) -> None:
    """Stands in for add_to_histogram: meet, count locally, add to the shared bins under
    their lock, and note (pid, met, how many values) in a Manager list."""
    met = _met(barrier)
    counts = Counter(values)
    with bins.get_lock():  # guards every element of bins
        for value, count in counts.items():
            bins[value] += count
    notes.append((os.getpid(), met, len(values)))


# --- running the learner's multi-process code with a deadline ---------------------------


@dataclass
class Outcome:
    """What happened to one call made by call_with_deadline."""

    finished: bool = False
    value: object = None
    error: BaseException | None = None
    killed: list[int] = field(default_factory=list)  # pids stopped after the deadline


def call_with_deadline(fn, *args, seconds: float = DEADLINE_SECONDS) -> Outcome:
    """Call fn(*args) in a helper thread and wait at most `seconds` for it.

    When it does not return in time (a deadlock), the processes it started are killed so
    that the check can report the cause instead of hanging the grader, and so that a
    `join()` the code is stuck in returns.
    """
    outcome = Outcome()
    before = {p.pid for p in multiprocessing.active_children()}  # e.g. a check's Manager

    def call():
        try:
            outcome.value = fn(*args)
            outcome.finished = True
        except BaseException as exc:  # noqa: BLE001 - handed to the check
            outcome.error = exc

    thread = threading.Thread(target=call, name="conclab-deadline", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        outcome.finished = False
        # Keep killing for a while: a join that returns may let the code start more.
        for _ in range(25):
            for proc in multiprocessing.active_children():
                if proc.pid not in before and proc.pid not in outcome.killed:
                    outcome.killed.append(proc.pid)
                    proc.kill()
            thread.join(0.2)
            if not thread.is_alive():
                break
        outcome.finished = False
    return outcome
