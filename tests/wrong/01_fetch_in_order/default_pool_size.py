"""Wrong: ThreadPoolExecutor() at its default size; max_workers is never passed on."""

from concurrent.futures import ThreadPoolExecutor

BREAKS = ["pool-size"]
CAUGHT_BY = ["test_the_pool_has_max_workers_threads_and_is_shut_down"]


def fetch_all(urls, fetch, max_workers=8):
    with ThreadPoolExecutor() as pool:
        futures = [pool.submit(fetch, url) for url in urls]
        return [future.result() for future in futures]
