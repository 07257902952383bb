"""Wrong: lazy and in order, but one call at a time without a pool."""

BREAKS = ["concurrent"]
CAUGHT_BY = [
    "test_calls_run_at_the_same_time",
    "test_order_kept_when_later_items_finish_first",
    "test_never_more_than_max_in_flight_calls",
]


def bounded_map(fn, items, max_in_flight=4):
    if max_in_flight < 1:
        raise ValueError("max_in_flight")
    for item in items:
        yield fn(item)
