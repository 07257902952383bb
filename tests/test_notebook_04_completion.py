"""conclab.completion and plots.run_with_progress, the helpers of notebook 04."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import matplotlib

matplotlib.use("Agg")

from conclab.completion import CompletionView, inversions  # noqa: E402
from conclab.plots import Throttle, run_with_progress  # noqa: E402
from conclab.tracer import traced  # noqa: E402


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
