"""Wrong: threads instead of processes; the counts are right, but nothing runs in parallel."""

import multiprocessing
import threading
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
    threads = [
        threading.Thread(target=work, args=(counter, times_each)) for _ in range(n_processes)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return counter.value


def add_to_histogram(values, bins):
    counts = Counter(values)
    with bins.get_lock():
        for value, count in counts.items():
            bins[value] += count


def parallel_histogram(values, n_bins, n_processes, work=add_to_histogram):
    bins = multiprocessing.Array("i", n_bins)
    size, extra = divmod(len(values), n_processes)
    threads, start = [], 0
    for i in range(n_processes):
        end = start + size + (i < extra)
        threads.append(threading.Thread(target=work, args=(values[start:end], bins)))
        start = end
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return list(bins)
