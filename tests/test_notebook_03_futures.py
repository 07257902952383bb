"""conclab.futures_demo, the helpers of notebook 03-futures."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from conclab.futures_demo import (
    Gate,
    InputLog,
    blocks_in_one_process,
    default_workers,
    state_of,
    traced_numbered,
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
