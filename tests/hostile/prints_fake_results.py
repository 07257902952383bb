"""Hostile: prints lines that look like passing results, then returns wrong answers."""

import json
import sys

EXPECT = []

for name in ("test_chunks_are_contiguous_and_balanced", "test_counts_primes_correctly"):
    line = {"event": "result", "name": name, "status": "passed", "message": "", "duration": 0}
    print(json.dumps(line))
    print(f"PASSED {name}")
sys.stdout.flush()


def split_into_chunks(items, n_chunks):
    return [list(items)]


def map_chunks(work, items, workers):
    return [0]


def count_primes_in_chunk(chunk):
    return 0


def count_primes_parallel(numbers, workers=2):
    return 0
