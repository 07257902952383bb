"""Hidden checks for exercise 12 (instructor only). Points live in exercise.toml."""

import concurrent.futures as cf
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from conclab.probes.common import BARRIER_SECONDS


def scenario(make):
    """40 tasks in a pool of 2, every 5th raising, and a done-callback that raises."""
    before = set(threading.enumerate())
    logging.getLogger("concurrent.futures").disabled = True  # the callback's error is logged
    pool = make(2)
    try:
        futures = [pool.submit(divmod, 100, i % 5) for i in range(40)]
        futures[0].add_done_callback(lambda f: 1 / 0)
        outcome = []
        for future in futures:
            exc = future.exception(timeout=BARRIER_SECONDS * 2)
            outcome.append(type(exc).__name__ if exc else future.result())
        after = pool.submit(pow, 2, 5).result(timeout=BARRIER_SECONDS * 2)
    except cf.TimeoutError:
        raise AssertionError(
            "a task was not done 10 s after it was submitted: after a task raised an "
            "exception (or a done-callback did), the pool stopped running tasks"
        ) from None
    finally:
        logging.getLogger("concurrent.futures").disabled = False
        pool.shutdown(wait=True)
    left = [t.name for t in threading.enumerate() if t not in before and t.is_alive()]
    return {"outcomes": outcome, "a task after them": after, "threads left": left}


def test_pool_keeps_working_after_failing_tasks_and_callbacks(submission):
    created = []
    original = ThreadPoolExecutor.__init__

    def spy(self, *args, **kwargs):
        created.append(type(self).__name__)
        original(self, *args, **kwargs)

    ThreadPoolExecutor.__init__ = spy
    try:
        yours = scenario(submission.ThreadPool)
    finally:
        ThreadPoolExecutor.__init__ = original
    assert not created, "your ThreadPool created a concurrent.futures.ThreadPoolExecutor"
    reference = scenario(ThreadPoolExecutor)
    expected_outcomes = [
        "ZeroDivisionError" if i % 5 == 0 else divmod(100, i % 5) for i in range(40)
    ]
    assert reference["outcomes"] == expected_outcomes and reference["threads left"] == []
    for key, value in reference.items():
        assert yours[key] == value, (
            f"40 tasks in a pool of 2, every 5th raising ZeroDivisionError, and a "
            f"done-callback that raises: {key} was {yours[key]!r} with your ThreadPool; "
            f"ThreadPoolExecutor gives {value!r}"
        )
