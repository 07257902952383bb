"""Exercise 06, reference solution: resubmit each failure at once, account for every input."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from typing import NamedTuple


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
    # Here waiting for every call at the end of the `with` block is what we want.
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        # Submit everything before waiting for anything, so the calls run at once.
        pending = {pool.submit(func, x): x for x in inputs}
        attempts = dict.fromkeys(inputs, 1)
        # The set of futures grows as retries are submitted, which a single as_completed
        # cannot follow; wait(FIRST_COMPLETED) looks at the current set each time round.
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                x = pending.pop(future)
                error = future.exception()  # done: no waiting, and never raises here
                if error is None:
                    results[x] = future.result()
                elif attempts[x] <= retries:
                    # Retry now, while the other inputs keep running: no rounds.
                    attempts[x] += 1
                    pending[pool.submit(func, x)] = x
                else:
                    failures[x] = error  # the last attempt's error, kept with its input
    # Completion order is arbitrary; report in input order.
    return MapReport(
        {x: results[x] for x in inputs if x in results},
        {x: failures[x] for x in inputs if x in failures},
    )
