"""Record where and when each task ran, across threads and processes.

    main process                         worker (thread or process)
    pool.submit(traced, f, x, task=i) ─▶ traced(): start = clock(); f(x); end = clock()
    tracer.add(future.result())       ◀─ (Span(task, worker, pid, start, end), value)

`time.perf_counter()` is a system-wide monotonic clock on Linux, macOS and Windows, so
spans recorded in different processes share one time axis.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """One task's run: which worker ran it and when (seconds on perf_counter's clock)."""

    task: object
    worker: str
    pid: int
    thread: str
    start: float
    end: float
    ok: bool = True

    @property
    def duration(self) -> float:
        return self.end - self.start


def worker_name() -> str:
    """'pid 123' for a process worker, the thread's name for a thread in this process."""
    return f"{threading.current_thread().name} (pid {os.getpid()})"


def traced(func, *args, task=None, **kwargs):
    """Run func(*args, **kwargs) and return (Span, value); exceptions are re-raised.

    A module-level function, so process pools can pickle it under every start method.
    """
    thread = threading.current_thread().name
    start = time.perf_counter()
    value = func(*args, **kwargs)
    end = time.perf_counter()
    span = Span(task, worker_name(), os.getpid(), thread, start, end)
    return span, value


class Tracer:
    """Collects spans from finished futures; safe to feed from several threads."""

    def __init__(self):
        self.origin = time.perf_counter()
        self._lock = threading.Lock()  # guards self.spans: callbacks may add from pool threads
        self.spans: list[Span] = []

    def restart(self) -> None:
        """Start the clock now (call it just before the first task is submitted)."""
        self.origin = time.perf_counter()

    def add(self, traced_result) -> object:
        """Record the span of a `traced` result and return the task's value."""
        span, value = traced_result
        with self._lock:
            self.spans.append(span)
        return value

    def snapshot(self) -> list[Span]:
        with self._lock:
            return list(self.spans)

    def workers(self) -> list[str]:
        return sorted({s.worker for s in self.snapshot()})

    def elapsed(self) -> float:
        spans = self.snapshot()
        return max((s.end for s in spans), default=self.origin) - self.origin

    def max_overlap(self) -> int:
        """The largest number of tasks that were running at the same instant."""
        edges = sorted(
            [(s.start, 1) for s in self.snapshot()] + [(s.end, -1) for s in self.snapshot()],
            key=lambda e: (e[0], e[1]),
        )
        running = best = 0
        for _, step in edges:
            running += step
            best = max(best, running)
        return best
