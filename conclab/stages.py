"""A three-stage pipeline: threads "download", processes compute, threads "save".

    main thread (drives everything, redraws the timeline)
      │ submit(download, i)         ┌ download pool (threads: waiting releases the GIL)
      │◀─ done: submit(compute, d) ─┤ compute pool  (processes: pure Python needs them)
      │◀─ done: submit(save, r)    ─┤ save pool     (threads)
      │◀─ done: record the result   └
      └ wait(FIRST_COMPLETED) over every future in flight, so no stage waits for another
        stage to finish all its items, and no callback draws from a pool thread.

Matplotlib is imported only by the drawing code: the compute workers import this module.
Every stage's task is wrapped in `traced`, so each span says which stage ran it, where and
when; the timeline shows one row per worker of each stage.
"""

from __future__ import annotations

import dataclasses
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, ThreadPoolExecutor, wait

from .tracer import Tracer, traced
from .workloads import cpu_work

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
        self._next = 0.0  # time.monotonic() before which update() does not redraw
        self.frames = 0

    def update(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now < self._next:
            return
        from .plots import draw_timeline

        draw_timeline(self.ax, self.tracer, self.title)
        self.ax.invert_yaxis()
        self._show()
        self.frames += 1
        spent = time.monotonic() - now
        self._next = time.monotonic() + max(self.min_interval, 3 * spent)

    def _show(self) -> None:
        try:
            from IPython import get_ipython
            from IPython.display import display
        except ImportError:
            return
        if get_ipython() is None:
            return
        if self._handle is None:
            self._handle = display(self.fig, display_id=True)
        else:
            self._handle.update(self.fig)

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


def run_pipeline(items, downloaders=4, computers=2, savers=2, live=True, compute_n=600_000):
    """Push every item through the three stages; returns (results by item, tracer).

    The compute processes are started before the clock starts, so the timeline shows the
    pipeline, not process start-up (which spawn makes slow).
    """
    results = {}
    with (
        ThreadPoolExecutor(downloaders, thread_name_prefix="download") as down,
        ProcessPoolExecutor(computers) as cpu,
        ThreadPoolExecutor(savers, thread_name_prefix="save") as up,
    ):
        list(cpu.map(time.sleep, [0.05] * computers))  # each nap holds a worker: all start
        tracer = Tracer()
        plot = StageTimeline("download (threads) -> compute (processes) -> save (threads)", tracer)
        stage_of = {down.submit(traced, download, i, task=i): ("download", i) for i in items}
        try:
            while stage_of:
                done, _ = wait(stage_of, return_when=FIRST_COMPLETED)
                for future in done:
                    stage, item = stage_of.pop(future)
                    span, value = future.result()
                    tracer.add((_label(span, stage), value))
                    if stage == "download":
                        nxt = cpu.submit(traced, compute, value, compute_n, task=item)
                        stage_of[nxt] = ("compute", item)
                    elif stage == "compute":
                        stage_of[up.submit(traced, save, value, task=item)] = ("save", item)
                    else:
                        results[item] = value
                if live:
                    plot.update()
        finally:
            for future in stage_of:
                future.cancel()
            plot.close(redraw=live)
    return results, tracer


def stage_busy_seconds(tracer: Tracer) -> dict[str, float]:
    """Total seconds each stage's tasks ran: their sum is what a plain loop would take."""
    busy = dict.fromkeys(STAGES, 0.0)
    for span in tracer.snapshot():
        stage = span.worker.split(":")[0].split(" ", 1)[1]
        busy[stage] += span.duration
    return busy
