"""A three-stage pipeline: threads "download", processes compute, threads "save".

    main thread: submits every download, then only redraws the timeline until done
    download pool (threads) ─ done-callback: submit(compute, data) ─▶ compute pool (processes)
    compute pool ─ done-callback (the pool's manager thread): submit(save, result) ─▶ save pool
    save pool (threads) ─ done-callback: record the result; the last one wakes the main thread

Each item moves to its next stage in the done-callback of its previous stage, in whichever
thread finished it, so no item waits while the main thread draws (when the main thread
also did the hand-offs, every frame it drew held back the items ready to move on, and
delayed the pipeline it measured). A callback that fails records the exception and wakes
the main thread, which raises it: an exception in a done-callback is otherwise only logged.

Matplotlib is imported only by the drawing code: the compute workers import this module.
Every stage's task is wrapped in `traced`, so each span says which stage ran it, where and
when; the timeline shows one row per worker of each stage.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

from conclab.core.tracer import Tracer, traced
from conclab.core.workloads import cpu_work
from conclab.viz.live import Throttle, show

STAGES = ("download", "compute", "save")


def download(item: int, seconds: float = 0.1) -> list[int]:
    """Stands for fetching a file: waits, then returns the item's 'data'."""
    time.sleep(seconds)
    return [item] * 4


def compute(data: list[int], n: int = 600_000) -> int:
    """CPU-bound pure Python on the downloaded data (runs in a worker process)."""
    return sum(data) + cpu_work(n)


def save(result: int, seconds: float = 0.08) -> int:
    """Stands for writing the result somewhere: waits, returns what was written."""
    time.sleep(seconds)
    return result


class StageTimeline:
    """A live timeline with the rows top-down in stage order; redraws at most every
    `min_interval` seconds, and spaces frames out further when drawing is slow."""

    def __init__(self, title: str, tracer: Tracer, min_interval: float = 0.3):
        self.title = title
        self.tracer = tracer
        self.min_interval = min_interval
        import matplotlib.pyplot as plt  # here, not at the top: compute workers import this module

        self.fig, self.ax = plt.subplots(figsize=(8, 2.8), layout="constrained")
        self._handle = None  # the notebook display to refresh; None outside IPython
        self._throttle = Throttle(min_interval, slow_factor=3)
        self.frames = 0

    def update(self, force: bool = False) -> None:
        if not force and not self._throttle.ready():
            return
        from conclab.viz.plots import draw_timeline

        started = time.monotonic()
        draw_timeline(self.ax, self.tracer, self.title)
        self.ax.invert_yaxis()
        self._handle = show(self.fig, self._handle)
        self.frames += 1
        self._throttle.drew(started)

    def close(self, redraw: bool = True) -> None:
        import matplotlib.pyplot as plt

        if redraw:
            self.update(force=True)
        plt.close(self.fig)


def _label(span, stage: str):
    """Name the span's row after its stage, so rows group by stage on the timeline."""
    number = STAGES.index(stage) + 1
    where = f"pid {span.pid}" if stage == "compute" else span.thread
    return dataclasses.replace(span, worker=f"{number} {stage}: {where}")


class _Flow:
    """The items in flight through the three pools, and what came out of the last stage."""

    def __init__(self, items: list, pools: dict, tracer: Tracer, compute_n: int):
        self.items, self.pools, self.tracer, self.compute_n = items, pools, tracer, compute_n
        self.results: dict = {}
        self.errors: list[BaseException] = []
        self.in_flight: set = set()
        # guards results, errors and in_flight: the done-callbacks run in the pools' threads
        self.lock = threading.Lock()
        self.finished = threading.Event()  # set by the last save's callback, or by a failure

    def submit(self, stage: str, item, func, *args) -> None:
        future = self.pools[stage].submit(traced, func, *args, task=item)
        with self.lock:
            self.in_flight.add(future)
        future.add_done_callback(functools.partial(self.hand_off, stage, item))

    def hand_off(self, stage: str, item, future) -> None:
        """In the thread that finished a stage: move the item on to its next stage."""
        try:
            with self.lock:
                self.in_flight.discard(future)
            if future.cancelled():
                return
            span, value = future.result()
            self.tracer.add((_label(span, stage), value))
            if stage == "download":
                self.submit("compute", item, compute, value, self.compute_n)
            elif stage == "compute":
                self.submit("save", item, save, value)
            else:
                with self.lock:
                    self.results[item] = value
                    if len(self.results) == len(self.items):
                        self.finished.set()
        except BaseException as exc:  # a callback's exception would only be logged
            with self.lock:
                self.errors.append(exc)
            self.finished.set()

    def cancel_the_rest(self) -> None:
        with self.lock:
            left = list(self.in_flight)
        for future in left:
            future.cancel()


def run_pipeline(
    items,
    downloaders=4,
    computers=2,
    savers=2,
    live=True,
    compute_n=600_000,
    timeline=None,
):
    """Push every item through the three stages; returns (results by item, tracer).

    The compute processes are started before the clock starts, so the timeline shows the
    pipeline, not process start-up (which spawn makes slow). `timeline` replaces the live
    plot: any object with update() and close(redraw), called from this thread only.
    """
    items = list(items)
    with (
        ThreadPoolExecutor(downloaders, thread_name_prefix="download") as down,
        ProcessPoolExecutor(computers) as cpu,
        ThreadPoolExecutor(savers, thread_name_prefix="save") as up,
    ):
        list(cpu.map(time.sleep, [0.05] * computers))  # each nap holds a worker: all start
        tracer = Tracer()
        plot = timeline
        if plot is None and live:
            title = "download (threads) -> compute (processes) -> save (threads)"
            plot = StageTimeline(title, tracer)
        flow = _Flow(items, {"download": down, "compute": cpu, "save": up}, tracer, compute_n)
        try:
            tracer.restart()
            for item in items:
                flow.submit("download", item, download, item)
            if not items:
                flow.finished.set()
            while not flow.finished.wait(0.05 if plot is not None else None):
                plot.update()  # the only work this thread does while the items flow
            if flow.errors:
                raise flow.errors[0]
        finally:
            flow.cancel_the_rest()
            if plot is not None:
                plot.close(redraw=True)
    return flow.results, tracer


def stage_busy_seconds(tracer: Tracer) -> dict[str, float]:
    """Total seconds each stage's tasks ran: their sum is what a plain loop would take."""
    busy = dict.fromkeys(STAGES, 0.0)
    for span in tracer.snapshot():
        stage = span.worker.split(":")[0].split(" ", 1)[1]
        busy[stage] += span.duration
    return busy


def stage_load(busy: dict[str, float], workers: dict[str, int]) -> dict[str, float]:
    """Busy seconds per worker of each stage: the least time the stage needs, were its
    tasks spread evenly over its workers. The pipeline cannot finish sooner than the
    largest of these."""
    return {stage: busy[stage] / workers[stage] for stage in STAGES}


def bottleneck_verdict(busy: dict[str, float], workers: dict[str, int], cores: int) -> str:
    """What the measured spans say: which stage limits the pipeline, and what would help.

    Written from the numbers, so it reads true whichever stage is slowest on this run.
    """
    load = stage_load(busy, workers)
    slowest, *others = sorted(STAGES, key=load.get, reverse=True)
    kind = "processes" if slowest == "compute" else "threads"
    text = (
        f"**{slowest}** is the bottleneck on this run: its {workers[slowest]} {kind} were busy "
        f"{load[slowest]:.2f} s each, against {load[others[0]]:.2f} s for {others[0]} and "
        f"{load[others[1]]:.2f} s for {others[1]}. "
    )
    if slowest != "compute":
        text += (
            f"Its tasks wait (they sleep, as network calls would), so more {slowest} threads "
            "would shorten it, and more CPUs would not."
        )
    elif workers["compute"] < cores:
        text += (
            f"Its tasks compute, so more processes, up to the {cores} usable CPUs, would "
            "shorten it."
        )
    else:
        have = "a process" if workers["compute"] == cores else f"{workers['compute']} processes"
        text += (
            f"Its tasks compute and it already has {have} for the {cores} usable CPUs: only "
            "more CPUs (or less work per item) would shorten it."
        )
    return text
