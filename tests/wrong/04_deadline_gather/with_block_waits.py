"""Wrong: right bookkeeping, but the `with` block waits for the stragglers on its way out."""

from concurrent.futures import ThreadPoolExecutor, wait
from typing import NamedTuple

BREAKS = ["no-waiting"]
CAUGHT_BY = [
    "test_returns_while_stragglers_are_still_running",
    "test_inputs_not_started_are_cancelled",
]


class Gathered(NamedTuple):
    results: dict
    errors: dict
    unfinished: list


def gather_until(func, inputs, timeout, max_workers=4):
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        futures = {pool.submit(func, x): x for x in inputs}
        done, _ = wait(futures, timeout=timeout)
        results = {futures[f]: f.result() for f in done if f.exception() is None}
        errors = {futures[f]: f.exception() for f in done if f.exception() is not None}
        return Gathered(results, errors, [x for f, x in futures.items() if f not in done])
