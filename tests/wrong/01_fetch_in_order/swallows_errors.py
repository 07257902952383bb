"""Wrong: exceptions are turned into None instead of reaching the caller."""

from concurrent.futures import ThreadPoolExecutor

BREAKS = ["same-error"]
CAUGHT_BY = ["test_exception_from_a_fetch_reaches_the_caller"]


def fetch_all(urls, fetch, max_workers=8):
    def safe(url):
        try:
            return fetch(url)
        except Exception:
            return None

    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        return list(pool.map(safe, urls))
