"""Hostile: crashes the interpreter through ctypes."""

import ctypes

EXPECT = ["segmentation fault"]


def split_into_chunks(items, n_chunks):
    return ctypes.string_at(0)


map_chunks = count_primes_in_chunk = count_primes_parallel = split_into_chunks
