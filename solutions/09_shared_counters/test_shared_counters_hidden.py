"""Hidden checks for exercise 09: instructor-only, declared in exercise.toml."""

import random
from collections import Counter

from conclab.startmethods import methods_to_check, start_method


def test_parallel_histogram_with_its_own_worker(submission):
    rng = random.Random(3)
    values = [rng.randrange(7) for _ in range(3001)]
    expected = [Counter(values)[b] for b in range(7)]
    for method in methods_to_check():
        with start_method(method):
            got = list(submission.parallel_histogram(values, 7, 3))
            empty = list(submission.parallel_histogram([], 4, 2))
        assert got == expected, (
            f"[{method}] parallel_histogram(3001 values, n_bins=7, n_processes=3) returned "
            f"{got}; expected {expected}"
        )
        assert empty == [0, 0, 0, 0], (
            f"[{method}] parallel_histogram([], n_bins=4, n_processes=2) returned {empty}; "
            "expected [0, 0, 0, 0]"
        )
