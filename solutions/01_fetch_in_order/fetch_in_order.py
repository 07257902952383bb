"""Exercise 01, reference solution: a thread pool, with results kept in input order."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def fetch_all(urls: Sequence[str], fetch: Callable[[str], T], max_workers: int = 8) -> list[T]:
    """Call `fetch(url)` for every url, up to `max_workers` at a time, in a thread pool.

    Returns the results in the same order as `urls`; a fetch's exception is re-raised.
    """
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        # Submit everything first: waiting inside this loop would make it sequential.
        futures = [pool.submit(fetch, url) for url in urls]
        # Read results by input position, not completion order; result() re-raises.
        return [future.result() for future in futures]
