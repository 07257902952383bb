"""Wrong: a queue and futures, but a single worker thread whatever max_workers says."""

import queue
import threading
from concurrent.futures import Executor, Future

BREAKS = ["max-workers"]
CAUGHT_BY = [
    "test_runs_max_workers_tasks_at_once",
    "test_never_more_than_max_workers_threads",
    "test_works_with_as_completed_and_wait",
]


class ThreadPool(Executor):
    def __init__(self, max_workers=4):
        self._queue = queue.SimpleQueue()
        self._lock = threading.Lock()  # guards _closed and puts to _queue
        self._closed = False
        self._thread = threading.Thread(target=self._work, daemon=True)
        self._thread.start()

    def submit(self, fn, /, *args, **kwargs):
        with self._lock:
            if self._closed:
                raise RuntimeError("shut down")
            future = Future()
            self._queue.put((future, fn, args, kwargs))
            return future

    def _work(self):
        while (item := self._queue.get()) is not None:
            future, fn, args, kwargs = item
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn(*args, **kwargs))
                except BaseException as exc:
                    future.set_exception(exc)

    def shutdown(self, wait=True, *, cancel_futures=False):
        with self._lock:
            if cancel_futures:
                while True:
                    try:
                        item = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if item is not None:
                        item[0].cancel()
            if not self._closed:
                self._queue.put(None)
            self._closed = True
        if wait:
            self._thread.join()
