"""Wrong: a plain loop, one fetch at a time."""

BREAKS = ["concurrent"]
CAUGHT_BY = ["test_fetches_run_at_the_same_time", "test_order_kept_when_later_urls_finish_first"]


def fetch_all(urls, fetch, max_workers=8):
    return [fetch(url) for url in urls]
