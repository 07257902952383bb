"""Wrong: submits and waits for each fetch in the loop, so it is sequential again."""

from concurrent.futures import ThreadPoolExecutor

BREAKS = ["concurrent"]
CAUGHT_BY = ["test_fetches_run_at_the_same_time"]


def fetch_all(urls, fetch, max_workers=8):
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        return [pool.submit(fetch, url).result() for url in urls]
