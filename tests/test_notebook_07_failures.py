"""conclab.lessons.errors_cancellation_timeouts (the helpers of notebook
07-errors-cancellation-timeouts) and the behaviours the notebook states, under spawn as
well as the default start method."""

from __future__ import annotations

import concurrent.futures
import copyreg
import multiprocessing
import os
import pickle
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import pytest

from conclab.lessons import errors_cancellation_timeouts as failures


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


# -- issue 17: claims the notebook corrected, pinned --------------------------------------


def test_map_cancels_the_queued_tasks_after_the_one_that_raised():
    """The notebook used to say the tasks after a failing one "still ran"."""
    ran, gate = [], threading.Event()

    def task(i):
        ran.append(i)
        if i == 2:
            raise ValueError(i)
        if i > 2:  # hold both workers, so that the rest are certainly still queued
            assert gate.wait(30)
        return i

    collected = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        with pytest.raises(ValueError):
            for value in pool.map(task, range(20)):
                collected.append(value)
        gate.set()
    assert collected == [0, 1]
    assert len(ran) <= 5, f"{len(ran)} of 20 ran: at most two can have started after item 2"


def test_parse_logged_notes_each_task():
    ran = []
    assert failures.parse_logged("20.0C", ran, seconds=0) == 20.0
    assert ran == ["20.0C"]


def test_an_exception_that_cannot_be_unpickled_breaks_the_pool_with_the_typeerror_in_cause():
    # Importing dask.distributed (another test does) runs tblib's pickling_support.install,
    # which registers a reducer in copyreg for every exception class then defined; set it
    # aside here so the line checks stock pickle. The spawned worker never imports it.
    reducer = copyreg.dispatch_table.pop(failures.HTTPError, None)
    try:
        with pytest.raises(TypeError):
            pickle.loads(pickle.dumps(failures.HTTPError("u", 503)))
    finally:
        if reducer is not None:
            copyreg.dispatch_table[failures.HTTPError] = reducer
    with spawn_pool(max_workers=1) as pool:
        error = pool.submit(failures.fetch, "u", 503).exception(60)
        assert isinstance(error, BrokenProcessPool)
        assert "TypeError" in error.__cause__.tb
        with pytest.raises(BrokenProcessPool):
            pool.submit(failures.pid_after)
    with spawn_pool(max_workers=1) as pool:
        error = pool.submit(failures.fetch, "u", 503, failures.PicklableHTTPError).exception(60)
    assert isinstance(error, failures.PicklableHTTPError)
    assert (error.url, error.status, str(error)) == ("u", 503, "u answered 503")


def test_a_failing_initializer_breaks_a_thread_pool():
    from concurrent.futures.thread import BrokenThreadPool

    with ThreadPoolExecutor(max_workers=1, initializer=failures.failing_initializer) as pool:
        assert isinstance(pool.submit(pow, 2, 8).exception(10), BrokenThreadPool)
        with pytest.raises(BrokenThreadPool):
            pool.submit(pow, 2, 8)


def test_a_process_pool_task_in_the_call_queue_cannot_be_cancelled():
    """The notebook used to say process pools cancel the same way as thread pools."""
    with multiprocessing.get_context("spawn").Manager() as manager:
        release, started = manager.Event(), manager.Event()
        pool = spawn_pool(max_workers=1)
        first = pool.submit(failures.wait_for, release, "first", started)
        rest = [pool.submit(failures.pid_after) for _ in range(4)]
        assert started.wait(60)
        deadline = time.monotonic() + 60
        while not rest[0].running() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert rest[0].running(), "the next task waits in the call queue, marked running"
        assert not rest[0].cancel(), "a task that never started, yet cancel() is refused"
        pool.shutdown(wait=False, cancel_futures=True)
        while not rest[-1].cancelled() and time.monotonic() < deadline:
            time.sleep(0.01)
        release.set()
        pool.shutdown()
        assert first.result() == "first"
        assert rest[0].result() > 0, "shutdown(cancel_futures=True) did not cancel it either"
        assert rest[-1].cancelled()


def test_a_with_block_left_by_an_exception_runs_every_queued_task_unless_cancelled():
    def leave_early(cancel):
        # 0.5 s tasks: the worker is still on the first when the exception leaves
        log, started = [], threading.Event()
        with pytest.raises(RuntimeError), ThreadPoolExecutor(max_workers=1) as pool:
            try:
                for _ in range(5):
                    pool.submit(failures.sleep_and_log, 0.5, log, started)
                assert started.wait(10)
                raise RuntimeError("fail while tasks are queued")
            except BaseException:
                if cancel:
                    pool.shutdown(cancel_futures=True)
                raise
        return sum(event == "finished" for event, _ in log)

    assert leave_early(cancel=False) == 5
    assert leave_early(cancel=True) == 1


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="process groups are POSIX")
def test_sigint_to_the_process_group_interrupts_running_tasks_and_the_queued_ones_still_run():
    from conclab.lessons.pickling_and_start_methods import run_python

    ran = run_python(failures.INTERRUPT_LIKE_JUPYTER, timeout=180)
    assert ran.returncode == 0, ran
    plain, cancelled = ran.stdout.strip().splitlines()
    assert plain.count("KeyboardInterrupt") == 2 and plain.count("'ran'") == 6, plain
    assert cancelled.count("KeyboardInterrupt") == 2 and "cancelled" in cancelled, cancelled


def test_cooperative_stop_in_a_process_with_a_manager_event():
    with multiprocessing.get_context("spawn").Manager() as manager:
        stop, started = manager.Event(), manager.Event()
        with spawn_pool(max_workers=1) as pool:
            job = pool.submit(failures.count_until_stopped, stop, started)
            assert started.wait(60)
            assert not job.cancel()
            stop.set()
            # it returns once it sees the event; left alone it would run WAIT_SECONDS
            assert job.result(failures.WAIT_SECONDS / 2) >= 0


def test_timeout_error_alias():
    """The notebook recommends `except TimeoutError` on 3.11+, where the alias is it."""
    assert (concurrent.futures.TimeoutError is TimeoutError) == (sys.version_info >= (3, 11))


@pytest.mark.skipif(sys.version_info < (3, 14), reason="terminate_workers() is new in Python 3.14")
def test_terminate_workers_ends_a_running_task():
    pool = spawn_pool(max_workers=1)
    stuck = pool.submit(failures.pid_after, 60)
    pool.terminate_workers()
    try:
        stuck.exception(60)
    except concurrent.futures.CancelledError:
        pass
    assert stuck.done()
