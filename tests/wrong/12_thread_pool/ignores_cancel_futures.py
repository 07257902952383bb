"""Wrong: shutdown() accepts cancel_futures but never cancels anything."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any

BREAKS = ["cancel-futures"]
CAUGHT_BY = ["test_shutdown_can_cancel_pending_tasks"]


class ThreadPool(Executor):
    """`max_workers` threads run the callables given to submit; a Future for each."""

    def __init__(self, max_workers: int = 4):
        if max_workers < 1:
            raise ValueError(f"max_workers must be at least 1, got {max_workers}")
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._shut_down = False
        self._threads = [
            threading.Thread(target=self._work, name=f"ThreadPool-worker-{i}", daemon=True)
            for i in range(max_workers)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """Schedule fn(*args, **kwargs); RuntimeError after shutdown."""
        with self._lock:
            if self._shut_down:
                raise RuntimeError("cannot schedule new tasks after shutdown")
            future: Future = Future()
            self._queue.put((future, fn, args, kwargs))
            return future

    def _work(self) -> None:
        """A worker thread: run work items until a None tells it to stop."""
        while True:
            item = self._queue.get()
            if item is None:
                return
            future, fn, args, kwargs = item
            del item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:  # noqa: BLE001 - the caller gets it from the future
                future.set_exception(exc)
            else:
                future.set_result(result)
            del future, fn, args, kwargs

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Refuse new tasks; cancel the queued ones if asked; stop the workers."""
        with self._lock:
            first_call = not self._shut_down
            self._shut_down = True
            if first_call:
                for _ in self._threads:
                    self._queue.put(None)
        if wait:
            for thread in self._threads:
                thread.join()
