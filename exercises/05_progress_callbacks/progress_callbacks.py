"""Exercise 05: a progress tracker driven by done-callbacks, safe when they run in many threads.

Run the checks with `python -m grader check progress_callbacks`, or in a notebook with
`from grader import check; check("progress_callbacks")`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import NamedTuple


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
    thread finishes each future, and tells an optional listener after every change.

    Example:
        >>> tracker = ProgressTracker(total=1)
        >>> future = Future()
        >>> tracker.track(future)
        >>> future.set_result(42)
        >>> tracker.snapshot()
        Progress(succeeded=1, failed=0, cancelled=0, total=1)
    """

    def __init__(self, total: int, on_change: Callable[[Progress], None] | None = None):
        self.total = total
        self.on_change = on_change
        self.listener_errors: list[Exception] = []  # what on_change raised, in order
        self._lock = threading.Lock()  # guards the counts and listener_errors
        # TODO 1: set up the three counts (succeeded, failed, cancelled).

    def track(self, future: Future) -> None:
        """Count `future` once it finishes (at once if it already has)."""
        # TODO 1: have the future call self._on_done when it is done.
        raise NotImplementedError("track")

    def snapshot(self) -> Progress:
        """The counts as they are now, read in one consistent step."""
        # TODO 2: read the counts while holding self._lock.
        raise NotImplementedError("snapshot")

    def _on_done(self, future: Future) -> None:
        """The done-callback: runs once per tracked future, in the thread that finished it."""
        # TODO 1: find the outcome: cancelled, failed (raised) or succeeded. Careful: on a
        #         cancelled future, exception() and result() raise CancelledError.
        # TODO 2: update the count while holding self._lock, and take the Progress for the
        #         listener in the same locked step.
        # TODO 3: call self.on_change(progress) after releasing the lock; if it raises, keep
        #         the exception in self.listener_errors instead of letting it escape.
        raise NotImplementedError("_on_done")
