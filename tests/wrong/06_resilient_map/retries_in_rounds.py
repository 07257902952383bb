"""Wrong: retries the failures in a second round, after every input has finished."""

from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple


class MapReport(NamedTuple):
    results: dict
    failures: dict


BREAKS = ["retry-at-once"]
CAUGHT_BY = ["test_a_retry_does_not_wait_for_other_inputs"]


def resilient_map(func, inputs, retries=2, max_workers=4):
    results, failures = {}, {}
    todo = list(inputs)
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        for _ in range(retries + 1):
            futures = {pool.submit(func, x): x for x in todo}
            todo = []
            for future, x in futures.items():
                if future.exception() is None:
                    results[x] = future.result()
                    failures.pop(x, None)
                else:
                    failures[x] = future.exception()
                    todo.append(x)
            if not todo:
                break
    return MapReport(results, failures)
