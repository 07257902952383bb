"""Hostile: joins a process before draining the queue it filled past the pipe buffer."""

import multiprocessing

from conclab.core.workloads import io_wait  # noqa: F401 - keeps the import graph realistic

EXPECT = ["timed out", "joining a process before draining"]


def _fill(queue):
    queue.put(b"x" * 10_000_000)


def split_into_chunks(items, n_chunks):
    queue = multiprocessing.Queue()
    proc = multiprocessing.Process(target=_fill, args=(queue,))
    proc.start()
    proc.join()
    return [queue.get()]


map_chunks = count_primes_in_chunk = count_primes_parallel = split_into_chunks
