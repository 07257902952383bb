"""Wrong: only futures still running get a callback; one already done is never counted."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import NamedTuple

BREAKS = ["done-before-track"]
CAUGHT_BY = ["test_future_done_before_tracking_is_counted"]


class Progress(NamedTuple):
    """How many tracked futures finished, by outcome."""

    succeeded: int
    failed: int
    cancelled: int
    total: int

    @property
    def finished(self) -> int:
        return self.succeeded + self.failed + self.cancelled


class ProgressTracker:
    """Counts finished futures by outcome from their done-callbacks, which run in whatever
    thread finishes each future, and tells an optional listener after every change."""

    def __init__(self, total: int, on_change: Callable[[Progress], None] | None = None):
        self.total = total
        self.on_change = on_change
        self.listener_errors: list[Exception] = []  # what on_change raised, in order
        self._lock = threading.Lock()  # guards the counts and listener_errors
        self._succeeded = 0
        self._failed = 0
        self._cancelled = 0

    def track(self, future: Future) -> None:
        """Count `future` once it finishes (at once if it already has)."""
        if not future.done():
            future.add_done_callback(self._on_done)

    def snapshot(self) -> Progress:
        """The counts as they are now, read in one consistent step."""
        with self._lock:
            return self._progress()

    def _progress(self) -> Progress:
        """The counts as a Progress; the caller holds self._lock."""
        return Progress(self._succeeded, self._failed, self._cancelled, self.total)

    def _on_done(self, future: Future) -> None:
        """The done-callback: runs once per tracked future, in the thread that finished it."""
        if future.cancelled():
            outcome = "cancelled"
        elif future.exception() is not None:  # done, so this does not block
            outcome = "failed"
        else:
            outcome = "succeeded"
        with self._lock:
            if outcome == "cancelled":
                self._cancelled += 1
            elif outcome == "failed":
                self._failed += 1
            else:
                self._succeeded += 1
            progress = self._progress()
        if self.on_change is None:
            return
        try:
            self.on_change(progress)
        except Exception as exc:  # noqa: BLE001 - kept for the caller, not lost in a log
            with self._lock:
                self.listener_errors.append(exc)
