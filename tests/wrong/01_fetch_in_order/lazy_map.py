"""Wrong: returns the lazy iterator of pool.map instead of a list."""

from concurrent.futures import ThreadPoolExecutor

BREAKS = ["one-result-each"]
CAUGHT_BY = ["test_duplicate_urls_and_falsy_results_are_kept"]


def fetch_all(urls, fetch, max_workers=8):
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        results = pool.map(fetch, urls)
    return results
