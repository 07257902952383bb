"""Wrong: scaler keeps the factor in a module-level variable instead of a partial."""

from concurrent.futures import ProcessPoolExecutor

BREAKS = ["scaler"]
CAUGHT_BY = ["test_two_scalers_run_in_one_pool"]

_factor = 1


def square(x):
    return x * x


def squarer():
    return square


def scale(x):
    return x * _factor


def scaler(factor):
    global _factor
    _factor = factor  # set in the caller only; spawned workers see 1, and scaler(7) wins
    return scale


class Summary:
    def __init__(self, numbers):
        self.count, self.total = len(numbers), sum(numbers)
        self.smallest, self.largest = min(numbers), max(numbers)


def describe(numbers):
    return Summary(numbers)


def count_lines(path):
    with open(path, encoding="utf-8") as fh:
        return sum(1 for _ in fh)


def count_lines_parallel(paths, workers=2):
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(count_lines, paths))
