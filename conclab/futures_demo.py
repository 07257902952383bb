"""Helpers for notebook 03-futures: tasks whose timing is set by events rather than sleeps,
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
from concurrent.futures import Future

from .tracer import traced

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


def blocks_in_one_process(pids: list[int], size: int) -> tuple[int, int]:
    """How many aligned blocks of `size` consecutive inputs were each handled by a single
    process, out of how many blocks: with chunksize=size, all of them by construction."""
    blocks = [pids[i : i + size] for i in range(0, len(pids), size)]
    return sum(len(set(block)) == 1 for block in blocks), len(blocks)


def usable_cpus() -> tuple[int, str]:
    """The CPU count the executors use by default on this version, and where it comes from."""
    if hasattr(os, "process_cpu_count"):  # 3.13+
        return os.process_cpu_count() or 1, "os.process_cpu_count()"
    return os.cpu_count() or 1, "os.cpu_count()"


def default_workers() -> dict:
    """Default max_workers of both executors on this interpreter, from the documented rules."""
    cpus, source = usable_cpus()
    processes = cpus
    if sys.platform == "win32":
        processes = min(processes, 61)  # WaitForMultipleObjects limit
    return {
        "python": sys.version.split()[0],
        "cpus": f"{cpus} from {source}",
        "ThreadPoolExecutor": min(32, cpus + 4),
        "ProcessPoolExecutor": processes,
    }
