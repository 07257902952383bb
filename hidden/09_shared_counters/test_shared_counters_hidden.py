"""Hidden checks for exercise 09: instructor-only, declared in exercise.toml."""

import random
from collections import Counter

from conclab.probes.startmethods import methods_to_check, start_method


def test_parallel_histogram_with_its_own_worker(submission):
    rng = random.Random(3)
    values = [rng.randrange(7) for _ in range(3001)]
    expected = [Counter(values)[b] for b in range(7)]
    # One process counts: lost updates are judged by the public checks, with a barrier;
    # with several, a lock-free add_to_histogram would pass or fail here by luck.
    for method in methods_to_check():
        with start_method(method):
            got = list(submission.parallel_histogram(values, 7, 1))
            empty = list(submission.parallel_histogram([], 4, 2))
        assert got == expected, (
            f"[{method}] parallel_histogram(3001 values, n_bins=7, n_processes=1) returned "
            f"{got}; expected {expected}: the default work is add_to_histogram"
        )
        assert empty == [0, 0, 0, 0], (
            f"[{method}] parallel_histogram([], n_bins=4, n_processes=2) returned {empty}; "
            "expected [0, 0, 0, 0]"
        )
