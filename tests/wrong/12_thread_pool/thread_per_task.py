"""Wrong: starts a new thread for every task, so max_workers means nothing and nothing
is ever pending (cancel always comes too late)."""

import threading
from concurrent.futures import Executor, Future

BREAKS = ["max-workers"]
CAUGHT_BY = ["test_never_more_than_max_workers_threads", "test_cancel_a_pending_task"]


class ThreadPool(Executor):
    def __init__(self, max_workers=4):
        self._lock = threading.Lock()  # guards _closed and _threads
        self._closed = False
        self._threads = []

    def submit(self, fn, /, *args, **kwargs):
        future = Future()

        def run():
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn(*args, **kwargs))
                except BaseException as exc:
                    future.set_exception(exc)

        with self._lock:
            if self._closed:
                raise RuntimeError("shut down")
            thread = threading.Thread(target=run)
            self._threads.append(thread)
            thread.start()
        return future

    def shutdown(self, wait=True, *, cancel_futures=False):
        with self._lock:
            self._closed = True
            threads = list(self._threads)
        if wait:
            for thread in threads:
                thread.join()
