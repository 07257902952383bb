"""Wrong: creates the pool and never shuts it down; its threads stay behind."""

from concurrent.futures import ThreadPoolExecutor

BREAKS = ["shutdown"]
CAUGHT_BY = [
    "test_the_pool_has_max_workers_threads_and_is_shut_down",
    "test_exception_from_a_fetch_reaches_the_caller",
]


def fetch_all(urls, fetch, max_workers=8):
    pool = ThreadPoolExecutor(max_workers=max_workers)
    futures = [pool.submit(fetch, url) for url in urls]
    return [future.result() for future in futures]
