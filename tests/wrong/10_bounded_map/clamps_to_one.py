"""Wrong: quietly treats max_in_flight < 1 as 1 instead of raising ValueError."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

BREAKS = ["value-error"]
CAUGHT_BY = ["test_max_in_flight_below_one_is_a_value_error"]

T = TypeVar("T")
R = TypeVar("R")


def bounded_map(fn: Callable[[T], R], items: Iterable[T], max_in_flight: int = 4) -> Iterator[R]:
    """Yield fn(item) in input order, with at most max_in_flight items taken and not yet
    yielded; an exception from fn is raised at its item's position."""
    return _window(fn, iter(items), max(1, max_in_flight))


def _window(fn: Callable[[T], R], items: Iterator[T], size: int) -> Iterator[R]:
    """The generator behind bounded_map; separate so that a bad size fails at the call."""
    with ThreadPoolExecutor(max_workers=size) as pool:
        window: deque[Future[R]] = deque()  # submitted, not yet yielded, in input order
        for item in items:
            window.append(pool.submit(fn, item))
            if len(window) == size:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()
