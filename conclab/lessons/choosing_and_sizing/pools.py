"""Pool timings, BLAS threads and memory per worker, for notebook 10. Every function a pool
runs is module-level, so it pickles by reference under every start method; NumPy,
threadpoolctl and psutil are imported inside functions, so a worker pays only for what it uses."""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor

from conclab.viz.axes import finish_sweep_axes


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
    title = f"{tasks} small tasks (about 0.1 ms each), 2 workers"
    finish_sweep_axes(ax, chunksizes, "chunksize (tasks sent per message)", "time (s)", title)
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


def worker_memory(method: str, workers: int = 2) -> dict[int, dict]:
    """RSS and USS (MB) of each worker of a fresh process pool under a start method."""
    import multiprocessing

    context = multiprocessing.get_context(method)
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        pids = start_workers(pool, workers, seconds=0.3)
        return {pid: memory_mb(pid) for pid in pids}
