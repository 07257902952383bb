"""Wrong: starts and joins each process in the same loop, so they run one at a time."""

import multiprocessing
from collections import Counter

BREAKS = ["count-processes", "parallel-histogram"]
CAUGHT_BY = [
    "test_count_in_processes_runs_them_at_once",
    "test_parallel_histogram_splits_work_over_processes",
]


def add_to_counter(counter, times):
    for _ in range(times):
        with counter.get_lock():
            counter.value += 1


def count_in_processes(n_processes, times_each, work=add_to_counter):
    counter = multiprocessing.Value("i", 0)
    for _ in range(n_processes):
        proc = multiprocessing.Process(target=work, args=(counter, times_each))
        proc.start()
        proc.join()
    return counter.value


def add_to_histogram(values, bins):
    counts = Counter(values)
    with bins.get_lock():
        for value, count in counts.items():
            bins[value] += count


def parallel_histogram(values, n_bins, n_processes, work=add_to_histogram):
    bins = multiprocessing.Array("i", n_bins)
    size, extra = divmod(len(values), n_processes)
    start = 0
    for i in range(n_processes):
        end = start + size + (i < extra)
        proc = multiprocessing.Process(target=work, args=(values[start:end], bins))
        proc.start()
        proc.join()
        start = end
    return list(bins)
