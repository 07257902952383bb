"""Wrong: ThreadPoolExecutor.map submits every item first, so an endless input never ends."""

from concurrent.futures import ThreadPoolExecutor

BREAKS = ["bounded-reading"]
CAUGHT_BY = [
    "test_endless_input_is_read_only_as_fast_as_results_are_consumed",
    "test_never_more_than_max_in_flight_calls",
    "test_exception_reaches_the_caller_at_its_position",
]


def bounded_map(fn, items, max_in_flight=4):
    if max_in_flight < 1:
        raise ValueError("max_in_flight")
    with ThreadPoolExecutor(max_workers=max_in_flight) as pool:
        yield from pool.map(fn, items)
