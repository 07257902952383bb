"""Wrong: results collected in completion order with as_completed."""

from concurrent.futures import ThreadPoolExecutor, as_completed

BREAKS = ["input-order"]
CAUGHT_BY = ["test_order_kept_when_later_urls_finish_first"]


def fetch_all(urls, fetch, max_workers=8):
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        futures = [pool.submit(fetch, url) for url in urls]
        return [f.result() for f in as_completed(futures)]
