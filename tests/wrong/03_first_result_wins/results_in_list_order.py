"""Wrong: reads result() of each future in list order, so a slow first replica holds it up."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

BREAKS = ["no-waiting"]
CAUGHT_BY = ["test_returns_while_slow_replicas_are_still_blocked"]

R = TypeVar("R", bound=Hashable)
T = TypeVar("T")


class AllReplicasFailed(Exception):
    """Every replica failed. `errors` maps each replica to the exception it raised.

    Python 3.11 added ExceptionGroup for this; this class works on 3.10 as well.
    """

    def __init__(self, errors: dict):
        self.errors = dict(errors)
        summary = "; ".join(f"{r!r}: {type(e).__name__}: {e}" for r, e in self.errors.items())
        super().__init__(f"all {len(self.errors)} replicas failed ({summary})")


def first_result(request: Callable[[R], T], replicas: Sequence[R], max_workers: int = 4) -> T:
    """Return the first answer of `request(replica)` that does not raise, asking up to
    `max_workers` replicas at a time; raise AllReplicasFailed when every replica raised."""
    if not replicas:
        raise ValueError("first_result needs at least one replica")
    pool = ThreadPoolExecutor(max_workers=max_workers)
    try:
        futures = {pool.submit(request, replica): replica for replica in replicas}
        errors = {}
        for future, replica in futures.items():
            try:
                return future.result()
            except Exception as exc:
                errors[replica] = exc
        raise AllReplicasFailed({replica: errors[replica] for replica in replicas})
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
