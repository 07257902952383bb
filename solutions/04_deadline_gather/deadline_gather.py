"""Exercise 04, reference solution: one shared deadline, and stragglers left behind."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from typing import NamedTuple


class Gathered(NamedTuple):
    """What gather_until collected by its deadline."""

    results: dict  # input -> return value, for calls that returned in time
    errors: dict  # input -> exception, for calls that raised in time
    unfinished: list  # inputs whose call had not finished at the deadline, in input order


def gather_until(
    func: Callable, inputs: Sequence[Hashable], timeout: float, max_workers: int = 4
) -> Gathered:
    """Collect func(x) for the inputs that finish within `timeout` seconds of this call."""
    # No `with` block: its exit is shutdown(wait=True), which would wait for the stragglers.
    pool = ThreadPoolExecutor(max_workers=max_workers)
    try:
        futures = {pool.submit(func, x): x for x in inputs}
        # One wait for all of them: the timeout counts once, from now. Waiting on each
        # future with result(timeout=...) would add the timeouts up, one per straggler.
        # wait() returns as soon as all are done, or at the deadline.
        done, _ = wait(futures, timeout=timeout)
        results, errors, unfinished = {}, {}, []
        # Walk the dict, not the `done` set, to report in input order. Decide from `done`
        # only: a call finishing right now was still unfinished at the deadline.
        for future, x in futures.items():
            if future not in done:
                unfinished.append(x)
            elif future.exception() is None:  # done, so this never blocks
                results[x] = future.result()
            else:
                errors[x] = future.exception()
        return Gathered(results, errors, unfinished)
    finally:
        # Return at once; calls still queued are cancelled, running ones end on their own.
        pool.shutdown(wait=False, cancel_futures=True)
