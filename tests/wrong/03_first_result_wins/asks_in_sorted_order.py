"""Wrong: asks the replicas in alphabetical order, not in list order."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import TypeVar

BREAKS = ["list-order"]
CAUGHT_BY = ["test_replicas_are_submitted_in_list_order"]

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
        futures = {pool.submit(request, replica): replica for replica in sorted(replicas)}
        errors = {}
        for future in as_completed(futures):
            error = future.exception()
            if error is None:
                return future.result()
            errors[futures[future]] = error  # skip it: another replica may still answer
        raise AllReplicasFailed({replica: errors[replica] for replica in sorted(replicas)})
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
