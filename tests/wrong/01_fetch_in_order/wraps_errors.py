"""Wrong: re-raises a fetch error as a new exception with a longer message."""

from concurrent.futures import ThreadPoolExecutor

BREAKS = ["same-error"]
CAUGHT_BY = ["test_exception_from_a_fetch_reaches_the_caller"]


def fetch_all(urls, fetch, max_workers=8):
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        futures = [pool.submit(fetch, url) for url in urls]
        results = []
        for url, future in zip(urls, futures):
            try:
                results.append(future.result())
            except Exception as exc:
                raise type(exc)(f"fetching {url} failed: {exc}") from exc
        return results
