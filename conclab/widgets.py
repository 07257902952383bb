"""Interactive controls for the notebooks: change workers and tasks, re-run, see the timeline."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import ipywidgets as widgets
import matplotlib.pyplot as plt
from IPython.display import display

from .plots import draw_timeline, run_traced
from .workloads import cpu_work, io_wait

WORKLOADS = {
    "I/O-bound (sleep 0.2 s)": (io_wait, 0.2),
    "CPU-bound (pure Python loop)": (cpu_work, 1_500_000),
}
EXECUTORS = ("sequential", "threads", "processes")


def run_once(workload: str, executor: str, workers: int, tasks: int):
    """Run tasks of one workload on one kind of executor; returns the Tracer."""
    func, arg = WORKLOADS[workload]
    inputs = [arg] * tasks
    title = f"{executor}, {workers} workers" if executor != "sequential" else "sequential"
    if executor == "sequential":
        return run_traced(None, func, inputs, title, live=False)
    pool_class = ThreadPoolExecutor if executor == "threads" else ProcessPoolExecutor
    with pool_class(max_workers=workers) as pool:
        return run_traced(pool, func, inputs, title, live=False)


class TimelineExplorer:
    """Dropdowns and sliders that re-run a workload and redraw its timeline."""

    def __init__(self):
        self.workload = widgets.Dropdown(options=list(WORKLOADS), description="work")
        self.executor = widgets.ToggleButtons(options=EXECUTORS, value="threads")
        self.workers = widgets.IntSlider(value=2, min=1, max=8, description="workers")
        self.tasks = widgets.IntSlider(value=6, min=1, max=16, description="tasks")
        self.button = widgets.Button(description="Run", button_style="primary", icon="play")
        self.status = widgets.HTML()
        self.out = widgets.Output()
        self.button.on_click(lambda _: self.run())
        self.workers.observe(lambda _: self.run(), names="value")
        controls = widgets.VBox(
            [self.workload, self.executor, widgets.HBox([self.workers, self.tasks]), self.button]
        )
        self.widget = widgets.VBox([controls, self.status, self.out])
        self.runs = 0

    def run(self) -> None:
        self.status.value = "<i>running...</i>"
        tracer = run_once(
            self.workload.value, self.executor.value, self.workers.value, self.tasks.value
        )
        self.runs += 1
        fig, ax = plt.subplots(figsize=(8, 2.8), layout="constrained")
        draw_timeline(ax, tracer, f"{self.executor.value}, {self.workers.value} workers")
        with self.out:
            self.out.clear_output(wait=True)
            display(fig)
        plt.close(fig)
        self.status.value = (
            f"run {self.runs}: {self.tasks.value} tasks took {tracer.elapsed():.2f} s, "
            f"at most {tracer.max_overlap()} at once"
        )


def timeline_explorer(run: bool = True) -> TimelineExplorer:
    """Show the explorer (and run it once, so there is a plot to start from)."""
    explorer = TimelineExplorer()
    display(explorer.widget)
    if run:
        explorer.run()
    return explorer
