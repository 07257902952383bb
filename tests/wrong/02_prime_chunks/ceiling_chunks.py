"""Wrong: every chunk gets ceil(len/n) items, so the last one can be much smaller."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

BREAKS = ["chunks-balanced"]
CAUGHT_BY = ["test_chunks_are_contiguous_and_balanced"]

T = TypeVar("T")
R = TypeVar("R")


def split_into_chunks(items: Sequence[T], n_chunks: int) -> list[list[T]]:
    """Split items into at most n_chunks contiguous, non-empty chunks of near-equal size."""
    if n_chunks < 1:
        raise ValueError(f"n_chunks must be at least 1, got {n_chunks}")
    n = min(n_chunks, len(items))
    if n == 0:
        return []
    size = -(-len(items) // n)
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def map_chunks(work: Callable[[list[T]], R], items: Sequence[T], workers: int) -> list[R]:
    """Run work(chunk) for each of `workers` chunks in a process pool; results in order."""
    chunks = split_into_chunks(items, workers)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(work, chunks))


def count_primes_in_chunk(chunk: Sequence[int]) -> int:
    """How many numbers in chunk are prime. Module level, so worker processes import it."""
    count = 0
    for n in chunk:
        if n < 2:
            continue
        d = 2
        while d * d <= n:
            if n % d == 0:
                break
            d += 1
        else:
            count += 1
    return count


def count_primes_parallel(numbers: Sequence[int], workers: int = 2) -> int:
    """How many numbers are prime, counted in `workers` processes."""
    return sum(map_chunks(count_primes_in_chunk, numbers, workers))
