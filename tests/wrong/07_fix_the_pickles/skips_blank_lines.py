"""Wrong: counts only the lines that hold text."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import partial

BREAKS = ["count-lines"]
CAUGHT_BY = ["test_count_lines_worker_takes_a_path"]


def square(x: int) -> int:
    """Module level, so a worker process finds it by importing this module."""
    return x * x


def squarer() -> Callable[[int], int]:
    """Return a function f with f(x) == x * x that a process pool can run."""
    return square


def multiply(factor: int, x: int) -> int:
    return x * factor


def scaler(factor: int) -> Callable[[int], int]:
    """Return a function f with f(x) == x * factor that a process pool can run."""
    return partial(multiply, factor)


class Summary:
    """Count, total, smallest and largest of a chunk. At module level, so its instances
    pickle by reference to `fix_the_pickles.Summary` and can return from a worker."""

    def __init__(self, numbers: Sequence[int]):
        self.count = len(numbers)
        self.total = sum(numbers)
        self.smallest = min(numbers)
        self.largest = max(numbers)

    def __repr__(self) -> str:
        return (
            f"Summary(count={self.count}, total={self.total}, "
            f"smallest={self.smallest}, largest={self.largest})"
        )


def describe(numbers: Sequence[int]) -> Summary:
    """A worker: summarise a non-empty chunk of numbers."""
    return Summary(numbers)


def count_lines(path: str) -> int:
    """A worker: how many lines the text file at `path` has."""
    with open(path, encoding="utf-8") as fh:
        return sum(1 for line in fh if line.strip())


def count_lines_parallel(paths: Sequence[str], workers: int = 2) -> list[int]:
    """How many lines each file has, counted in `workers` processes, in input order."""
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(count_lines, [str(p) for p in paths]))
