"""Wrong: reports the unfinished inputs sorted, not in input order."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from typing import NamedTuple

BREAKS = ["unfinished-in-order"]
CAUGHT_BY = ["test_reports_exactly_the_unfinished_inputs", "test_inputs_not_started_are_cancelled"]


class Gathered(NamedTuple):
    """What gather_until collected by its deadline."""

    results: dict  # input -> return value, for calls that returned in time
    errors: dict  # input -> exception, for calls that raised in time
    unfinished: list  # inputs whose call had not finished at the deadline, in input order


def gather_until(
    func: Callable, inputs: Sequence[Hashable], timeout: float, max_workers: int = 4
) -> Gathered:
    """Collect func(x) for the inputs that finish within `timeout` seconds of this call."""
    pool = ThreadPoolExecutor(max_workers=max_workers)
    try:
        futures = {pool.submit(func, x): x for x in inputs}
        done, _ = wait(futures, timeout=timeout)
        results, errors, unfinished = {}, {}, []
        for future, x in futures.items():
            if future not in done:
                unfinished.append(x)
            elif future.exception() is None:  # done, so this never blocks
                results[x] = future.result()
            else:
                errors[x] = future.exception()
        return Gathered(results, errors, sorted(unfinished))
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
