"""Wrong: avoids the lock with per-thread counts, so each thread only sees its own."""

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


BREAKS = ["many-threads"]
CAUGHT_BY = ["test_no_counts_lost_when_futures_finish_in_many_threads"]


class ProgressTracker:
    def __init__(self, total, on_change=None):
        self.total = total
        self.on_change = on_change
        self.listener_errors = []
        self._lock = threading.Lock()
        self._local = threading.local()

    def _counts(self):
        if not hasattr(self._local, "counts"):
            self._local.counts = {"succeeded": 0, "failed": 0, "cancelled": 0}
        return self._local.counts

    def track(self, future):
        future.add_done_callback(self._on_done)

    def snapshot(self):
        with self._lock:
            return Progress(**self._counts(), total=self.total)

    def _on_done(self, future):
        with self._lock:
            counts = self._counts()
            if future.cancelled():
                counts["cancelled"] += 1
            elif future.exception() is not None:
                counts["failed"] += 1
            else:
                counts["succeeded"] += 1
            progress = Progress(**counts, total=self.total)
        if self.on_change is not None:
            try:
                self.on_change(progress)
            except Exception as exc:
                self.listener_errors.append(exc)
