"""Wrong: each call makes its own Lock, so the processes never exclude each other."""

import multiprocessing
from collections import Counter

BREAKS = ["counter-locked"]
CAUGHT_BY = ["test_no_lost_updates_with_many_processes"]


def add_to_counter(counter, times):
    lock = multiprocessing.Lock()  # a new lock per process: guards nothing shared
    for _ in range(times):
        with lock:
            counter.value += 1


def count_in_processes(n_processes, times_each, work=add_to_counter):
    counter = multiprocessing.Value("i", 0)
    procs = [
        multiprocessing.Process(target=work, args=(counter, times_each)) for _ in range(n_processes)
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join()
    return counter.value


def add_to_histogram(values, bins):
    counts = Counter(values)
    with bins.get_lock():
        for value, count in counts.items():
            bins[value] += count


def parallel_histogram(values, n_bins, n_processes, work=add_to_histogram):
    bins = multiprocessing.Array("i", n_bins)
    size = -(-len(values) // n_processes) if values else 1
    chunks = [values[i : i + size] for i in range(0, len(values), size)] or [[]]
    procs = [multiprocessing.Process(target=work, args=(c, bins)) for c in chunks]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join()
    return list(bins)
