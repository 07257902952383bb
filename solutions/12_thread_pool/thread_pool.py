"""Exercise 12, reference solution: a minimal thread pool executor.

submit() ──(future, fn, args, kwargs)──▶ queue ──▶ worker threads ──▶ future.set_result
shutdown() ──one None per worker──▶ queue: each worker that takes a None exits
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any


class ThreadPool(Executor):
    """`max_workers` threads run the callables given to submit; a Future for each."""

    def __init__(self, max_workers: int = 4):
        if max_workers < 1:
            raise ValueError(f"max_workers must be at least 1, got {max_workers}")
        # Work items (future, fn, args, kwargs), or None: "stop, this worker".
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        # Guards _shut_down and every put on _queue, so that no task can be queued after
        # the stop markers (it would never run and its future would never finish).
        self._lock = threading.Lock()
        self._shut_down = False
        # Daemon threads: a pool its caller forgot to shut down does not keep Python
        # running at exit. shutdown() is the clean way to stop them.
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
            # False when the future was cancelled while it waited in the queue: skip it.
            # Otherwise the future is now RUNNING, and cancel() returns False.
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:  # noqa: BLE001 - the caller gets it from the future
                future.set_exception(exc)
            else:
                future.set_result(result)
            # Drop references so that a big result is freed as soon as the caller lets go.
            del future, fn, args, kwargs

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Refuse new tasks; cancel the queued ones if asked; stop the workers."""
        with self._lock:
            first_call = not self._shut_down
            self._shut_down = True
            if cancel_futures:
                while True:
                    try:
                        item = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if item is not None:
                        item[0].cancel()
            if first_call or cancel_futures:
                # Behind every task still queued, so the workers finish those first. After
                # draining, again: the drain may have taken an earlier call's markers.
                # A spare None left in the queue does no harm.
                for _ in self._threads:
                    self._queue.put(None)
        if wait:
            for thread in self._threads:
                thread.join()
