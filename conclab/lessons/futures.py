"""Helpers for notebook 04-futures: tasks whose timing is set by events rather than sleeps,
so each Future state can be shown by construction, plus process-pool workers.

    notebook                                   pool thread
    pool.submit(gate.task, "a") ─────────────▶ gate.task: started.set(); release.wait()
    gate.started.wait()  (the task now runs)
    gate.release.set()   ────────────────────▶ returns "a": the future is finished
"""

from __future__ import annotations

import os
import sys
import threading
import time
import traceback
from concurrent.futures import Future

from conclab.core.tracer import traced

# Longest a gated task waits to be released: a notebook cell that forgets to release the
# gate is slowed down, never hung.
GATE_TIMEOUT = 30.0


class Gate:
    """A task for thread pools that reports when it starts and runs until released."""

    def __init__(self):
        self.started = threading.Event()
        self.release = threading.Event()

    def task(self, value):
        self.started.set()
        if not self.release.wait(GATE_TIMEOUT):
            raise TimeoutError(f"the gate was not released within {GATE_TIMEOUT:g} s")
        return value


def state_of(future: Future) -> str:
    """The future's state from its public methods only (`future._state` is private)."""
    if future.cancelled():
        return "cancelled"
    if future.done():
        return "finished"
    if future.running():
        return "running"
    return "pending"


def square_after(x: int, seconds: float = 0.2) -> int:
    """Wait, then return x squared: a stand-in for a slow call."""
    time.sleep(seconds)
    return x * x


def fail_on(x: int, bad: int = 3) -> int:
    """Return x, but raise ValueError for `bad`: shows how errors travel through futures."""
    if x == bad:
        raise ValueError(f"cannot handle {x}")
    return x


def traced_numbered(func, i, x):
    """`traced(func, x, task=i)` with positional arguments only, for `Executor.map`."""
    return traced(func, x, task=i)


def with_pid(x):
    """Process worker: (x, the pid of the process that handled it)."""
    return x, os.getpid()


class InputLog:
    """An input iterable that records how far the consumer has read it."""

    def __init__(self, n: int):
        self.n = n
        self.read = 0  # only the thread that iterates (the caller of map) changes it

    def __iter__(self):
        for i in range(self.n):
            self.read += 1
            yield i


def count_submits(executor_class, n: int, chunksize: int, **pool_options) -> int:
    """How many `submit` calls `executor_class(...).map(abs, range(n), chunksize=...)` makes:
    one per chunk for ProcessPoolExecutor, one per input for ThreadPoolExecutor, which
    inherits `Executor.map` and never looks at `chunksize`."""

    class Counting(executor_class):
        submits = 0  # only the thread that calls map changes it

        def submit(self, *args, **kwargs):
            Counting.submits += 1
            return super().submit(*args, **kwargs)

    with Counting(**pool_options) as pool:
        results = list(pool.map(abs, range(n), chunksize=chunksize))
    assert results == list(range(n))
    return Counting.submits


def frames_of(exc: BaseException) -> list[str]:
    """The function names in an exception's traceback, outermost first."""
    return [frame.name for frame in traceback.extract_tb(exc.__traceback__)]


def remote_frames(exc: BaseException) -> list[str]:
    """The function names in the worker's traceback that a process pool attaches to the
    exception as text (its `__cause__`, a `_RemoteTraceback`), outermost first."""
    lines = str(exc.__cause__ or "").splitlines()
    return [line.rsplit(" in ", 1)[1] for line in lines if line.strip().startswith("File ")]


class MapRecord:
    """Tasks for `map` on a two-thread pool whose outcome is fixed by construction: input
    `bad` raises only once input `bad + 1` has started, and inputs above `bad` wait for
    `release`. So when the exception reaches the loop, inputs 0 to bad + 1 have started, at
    most one more (bad + 2, taken by the thread that ran `bad`) can start, and no other
    can, until `release` is set."""

    def __init__(self, bad: int = 2):
        self.bad = bad
        self.lock = threading.Lock()  # guards ran: tasks append from both pool threads
        self.ran: list[int] = []
        self.next_started = threading.Event()
        self.release = threading.Event()

    def task(self, x: int) -> int:
        with self.lock:
            self.ran.append(x)
        if x == self.bad + 1:
            self.next_started.set()
        if x == self.bad:
            self.next_started.wait(GATE_TIMEOUT)
            raise ValueError(f"cannot handle {x}")
        if x > self.bad:
            self.release.wait(GATE_TIMEOUT)
        return x


_STARTED = None
_RELEASE = None


class ProcessGate:
    """A task for process pools that reports when it starts and runs until released: the
    two multiprocessing Events reach the workers through the pool's initializer (an Event
    cannot be passed as a task argument)."""

    def __init__(self):
        import multiprocessing

        context = multiprocessing.get_context()
        self.started = context.Event()
        self.release = context.Event()

    @property
    def pool_options(self) -> dict:
        """`ProcessPoolExecutor(**gate.pool_options)` installs the gate in every worker."""
        return {"initializer": _install_process_gate, "initargs": (self.started, self.release)}


def _install_process_gate(started, release) -> None:
    global _STARTED, _RELEASE
    _STARTED, _RELEASE = started, release


def process_gate_task(x):
    """Process worker: set `started`, wait for `release`, return (x, pid)."""
    _STARTED.set()
    if not _RELEASE.wait(GATE_TIMEOUT):
        raise TimeoutError(f"the gate was not released within {GATE_TIMEOUT:g} s")
    return x, os.getpid()


def wait_until(predicate, timeout: float = 10.0) -> bool:
    """Poll `predicate` until it is true (True) or `timeout` passes (False): for states that
    another thread sets a moment later, such as the executor's manager thread."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def blocks_in_one_process(pids: list[int], size: int) -> tuple[int, int]:
    """How many aligned blocks of `size` consecutive inputs were each handled by a single
    process, out of how many blocks: with chunksize=size, all of them by construction."""
    blocks = [pids[i : i + size] for i in range(0, len(pids), size)]
    return sum(len(set(block)) == 1 for block in blocks), len(blocks)


def usable_cpus() -> tuple[int, str]:
    """The CPU count the executors use by default on this version, and where it comes from."""
    from conclab.core.env import executor_cpus

    return executor_cpus()


def default_workers() -> dict:
    """Default max_workers of both executors here (conclab.core.env.default_workers)."""
    from conclab.core.env import default_workers as env_default_workers

    workers = env_default_workers()
    return {
        "python": sys.version.split()[0],
        "cpus": f"{workers['cpus']} from {workers['source']}",
        "ThreadPoolExecutor": workers["ThreadPoolExecutor"],
        "ProcessPoolExecutor": workers["ProcessPoolExecutor"],
    }
