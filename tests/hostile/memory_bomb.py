"""Hostile: allocates memory without end."""

EXPECT = ["MemoryError", "memory"]


def split_into_chunks(items, n_chunks):
    hoard = []
    while True:
        hoard.append(b"x" * 50_000_000)


map_chunks = count_primes_in_chunk = count_primes_parallel = split_into_chunks
