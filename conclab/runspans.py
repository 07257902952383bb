"""Spans of the learner's own run: which worker ran which call, when (for the grader's
report of a failed concurrency or order check). Probes record; the grader takes them.

Kept in this process only: calls run in threads here are seen; calls in other processes
are not, and the report says so by showing none.
"""

from __future__ import annotations

import threading
import time

MAX_SPANS = 200  # a timeline stays readable; the rest are counted, not kept
_lock = threading.Lock()  # guards _spans and _dropped: calls end in many threads
_spans: list[dict] = []
_dropped = 0


def record(label: str, start: float, end: float) -> None:
    """One call of a probe, run by the current thread from `start` to `end` (perf_counter)."""
    global _dropped
    span = {"worker": threading.current_thread().name, "label": label[:40]}
    span.update(start=start, end=end)
    with _lock:
        if len(_spans) < MAX_SPANS:
            _spans.append(span)
        else:
            _dropped += 1


class timed:
    """`with timed(label):` records the block as one span of the current thread."""

    def __init__(self, label: str):
        self.label = label

    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        record(self.label, self.start, time.perf_counter())
        return False


def take() -> tuple[list[dict], int]:
    """The spans recorded since the last take (times from the first start), and how many
    were dropped."""
    global _dropped
    with _lock:
        spans, dropped = list(_spans), _dropped
        _spans.clear()
        _dropped = 0
    if spans:
        zero = min(s["start"] for s in spans)
        spans = [{**s, "start": s["start"] - zero, "end": s["end"] - zero} for s in spans]
    return spans, dropped
