"""Wrong: submits the next item before handing back the oldest result: k + 1 items held."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

BREAKS = ["bounded-reading"]
CAUGHT_BY = ["test_endless_input_is_read_only_as_fast_as_results_are_consumed"]

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
    with ThreadPoolExecutor(max_workers=size) as pool:
        window: deque[Future[R]] = deque()  # submitted, not yet yielded, in input order
        for item in items:
            window.append(pool.submit(fn, item))
            if len(window) > size:
                yield window.popleft().result()
        while window:
            yield window.popleft().result()
