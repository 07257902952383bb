"""Exercise 03: ask several replicas the same question and keep the first good answer.

Run the checks with `python -m grader check first_result_wins`, or in a notebook with
`from grader import check; check("first_result_wins")`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import (  # noqa: F401 - you will need some of these
    FIRST_COMPLETED,
    ThreadPoolExecutor,
    as_completed,
    wait,
)
from typing import TypeVar

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
    """Call `request(replica)` for the replicas, up to `max_workers` at a time, in a thread
    pool, and return the first answer that does not raise.

    Replicas start in list order. As soon as one answers, return its answer: do not wait
    for the replicas still running (they finish in the background), and cancel the ones
    that have not started. A replica that raises is skipped while others may still answer.
    When every replica raised, raise AllReplicasFailed({replica: exception, ...}).
    No replicas at all raises ValueError.

    Example:
        >>> first_result(lambda r: f"answer from {r}", ["eu-1"], max_workers=1)
        'answer from eu-1'
    """
    # TODO 3: no replicas at all is a ValueError.
    # TODO 1: submit request(replica) for every replica and return the first answer that
    #         did not raise; skip replicas that raised.
    # TODO 2: return without waiting for the replicas still running, and cancel the ones
    #         that have not started (a `with` block waits for everything: avoid it here).
    # TODO 3: when every replica raised, raise AllReplicasFailed with all their errors.
    raise NotImplementedError("first_result")
