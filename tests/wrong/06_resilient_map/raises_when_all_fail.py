"""Wrong: raises the last error when no input succeeded at all."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from typing import NamedTuple

BREAKS = ["never-raises"]
CAUGHT_BY = ["test_falsy_inputs_and_results_and_every_input_failing"]


class MapReport(NamedTuple):
    """Everything resilient_map found out: every input is in exactly one of the two."""

    results: dict  # input -> return value, for inputs whose call succeeded on some attempt
    failures: dict  # input -> exception of the last attempt, for inputs that failed every one


def resilient_map(
    func: Callable, inputs: Sequence[Hashable], retries: int = 2, max_workers: int = 4
) -> MapReport:
    """Call func(x) for every input in a thread pool, with up to `retries` retries each;
    return every result and every failure."""
    if retries < 0:
        raise ValueError(f"retries must be 0 or more, got {retries}")
    results, failures = {}, {}
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        pending = {pool.submit(func, x): x for x in inputs}
        attempts = dict.fromkeys(inputs, 1)
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                x = pending.pop(future)
                error = future.exception()  # done: no waiting, and never raises here
                if error is None:
                    results[x] = future.result()
                elif attempts[x] <= retries:
                    attempts[x] += 1
                    pending[pool.submit(func, x)] = x
                else:
                    failures[x] = error  # the last attempt's error, kept with its input
    if failures and not results:
        raise list(failures.values())[-1]
    return MapReport(
        {x: results[x] for x in inputs if x in results},
        {x: failures[x] for x in inputs if x in failures},
    )
