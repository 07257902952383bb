"""Exercise 10: map over a long or endless iterator with at most k tasks in flight.

Run the checks with `python -m grader check bounded_map`, or in a notebook with
`from grader import check; check("bounded_map")`.
"""

from __future__ import annotations

from collections import deque  # noqa: F401 - you will need it
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor  # noqa: F401 - you will need it
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def bounded_map(fn: Callable[[T], R], items: Iterable[T], max_in_flight: int = 4) -> Iterator[R]:
    """Yield `fn(item)` for every item, in input order, running up to `max_in_flight`
    calls at once in a thread pool of `max_in_flight` threads.

    Unlike `ThreadPoolExecutor.map`, it reads `items` only as fast as the caller consumes
    results: never more than `max_in_flight` items are taken from `items` and not yet
    handed back as results, so an endless iterator works and memory stays bounded.
    When a call raises, the exception is raised to the caller at that item's position.
    `max_in_flight < 1` raises ValueError.

    Example:
        >>> list(bounded_map(str.upper, iter(["a", "b", "c"]), max_in_flight=2))
        ['A', 'B', 'C']
    """
    # TODO 1: yield one result per item, in input order; check max_in_flight >= 1.
    # TODO 2: run the calls in a ThreadPoolExecutor(max_workers=max_in_flight), keeping
    #         up to max_in_flight of them in flight at once.
    # TODO 3: take the next item from `items` only when a slot is free (a result was
    #         handed to the caller), never read ahead of that.
    # TODO 4: let an exception raised by fn reach the caller at its item's position.
    raise NotImplementedError("bounded_map")
