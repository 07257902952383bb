"""Wrong: the files are opened in the caller and the file objects are sent to the pool."""

from concurrent.futures import ProcessPoolExecutor
from functools import partial

BREAKS = ["count-parallel"]
CAUGHT_BY = [
    "test_count_lines_parallel_sends_paths",
    "test_count_lines_parallel_keeps_order_over_many_files",
]


def square(x):
    return x * x


def squarer():
    return square


def multiply(factor, x):
    return x * factor


def scaler(factor):
    return partial(multiply, factor)


class Summary:
    def __init__(self, numbers):
        self.count, self.total = len(numbers), sum(numbers)
        self.smallest, self.largest = min(numbers), max(numbers)


def describe(numbers):
    return Summary(numbers)


def count_lines(source):
    if isinstance(source, str):
        with open(source, encoding="utf-8") as fh:
            return sum(1 for _ in fh)
    return sum(1 for _ in source)


def count_lines_parallel(paths, workers=2):
    files = [open(p, encoding="utf-8") for p in paths]  # noqa: SIM115 - the mistake shown
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(count_lines, files))
