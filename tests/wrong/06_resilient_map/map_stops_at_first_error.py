"""Wrong: pool.map with a retrying wrapper; the first input that fails for good ends it all."""

from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple


class MapReport(NamedTuple):
    results: dict
    failures: dict


BREAKS = ["never-raises"]
CAUGHT_BY = [
    "test_failures_are_reported_with_their_input",
    "test_at_most_retries_plus_one_attempts",
]


def resilient_map(func, inputs, retries=2, max_workers=4):
    def with_retries(x):
        for attempt in range(retries + 1):
            try:
                return func(x)
            except Exception:
                if attempt == retries:
                    raise

    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        return MapReport(dict(zip(inputs, pool.map(with_retries, inputs))), {})
