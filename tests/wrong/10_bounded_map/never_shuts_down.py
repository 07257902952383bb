"""Wrong: creates the pool without `with` and never shuts it down."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

BREAKS = ["shutdown"]
CAUGHT_BY = [
    "test_the_pool_has_max_in_flight_threads_and_is_shut_down",
    "test_exception_reaches_the_caller_at_its_position",
]

T = TypeVar("T")
R = TypeVar("R")


def bounded_map(fn: Callable[[T], R], items: Iterable[T], max_in_flight: int = 4) -> Iterator[R]:
    """Yield fn(item) in input order, with at most max_in_flight items taken and not yet
    yielded; an exception from fn is raised at its item's position."""
    if max_in_flight < 1:
        raise ValueError(f"max_in_flight must be at least 1, got {max_in_flight}")
    return _window(fn, iter(items), max_in_flight)


def _window(fn: Callable[[T], R], items: Iterator[T], size: int) -> Iterator[R]:
    """The generator behind bounded_map; separate so that a bad size fails at the call."""
    pool = ThreadPoolExecutor(max_workers=size)
    window: deque[Future[R]] = deque()  # submitted, not yet yielded, in input order
    for item in items:
        window.append(pool.submit(fn, item))
        if len(window) == size:
            yield window.popleft().result()
    while window:
        yield window.popleft().result()
