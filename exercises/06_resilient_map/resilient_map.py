"""Exercise 06: map a function over many inputs at once, retry failures, lose nothing.

Run the checks with `python -m grader check resilient_map`, or in a notebook with
`from grader import check; check("resilient_map")`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import (  # noqa: F401 - you will need some of these
    FIRST_COMPLETED,
    ThreadPoolExecutor,
    as_completed,
    wait,
)
from typing import NamedTuple


class MapReport(NamedTuple):
    """Everything resilient_map found out: every input is in exactly one of the two."""

    results: dict  # input -> return value, for inputs whose call succeeded on some attempt
    failures: dict  # input -> exception of the last attempt, for inputs that failed every one


def resilient_map(
    func: Callable, inputs: Sequence[Hashable], retries: int = 2, max_workers: int = 4
) -> MapReport:
    """Call `func(x)` for every input in a thread pool of `max_workers` threads, retrying a
    call that raised an Exception up to `retries` more times (at most retries + 1 attempts
    per input). A retry starts as soon as its failure is known, without waiting for other
    inputs. Never raises for a failing input: returns MapReport(results, failures), which
    together hold every input. Inputs are distinct and hashable.

    Example:
        >>> resilient_map(abs, [-1, 2], retries=0, max_workers=2)
        MapReport(results={-1: 1, 2: 2}, failures={})
    """
    # TODO 1: call func(x) for every input and put each input in results or failures,
    #         with the exception object for a failure; never let one failure stop the rest.
    # TODO 2: run the calls in a ThreadPoolExecutor(max_workers=max_workers), all submitted
    #         before you wait for any.
    # TODO 3: retry a failed input (up to `retries` more attempts) as soon as it fails,
    #         while the other inputs keep running; report the last attempt's exception.
    raise NotImplementedError("resilient_map")
