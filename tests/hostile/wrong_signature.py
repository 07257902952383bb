"""Hostile: the functions take the wrong arguments."""

EXPECT = ["TypeError"]


def split_into_chunks(items):
    return [items]


def map_chunks(items):
    return [items]


def count_primes_in_chunk():
    return 0


def count_primes_parallel():
    return 0
