"""Wrong: counts updated without the lock (the GIL hides it on most runs, not all)."""

import threading
from typing import NamedTuple


class Progress(NamedTuple):
    succeeded: int
    failed: int
    cancelled: int
    total: int

    @property
    def finished(self):
        return self.succeeded + self.failed + self.cancelled


BREAKS = ["lock-updates"]
CAUGHT_BY = ["test_counts_are_updated_while_holding_the_lock"]


class ProgressTracker:
    def __init__(self, total, on_change=None):
        self.total = total
        self.on_change = on_change
        self.listener_errors = []
        self._lock = threading.Lock()
        self.counts = {"succeeded": 0, "failed": 0, "cancelled": 0}

    def track(self, future):
        future.add_done_callback(self._on_done)

    def snapshot(self):
        with self._lock:
            return Progress(**self.counts, total=self.total)

    def _on_done(self, future):
        if future.cancelled():
            self.counts["cancelled"] += 1
        elif future.exception() is not None:
            self.counts["failed"] += 1
        else:
            self.counts["succeeded"] += 1
        progress = Progress(**self.counts, total=self.total)
        if self.on_change is not None:
            try:
                self.on_change(progress)
            except Exception as exc:
                self.listener_errors.append(exc)
