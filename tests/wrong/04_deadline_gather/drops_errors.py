"""Wrong: calls that raised are dropped: neither in errors nor in unfinished."""

from concurrent.futures import ThreadPoolExecutor, wait
from typing import NamedTuple

BREAKS = ["errors-by-input"]
CAUGHT_BY = ["test_errors_are_kept_with_their_input", "test_reports_exactly_the_unfinished_inputs"]


class Gathered(NamedTuple):
    results: dict
    errors: dict
    unfinished: list


def gather_until(func, inputs, timeout, max_workers=4):
    pool = ThreadPoolExecutor(max_workers=max_workers)
    try:
        futures = {pool.submit(func, x): x for x in inputs}
        done, _ = wait(futures, timeout=timeout)
        results = {futures[f]: f.result() for f in done if f.exception() is None}
        return Gathered(results, {}, [x for f, x in futures.items() if f not in done])
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
