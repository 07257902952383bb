"""Wrong: when every replica fails, only the last error reaches the caller."""

from concurrent.futures import ThreadPoolExecutor, as_completed

BREAKS = ["all-failed"]
CAUGHT_BY = ["test_all_failed_raises_with_every_error"]


class AllReplicasFailed(Exception):
    def __init__(self, errors):
        self.errors = dict(errors)
        super().__init__("all replicas failed")


def first_result(request, replicas, max_workers=4):
    if not replicas:
        raise ValueError("no replicas")
    pool = ThreadPoolExecutor(max_workers=max_workers)
    try:
        last = None
        for future in as_completed([pool.submit(request, r) for r in replicas]):
            if future.exception() is None:
                return future.result()
            last = future.exception()
        raise last
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
