"""Timeline (Gantt) and speedup plots; the timeline grows live while tasks run.

run_traced(pool, f, inputs)
  main thread: draw empty frame ─▶ start clock ─▶ submit traced_started(board, f, x, i)
  worker:      board.mark(i) (started, on which worker) ─▶ traced(f, x) ─▶ Span
  main thread: wait(FIRST_COMPLETED, timeout=until next frame) ─▶ tracer.add(span)
               ─▶ LiveTimeline.update(): finished bars + running bars up to now
                  (in a notebook the PNG is drawn by conclab.viz.render's process)
  then, with repeats=k: k more runs without drawing; the fastest is what is returned

One module, a little over 300 lines: the timeline, its live form and the runs that feed
it share the drawing code; the redraw rule and the display are in live.py.
"""

from __future__ import annotations

import io
import time
from concurrent.futures import (
    FIRST_COMPLETED,
    Executor,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    as_completed,
    wait,
)

import matplotlib.pyplot as plt

from conclab.core.startboard import StartBoard, traced_started
from conclab.core.tracer import Tracer, traced
from conclab.viz.live import Throttle, in_ipython, show_png

# tab10 without its red, which stays for failed tasks.
COLOURS = [c for i, c in enumerate(plt.get_cmap("tab10").colors) if i != 3]
FAILED_COLOUR = "#cf222e"


def _png(fig, dpi: int = 80) -> bytes:
    """fig as PNG, drawn once: without IPython's tight bounding box (which draws twice)
    and with fast compression."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


def _colour(task, ok: bool = True):
    if not ok:
        return FAILED_COLOUR
    key = task if isinstance(task, int) else hash(str(task))
    return COLOURS[key % len(COLOURS)]


def _bar(ax, row: int, left: float, width: float, style: dict, label: str) -> None:
    """One task's bar in its worker's row, with its label in the middle when there is one."""
    ax.barh(row, width, left=left, height=0.6, edgecolor="black", linewidth=0.5, **style)
    if label:
        ax.text(left + width / 2, row, label, ha="center", va="center", fontsize=8)


def draw_timeline(
    ax,
    tracer: Tracer,
    title: str,
    horizon: float | None = None,
    running: dict | None = None,
    now: float | None = None,
    note: str = "",
) -> None:
    """One row per worker, one bar per task, x in seconds since the tracer started.

    `running` ({task: (worker, start)}, from a StartBoard) adds the tasks that started and
    have not finished as hatched bars that reach `now` (time.perf_counter() by default).
    `note` is added to the x label (what the measured runs took, say).
    """
    spans = tracer.snapshot()
    done = {s.task for s in spans}
    growing = sorted(
        (task, worker, start)
        for task, (worker, start) in (running or {}).items()
        if task not in done
    )
    now = time.perf_counter() if now is None else now
    workers = sorted({s.worker for s in spans} | {worker for _, worker, _ in growing})
    ax.clear()
    labelled = len(spans) + len(growing) <= 40
    for span in spans:
        bar = {"color": _colour(span.task, span.ok)}
        _bar(ax, workers.index(span.worker), span.start - tracer.origin, span.duration, bar,
             str(span.task) if span.task is not None and labelled else "")  # fmt: skip
    for task, worker, start in growing:
        bar = {"color": _colour(task), "alpha": 0.5, "hatch": "//"}
        _bar(ax, workers.index(worker), start - tracer.origin, max(now - start, 0.0), bar,
             str(task) if labelled else "")  # fmt: skip
    ax.set_yticks(range(len(workers)))
    ax.set_yticklabels(workers, fontsize=8)
    ax.set_ylim(-0.7, max(len(workers), 1) - 0.3)
    elapsed = max(tracer.elapsed(), now - tracer.origin if growing else 0.0)
    right = max(horizon or 0.0, elapsed * 1.05, 0.1)
    ax.set_xlim(0, right)
    ax.set_xlabel("time since start (s)" + (f"; {note}" if note else ""))
    ax.set_ylabel("worker")
    state = f"{len(spans)} tasks done"
    if growing:
        state += f", {len(growing)} running (hatched)"
    ax.set_title(f"{title}: {state}, {elapsed:.2f} s")
    ax.grid(axis="x", alpha=0.3)


def _fit_left_margin(fig, ax) -> None:
    """Room for the longest worker name at the left; no layout engine, which would cost
    more than the rest of a frame."""
    longest = max((len(t.get_text()) for t in ax.get_yticklabels()), default=8)
    width = fig.get_figwidth() * 72  # points
    left = min(0.5, (longest * 4.6 + 36) / width)
    fig.subplots_adjust(left=left, right=0.98, bottom=0.17, top=0.87)


class LiveTimeline:
    """A timeline that re-renders in place in the notebook while tasks run.

    Given a StartBoard (`board`), tasks that have started are drawn as bars that grow until
    they finish; without one, a bar appears when its task finishes. A frame starts
    `min_interval` seconds after the last one ended, so that even a half-second run shows
    several frames. In a notebook the frames are drawn in a helper process
    (conclab.viz.render): this thread only waits for the PNG, with the GIL released, so
    drawing does not compete with threads that compute. It still takes a core on a busy
    machine, so time the tasks in runs without a plot (`run_traced(..., repeats=k)`).
    """

    def __init__(
        self,
        title: str,
        tracer: Tracer | None = None,
        min_interval: float = 0.01,
        board: StartBoard | None = None,
    ):
        self.title = title
        self.tracer = tracer or Tracer()
        self.min_interval = min_interval
        self.board = board
        self.note = ""  # added to the title of the last frame
        self.use_renderer = True  # draw frames in conclab.viz.render's process when in a notebook
        self.fig, self.ax = plt.subplots(figsize=(8, 2.8))
        self._handle = None
        self._throttle = Throttle(min_interval, slow_factor=0)  # frames as often as allowed
        self.frames = 0

    def wait_time(self) -> float:
        """Seconds until the next frame may be drawn."""
        return self._throttle.wait_time()

    def update(self, force: bool = False) -> None:
        """Redraw, unless the last frame was too recent."""
        if not force and not self._throttle.ready():
            return
        started = time.monotonic()
        running = self.board.running() if self.board is not None else None
        title = self.title
        png = self._render_elsewhere(title, running) if in_ipython() else None
        if png is None:  # outside a notebook, or without the renderer: draw here
            draw_timeline(self.ax, self.tracer, title, running=running, note=self.note)
            _fit_left_margin(self.fig, self.ax)
            png = _png(self.fig) if in_ipython() else None
        if png is not None:
            self._handle = show_png(png, self._handle)
        self.frames += 1
        self._throttle.drew(started)

    def _render_elsewhere(self, title: str, running) -> bytes | None:
        """The frame's PNG from the renderer process (conclab.viz.render), or None."""
        from conclab.viz import render

        if not self.use_renderer:
            return None
        helper = render.renderer()
        if helper is None:
            return None
        frame = render.Frame(
            title=title,
            origin=self.tracer.origin,
            spans=tuple(self.tracer.snapshot()),
            running=dict(running or {}),
            now=time.perf_counter(),
            figsize=tuple(self.fig.get_size_inches()),
            note=self.note,
        )
        png = helper.render(frame)
        if png is None:
            render.give_up()
        return png

    def close(self) -> None:
        self.update(force=True)
        plt.close(self.fig)

    def __enter__(self):
        self.update(force=True)
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def _run_once(executor: Executor, func, inputs: list, plot: LiveTimeline | None) -> Tracer:
    """Submit func(x) for every input, collect the spans, redraw plot while they run."""
    tracer = plot.tracer if plot else Tracer()
    board = None
    if plot and isinstance(executor, (ThreadPoolExecutor, ProcessPoolExecutor)):
        board = plot.board = StartBoard(len(inputs))
    try:
        if plot:
            plot.update(force=True)  # the empty frame, before the clock starts
        tracer.restart()
        if board is not None:
            futures = [
                executor.submit(traced_started, board, func, x, i) for i, x in enumerate(inputs)
            ]
        else:
            futures = [executor.submit(traced, func, x, task=i) for i, x in enumerate(inputs)]
        pending = set(futures)
        while pending:
            timeout = plot.wait_time() if plot else None
            done, pending = wait(pending, timeout=timeout, return_when=FIRST_COMPLETED)
            for future in done:
                tracer.add(future.result())
            if plot:
                plot.update()
    finally:
        if board is not None:
            board.close()
    return tracer


def run_traced(
    executor: Executor | None, func, inputs, title: str, live: bool = True, repeats: int = 0
) -> Tracer:
    """Run func over inputs on executor, and plot the timeline live while the tasks run.

    With executor None the tasks run one at a time on a single worker thread, so this
    thread stays free to draw. The clock starts when the first task is submitted, after
    the empty plot is drawn. Running tasks are drawn as growing bars.

    Drawing takes this process's time (and the GIL) while the tasks run, so a live run is
    for the eye. With `repeats` > 0 the same tasks then run that many more times on the
    same executor without drawing, and the fastest of those is returned and named in the
    plot's last frame: the numbers to compare. Returns the Tracer with where and when
    each task ran.
    """
    inputs = list(inputs)
    plot = LiveTimeline(title) if live else None
    own_pool = executor is None
    if own_pool:
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sequential")
    try:
        tracer = _run_once(executor, func, inputs, plot)
        if repeats > 0:
            runs = [_run_once(executor, func, inputs, None) for _ in range(repeats)]
            tracer = min(runs, key=lambda t: t.elapsed())
            if plot:
                plot.note = f"measured without drawing, best of {repeats}: {tracer.elapsed():.2f} s"
    finally:
        if own_pool:
            executor.shutdown()
        if plot:
            plot.close()
    return tracer


def speedup_plot(
    workers,
    seconds,
    title: str,
    parallel_fraction: float | None = None,
    xlabel: str = "workers",
):
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
    ax.set_xticks(workers)  # whole numbers of workers only
    ax.set_xlabel(xlabel)
    ax.set_ylabel("speedup (x)")
    ax.set_title(title)
    ax.legend()
    ax.grid(alpha=0.3)
    return fig


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
