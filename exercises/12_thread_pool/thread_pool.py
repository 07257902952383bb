"""Exercise 12 (capstone): write your own thread pool executor.

Run the checks with `python -m grader check thread_pool`, or in a notebook with
`from grader import check; check("thread_pool")`.
"""

from __future__ import annotations

import queue  # noqa: F401 - you will need it
import threading  # noqa: F401 - you will need it
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any


class ThreadPool(Executor):
    """A minimal thread pool: `max_workers` threads run the callables given to `submit`.

    It behaves like `concurrent.futures.ThreadPoolExecutor` in everything the checks look
    at, without using it: `submit` returns a `concurrent.futures.Future`, which works with
    `as_completed` and `wait`; a pending task can be cancelled; `shutdown` stops the
    threads. Subclassing `Executor` gives you `map`, `with` (its `__exit__` calls
    `shutdown(wait=True)`) for free.

    Example:
        >>> with ThreadPool(max_workers=2) as pool:
        ...     future = pool.submit(pow, 2, 10)
        ...     future.result()
        1024
    """

    def __init__(self, max_workers: int = 4):
        """Start a pool of at most `max_workers` threads; `max_workers < 1` is a ValueError."""
        # TODO 1: check max_workers and create a queue for the work items and a lock
        #         (with a comment saying what it guards).
        # TODO 2: start the worker threads (at most max_workers of them, running self._work).
        raise NotImplementedError("ThreadPool.__init__")

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """Schedule `fn(*args, **kwargs)` and return a Future for its result.

        Raises RuntimeError after `shutdown` was called.
        """
        # TODO 1: make a concurrent.futures.Future, put (future, fn, args, kwargs) on the
        #         queue and return the future.
        # TODO 4: raise RuntimeError if the pool was shut down.
        raise NotImplementedError("ThreadPool.submit")

    def _work(self) -> None:
        """What each worker thread runs: take work items off the queue until told to stop."""
        # TODO 2: run each item's fn and set its future's result or exception.
        # TODO 3: skip items whose future was cancelled
        #         (future.set_running_or_notify_cancel() returns False for them).
        # TODO 4: return when shutdown tells the worker to stop.
        raise NotImplementedError("ThreadPool._work")

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop accepting tasks; the workers finish the queued tasks, then exit.

        With `cancel_futures=True`, tasks that have not started are cancelled instead.
        With `wait=True`, return only when every worker thread has exited.
        """
        # TODO 4: refuse new tasks, cancel pending ones if asked, tell every worker to
        #         stop, and join the threads when wait is True.
        raise NotImplementedError("ThreadPool.shutdown")
