"""Wrong: ProcessPoolExecutor() at its default size; workers only sets the chunk count."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

BREAKS = ["pool-size"]
CAUGHT_BY = ["test_the_pool_has_workers_processes", "test_counting_uses_workers_processes"]

T = TypeVar("T")
R = TypeVar("R")


def split_into_chunks(items: Sequence[T], n_chunks: int) -> list[list[T]]:
    """Split items into at most n_chunks contiguous, non-empty chunks of near-equal size."""
    if n_chunks < 1:
        raise ValueError(f"n_chunks must be at least 1, got {n_chunks}")
    n = min(n_chunks, len(items))
    if n == 0:
        return []
    size, extra = divmod(len(items), n)
    chunks, start = [], 0
    for i in range(n):
        end = start + size + (1 if i < extra else 0)  # the first `extra` chunks get one more
        chunks.append(list(items[start:end]))
        start = end
    return chunks


def map_chunks(work: Callable[[list[T]], R], items: Sequence[T], workers: int) -> list[R]:
    """Run work(chunk) for each of `workers` chunks in a process pool; results in order."""
    chunks = split_into_chunks(items, workers)
    with ProcessPoolExecutor() as pool:
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
