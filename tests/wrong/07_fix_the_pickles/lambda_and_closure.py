"""Wrong: the original lambda and closure are still there (tasks 3 and 4 are fixed)."""

from concurrent.futures import ProcessPoolExecutor

BREAKS = ["squarer", "scaler"]
CAUGHT_BY = ["test_squarer_runs_in_a_process_pool", "test_two_scalers_run_in_one_pool"]


def squarer():
    return lambda x: x * x


def scaler(factor):
    def scale(x):
        return x * factor

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
