"""Exercise 02: split CPU-bound work into chunks and run them in a process pool.

Run the checks with `python -m grader check prime_chunks`, or in a notebook with
`from grader import check; check("prime_chunks")`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor  # noqa: F401 - you will need it
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def split_into_chunks(items: Sequence[T], n_chunks: int) -> list[list[T]]:
    """Split items into at most `n_chunks` contiguous, non-empty chunks of near-equal size.

    Chunk sizes differ by at most one, the chunks keep the items' order, and joined
    together they give back `items`. Fewer items than chunks gives one chunk per item;
    no items gives `[]`. `n_chunks < 1` raises ValueError.

    Example:
        >>> split_into_chunks([1, 2, 3, 4, 5], 2)
        [[1, 2, 3], [4, 5]]
    """
    # TODO 1: compute the chunk boundaries so that sizes differ by at most one.
    raise NotImplementedError("split_into_chunks")


def map_chunks(work: Callable[[list[T]], R], items: Sequence[T], workers: int) -> list[R]:
    """Split items into `workers` chunks and run `work(chunk)` for each chunk in a
    ProcessPoolExecutor with `workers` processes. Returns the results in chunk order.

    `work` is any picklable callable (a module-level function or a functools.partial
    of one). An exception raised by `work` reaches the caller.
    """
    # TODO 2: submit one task per chunk to a ProcessPoolExecutor(max_workers=workers)
    #         and return the results in chunk order.
    raise NotImplementedError("map_chunks")


def count_primes_in_chunk(chunk: Sequence[int]) -> int:
    """How many numbers in chunk are prime. This is the worker function: worker
    processes must be able to import it, so it lives at module level."""
    # TODO 3: count the primes (trial division up to the square root is enough).
    raise NotImplementedError("count_primes_in_chunk")


def count_primes_parallel(numbers: Sequence[int], workers: int = 2) -> int:
    """How many numbers are prime, counted in `workers` processes with map_chunks."""
    # TODO 3: use map_chunks with count_primes_in_chunk and add up the counts.
    raise NotImplementedError("count_primes_parallel")
