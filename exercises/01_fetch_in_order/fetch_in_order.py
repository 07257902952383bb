"""Exercise 01: fetch many URLs at once with a thread pool, and keep the input order.

Run the checks with `python -m grader check fetch_in_order`, or in a notebook with
`from grader import check; check("fetch_in_order")`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor  # noqa: F401 - you will need it
from typing import TypeVar

T = TypeVar("T")


def fetch_all(urls: Sequence[str], fetch: Callable[[str], T], max_workers: int = 8) -> list[T]:
    """Call `fetch(url)` for every url, up to `max_workers` at a time, in a thread pool.

    Returns the results in the same order as `urls` (the first result belongs to the
    first url), whatever order the fetches finish in. When a fetch raises, `fetch_all`
    raises that same exception. An empty `urls` gives an empty list.

    Example:
        >>> fetch_all(["a", "b"], str.upper, max_workers=2)
        ['A', 'B']
    """
    # TODO 1: return one result per url, in the order of `urls`.
    # TODO 2: run the fetches in a ThreadPoolExecutor with `max_workers` threads, so that
    #         they wait for the network at the same time.
    # TODO 3: let an exception raised by a fetch reach the caller.
    raise NotImplementedError("fetch_all")
