"""Interactive controls for the notebooks: change workers and tasks, re-run, see the timeline."""

from __future__ import annotations

import html
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import display

from conclab.core.workloads import cpu_work, io_wait
from conclab.viz.plots import draw_timeline, run_traced

WORKLOADS = {
    "I/O-bound (sleep 0.2 s)": (io_wait, 0.2),
    "CPU-bound (pure Python loop)": (cpu_work, 1_500_000),
}
EXECUTORS = ("sequential", "threads", "processes")


def title_for(executor: str, workers: int) -> str:
    """The timeline's title: a sequential run has one worker whatever the slider says."""
    return "sequential, 1 worker" if executor == "sequential" else f"{executor}, {workers} workers"


def run_once(workload: str, executor: str, workers: int, tasks: int, pool=None):
    """Run tasks of one workload on one kind of executor; returns the Tracer. Given a
    pool (of that kind and size), it is reused, so its start-up is not timed again."""
    func, arg = WORKLOADS[workload]
    inputs = [arg] * tasks
    title = title_for(executor, workers)
    if executor == "sequential":
        return run_traced(None, func, inputs, title, live=False)
    if pool is not None:
        return run_traced(pool, func, inputs, title, live=False)
    pool_class = ThreadPoolExecutor if executor == "threads" else ProcessPoolExecutor
    with pool_class(max_workers=workers) as pool:
        return run_traced(pool, func, inputs, title, live=False)


class TimelineExplorer:
    """Dropdowns and sliders that re-run a workload and redraw its timeline.

    A slider re-runs when it is released (not at every step of a drag); the pool is kept
    between runs with the same kind and size of pool, so only its first run pays for
    starting workers. An error is shown under the controls, not lost in the log.
    """

    def __init__(self):
        self.workload = widgets.Dropdown(options=list(WORKLOADS), description="work")
        self.executor = widgets.ToggleButtons(options=EXECUTORS, value="threads")
        self.workers = widgets.IntSlider(
            value=2, min=1, max=8, description="workers", continuous_update=False
        )
        self.tasks = widgets.IntSlider(
            value=6, min=1, max=16, description="tasks", continuous_update=False
        )
        self.button = widgets.Button(description="Run", button_style="primary", icon="play")
        self.status = widgets.HTML()
        self.out = widgets.Output()
        self.button.on_click(lambda _: self.run())
        for control in (self.workers, self.tasks, self.workload, self.executor):
            control.observe(lambda _: self.run(), names="value")
        controls = widgets.VBox(
            [self.workload, self.executor, widgets.HBox([self.workers, self.tasks]), self.button]
        )
        self.widget = widgets.VBox([controls, self.status, self.out])
        self.runs = 0
        self.pools_started = 0
        self._pool = None
        self._pool_key = None

    def _pool_for(self, executor: str, workers: int):
        """The pool for this run: the last one if it has the same kind and size."""
        if executor == "sequential":
            return None
        key = (executor, workers)
        if self._pool_key != key:
            self.close()
            pool_class = ThreadPoolExecutor if executor == "threads" else ProcessPoolExecutor
            self._pool, self._pool_key = pool_class(max_workers=workers), key
            self.pools_started += 1
        return self._pool

    def close(self) -> None:
        """Shut down the kept pool (a new one starts at the next run)."""
        if self._pool is not None:
            self._pool.shutdown()
        self._pool = self._pool_key = None

    def run(self) -> None:
        self.status.value = "<i>running...</i>"
        executor, workers, tasks = self.executor.value, self.workers.value, self.tasks.value
        try:
            pool = self._pool_for(executor, workers)
            tracer = run_once(self.workload.value, executor, workers, tasks, pool=pool)
        except Exception as exc:  # noqa: BLE001 - shown to the learner, not lost in the log
            self.close()
            self.status.value = (
                f"<span style='color:#cf222e'>run failed: {html.escape(repr(exc))}</span>"
            )
            return
        self.runs += 1
        fig, ax = plt.subplots(figsize=(8, 2.8), layout="constrained")
        draw_timeline(ax, tracer, title_for(executor, workers))
        with self.out:
            self.out.clear_output(wait=True)
            display(fig)
        plt.close(fig)
        self.status.value = (
            f"run {self.runs}: {tasks} tasks took {tracer.elapsed():.2f} s, "
            f"at most {tracer.max_overlap()} at once"
        )


def timeline_explorer(run: bool = True) -> TimelineExplorer:
    """Show the explorer (and run it once, so there is a plot to start from)."""
    explorer = TimelineExplorer()
    display(explorer.widget)
    if run:
        explorer.run()
    return explorer
