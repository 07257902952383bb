"""Wrong: collects results as they complete, then sorts them to 'restore' the order."""

from concurrent.futures import ThreadPoolExecutor, as_completed

BREAKS = ["input-order"]
CAUGHT_BY = ["test_order_kept_when_later_urls_finish_first"]


def fetch_all(urls, fetch, max_workers=8):
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        futures = [pool.submit(fetch, url) for url in urls]
        results = [f.result() for f in as_completed(futures)]
    try:
        return sorted(results)
    except TypeError:  # results that do not compare (None, mixed types): leave them
        return results
