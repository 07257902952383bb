"""conclab.failures, the helpers of notebook 06-errors-cancellation-timeouts, and the
behaviours the notebook states, under spawn as well as the default start method."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import pytest

from conclab import failures


def spawn_pool(**kwargs):
    return ProcessPoolExecutor(mp_context=multiprocessing.get_context("spawn"), **kwargs)


def test_parse_reading():
    assert failures.parse_reading("21.5C") == 21.5
    for bad in ("21.5F", "2l.5C"):
        with pytest.raises(ValueError):
            failures.parse_reading(bad)


def test_remote_traceback_text_names_the_worker_frames():
    with spawn_pool(max_workers=1) as pool:
        error = pool.submit(failures.parse_reading, "2l.5C").exception(60)
    assert isinstance(error, ValueError)
    assert type(error.__cause__).__name__ == "_RemoteTraceback"
    assert "_to_number" in error.__cause__.tb and "parse_reading" in error.__cause__.tb


def test_crash_breaks_the_pool_and_later_submits_raise_at_once(no_leaked_processes):
    pool = spawn_pool(max_workers=1)
    try:
        assert pool.submit(failures.pid_after).result(60) > 0
        doomed = pool.submit(failures.crash)
        queued = pool.submit(failures.pid_after)
        assert isinstance(doomed.exception(60), BrokenProcessPool)
        assert isinstance(queued.exception(60), BrokenProcessPool)
        with pytest.raises(BrokenProcessPool):
            pool.submit(failures.pid_after)
    finally:
        pool.shutdown()


def test_cooperative_stop():
    stop, started = threading.Event(), threading.Event()
    with ThreadPoolExecutor(max_workers=1) as pool:
        job = pool.submit(failures.count_until_stopped, stop, started)
        assert started.wait(10)
        assert not job.cancel()
        stop.set()
        assert job.result(10) >= 1


def test_with_retries_records_every_attempt_and_reraises_the_last():
    service = failures.Flaky({"b": 1, "d": 5})
    log = []
    assert failures.with_retries(service.fetch, "b", attempts=3, delay=0, log=log) == "b: ok"
    with pytest.raises(ConnectionError, match="attempt 3"):
        failures.with_retries(service.fetch, "d", attempts=3, delay=0, log=log)
    assert [(k, n, outcome == "ok") for k, n, outcome in log] == [
        ("b", 1, False),
        ("b", 2, True),
        ("d", 1, False),
        ("d", 2, False),
        ("d", 3, False),
    ]
    assert service.calls == {"b": 2, "d": 3}


def test_with_retries_does_not_retry_other_errors():
    log = []
    with pytest.raises(ValueError):
        failures.with_retries(failures.parse_reading, "x", attempts=3, delay=0, log=log)
    assert log == []


def test_self_waiting_pool_deadlocks_and_cancelling_the_inner_task_unblocks_it():
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="test-waits-on-itself")
    inner_futures, submitted = [], threading.Event()
    outer = pool.submit(failures.wait_on_own_pool, pool, inner_futures, submitted)
    assert submitted.wait(10)
    (inner,) = inner_futures
    with pytest.raises(concurrent.futures.TimeoutError):
        outer.result(timeout=0.2)
    assert outer.running() and not inner.running() and not inner.done()
    assert inner.cancel()
    assert isinstance(outer.exception(10), concurrent.futures.CancelledError)
    pool.shutdown()
    assert not [t for t in threading.enumerate() if t.name.startswith("test-waits-on-itself")]


def test_executor_cannot_be_passed_to_a_process_task():
    with spawn_pool(max_workers=1) as pool:
        error = pool.submit(failures.submit_from_worker, pool).exception(60)
    assert error is not None and not isinstance(error, BrokenProcessPool)
