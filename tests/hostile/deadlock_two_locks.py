"""Hostile: two threads take two locks in opposite order and deadlock."""

import threading
import time

EXPECT = ["timed out", "deadlock"]

a, b = threading.Lock(), threading.Lock()


def _one(first, second):
    with first:
        time.sleep(0.1)
        with second:
            pass


def split_into_chunks(items, n_chunks):
    t1 = threading.Thread(target=_one, args=(a, b))
    t2 = threading.Thread(target=_one, args=(b, a))
    t1.start()
    t2.start()
    t1.join()
    t2.join()


map_chunks = count_primes_in_chunk = count_primes_parallel = split_into_chunks
