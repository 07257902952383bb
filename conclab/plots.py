"""Timeline (Gantt) and speedup plots; the timeline grows live while futures complete."""

from __future__ import annotations

import time
from concurrent.futures import Executor, ThreadPoolExecutor, as_completed

import matplotlib.pyplot as plt

from .tracer import Tracer, traced

# tab10 without its red, which stays for failed tasks.
COLOURS = [c for i, c in enumerate(plt.get_cmap("tab10").colors) if i != 3]
FAILED_COLOUR = "#cf222e"


def _display(fig, handle=None):
    """Show or refresh fig in a notebook; returns the display handle (None outside IPython)."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return None
    if get_ipython() is None:
        return None
    if handle is None:
        return display(fig, display_id=True)
    handle.update(fig)
    return handle


def draw_timeline(ax, tracer: Tracer, title: str, horizon: float | None = None) -> None:
    """One row per worker, one bar per task, x in seconds since the tracer started."""
    spans = tracer.snapshot()
    workers = tracer.workers()
    ax.clear()
    for span in spans:
        row = workers.index(span.worker)
        key = span.task if isinstance(span.task, int) else hash(str(span.task))
        colour = COLOURS[key % len(COLOURS)] if span.ok else FAILED_COLOUR
        ax.barh(
            row,
            span.duration,
            left=span.start - tracer.origin,
            height=0.6,
            color=colour,
            edgecolor="black",
            linewidth=0.5,
        )
        if span.task is not None and len(spans) <= 40:
            ax.text(
                span.start - tracer.origin + span.duration / 2,
                row,
                str(span.task),
                ha="center",
                va="center",
                fontsize=8,
            )
    ax.set_yticks(range(len(workers)))
    ax.set_yticklabels(workers, fontsize=8)
    ax.set_ylim(-0.7, max(len(workers), 1) - 0.3)
    right = max(horizon or 0.0, tracer.elapsed() * 1.05, 0.1)
    ax.set_xlim(0, right)
    ax.set_xlabel("time since start (s)")
    ax.set_ylabel("worker")
    ax.set_title(f"{title}: {len(spans)} tasks, {tracer.elapsed():.2f} s")
    ax.grid(axis="x", alpha=0.3)


class LiveTimeline:
    """A timeline that re-renders in place in the notebook as tasks finish."""

    def __init__(self, title: str, tracer: Tracer | None = None, min_interval: float = 0.25):
        self.title = title
        self.tracer = tracer or Tracer()
        self.min_interval = min_interval  # seconds between redraws, so plotting stays cheap
        self.fig, self.ax = plt.subplots(figsize=(8, 2.8), layout="constrained")
        self._handle = None
        self._next = 0.0
        self.frames = 0

    def update(self, force: bool = False) -> None:
        """Redraw, unless the last frame was too recent; slow frames space out the next."""
        now = time.monotonic()
        if not force and now < self._next:
            return
        draw_timeline(self.ax, self.tracer, self.title)
        self._handle = _display(self.fig, self._handle)
        self.frames += 1
        spent = time.monotonic() - now
        # Drawing never takes more than about a quarter of the time, even on a busy machine.
        self._next = time.monotonic() + max(self.min_interval, 3 * spent)

    def close(self) -> None:
        self.update(force=True)
        plt.close(self.fig)

    def __enter__(self):
        self.update(force=True)
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def run_traced(executor: Executor | None, func, inputs, title: str, live: bool = True) -> Tracer:
    """Run func over inputs on executor and plot the timeline live as tasks finish.

    With executor None the tasks run one at a time on a single worker thread, so this
    thread stays free to draw. The clock starts when the first task is submitted, after
    the empty plot is drawn. Returns the Tracer with where and when each task ran.
    """
    tracer = Tracer()
    plot = LiveTimeline(title, tracer) if live else None
    own_pool = executor is None
    if own_pool:
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sequential")
    try:
        if plot:
            plot.update(force=True)
        tracer.restart()
        futures = [executor.submit(traced, func, x, task=i) for i, x in enumerate(inputs)]
        for future in as_completed(futures):
            tracer.add(future.result())
            if plot:
                plot.update()
    finally:
        if own_pool:
            executor.shutdown()
        if plot:
            plot.close()
    return tracer


def speedup_plot(workers, seconds, title: str, parallel_fraction: float | None = None):
    """Speedup (time with 1 worker / time with n) against n, with the ideal line and,
    given the parallel fraction p, Amdahl's law 1 / ((1 - p) + p / n)."""
    workers = list(workers)
    base = seconds[0] * workers[0]
    fig, ax = plt.subplots(figsize=(5.5, 3.5), layout="constrained")
    ax.plot(workers, [base / s for s in seconds], "o-", label="measured")
    ax.plot(workers, workers, "--", color="grey", label="ideal (n times faster)")
    if parallel_fraction is not None:
        p = parallel_fraction
        ax.plot(workers, [1 / ((1 - p) + p / n) for n in workers], ":", label=f"Amdahl, p={p:g}")
    ax.set_xlabel("workers")
    ax.set_ylabel("speedup (x)")
    ax.set_title(title)
    ax.legend()
    ax.grid(alpha=0.3)
    return fig


class Throttle:
    """Says when a live plot may redraw: at least `min_interval` seconds after the last
    redraw ended, and never sooner than twice what it took (drawing is slow on a busy
    machine; the loop that feeds the plot should not spend its time drawing)."""

    def __init__(self, min_interval: float = 0.15):
        self.min_interval = min_interval
        self._next = 0.0

    def ready(self) -> bool:
        return time.monotonic() >= self._next

    def drew(self, started: float) -> None:
        """Record a redraw that began at time.monotonic() == started and just ended."""
        now = time.monotonic()
        self._next = now + max(self.min_interval, 2 * (now - started))


def run_with_progress(executor: Executor, func, inputs, title: str):
    """Like run_traced, with an ipywidgets progress bar of finished tasks above the live
    timeline; both are updated from this thread as futures complete (the bar at every
    future, the timeline when the Throttle allows). Returns (Tracer, bar).
    """
    import ipywidgets as widgets

    inputs = list(inputs)
    bar = widgets.IntProgress(value=0, min=0, max=len(inputs), description="done")
    label = widgets.Label(f"0 / {len(inputs)}")
    try:
        from IPython.display import display

        display(widgets.HBox([bar, label]))
    except ImportError:
        pass
    tracer = Tracer()
    throttle = Throttle()
    with LiveTimeline(title, tracer) as plot:
        tracer.origin = time.perf_counter()  # the first drawing is not part of the run
        futures = [executor.submit(traced, func, x, task=i) for i, x in enumerate(inputs)]
        for future in as_completed(futures):
            tracer.add(future.result())
            bar.value += 1
            label.value = f"{bar.value} / {len(inputs)}"
            if throttle.ready():
                started = time.monotonic()
                plot.update(force=True)
                throttle.drew(started)
    return tracer, bar
