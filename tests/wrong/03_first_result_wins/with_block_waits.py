"""Wrong: right logic, but returning inside a `with` block waits for every replica."""

from concurrent.futures import ThreadPoolExecutor, as_completed

BREAKS = ["no-waiting"]
CAUGHT_BY = [
    "test_returns_while_slow_replicas_are_still_blocked",
    "test_replicas_not_started_are_cancelled",
]


class AllReplicasFailed(Exception):
    def __init__(self, errors):
        self.errors = dict(errors)
        super().__init__("all replicas failed")


def first_result(request, replicas, max_workers=4):
    if not replicas:
        raise ValueError("no replicas")
    with ThreadPoolExecutor(max_workers=max_workers) as pool:
        futures = {pool.submit(request, r): r for r in replicas}
        errors = {}
        for future in as_completed(futures):
            if future.exception() is None:
                return future.result()
            errors[futures[future]] = future.exception()
        raise AllReplicasFailed(errors)
