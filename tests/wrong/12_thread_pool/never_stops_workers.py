"""Wrong: shutdown() only refuses new tasks; it neither waits, nor cancels, nor stops
the worker threads, which wait on the queue for ever."""

import queue
import threading
from concurrent.futures import Executor, Future

BREAKS = ["shutdown-wait"]
CAUGHT_BY = [
    "test_shutdown_waits_for_running_tasks",
    "test_shutdown_can_cancel_pending_tasks",
    "test_worker_threads_exit_after_shutdown",
]


class ThreadPool(Executor):
    def __init__(self, max_workers=4):
        self._queue = queue.SimpleQueue()
        self._lock = threading.Lock()  # guards _closed
        self._closed = False
        for _ in range(max_workers):
            threading.Thread(target=self._work, daemon=True).start()

    def submit(self, fn, /, *args, **kwargs):
        with self._lock:
            if self._closed:
                raise RuntimeError("shut down")
        future = Future()
        self._queue.put((future, fn, args, kwargs))
        return future

    def _work(self):
        while True:
            future, fn, args, kwargs = self._queue.get()
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn(*args, **kwargs))
                except BaseException as exc:
                    future.set_exception(exc)

    def shutdown(self, wait=True, *, cancel_futures=False):
        with self._lock:
            self._closed = True
