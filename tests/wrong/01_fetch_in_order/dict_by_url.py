"""Wrong: one future per distinct url (a dict keyed by url), so a repeated url is lost."""

from concurrent.futures import ThreadPoolExecutor

BREAKS = ["one-result-each"]
CAUGHT_BY = ["test_duplicate_urls_and_falsy_results_are_kept"]


def fetch_all(urls, fetch, max_workers=8):
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        futures = {url: pool.submit(fetch, url) for url in urls}
        return [future.result() for future in futures.values()]
