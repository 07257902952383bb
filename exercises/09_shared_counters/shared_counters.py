"""Exercise 09: count in shared memory from several processes without losing updates.

    caller ── Value('i') / Array('i', n_bins) ──▶ process 1 ─┐
       ▲          (shared memory + a lock)        process 2 ─┼─ with x.get_lock(): x ... += ...
       └────────────── read after join() ◀─────── process n ─┘

Run the checks with `python -m grader check shared_counters`, or in a notebook with
`from grader import check; check("shared_counters")`.
"""

from __future__ import annotations

import multiprocessing  # noqa: F401 - you will need it
from collections.abc import Callable, Sequence


def add_to_counter(counter, times: int) -> None:
    """Process target: add 1 to `counter.value` `times` times, losing no update when
    other processes add to the same counter at the same time.

    `counter` is a `multiprocessing.Value` (for example `Value("i", 0)`).
    """
    # TODO 1: `counter.value += 1` reads, then writes: another process can write in
    #         between, and its update is lost. Hold the counter's own lock around it.
    raise NotImplementedError("add_to_counter")


def count_in_processes(n_processes: int, times_each: int, work: Callable = add_to_counter) -> int:
    """Create a shared counter starting at 0, run `work(counter, times_each)` in
    `n_processes` processes at the same time, wait for all of them, and return the
    counter's final value.

    `work` is a picklable callable; the checks pass one of their own.
    """
    # TODO 2: a multiprocessing.Value, n_processes Process objects started together,
    #         then joined; return the value.
    raise NotImplementedError("count_in_processes")


def add_to_histogram(values: Sequence[int], bins) -> None:
    """Process target: for each v in values (0 <= v < len(bins)), add 1 to bins[v],
    losing no update when other processes add to the same bins at the same time.

    `bins` is a `multiprocessing.Array` (for example `Array("i", 10)`).
    """
    # TODO 3: count, then add to the shared bins under the array's lock.
    raise NotImplementedError("add_to_histogram")


def parallel_histogram(
    values: Sequence[int], n_bins: int, n_processes: int, work: Callable = add_to_histogram
) -> list[int]:
    """Histogram of `values` (each 0 <= v < n_bins): split values into `n_processes`
    chunks, run `work(chunk, bins)` for each chunk in its own process, all at the same
    time, into one shared array of `n_bins` zeros; return the bins as a list of ints.

    `work` is a picklable callable; the checks pass one of their own.
    """
    # TODO 4: a multiprocessing.Array, one process per chunk, started together, joined;
    #         return list(bins).
    raise NotImplementedError("parallel_histogram")
