"""conclab.callbacks_demo, the helpers of notebook 05-callbacks, and the behaviours the
notebook states (where callbacks run, what happens to their exceptions)."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, wait

from conclab import callbacks_demo as demo


def test_callback_runs_in_pool_thread_or_in_the_adding_thread():
    where = {}
    go = threading.Event()
    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(demo.wait_for, go, "x")
        future.add_done_callback(lambda f: where.setdefault("before", demo.where()))
        go.set()
        assert future.result(10) == "x"
    future.add_done_callback(lambda f: where.setdefault("after", demo.where()))
    assert not where["before"]["main thread"]
    assert where["before"]["thread"].startswith("ThreadPoolExecutor")
    assert where["after"]["thread"] == threading.current_thread().name


def test_process_pool_callback_runs_in_this_process():
    where = {}
    gate = demo.new_gate()
    with ProcessPoolExecutor(
        max_workers=1, initializer=demo.install_gate, initargs=(gate,)
    ) as pool:
        future = pool.submit(demo.wait_at_gate, "d")
        future.add_done_callback(lambda f: where.setdefault("cb", demo.where()))
        gate.set()
        value, worker_pid = future.result(60)
    assert value == "d"
    assert where["cb"]["pid"] != worker_pid
    assert where["cb"]["pid"] == demo.where()["pid"]
    assert not where["cb"]["main thread"]


def test_captured_log_holds_the_swallowed_callback_exception():
    def broken(future):
        raise KeyError("typo")

    logger = logging.getLogger("concurrent.futures")
    propagate = logger.propagate
    with demo.captured_log() as records, ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(pow, 3, 4)
        future.add_done_callback(broken)
    assert future.result() == 81
    assert len(records) == 1
    assert records[0].getMessage().startswith("exception calling callback for <Future")
    assert records[0].exc_info[0] is KeyError
    assert logger.propagate == propagate and not any(
        isinstance(h, demo.ListHandler) for h in logger.handlers
    )


def test_progress_board_counts_success_failure_and_cancelled():
    board = demo.ProgressBoard(total=4)
    release = threading.Event()
    with ThreadPoolExecutor(max_workers=1) as pool:
        blocker = pool.submit(demo.wait_for, release, "b")
        futures = [
            blocker,
            pool.submit(demo.sleep_then_maybe_fail, 0.0),
            pool.submit(demo.sleep_then_maybe_fail, 0.0, fail=True),
            pool.submit(pow, 2, 2),
        ]
        for f in futures:
            f.add_done_callback(board.callback)
        assert futures[3].cancel()
        release.set()
        assert board.wait(10)
    assert (board.done, board.failed, board.bar.value) == (4, 2, 4)
    assert "4 of 4 finished, 2 failed" in board.label.value


def test_wait_returns_before_a_slow_callback_has_run():
    go, release = threading.Event(), threading.Event()
    ran = []
    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(demo.wait_for, go, 1)
        future.add_done_callback(lambda f: (release.wait(10), ran.append(1)))
        go.set()
        wait([future], timeout=10)
        assert future.done() and ran == []
        release.set()
    assert ran == [1]


def test_meet_then_needs_every_task_at_once():
    barrier = threading.Barrier(3)
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(demo.meet_then, [barrier] * 3, "abc", [0.0] * 3))
    assert results == ["a", "b", "c"]
