"""Wrong: asks exception() first, which raises CancelledError for a cancelled future; the
error is swallowed by concurrent.futures and the future is never counted."""

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


BREAKS = ["count-once"]
CAUGHT_BY = ["test_counts_each_outcome_once", "test_future_done_before_tracking_is_counted"]


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
        with self._lock:
            if future.exception() is not None:
                self.counts["failed"] += 1
            elif future.cancelled():
                self.counts["cancelled"] += 1
            else:
                self.counts["succeeded"] += 1
            progress = Progress(**self.counts, total=self.total)
        if self.on_change is not None:
            try:
                self.on_change(progress)
            except Exception as exc:
                self.listener_errors.append(exc)
