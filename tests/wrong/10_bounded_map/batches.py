"""Wrong: takes max_in_flight items, waits for the whole batch, then takes the next batch."""

from concurrent.futures import ThreadPoolExecutor
from itertools import islice

BREAKS = ["sliding-window"]
CAUGHT_BY = ["test_a_slow_first_item_does_not_hold_back_the_window"]


def bounded_map(fn, items, max_in_flight=4):
    if max_in_flight < 1:
        raise ValueError("max_in_flight")
    items = iter(items)
    with ThreadPoolExecutor(max_workers=max_in_flight) as pool:
        while True:
            batch = [pool.submit(fn, item) for item in islice(items, max_in_flight)]
            if not batch:
                return
            results = [f.result() for f in batch]  # waits for the slowest of the batch
            yield from results
