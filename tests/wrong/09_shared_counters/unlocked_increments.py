"""Wrong: `+=` on the shared Value and Array without their locks: updates get lost."""

import multiprocessing

BREAKS = ["counter-locked", "histogram-locked"]
CAUGHT_BY = ["test_no_lost_updates_with_many_processes", "test_histogram_without_lost_updates"]


def add_to_counter(counter, times):
    for _ in range(times):
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
    for v in values:
        bins[v] += 1


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
