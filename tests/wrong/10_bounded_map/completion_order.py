"""Wrong: a bounded window, but results are handed back in the order they finish."""

from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

BREAKS = ["input-order"]
CAUGHT_BY = ["test_order_kept_when_later_items_finish_first"]


def bounded_map(fn, items, max_in_flight=4):
    if max_in_flight < 1:
        raise ValueError("max_in_flight")
    with ThreadPoolExecutor(max_workers=max_in_flight) as pool:
        window = set()
        for item in items:
            window.add(pool.submit(fn, item))
            if len(window) == max_in_flight:
                done, window = wait(window, return_when=FIRST_COMPLETED)
                for f in done:
                    yield f.result()
        for f in wait(window).done:
            yield f.result()
