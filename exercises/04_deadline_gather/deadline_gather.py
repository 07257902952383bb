"""Exercise 04: collect what finishes before a deadline, and leave the stragglers behind.

Run the checks with `python -m grader check deadline_gather`, or in a notebook with
`from grader import check; check("deadline_gather")`.
"""

from __future__ import annotations

import concurrent.futures  # noqa: F401 - concurrent.futures.TimeoutError, see hint 2
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed, wait  # noqa: F401
from typing import NamedTuple


class Gathered(NamedTuple):
    """What gather_until collected by its deadline."""

    results: dict  # input -> return value, for calls that returned in time
    errors: dict  # input -> exception, for calls that raised in time
    unfinished: list  # inputs whose call had not finished at the deadline, in input order


def gather_until(
    func: Callable, inputs: Sequence[Hashable], timeout: float, max_workers: int = 4
) -> Gathered:
    """Call `func(x)` for every input in a thread pool of `max_workers` threads and collect,
    for at most `timeout` seconds counted from this call, the calls that finish.

    Returns Gathered(results, errors, unfinished): what returned, what raised (the
    exception object), and the inputs that had not finished, in input order. Returns as
    soon as every call finished, and never much later than the deadline: the stragglers
    keep running in the background, and calls that have not started are cancelled.
    Inputs are distinct and hashable.

    Example:
        >>> gather_until(abs, [-1, 2], timeout=5.0, max_workers=2)
        Gathered(results={-1: 1, 2: 2}, errors={}, unfinished=[])
    """
    # TODO 1: submit func(x) for every input and collect results and errors by input.
    # TODO 2: wait at most `timeout` seconds in total (from this call) for the calls, and
    #         report the inputs that have not finished by then, in input order.
    # TODO 3: return without waiting for the stragglers, and cancel the calls that have
    #         not started (a `with` block would wait for everything).
    raise NotImplementedError("gather_until")
