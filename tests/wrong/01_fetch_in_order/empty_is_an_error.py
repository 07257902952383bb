"""Wrong: rejects an empty input instead of returning []."""

from concurrent.futures import ThreadPoolExecutor

BREAKS = ["empty"]
CAUGHT_BY = ["test_empty_input_gives_empty_list"]


def fetch_all(urls, fetch, max_workers=8):
    if not urls:
        raise ValueError("fetch_all needs at least one url")
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        futures = [pool.submit(fetch, url) for url in urls]
        return [future.result() for future in futures]
