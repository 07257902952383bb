"""conclab.lessons.futures, the helpers of notebook 04-futures."""

from __future__ import annotations

import concurrent.futures
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pytest

from conclab.lessons.futures import (
    Gate,
    InputLog,
    MapRecord,
    ProcessGate,
    blocks_in_one_process,
    count_submits,
    default_workers,
    fail_on,
    frames_of,
    process_gate_task,
    remote_frames,
    state_of,
    traced_numbered,
    wait_until,
)


def test_state_of_names_all_four_states_from_public_methods():
    with ThreadPoolExecutor(max_workers=1) as pool:
        gate = Gate()
        running = pool.submit(gate.task, "a")
        pending = pool.submit(gate.task, "b")
        cancelled = pool.submit(gate.task, "c")
        assert gate.started.wait(10)
        assert cancelled.cancel()
        assert (state_of(running), state_of(pending), state_of(cancelled)) == (
            "running",
            "pending",
            "cancelled",
        )
        gate.release.set()
        assert running.result(10) == "a"
        assert state_of(running) == "finished"


def test_blocks_in_one_process_counts_aligned_blocks():
    assert blocks_in_one_process([1, 1, 2, 2, 1, 2], 2) == (2, 3)
    assert blocks_in_one_process([], 5) == (0, 0)


def test_input_log_counts_what_was_read():
    log = InputLog(5)
    it = iter(log)
    next(it), next(it)
    assert log.read == 2


def test_traced_numbered_labels_the_span():
    span, value = traced_numbered(abs, 4, -3)
    assert (span.task, value) == (4, 3)


def test_default_workers_matches_the_thread_pool():
    with ThreadPoolExecutor() as pool:
        assert default_workers()["ThreadPoolExecutor"] == pool._max_workers


def test_thread_pool_map_ignores_chunksize_and_process_pool_batches():
    # Notebook 04: "ThreadPoolExecutor accepts chunksize and ignores it".
    assert count_submits(ThreadPoolExecutor, 1_000, chunksize=250, max_workers=2) == 1_000
    assert count_submits(ProcessPoolExecutor, 1_000, chunksize=250, max_workers=2) == 4


def test_result_reraises_with_the_traceback_of_the_worker():
    # Notebook 04: "result() raises it again, in your thread, with the traceback of the worker".
    with ThreadPoolExecutor(max_workers=1) as pool, pytest.raises(ValueError) as caught:
        pool.submit(fail_on, 3).result()
    assert frames_of(caught.value)[-1] == "fail_on"
    with ProcessPoolExecutor(max_workers=1) as pool, pytest.raises(ValueError) as caught:
        pool.submit(fail_on, 3).result()
    assert "fail_on" not in frames_of(caught.value)  # the frames stayed in the worker...
    assert remote_frames(caught.value)[-1] == "fail_on"  # ...and came back as text


def test_map_cancels_every_call_not_started_when_a_result_raises():
    # Notebook 04: with 20 inputs on 2 threads and input 2 raising, only inputs 0 to 4 run.
    record = MapRecord(bad=2)
    with ThreadPoolExecutor(max_workers=2) as pool:
        with pytest.raises(ValueError):
            for _ in pool.map(record.task, range(20)):
                pass
        record.release.set()
    assert {0, 1, 2, 3} <= set(record.ran) <= {0, 1, 2, 3, 4}


def test_map_cancels_every_call_not_started_when_its_iterator_is_closed():
    gate = Gate()

    def task(x):
        return x if x == 0 else gate.task(x)

    with ThreadPoolExecutor(max_workers=1) as pool:
        futures = []
        real_submit = pool.submit

        def submit(*args, **kwargs):
            futures.append(real_submit(*args, **kwargs))
            return futures[-1]

        pool.submit = submit  # record the futures map makes
        results = pool.map(task, range(5))
        assert next(results) == 0  # the generator's cleanup runs only once it has started
        assert gate.started.wait(10)  # input 1 runs; 2 to 4 wait in the queue
        results.close()
        gate.release.set()
    assert [f.cancelled() for f in futures] == [False, False, True, True, True]


def test_process_pool_marks_queued_calls_running_before_a_worker_starts_them():
    # Notebook 04: a process pool's future is "running" once its call is in the call queue
    # (max_workers + 1 calls), and cancel() then fails.
    gate = ProcessGate()
    with ProcessPoolExecutor(max_workers=1, **gate.pool_options) as pool:
        calls = [pool.submit(process_gate_task, 0)]
        assert gate.started.wait(60)
        calls += [pool.submit(process_gate_task, i) for i in (1, 2, 3)]
        assert wait_until(calls[2].running, 30)
        assert [state_of(f) for f in calls] == ["running", "running", "running", "pending"]
        assert (calls[1].cancel(), calls[3].cancel()) == (False, True)
        gate.release.set()
        assert [f.result(60)[0] for f in calls[:3]] == [0, 1, 2]


def test_concurrent_futures_timeout_error_is_the_builtin_from_3_11():
    # Notebooks 04 and 05: which TimeoutError to catch on which version.
    if sys.version_info >= (3, 11):
        assert concurrent.futures.TimeoutError is TimeoutError
    else:
        assert not issubclass(concurrent.futures.TimeoutError, TimeoutError)
