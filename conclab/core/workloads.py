"""Workloads for the demos, importable by worker processes under every start method."""

from __future__ import annotations

import hashlib
import random
import time
import zlib


def cpu_work(n: int = 2_000_000) -> int:
    """CPU-bound pure Python: holds the GIL the whole time. Returns a checksum of the loop."""
    total = 0
    for i in range(n):
        total = (total + i * i) % 1_000_003
    return total


def io_wait(seconds: float = 0.2) -> float:
    """Stands for waiting on a network or disk: sleeps, which releases the GIL."""
    time.sleep(seconds)
    return seconds


_BUFFER_CACHE: dict[int, bytes] = {}


def _buffer(megabytes: int) -> bytes:
    if megabytes not in _BUFFER_CACHE:
        _BUFFER_CACHE[megabytes] = bytes(range(256)) * (megabytes * 4096)
    return _BUFFER_CACHE[megabytes]


def gil_releasing_work(megabytes: int = 32, rounds: int = 1) -> str:
    """C code that releases the GIL: SHA-256 over a large buffer (hashlib drops the GIL
    for inputs over 2 KiB)."""
    data = _buffer(megabytes)
    digest = ""
    for _ in range(rounds):
        digest = hashlib.sha256(data).hexdigest()
    return digest


_RANDOM_CACHE: dict[int, bytes] = {}


def random_buffer(megabytes: int) -> bytes:
    """Pseudo-random bytes, the same every run: data zlib cannot shortcut (a repeating
    pattern compresses about ten times faster, so its timing is mostly noise)."""
    if megabytes not in _RANDOM_CACHE:
        _RANDOM_CACHE[megabytes] = random.Random(megabytes).randbytes(megabytes * 2**20)
    return _RANDOM_CACHE[megabytes]


def compress_work(megabytes: int = 8) -> int:
    """zlib releases the GIL while it compresses a large buffer (here random bytes, about
    0.2 s for 8 MB); returns the compressed size."""
    return len(zlib.compress(random_buffer(megabytes), 6))


def count_primes(limit: int) -> int:
    """CPU-bound: how many primes are below limit, by trial division."""
    count = 0
    for n in range(2, limit):
        d = 2
        while d * d <= n:
            if n % d == 0:
                break
            d += 1
        else:
            count += 1
    return count
