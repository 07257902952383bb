"""Wrong: caps the pool at the CPU count, so the size depends on the machine."""

import os
from concurrent.futures import ThreadPoolExecutor

BREAKS = ["pool-size"]
CAUGHT_BY = ["test_the_pool_has_max_workers_threads_and_is_shut_down"]


def fetch_all(urls, fetch, max_workers=8):
    with ThreadPoolExecutor(max_workers=min(max_workers, os.cpu_count() or 1)) as pool:
        futures = [pool.submit(fetch, url) for url in urls]
        return [future.result() for future in futures]
