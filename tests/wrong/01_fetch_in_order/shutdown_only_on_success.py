"""Wrong: shuts the pool down after the results, but not when a fetch raised."""

from concurrent.futures import ThreadPoolExecutor

BREAKS = ["shutdown"]
CAUGHT_BY = ["test_exception_from_a_fetch_reaches_the_caller"]


def fetch_all(urls, fetch, max_workers=8):
    pool = ThreadPoolExecutor(max_workers=max_workers)
    futures = [pool.submit(fetch, url) for url in urls]
    results = [future.result() for future in futures]
    pool.shutdown()
    return results
