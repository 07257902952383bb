"""Wrong: takes the first replica to finish, even when it failed."""

from concurrent.futures import ThreadPoolExecutor, as_completed

BREAKS = ["skip-failures"]
CAUGHT_BY = ["test_failures_before_a_success_are_skipped", "test_late_success_after_many_failures"]


class AllReplicasFailed(Exception):
    def __init__(self, errors):
        self.errors = dict(errors)
        super().__init__("all replicas failed")


def first_result(request, replicas, max_workers=4):
    if not replicas:
        raise ValueError("no replicas")
    pool = ThreadPoolExecutor(max_workers=max_workers)
    try:
        futures = [pool.submit(request, r) for r in replicas]
        return next(as_completed(futures)).result()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
