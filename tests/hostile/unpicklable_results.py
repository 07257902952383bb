"""Hostile: worker results that cannot be pickled back to the parent."""

import threading
from concurrent.futures import ProcessPoolExecutor

EXPECT = ["pickle"]


def split_into_chunks(items, n_chunks):
    return [list(items)]


def _lock_of(chunk):
    return threading.Lock()


def map_chunks(work, items, workers):
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_lock_of, split_into_chunks(items, workers)))


def count_primes_in_chunk(chunk):
    return _lock_of(chunk)


def count_primes_parallel(numbers, workers=2):
    return sum(map_chunks(count_primes_in_chunk, numbers, workers))
