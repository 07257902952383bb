"""Choosing an executor and sizing it: the decision guide, pool timings, BLAS threads, memory.

Workers for notebook 09-choosing-and-sizing. Every function a pool runs is module-level,
so it pickles by reference under fork, spawn and forkserver. NumPy, threadpoolctl and
psutil are imported inside functions: a worker pays for them only when it uses them.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor

WORK = {
    "io": "waiting (network, disk, a database)",
    "python": "computing in pure Python",
    "native": "computing in NumPy or C code that releases the GIL",
}
DATA = {"small": "small (KB per task)", "large": "large (MB or more per task)"}
ISOLATION = {"no": "no", "yes": "yes (crashes, leaks, C code that is not thread-safe)"}


def recommend(work: str, data: str, isolation: str) -> tuple[str, str]:
    """The executor the decision guide picks, and why. Keys come from WORK, DATA, ISOLATION."""
    if work not in WORK or data not in DATA or isolation not in ISOLATION:
        raise ValueError(f"unknown answer: work={work!r}, data={data!r}, isolation={isolation!r}")
    if isolation == "yes":
        why = "only a separate process keeps a crash or a leak away from your program"
        if work == "io":
            why += "; for waiting alone, threads inside that one process are enough"
        if data == "large":
            why += "; send file names or use shared memory rather than pickling big data"
        return "ProcessPoolExecutor (max_tasks_per_child to recycle leaky workers)", why
    if work == "io":
        return (
            "ThreadPoolExecutor (or asyncio for thousands of connections)",
            "a waiting thread releases the GIL, threads are cheap and share memory; "
            "the worker count can exceed the cores",
        )
    if work == "native":
        return (
            "ThreadPoolExecutor, workers = usable CPUs",
            "the C code runs outside the GIL, and threads share the data without pickling; "
            "limit BLAS threads so workers x BLAS threads <= cores",
        )
    if data == "large":
        return (
            "ProcessPoolExecutor, but move less data",
            "pure Python needs processes for parallelism (unless the build is free-threaded), "
            "and every argument is pickled: pass names or indexes, or use shared memory",
        )
    return (
        "ProcessPoolExecutor, workers = usable CPUs, chunksize for many small tasks",
        "pure Python holds the GIL, so only processes (or a free-threaded build) run it in "
        "parallel",
    )


def decision_widget():
    """Three questions and the executor they lead to, updated as the answers change."""
    import ipywidgets as widgets

    def choice(label, options, value):
        return widgets.Dropdown(
            description=label,
            options=[(text, key) for key, text in options.items()],
            value=value,
            style={"description_width": "160px"},
            layout={"width": "560px"},
        )

    work = choice("The tasks spend time", WORK, "python")
    data = choice("Data per task", DATA, "small")
    isolation = choice("Need isolation?", ISOLATION, "no")
    answer = widgets.HTML()

    def refresh(_=None):
        pick, why = recommend(work.value, data.value, isolation.value)
        answer.value = f"<b>Use: {pick}</b><br>Why: {why}."

    for box in (work, data, isolation):
        box.observe(refresh, names="value")
    refresh()
    return widgets.VBox([work, data, isolation, answer])


def square(x: int) -> int:
    """A task far smaller than the cost of sending it to another process."""
    return x * x


def nap(seconds: float) -> int:
    """Keeps a worker busy for a moment; returns its pid (used to start every worker)."""
    time.sleep(seconds)
    return os.getpid()


def start_workers(pool, count: int, seconds: float = 0.05) -> set[int]:
    """Make a pool start `count` workers now (so later timings leave out start-up).

    Each napping task occupies a worker, so the pool starts a new one for the next.
    """
    return set(pool.map(nap, [seconds] * count))


def time_map(pool, func, inputs, chunksize: int = 1) -> float:
    """Seconds for list(pool.map(func, inputs, chunksize=...))."""
    start = time.perf_counter()
    list(pool.map(func, inputs, chunksize=chunksize))
    return time.perf_counter() - start


def time_process_pool(workers: int, func, inputs, chunksize: int = 1, repeat: int = 1) -> float:
    """Seconds to map func over inputs with a fresh, already started pool of `workers`;
    the best of `repeat` runs, since other programs on the machine only ever add time."""
    inputs = list(inputs)
    with ProcessPoolExecutor(workers) as pool:
        start_workers(pool, workers)
        return min(time_map(pool, func, inputs, chunksize) for _ in range(repeat))


def chunksize_plot(chunksizes, seconds, sequential: float, tasks: int):
    """Seconds against chunksize (log scale) with the sequential time as a reference line."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.4), layout="constrained")
    ax.plot(chunksizes, seconds, "o-", label="ProcessPoolExecutor.map, 2 workers")
    ax.axhline(sequential, color="grey", ls="--", label="sequential loop")
    ax.set_xscale("log", base=2)
    ax.set_xticks(chunksizes, [str(c) for c in chunksizes])
    ax.set_xlabel("chunksize (tasks sent per message)")
    ax.set_ylabel("time (s)")
    ax.set_title(f"{tasks} small tasks (about 0.1 ms each), 2 workers")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def matmul_work(size: int = 200, repeats: int = 10) -> float:
    """NumPy matrix products: BLAS runs them on as many threads as it was allowed."""
    import numpy as np

    a = np.random.default_rng(0).random((size, size))
    b = a
    for _ in range(repeats):
        b = a @ a
    return float(b[0, 0])


def blas_threads() -> dict:
    """In a worker: its pid and each BLAS/OpenMP library's thread count (threadpoolctl)."""
    import numpy  # noqa: F401 - load numpy's BLAS so threadpoolctl can see it
    from threadpoolctl import threadpool_info

    pools = [f"{i['internal_api']}: {i['num_threads']} threads" for i in threadpool_info()]
    return {"pid": os.getpid(), "pools": pools}


_LIMITS = None  # the worker's threadpoolctl limiter, kept alive for the worker's lifetime


def limit_blas_threads(threads: int = 1) -> None:
    """A pool initializer: cap every BLAS/OpenMP pool in this worker at `threads`.

    threadpoolctl can only limit libraries already loaded, and a spawned worker has not
    imported NumPy yet: import it first, or the limit silently applies to nothing.
    """
    global _LIMITS
    import numpy  # noqa: F401 - loads OpenBLAS/MKL so that the limit reaches it
    from threadpoolctl import threadpool_limits

    _LIMITS = threadpool_limits(limits=threads)


def memory_mb(pid: int | None = None) -> dict:
    """RSS (resident, counts shared pages) and USS (pages only this process holds), in MB."""
    import psutil

    info = psutil.Process(pid or os.getpid()).memory_full_info()
    return {"rss": info.rss / 2**20, "uss": info.uss / 2**20}
