"""Live-plot frames drawn in a helper process, so that drawing takes neither the notebook's
GIL nor much of its main thread while the tasks being plotted run.

    notebook main thread                          renderer process (spawn, one per kernel)
    LiveTimeline.update()
      Renderer.render(Frame) ──Pipe: Frame──────▶ render_server(): draw_timeline on its
                              (waits in recv,      own figure, savefig to PNG bytes
                               GIL released)  ◀── Pipe: PNG bytes
      display / update the PNG in the cell

A Frame holds plain data (title, spans, running tasks, times), so it pickles under every
start method. The renderer is always started with spawn: it must not be a fork of a
kernel that runs threads. When it cannot start or stops answering, LiveTimeline draws in
its own process instead, as before.
"""

from __future__ import annotations

import multiprocessing
import threading
from dataclasses import dataclass, field

RENDER_TIMEOUT = 60.0  # seconds for one frame, the first including the process's start


@dataclass(frozen=True)
class Frame:
    """Everything one timeline frame shows."""

    title: str
    origin: float
    spans: tuple
    running: dict = field(default_factory=dict)
    now: float = 0.0
    figsize: tuple = (8.0, 2.8)
    dpi: int = 80
    note: str = ""


def draw_frame(fig, ax, frame: Frame) -> bytes:
    """Draw frame on fig's ax and return it as PNG bytes."""
    import io

    from conclab.core.tracer import Tracer
    from conclab.viz.plots import _fit_left_margin, draw_timeline

    tracer = Tracer()
    tracer.origin = frame.origin
    tracer.spans = list(frame.spans)
    draw_timeline(ax, tracer, frame.title, running=frame.running, now=frame.now, note=frame.note)
    _fit_left_margin(fig, ax)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=frame.dpi, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


def render_server(conn) -> None:
    """Renderer process: answer each Frame with its PNG bytes, until None or EOF (the
    kernel ended). Ctrl-C meant for the kernel reaches its process group too: ignored."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figures: dict[tuple, tuple] = {}
    while True:
        try:
            frame = conn.recv()
        except (EOFError, OSError):
            return
        if frame is None:
            return
        if frame.figsize not in figures:
            figures[frame.figsize] = plt.subplots(figsize=frame.figsize)
        fig, ax = figures[frame.figsize]
        try:
            conn.send_bytes(draw_frame(fig, ax, frame))
        except Exception:  # noqa: BLE001 - an empty answer makes the caller draw itself
            conn.send_bytes(b"")


class Renderer:
    """The notebook's end of one renderer process."""

    def __init__(self):
        context = multiprocessing.get_context("spawn")
        self.conn, child = (
            context.Pipe()
        )  # conn: the notebook's, under _lock; child: the renderer's
        self.process = context.Process(
            target=render_server, args=(child,), daemon=True, name="conclab-renderer"
        )
        self.process.start()
        child.close()
        self._lock = threading.Lock()  # guards the pipe: one request and its answer at a time

    def render(self, frame: Frame, timeout: float = RENDER_TIMEOUT) -> bytes | None:
        """PNG bytes of frame, or None if the renderer failed (then it is not asked again)."""
        with self._lock:
            try:
                while self.conn.poll():  # an answer left by a request that was interrupted
                    self.conn.recv_bytes()
                self.conn.send(frame)
                if not self.conn.poll(timeout):
                    raise TimeoutError("the renderer did not answer")
                data = self.conn.recv_bytes()
            except (OSError, EOFError, TimeoutError):
                self.close()
                return None
        return data or None

    def alive(self) -> bool:
        return self.process.is_alive()

    def close(self) -> None:
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=5)
        self.conn.close()


_RENDERER: Renderer | None = None
_FAILED = False
_RENDERER_LOCK = threading.Lock()  # guards _RENDERER and _FAILED: plots may start in threads


def renderer() -> Renderer | None:
    """The kernel's renderer, started on first use; None if it cannot be had."""
    global _RENDERER, _FAILED
    with _RENDERER_LOCK:
        if _FAILED:
            return None
        if _RENDERER is None or not _RENDERER.alive():
            try:
                _RENDERER = Renderer()
            except Exception:  # noqa: BLE001 - plots fall back to drawing in this process
                _FAILED = True
                return None
        return _RENDERER


def give_up() -> None:
    """Stop using the renderer for the rest of this session (it failed)."""
    global _FAILED
    with _RENDERER_LOCK:
        _FAILED = True
