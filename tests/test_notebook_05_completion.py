"""conclab.lessons.as_completed_and_wait and plots.run_with_progress, the helpers of notebook 05."""

from __future__ import annotations

import concurrent.futures
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed, wait

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from conclab.core.tracer import traced  # noqa: E402
from conclab.lessons.as_completed_and_wait import (  # noqa: E402
    CompletionView,
    exit_waits_for_running_calls,
    inversions,
)
from conclab.lessons.futures import Gate  # noqa: E402
from conclab.viz.live import Throttle  # noqa: E402
from conclab.viz.plots import run_with_progress  # noqa: E402


def test_inversions_counts_pairs_out_of_order():
    assert inversions([0, 1, 2]) == 0
    assert inversions([2, 1, 0]) == 3
    assert inversions([1, 0, 2]) == 1


def test_throttle_waits_at_least_twice_the_drawing_time():
    throttle = Throttle(min_interval=0.0)
    assert throttle.ready()
    throttle.drew(time.monotonic() - 60)  # a redraw that took a minute
    assert not throttle.ready()


def test_completion_view_records_the_order_it_is_given():
    view = CompletionView("test", 3)
    for i in (2, 0, 1):
        view.add(i, traced(abs, -i, task=i))
    view.close()
    assert view.order == [2, 0, 1]
    assert sorted(s.task for s in view.tracer.snapshot()) == [0, 1, 2]


def test_run_with_progress_counts_every_task_and_runs_them_together():
    meet = threading.Barrier(3)

    def task(x):
        meet.wait(timeout=10)  # only three calls running at once get past this
        return x

    with ThreadPoolExecutor(max_workers=3) as pool:
        tracer, bar = run_with_progress(pool, task, [1, 2, 3], "test")
    assert bar.value == bar.max == 3
    assert tracer.max_overlap() == 3


def test_futures_cancelled_by_shutdown_are_done_but_never_counted_by_wait_or_as_completed():
    # Notebook 05: the cancel_futures trap (CPython gh-109934, gh-92001, gh-87893). If this
    # fails, CPython has fixed it: update notebook 05 and exercise 04's hints.
    pool = ThreadPoolExecutor(max_workers=1)
    gate = Gate()
    running = pool.submit(gate.task, "running")
    queued = [pool.submit(abs, -i) for i in range(3)]
    assert gate.started.wait(10)
    pool.shutdown(wait=False, cancel_futures=True)
    gate.release.set()
    assert running.result(10) == "running"
    assert all(f.done() and f.cancelled() for f in queued)
    assert wait(queued, timeout=0.2).done == set()  # never acknowledged, never counted
    yielded = []
    with pytest.raises(concurrent.futures.TimeoutError):
        yielded.extend(as_completed(queued, timeout=0.2))
    assert yielded == []
    # The safe pattern: take the cancelled ones out, wait for the others.
    rest = [f for f in [running, *queued] if not f.cancelled()]
    assert wait(rest, timeout=10).done == {running}


def test_the_interpreter_exits_only_after_the_running_call_has_finished():
    # Notebook 05: whatever wait() says, even after shutdown(wait=False), Python waits at
    # exit for running calls: the call's line comes after the script's last line.
    lines = exit_waits_for_running_calls()
    assert len(lines) == 3, lines
    assert "last line of the script" in lines[1]
    assert lines[2].startswith("running call: finished")
