"""Wrong: makes `retries` attempts instead of retries + 1."""

from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple


class MapReport(NamedTuple):
    results: dict
    failures: dict


BREAKS = ["retry-count"]
CAUGHT_BY = [
    "test_fails_twice_then_succeeds_with_two_retries",
    "test_at_most_retries_plus_one_attempts",
    "test_many_inputs_with_mixed_outcomes",
]


def resilient_map(func, inputs, retries=2, max_workers=4):
    def attempt_all(x):
        error = None
        for _ in range(max(retries, 1)):
            try:
                return True, func(x)
            except Exception as exc:
                error = exc
        return False, error

    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        futures = {x: pool.submit(attempt_all, x) for x in inputs}
    outcomes = {x: f.result() for x, f in futures.items()}
    return MapReport(
        {x: value for x, (ok, value) in outcomes.items() if ok},
        {x: value for x, (ok, value) in outcomes.items() if not ok},
    )
