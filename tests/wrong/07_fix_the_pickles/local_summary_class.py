"""Wrong: Summary is still defined inside describe, so results cannot come back."""

from concurrent.futures import ProcessPoolExecutor
from functools import partial

BREAKS = ["summary"]
CAUGHT_BY = ["test_summaries_come_back_from_workers"]


def square(x):
    return x * x


def squarer():
    return square


def multiply(factor, x):
    return x * factor


def scaler(factor):
    return partial(multiply, factor)


def describe(numbers):
    class Summary:
        def __init__(self, numbers):
            self.count, self.total = len(numbers), sum(numbers)
            self.smallest, self.largest = min(numbers), max(numbers)

    return Summary(numbers)


def count_lines(path):
    with open(path, encoding="utf-8") as fh:
        return sum(1 for _ in fh)


def count_lines_parallel(paths, workers=2):
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(count_lines, paths))
