"""Wrong: a thread pool, so CPU-bound chunks share one GIL."""

from concurrent.futures import ThreadPoolExecutor


def split_into_chunks(items, n_chunks):
    if n_chunks < 1:
        raise ValueError("n_chunks")
    n = min(n_chunks, len(items))
    if n == 0:
        return []
    size, extra = divmod(len(items), n)
    out, start = [], 0
    for i in range(n):
        end = start + size + (i < extra)
        out.append(list(items[start:end]))
        start = end
    return out


BREAKS = ["parallel-processes"]
CAUGHT_BY = ["test_chunks_run_at_once_in_separate_processes"]


def map_chunks(work, items, workers):
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(work, split_into_chunks(items, workers)))


def count_primes_in_chunk(chunk):
    return sum(1 for n in chunk if n > 1 and all(n % d for d in range(2, int(n**0.5) + 1)))


def count_primes_parallel(numbers, workers=2):
    return sum(map_chunks(count_primes_in_chunk, numbers, workers))
