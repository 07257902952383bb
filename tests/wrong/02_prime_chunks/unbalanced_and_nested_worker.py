"""Wrong: chunks of fixed size (not balanced), and the worker is a nested function."""

from concurrent.futures import ProcessPoolExecutor

BREAKS = ["chunks-balanced", "worker-importable"]
CAUGHT_BY = [
    "test_chunks_are_contiguous_and_balanced",
    "test_worker_function_is_importable",
    "test_counts_primes_correctly",
]


def split_into_chunks(items, n_chunks):
    if n_chunks < 1:
        raise ValueError("n_chunks")
    size = max(1, -(-len(items) // n_chunks))
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def map_chunks(work, items, workers):
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(work, split_into_chunks(items, workers)))


def _make_worker():
    def count_primes_in_chunk(chunk):
        return sum(1 for n in chunk if n > 1 and all(n % d for d in range(2, int(n**0.5) + 1)))

    return count_primes_in_chunk


count_primes_in_chunk = _make_worker()


def count_primes_parallel(numbers, workers=2):
    return sum(map_chunks(count_primes_in_chunk, numbers, workers))
