"""Hostile: every function loops for ever."""

EXPECT = ["timed out"]


def split_into_chunks(items, n_chunks):
    while True:
        pass


map_chunks = count_primes_in_chunk = count_primes_parallel = split_into_chunks
