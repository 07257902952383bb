"""Exercise 07: make four pieces of code safe to send to a process pool.

A process pool pickles every task (the function and its arguments) and every result to
move them between processes. Each function below comes from code that works in a plain
loop but breaks in a `ProcessPoolExecutor`; the original is kept in a comment under its
TODO. The checks run what you return in a real pool, under `spawn` and this platform's
default start method.

Run the checks with `python -m grader check fix_the_pickles`, or in a notebook with
`from grader import check; check("fix_the_pickles")`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor  # noqa: F401 - you will need it
from functools import partial  # noqa: F401 - you may need it


def squarer() -> Callable[[int], int]:
    """Return a function f with f(x) == x * x that a process pool can run.

    Example:
        >>> list(map(squarer(), [1, 2, 3]))
        [1, 4, 9]
    """
    # TODO 1: a lambda has no importable name, so it cannot be pickled. Define the
    #         function at module level and return it. The original:
    #
    #     return lambda x: x * x
    raise NotImplementedError("squarer")


def scaler(factor: int) -> Callable[[int], int]:
    """Return a function f with f(x) == x * factor that a process pool can run.

    Two scalers with different factors must work in the same pool at the same time.

    Example:
        >>> scaler(3)(5)
        15
    """
    # TODO 2: a nested function (a closure) cannot be pickled either. Keep `factor` with
    #         the function in a picklable way. The original:
    #
    #     def scale(x):
    #         return x * factor
    #     return scale
    raise NotImplementedError("scaler")


def describe(numbers: Sequence[int]):
    """A worker: summarise a non-empty chunk of numbers in a `Summary` object with the
    attributes count, total, smallest and largest. The object is the task's result, so it
    travels back from the worker process to the caller.

    Example:
        >>> s = describe([4, 1, 7])
        >>> (s.count, s.total, s.smallest, s.largest)
        (3, 12, 1, 7)
    """
    # TODO 3: a class defined inside a function cannot be pickled, so its instances
    #         cannot come back from a worker. The original:
    #
    #     class Summary:
    #         def __init__(self, numbers):
    #             self.count = len(numbers)
    #             self.total = sum(numbers)
    #             self.smallest = min(numbers)
    #             self.largest = max(numbers)
    #     return Summary(numbers)
    raise NotImplementedError("describe")


def count_lines(path: str) -> int:
    """A worker: how many lines the text file at `path` has (as iterating over it gives)."""
    # TODO 4: an open file cannot be pickled. Take a path and open the file here, in the
    #         worker process. The original took an open file:
    #
    #     def count_lines(fh):
    #         return sum(1 for _ in fh)
    raise NotImplementedError("count_lines")


def count_lines_parallel(paths: Sequence[str], workers: int = 2) -> list[int]:
    """How many lines each file has, counted in a ProcessPoolExecutor with `workers`
    processes; one count per path, in the order of `paths`."""
    # TODO 4: send paths, not open files. The original:
    #
    #     files = [open(p) for p in paths]
    #     with ProcessPoolExecutor(max_workers=workers) as pool:
    #         return list(pool.map(count_lines, files))
    raise NotImplementedError("count_lines_parallel")
