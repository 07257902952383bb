"""Wrong: result(timeout=...) on each future in turn: the timeouts add up."""

import concurrent.futures
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

BREAKS = ["deadline-total"]
CAUGHT_BY = ["test_the_deadline_counts_from_the_call"]


class Gathered(NamedTuple):
    results: dict
    errors: dict
    unfinished: list


def gather_until(func, inputs, timeout, max_workers=4):
    pool = ThreadPoolExecutor(max_workers=max_workers)
    results, errors, unfinished = {}, {}, []
    try:
        futures = [(pool.submit(func, x), x) for x in inputs]
        for future, x in futures:
            try:
                results[x] = future.result(timeout=timeout)
            except concurrent.futures.TimeoutError:
                unfinished.append(x)
            except Exception as exc:
                errors[x] = exc
        return Gathered(results, errors, unfinished)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
