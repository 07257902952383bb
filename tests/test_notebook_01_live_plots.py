"""conclab.viz.plots and conclab.core.startboard: live timelines draw running tasks as growing bars,
redraw while tasks run (not only when one finishes), and keep drawing out of what is
measured (issue 16, item 16). Every check holds by construction: tasks wait on events."""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from conclab.core.startboard import StartBoard, traced_started  # noqa: E402
from conclab.core.tracer import Tracer  # noqa: E402
from conclab.core.workloads import cpu_work  # noqa: E402
from conclab.lessons import the_gil as gil  # noqa: E402
from conclab.viz import plots


def test_a_process_under_spawn_marks_its_start_on_the_board():
    board = StartBoard(2)
    try:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            span, value = pool.submit(traced_started, board, cpu_work, 10, 1).result(timeout=120)
        running = board.running()
        assert list(running) == [1]  # task 0 never started
        worker, start = running[1]
        assert worker == span.worker and span.pid != os.getpid()
        assert start <= span.start  # marked just before the call began
    finally:
        board.close()
    assert board.running() == {}  # closed: the file is gone, and readers see nothing


def test_running_tasks_are_drawn_as_bars_that_reach_now():
    board, release = StartBoard(3), threading.Event()
    started = threading.Barrier(3)

    def task(x):
        started.wait(timeout=10)
        release.wait(timeout=10)
        return x

    tracer = Tracer()
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(traced_started, board, task, i, i) for i in range(2)]
        started.wait(timeout=10)  # both tasks are running now, by construction
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots()
        plots.draw_timeline(ax, tracer, "t", running=board.running())
        assert len(ax.patches) == 2 and "2 running" in ax.get_title()
        widths = sorted(p.get_width() for p in ax.patches)
        assert widths[0] > 0  # a bar from its start up to now
        release.set()
        for future in futures:
            tracer.add(future.result())
        plots.draw_timeline(ax, tracer, "t", running=board.running())
        assert len(ax.patches) == 2 and "running" not in ax.get_title()  # finished: solid
        plt.close(fig)
    board.close()


@pytest.mark.parametrize("executor", ["sequential", "threads", "raw threads"])
def test_run_traced_redraws_while_tasks_run(monkeypatch, executor):
    # The tasks wait until the plot has drawn five frames that show a running task: they
    # can finish only if run_traced redraws while they run, not only when one finishes.
    wanted, frames_with_running = 5, []
    enough = threading.Event()
    original = plots.LiveTimeline.update

    def counting_update(self, force=False):
        before = self.frames
        original(self, force)
        if self.frames > before and self.board is not None and "running" in self.ax.get_title():
            frames_with_running.append(self.frames)
            if len(frames_with_running) >= wanted:
                enough.set()

    monkeypatch.setattr(plots.LiveTimeline, "update", counting_update)

    def task(x):
        assert enough.wait(timeout=30), "the plot stopped redrawing while a task ran"
        return x

    if executor == "raw threads":  # notebook 02's run_threads_traced
        tracer = gil.run_threads_traced(task, [0, 1, 2], "test")
        assert len(frames_with_running) >= wanted
        return
    pool = None if executor == "sequential" else ThreadPoolExecutor(max_workers=3)
    try:
        tracer = plots.run_traced(pool, task, [0, 1, 2], "test")
    finally:
        if pool:
            pool.shutdown()
    assert sorted(s.task for s in tracer.snapshot()) == [0, 1, 2]
    assert len(frames_with_running) >= wanted


def test_repeats_return_a_run_without_drawing(monkeypatch):
    # With repeats, the returned tracer is from runs during which nothing was drawn.
    drawing = threading.Event()
    original = plots.draw_timeline

    def watched(*args, **kwargs):
        drawing.set()
        try:
            return original(*args, **kwargs)
        finally:
            drawing.clear()

    monkeypatch.setattr(plots, "draw_timeline", watched)
    seen = []

    def task(x):
        seen.append(x)
        return x

    tracer = plots.run_traced(None, task, [0, 1], "test", repeats=2)
    assert len(seen) == 6  # one live run and two measured runs
    assert sorted(s.task for s in tracer.snapshot()) == [0, 1]


def test_live_timeline_spaces_frames_by_what_they_cost():
    plot = plots.LiveTimeline("test", min_interval=60)
    try:
        plot.update(force=True)
        assert 0 < plot.wait_time() <= 60
        frames = plot.frames
        plot.update()  # too soon: no frame
        assert plot.frames == frames
    finally:
        plot.close()


def test_the_renderer_process_draws_a_frame_with_running_tasks(no_leaked_processes):
    from conclab.core.tracer import Span
    from conclab.viz import render

    done = Span(0, "w (pid 1)", 1, "w", 10.0, 10.5)
    frame = render.Frame(
        title="test", origin=10.0, spans=(done,), running={1: ("w (pid 1)", 10.5)}, now=11.0
    )
    helper = render.Renderer()
    try:
        png = helper.render(frame)
        assert png is not None and png.startswith(b"\x89PNG")
        assert helper.process.pid != os.getpid()
    finally:
        helper.close()
    assert not helper.alive()


def test_a_frame_drawn_here_shows_what_the_renderer_would():
    # The renderer and the fallback draw with the same function.
    import matplotlib.pyplot as plt

    from conclab.core.tracer import Span
    from conclab.viz import render

    frame = render.Frame(
        title="t",
        origin=0.0,
        spans=(Span(0, "a", 1, "a", 0.0, 1.0),),
        running={1: ("b", 0.5)},
        now=2,
    )
    fig, ax = plt.subplots()
    assert render.draw_frame(fig, ax, frame).startswith(b"\x89PNG")
    assert "1 running" in ax.get_title() and len(ax.patches) == 2
    plt.close(fig)


def test_a_task_that_starts_after_its_plot_closed_still_runs():
    # When a run ends early (a task raised), tasks left on the pool start later: their
    # mark on the closed board must not make them fail.
    board = StartBoard(1)
    board.close()
    span, value = traced_started(board, abs, -3, 0)
    assert value == 3 and board.running() == {}
