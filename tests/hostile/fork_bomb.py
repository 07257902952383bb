"""Hostile: starts processes without end, each of which starts more."""

import os
import time

EXPECT = ["processes"]


def split_into_chunks(items, n_chunks):
    children = []
    for _ in range(10_000):
        pid = os.fork()
        if pid == 0:
            time.sleep(60)
            os._exit(0)
        children.append(pid)
    return children


map_chunks = count_primes_in_chunk = count_primes_parallel = split_into_chunks
