"""Wrong: returns at the deadline, but the queued calls still start afterwards."""

import concurrent.futures
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import NamedTuple

BREAKS = ["cancel-queued"]
CAUGHT_BY = ["test_inputs_not_started_are_cancelled"]


class Gathered(NamedTuple):
    results: dict
    errors: dict
    unfinished: list


def gather_until(func, inputs, timeout, max_workers=4):
    pool = ThreadPoolExecutor(max_workers=max_workers)
    futures = {pool.submit(func, x): x for x in inputs}
    results, errors, seen = {}, {}, set()
    try:
        for future in as_completed(futures, timeout=timeout):
            seen.add(future)
            if future.exception() is None:
                results[futures[future]] = future.result()
            else:
                errors[futures[future]] = future.exception()
    except concurrent.futures.TimeoutError:
        pass
    pool.shutdown(wait=False)
    return Gathered(results, errors, [x for f, x in futures.items() if f not in seen])
