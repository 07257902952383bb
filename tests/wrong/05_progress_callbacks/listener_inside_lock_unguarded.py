"""Wrong: calls on_change while holding the lock, and lets its exceptions escape."""

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


BREAKS = ["listener-outside-lock"]
CAUGHT_BY = ["test_listener_sees_every_change", "test_listener_errors_are_recorded_not_lost"]


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
            if future.cancelled():
                self.counts["cancelled"] += 1
            elif future.exception() is not None:
                self.counts["failed"] += 1
            else:
                self.counts["succeeded"] += 1
            if self.on_change is not None:
                self.on_change(Progress(**self.counts, total=self.total))
