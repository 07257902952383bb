"""Wrong: keeps values in a list where None marks 'no answer yet', so a None result is lost."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from typing import NamedTuple

BREAKS = ["results-by-input"]
CAUGHT_BY = ["test_falsy_results_and_every_input_failing"]


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
        values = [None] * len(inputs)
        errors = {}
        for i, future in enumerate(futures):
            if future in done:
                if future.exception() is None:
                    values[i] = future.result()
                else:
                    errors[inputs[i]] = future.exception()
        results = {x: v for x, v in zip(inputs, values) if v is not None}
        unfinished = [x for x in inputs if x not in results and x not in errors]
        return Gathered(results, errors, unfinished)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
