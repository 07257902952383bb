"""Wrong: hands every call to a ThreadPoolExecutor instead of running its own threads."""

from concurrent.futures import Executor, ThreadPoolExecutor

BREAKS = ["own-pool"]
CAUGHT_BY = [
    "test_submit_returns_futures_with_results",
    "test_runs_max_workers_tasks_at_once",
    "test_cancel_a_pending_task",
    "test_worker_threads_exit_after_shutdown",
    "test_pool_keeps_working_after_failing_tasks_and_callbacks",
]


class ThreadPool(Executor):
    def __init__(self, max_workers=4):
        self._pool = ThreadPoolExecutor(max_workers)

    def submit(self, fn, /, *args, **kwargs):
        return self._pool.submit(fn, *args, **kwargs)

    def shutdown(self, wait=True, *, cancel_futures=False):
        self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)
