"""Hostile: prints without end."""

EXPECT = ["printed without end"]


def split_into_chunks(items, n_chunks):
    while True:
        print("spam " * 200)


map_chunks = count_primes_in_chunk = count_primes_parallel = split_into_chunks
