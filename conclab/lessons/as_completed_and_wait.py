"""Helpers for notebook 05-as-completed-and-wait: a live view of completion order against
submission order, and tasks whose finishing order is fixed by construction.

    notebook                                   pool threads
    futures = {pool.submit(...): i, ...}  ───▶ calls run, finish in any order
    for f in as_completed(futures):       ◀─── each future as soon as it is done
        view.add(futures[f], f.result())       (the view is drawn from this thread only)
"""

from __future__ import annotations

import time

import matplotlib.pyplot as plt

from conclab.core.tracer import Tracer
from conclab.viz.live import Throttle, show
from conclab.viz.plots import draw_timeline


class CompletionView:
    """Two live panels: the timeline of the calls, and each input's completion rank."""

    def __init__(self, title: str, n_inputs: int, tracer: Tracer | None = None):
        self.title = title
        self.n_inputs = n_inputs
        self.tracer = tracer or Tracer()
        self.order: list[int] = []  # input indices in the order their futures completed
        self.fig, (self.ax_time, self.ax_order) = plt.subplots(
            1, 2, figsize=(10, 3), layout="constrained", width_ratios=[3, 2]
        )
        self._handle = None
        self._throttle = Throttle()

    def add(self, index: int, traced_result) -> object:
        """Record that the future of input `index` completed; returns the call's value."""
        self.order.append(index)
        return self.tracer.add(traced_result)

    def draw(self, force: bool = False) -> None:
        """Redraw both panels, unless the last redraw was too recent (see Throttle)."""
        if not force and not self._throttle.ready():
            return
        started = time.monotonic()
        draw_timeline(self.ax_time, self.tracer, self.title)
        ax = self.ax_order
        ax.clear()
        ax.plot(range(self.n_inputs), range(self.n_inputs), "--", color="grey", label="in order")
        ax.plot(self.order, range(len(self.order)), "o", label="measured")
        ax.set_xlim(-0.5, self.n_inputs - 0.5)
        ax.set_ylim(-0.5, self.n_inputs - 0.5)
        ax.set_xlabel("input (submission order)")
        ax.set_ylabel("completion rank (0 = first)")
        ax.set_title("completion order")
        ax.legend(loc="upper left", fontsize=8)
        ax.grid(alpha=0.3)
        self._handle = show(self.fig, self._handle)
        self._throttle.drew(started)

    def close(self) -> None:
        self.draw(force=True)
        plt.close(self.fig)


def inversions(order: list[int]) -> int:
    """Pairs that completed in the opposite order to their submission (0: in order)."""
    return sum(a > b for i, a in enumerate(order) for b in order[i + 1 :])


# A script for `exit_waits_for_running_calls`: the running call waits for the main thread's
# last line, then works 0.5 s more before it prints; its line appears only because the
# interpreter waits for running calls before it exits.
_EXIT_SCRIPT = """
import threading, time
from concurrent.futures import ThreadPoolExecutor, wait
main_done = threading.Event()
def call():
    main_done.wait(30)
    time.sleep(0.5)  # still working half a second after the script's last line
    print("running call: finished, 0.5 s after the main thread's last line", flush=True)
pool = ThreadPoolExecutor(max_workers=1)
future = pool.submit(call)
done, not_done = wait([future], timeout=0.1)
print(f"main thread: wait() gave up with {len(not_done)} call not done", flush=True)
pool.shutdown(wait=False, cancel_futures=True)
print("main thread: shutdown(wait=False) returned; this is the last line of the script",
      flush=True)
main_done.set()
"""


def exit_waits_for_running_calls() -> list[str]:
    """Run `_EXIT_SCRIPT` in a fresh interpreter and return the lines it printed."""
    import subprocess
    import sys

    completed = subprocess.run(
        [sys.executable, "-c", _EXIT_SCRIPT], capture_output=True, text=True, timeout=60
    )
    return completed.stdout.splitlines()
