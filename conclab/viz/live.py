"""How every live plot redraws: when it may (Throttle), and showing a frame in place in the
notebook (show, show_png). Outside IPython nothing is shown and nothing fails.

No matplotlib import here: modules that process workers import (the pipeline of notebook
10) use it without paying for matplotlib.
"""

from __future__ import annotations

import time


class Throttle:
    """Says when a live plot may redraw: `min_interval` seconds after the last frame ended,
    and, with `slow_factor`, never sooner than that many times what the frame took (drawing
    is slow on a busy machine; the loop that feeds the plot should not spend its time
    drawing). Used by one thread, the one that draws."""

    def __init__(self, min_interval: float = 0.15, slow_factor: float = 2.0):
        self.min_interval = min_interval
        self.slow_factor = slow_factor
        self._next = 0.0  # time.monotonic() before which no frame is drawn

    def ready(self) -> bool:
        return time.monotonic() >= self._next

    def wait_time(self) -> float:
        """Seconds until the next frame may be drawn."""
        return max(0.0, self._next - time.monotonic())

    def drew(self, started: float) -> None:
        """Record a frame that began at time.monotonic() == started and just ended."""
        now = time.monotonic()
        self._next = now + max(self.min_interval, self.slow_factor * (now - started))


def in_ipython() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    return get_ipython() is not None


def show(obj, handle=None):
    """Show obj (a figure, an image) or replace what handle shows; returns the display
    handle, None outside IPython."""
    if not in_ipython():
        return None
    from IPython.display import display

    if handle is None:
        return display(obj, display_id=True)
    handle.update(obj)
    return handle


def show_png(png: bytes, handle=None):
    """Show or refresh a PNG in a notebook; returns the display handle."""
    from IPython.display import Image

    return show(Image(data=png, format="png"), handle)
