"""Wrong: copies the bins, counts into the copy, and writes it back without the lock."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence

BREAKS = ["histogram-locked"]
CAUGHT_BY = ["test_histogram_without_lost_updates"]


def add_to_counter(counter, times: int) -> None:
    """Process target: add 1 to counter.value `times` times, without lost updates."""
    for _ in range(times):
        with counter.get_lock():
            counter.value += 1


def count_in_processes(n_processes: int, times_each: int, work: Callable = add_to_counter) -> int:
    """Run work(counter, times_each) in n_processes processes; return the final count."""
    counter = multiprocessing.Value("i", 0)
    procs = [
        multiprocessing.Process(target=work, args=(counter, times_each)) for _ in range(n_processes)
    ]
    for proc in procs:  # start them all before waiting for any
        proc.start()
    for proc in procs:
        proc.join()
    return counter.value


def add_to_histogram(values: Sequence[int], bins) -> None:
    """Process target: add each value's count to bins, without lost updates."""
    local = list(bins.get_obj())
    for value in values:
        local[value] += 1
    for i, count in enumerate(local):
        bins[i] = count


def _chunks(values: Sequence[int], n: int) -> list[list[int]]:
    """n contiguous chunks whose sizes differ by at most one."""
    size, extra = divmod(len(values), n)
    chunks, start = [], 0
    for i in range(n):
        end = start + size + (1 if i < extra else 0)
        chunks.append(list(values[start:end]))
        start = end
    return chunks


def parallel_histogram(
    values: Sequence[int], n_bins: int, n_processes: int, work: Callable = add_to_histogram
) -> list[int]:
    """Histogram of values, counted by n_processes processes into one shared Array."""
    bins = multiprocessing.Array("i", n_bins)  # zero-filled, with its own lock
    procs = [
        multiprocessing.Process(target=work, args=(chunk, bins))
        for chunk in _chunks(values, n_processes)
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join()
    return list(bins)
