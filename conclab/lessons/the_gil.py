"""Helpers for notebook 02-the-gil: raw threads on a live timeline, process workers, and
running a CPU-bound comparison on another interpreter (a free-threaded build, say).

    notebook (main thread)                    one threading.Thread per input
    run_threads_traced(func, inputs) ──start─▶ board.mark(i); traced(func, x) ─▶ tracer.add(span)
    LiveTimeline.update() while any alive ◀── (the tracer's lock guards its span list;
      finished spans + started tasks           each thread writes only its own board record)

One module because it is one notebook's helpers (02-the-gil), named after it: the
live timeline of raw threads, the other-interpreter runs, the lost-update and convoy demos.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import sysconfig
import threading
import time

from conclab.core.startboard import StartBoard, traced_started
from conclab.core.tracer import Tracer, traced
from conclab.viz.plots import LiveTimeline

# Names free-threaded CPython builds install next to the regular ones (PEP 703, PEP 779).
FREE_THREADED_NAMES = ("python3.13t", "python3.14t", "python3.15t", "python3t")


def _threads_once(func, inputs: list, plot: LiveTimeline | None) -> Tracer:
    """One raw thread per input; the main thread redraws plot while it waits for them."""
    tracer = plot.tracer if plot else Tracer()
    board = None
    if plot:
        board = plot.board = StartBoard(len(inputs))
    errors: list[BaseException] = []  # list.append is atomic: no lock needed

    def run_one(i, x):
        try:
            if board is not None:
                tracer.add(traced_started(board, func, x, i))  # Tracer.add takes its lock
            else:
                tracer.add(traced(func, x, task=i))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            errors.append(exc)

    threads = [
        threading.Thread(target=run_one, args=(i, x), name=f"Thread-{i}")
        for i, x in enumerate(inputs)
    ]
    try:
        if plot:
            plot.update(force=True)  # the first drawing is not part of the run
        tracer.restart()
        for thread in threads:
            thread.start()
        for thread in threads:
            while thread.is_alive():
                thread.join(timeout=plot.wait_time() or 0.01 if plot else None)
                if plot:
                    plot.update()
    finally:
        if board is not None:
            board.close()
    if errors:
        raise errors[0]
    return tracer


def run_threads_traced(func, inputs, title: str, live: bool = True, repeats: int = 0) -> Tracer:
    """Start one raw `threading.Thread` per input, join them all, and plot the timeline
    live: running calls are drawn as growing bars.

    No executor: this is what a pool does for you. Drawing competes with the threads for
    the GIL, so with `repeats` > 0 the threads run that many more times without drawing
    and the fastest run is returned (and named under the plot's last frame). Returns the
    Tracer of the spans; the first exception a call raised is raised here, after every
    thread has ended.
    """
    inputs = list(inputs)
    plot = LiveTimeline(title) if live else None
    try:
        tracer = _threads_once(func, inputs, plot)
        if repeats > 0:
            tracer = min((_threads_once(func, inputs, None) for _ in range(repeats)), key=wall)
            if plot:
                plot.note = f"measured without drawing, best of {repeats}: {wall(tracer):.2f} s"
    finally:
        if plot:
            plot.close()
    return tracer


def wall(tracer: Tracer) -> float:
    """Seconds from the first task's start to the last task's end (drawing excluded)."""
    spans = tracer.snapshot()
    return max(s.end for s in spans) - min(s.start for s in spans)


def best_split_times(func, total: int, thread_counts=(1, 2, 4), repeats: int = 3) -> list[float]:
    """Wall time of func(total // n) in each of n threads, for each n: the best of
    `repeats` interleaved rounds, so a burst of load from elsewhere hits every n alike."""
    best = [float("inf")] * len(thread_counts)
    for _ in range(repeats):
        for i, n in enumerate(thread_counts):
            tracer = run_threads_traced(func, [total // n] * n, "", live=False)
            best[i] = min(best[i], wall(tracer))
    return best


def cpu_per_wall(func, inputs) -> float:
    """CPU seconds this process used per wall-clock second while one thread per input ran
    func: at most about 1 when the threads take turns, up to the core count when not."""
    cpu_before, wall_before = time.process_time(), time.perf_counter()
    run_threads_traced(func, inputs, "", live=False)
    return (time.process_time() - cpu_before) / (time.perf_counter() - wall_before)


def report_pid(label: str, queue) -> None:
    """Process worker: put (label, pid of this process) on a multiprocessing queue."""
    queue.put((label, os.getpid()))


def append_and_report(items: list, value, queue) -> None:
    """Process worker: append to the child's own copy of items and report what it holds.

    The parent's list does not change: a process does not share the parent's memory.
    """
    items.append(value)
    queue.put((os.getpid(), list(items)))


def build_info() -> dict:
    """What the running interpreter says about the GIL."""
    check = getattr(sys, "_is_gil_enabled", None)
    return {
        "python": sys.version.split()[0],
        "sysconfig Py_GIL_DISABLED": sysconfig.get_config_var("Py_GIL_DISABLED"),
        "sys._is_gil_enabled()": check() if check else "(no such function before 3.13)",
        "PYTHON_GIL in the environment": os.environ.get("PYTHON_GIL", "(not set)"),
        "-X options": dict(sys._xoptions),
        "sys.getswitchinterval()": sys.getswitchinterval(),
    }


def find_free_threaded(path: str | None = None) -> list[str]:
    """Free-threaded interpreters on PATH (python3.13t, python3.14t, ...), as full paths."""
    found = []
    for name in FREE_THREADED_NAMES:
        where = shutil.which(name, path=path)
        if where and where not in found:
            found.append(where)
    return found


GIL_PROBE = "import sys; print(getattr(sys, '_is_gil_enabled', lambda: True)())"


def try_interpreter(python: str, args=(), env: dict | None = None, timeout: float = 30) -> dict:
    """Run `python *args -c GIL_PROBE` and say whether it started and whether the GIL is on."""
    full_env = {**os.environ, **(env or {})}
    done = subprocess.run(
        [python, *args, "-c", GIL_PROBE],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
    )
    lines = (done.stderr or "").strip().splitlines()
    return {
        "command": " ".join([os.path.basename(python), *args, "-c ..."]),
        "env": env or {},
        "exit code": done.returncode,
        "GIL enabled": done.stdout.strip() or None,
        "error": lines[0] if lines else None,
    }


# Self-contained, so it runs on any interpreter, even one without conclab installed.
SCALING_SCRIPT = r"""
import json, sys, threading, time

def cpu_work(n):
    total = 0
    for i in range(n):
        total = (total + i * i) % 1_000_003
    return total

def wall(threads, n):
    workers = [threading.Thread(target=cpu_work, args=(n,)) for _ in range(threads)]
    start = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return time.perf_counter() - start

n, counts = int(sys.argv[1]), [int(c) for c in sys.argv[2].split(",")]
wall(1, n // 10)  # warm up
print(json.dumps({
    "python": sys.version.split()[0],
    "gil_enabled": getattr(sys, "_is_gil_enabled", lambda: True)(),
    "threads": counts,
    "seconds": [wall(c, n) for c in counts],
}))
"""


def scaling_in(python: str, thread_counts=(1, 2), n: int = 1_000_000, timeout: float = 60) -> dict:
    """Time `thread_counts` threads each running the same CPU-bound loop on another interpreter.

    With a GIL, 2 threads take about twice as long as 1; without one, about as long.
    """
    done = subprocess.run(
        [python, "-c", SCALING_SCRIPT, str(n), ",".join(str(c) for c in thread_counts)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{python} failed with exit code {done.returncode}: {done.stderr}")
    return json.loads(done.stdout)


def run_together(target, n_threads: int, args=()) -> None:
    """Run target(*args) in n_threads raw threads that start at a barrier, then join them.

    The barrier makes the threads overlap by construction, however loaded the machine.
    """
    barrier = threading.Barrier(n_threads)

    def body():
        barrier.wait(timeout=10)
        target(*args)

    threads = [threading.Thread(target=body) for _ in range(n_threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


# --- Where a thread switch can happen: lost updates by construction of the loop ---------


class Box:
    """A counter the increment loops below share: `box.value`."""

    def __init__(self):
        self.value = 0


def add_one(x: int) -> int:
    return x + 1


def plain_increments(box: Box, n: int) -> None:
    """`box.value += 1`, n times: load, add, store, with no call in between."""
    for _ in range(n):
        box.value += 1


def increments_through_a_call(box: Box, n: int) -> None:
    """`box.value = add_one(box.value)`, n times: a call between the load and the store."""
    for _ in range(n):
        box.value = add_one(box.value)


def runs_with_losses(target, interval: float, runs: int = 10, n: int = 20_000, threads: int = 4):
    """Run target(box, n) in `threads` threads that start at a barrier, `runs` times, with
    the switch interval set to `interval` seconds (restored afterwards, whatever happens).
    Returns how many runs ended with fewer than threads * n: runs that lost updates."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(interval)
    try:
        lost = 0
        for _ in range(runs):
            box = Box()
            run_together(target, threads, (box, n))
            lost += box.value != threads * n
        return lost
    finally:
        sys.setswitchinterval(previous)


# --- The convoy effect: one CPU-bound thread slows every I/O round trip ---------------


def _spin(stop: threading.Event) -> None:
    """CPU-bound pure Python until stop is set: gives up the GIL only when asked to."""
    while not stop.is_set():
        for _ in range(1000):
            pass


def echo_bytes(conn, delay: float = 0.0) -> None:
    """Process worker: send back every message received on a Pipe end, `delay` seconds
    later (a stand-in for the network), until b"q"."""
    while (data := conn.recv_bytes()) != b"q":
        if delay:
            time.sleep(delay)
        conn.send_bytes(data)


def round_trips(n: int = 50, busy: bool = False, delay: float = 0.0001) -> list[float]:
    """Seconds for each of n one-byte round trips to an echo process over a pipe, which
    answers `delay` seconds later (0.1 ms: a fast local network); with
    busy, a CPU-bound thread runs in this process meanwhile. Waiting for the answer
    releases the GIL, so the busy thread takes it; when the answer arrives, this thread
    must wait for the busy one to let go, up to a switch interval each time (the convoy
    effect). The echo runs in another process so that only this process's GIL counts."""
    mine, theirs = multiprocessing.Pipe()  # mine: this thread only; theirs: the echo process
    echo = multiprocessing.Process(target=echo_bytes, args=(theirs, delay), daemon=True)
    echo.start()
    stop = threading.Event()
    spinner = threading.Thread(target=_spin, args=(stop,), name="busy")
    times = []
    try:
        mine.send_bytes(b"x")  # the first round trip waits for the process to start
        mine.recv_bytes()
        if busy:
            spinner.start()
        for _ in range(n):
            start = time.perf_counter()
            mine.send_bytes(b"x")
            mine.recv_bytes()
            times.append(time.perf_counter() - start)
    finally:
        stop.set()
        if spinner.is_alive():
            spinner.join(timeout=30)
        mine.send_bytes(b"q")
        echo.join(timeout=30)
        mine.close()
        theirs.close()
    return times


# --- Does a call let other threads run? A ticker thread tells ---------------------------


def ticks_during(call, *args) -> dict:
    """Run call(*args) in this thread while a ticker thread notes the time about every
    millisecond; returns the call's seconds, the ticks inside it and the longest pause
    between ticks. A C function that holds the GIL (`sorted` of ints, `pow` of big
    integers) stops the ticker for its whole duration, whatever the switch interval: the
    switch interval only asks the running thread to let go, and C code that never
    checks does not hear it. A call that releases the GIL (NumPy's sort, hashlib on a
    large buffer, `time.sleep`) lets the ticker tick while it runs."""
    ticks: list[float] = []
    first, stop = threading.Event(), threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            first.set()
            time.sleep(0.001)

    thread = threading.Thread(target=ticker, name="ticker")
    thread.start()
    first.wait(timeout=10)
    start = time.perf_counter()
    try:
        call(*args)
    finally:
        end = time.perf_counter()
        stop.set()
        thread.join(timeout=10)
    edges = [start, *(t for t in ticks if start < t < end), end]
    return {
        "seconds": end - start,
        "ticks inside": len(edges) - 2,
        "longest pause": max(b - a for a, b in zip(edges, edges[1:])),
    }


def overlap_sentence(
    ratio: float, cpus: int, measure: str = "CPU seconds per wall-clock second"
) -> str:
    """What a figure that is about 1 when threads take turns says (notebook 02): CPU
    seconds per wall-clock second from `cpu_per_wall`, or a speedup over one at a time."""
    figure = f"{ratio:.2f} {measure}"
    if cpus < 2:
        return f"{figure}: with 1 usable CPU, threads cannot compute at the same time here."
    if ratio > 1.2:
        return (
            f"{figure}: above 1, so more than one thread was computing at the same time "
            f"({cpus} usable CPUs)."
        )
    return (
        f"{figure}: about 1, so the threads did not compute at the same time this run; with "
        f"the GIL released that means no other core was free ({cpus} usable CPUs, shared "
        "with whatever else runs)."
    )
