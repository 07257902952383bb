"""Wrong: correct retries, but a plain loop: one call at a time."""

from typing import NamedTuple


class MapReport(NamedTuple):
    results: dict
    failures: dict


BREAKS = ["concurrent"]
CAUGHT_BY = ["test_inputs_run_at_the_same_time"]


def resilient_map(func, inputs, retries=2, max_workers=4):
    results, failures = {}, {}
    for x in inputs:
        for attempt in range(retries + 1):
            try:
                results[x] = func(x)
                break
            except Exception as exc:
                if attempt == retries:
                    failures[x] = exc
    return MapReport(results, failures)
