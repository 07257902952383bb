"""Wrong: sleeps for the whole timeout, then looks at which calls are done."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

BREAKS = ["early-return"]
CAUGHT_BY = ["test_every_result_when_all_finish"]


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
        time.sleep(timeout)
        done = {f for f in futures if f.done()}
        results, errors, unfinished = {}, {}, []
        for future, x in futures.items():
            if future not in done:
                unfinished.append(x)
            elif future.exception() is None:  # done, so this never blocks
                results[x] = future.result()
            else:
                errors[x] = future.exception()
        return Gathered(results, errors, unfinished)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
