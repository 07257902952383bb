"""Wrong: returns at once, but the replicas still queued start later anyway."""

from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

BREAKS = ["cancel-queued"]
CAUGHT_BY = ["test_replicas_not_started_are_cancelled"]


class AllReplicasFailed(Exception):
    def __init__(self, errors):
        self.errors = dict(errors)
        super().__init__("all replicas failed")


def first_result(request, replicas, max_workers=4):
    if not replicas:
        raise ValueError("no replicas")
    pool = ThreadPoolExecutor(max_workers=max_workers)
    try:
        futures = {pool.submit(request, r): r for r in replicas}
        pending, errors = set(futures), {}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                if future.exception() is None:
                    return future.result()
                errors[futures[future]] = future.exception()
        raise AllReplicasFailed(errors)
    finally:
        pool.shutdown(wait=False)
