"""Helpers and workers for notebook 11-beyond-one-machine: free-threading, subinterpreters, Dask.

Dask pickles functions with cloudpickle, but its workers still import the modules that
functions live in: keeping them here means a worker on another machine only needs
`conclab` installed, exactly like a process pool under spawn. At the top only os, sys and
time are imported: an InterpreterPoolExecutor worker (a subinterpreter) imports this module
too, and every extension module it loads must support subinterpreters.

    notebook ── client.submit(total, big, i) ──▶ scheduler ──▶ worker: total(big, i)
             ── client.scatter(big) once    ──▶ worker memory; tasks get a reference
"""

from __future__ import annotations

import os
import sys
import time

SCHEDULER_VARIABLE = "CONCLAB_DASK_SCHEDULER"
FREE_THREADED_PYTHONS = ("python3.14t", "python3.13t")

# Run by a free-threaded interpreter, if one is installed: the same CPU-bound work on
# 1 thread, then on 2 threads at once; prints the two times.
FREE_THREAD_SCRIPT = """
import sys, time, threading
def work(n=3_000_000):
    total = 0
    for i in range(n):
        total = (total + i * i) % 1_000_003
start = time.perf_counter(); work(); work(); one = time.perf_counter() - start
threads = [threading.Thread(target=work) for _ in range(2)]
start = time.perf_counter()
for t in threads: t.start()
for t in threads: t.join()
two = time.perf_counter() - start
print(f"{sys.version.split()[0]} GIL enabled: {sys._is_gil_enabled()}; "
      f"2 tasks on 1 thread {one:.2f} s, on 2 threads {two:.2f} s")
"""


def free_threaded_build() -> bool:
    """True when this interpreter was built free-threaded (3.13t, 3.14t), GIL on or off."""
    import sysconfig

    return bool(sysconfig.get_config_var("Py_GIL_DISABLED"))


def free_threaded_python() -> str | None:
    """The path of a free-threaded interpreter on PATH, if any."""
    import shutil

    for name in FREE_THREADED_PYTHONS:
        path = shutil.which(name)
        if path:
            return path
    return None


def run_free_threaded(path: str, timeout: float = 60) -> str:
    """Run FREE_THREAD_SCRIPT in another interpreter (GIL off); returns what it printed."""
    import subprocess

    env = dict(os.environ, PYTHON_GIL="0")
    done = subprocess.run(
        [path, "-c", FREE_THREAD_SCRIPT],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
    return (done.stdout + done.stderr).strip()


def scheduler_address() -> str | None:
    """The Dask scheduler to use, from $CONCLAB_DASK_SCHEDULER; None means a local cluster."""
    return os.environ.get(SCHEDULER_VARIABLE) or None


def total(array, part: int = 0, parts: int = 1) -> float:
    """Sum one of `parts` slices of a NumPy array: a task whose input is large."""
    size = len(array) // parts
    return float(array[part * size : (part + 1) * size].sum())


def time_send_each(client, array, tasks: int) -> tuple[float, list[str]]:
    """Seconds to run `tasks` tasks that each get the array as an argument, and the
    warnings Dask raised about it (the first line of each)."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        futures = [client.submit(total, array, i, tasks, pure=False) for i in range(tasks)]
        client.gather(futures)
        seconds = time.perf_counter() - start
    del futures
    return seconds, sorted({str(w.message).splitlines()[0] for w in caught})


def time_scatter_once(client, array, tasks: int) -> float:
    """Seconds to scatter the array once, then run `tasks` tasks that get a reference."""
    start = time.perf_counter()
    remote = client.scatter(array)
    futures = [client.submit(total, remote, i, tasks, pure=False) for i in range(tasks)]
    client.gather(futures)
    seconds = time.perf_counter() - start
    del futures, remote
    return seconds


def describe_processes(pids) -> list[str]:
    """'pid: name (status)' for each pid still alive; an empty list when all have exited."""
    import psutil

    alive = []
    for pid in pids:
        try:
            proc = psutil.Process(pid)
            alive.append(f"{pid}: {proc.name()} ({proc.status()})")
        except psutil.NoSuchProcess:
            continue
    return alive


def interpreters_available() -> bool:
    """True from Python 3.14, where concurrent.futures has InterpreterPoolExecutor."""
    import concurrent.futures

    return sys.version_info >= (3, 14) and hasattr(concurrent.futures, "InterpreterPoolExecutor")


# --- Subinterpreters (Python 3.14) ----------------------------------------------------------


def try_import(name: str) -> str:
    """Import a module here (in a subinterpreter, when an InterpreterPoolExecutor runs it);
    'ok', or the ImportError's type and message."""
    import importlib

    try:
        importlib.import_module(name)
    except ImportError as exc:
        return f"{type(exc).__name__}: {exc}"
    return "ok"


def nap(seconds: float = 0.05) -> int:
    """Holds a worker for a moment, so that a pool starts a worker for each such task."""
    time.sleep(seconds)
    return os.getpid()


def pool_start_seconds(make_pool, workers: int = 2) -> float:
    """Seconds to create a pool, run one 0.05 s task on each of its workers (so every
    worker has started), and shut it down."""
    start = time.perf_counter()
    with make_pool(workers) as pool:
        list(pool.map(nap, [0.05] * workers))
    return time.perf_counter() - start


# --- Dask ------------------------------------------------------------------------------------

DASK_HINT = (
    "Dask is not installed, so the Dask cells below skip their work. To run them: "
    "pip install 'dask[distributed]' (or conda install dask distributed), then restart "
    "the kernel."
)
NO_DASK = "skipped: needs Dask (see the install hint above)"


def dask_available() -> bool:
    """True when dask.distributed can be imported."""
    import importlib.util

    try:
        return importlib.util.find_spec("distributed") is not None
    except (ImportError, ValueError):  # a stub module in sys.modules, as tests use
        return False


def task_stream_tracer(records, pids: dict | None = None):
    """A Tracer whose spans are the compute intervals Dask's scheduler recorded
    (`distributed.get_task_stream`): one span per task, one row per worker.

    Each worker stamps a task with its wall clock corrected by the offset it measured to
    the scheduler's clock, so spans from different machines share one axis. Spans stamped
    with `time.perf_counter()` on the workers would not: its epoch is per machine.
    """
    from conclab.core.tracer import Span, Tracer

    pids = pids or {}
    computes = sorted(
        (part["start"], part["stop"], record["worker"])
        for record in records
        for part in record["startstops"]
        if part["action"] == "compute"
    )
    tracer = Tracer()
    tracer.origin = computes[0][0] if computes else 0.0
    for task, (start, stop, worker) in enumerate(computes):
        span = Span(task, worker, pids.get(worker, 0), "", start, stop)
        tracer.add((span, None))
    return tracer


def where_it_ran(*_data) -> str:
    """In a Dask task: the address of the worker running it."""
    from distributed import get_worker

    return get_worker().address


def fan_out(parts: int, n: int) -> int:
    """A Dask task that submits `parts` tasks of its own and waits for them.

    `worker_client()` calls `secede()` first: this task's thread leaves the worker's
    thread pool while it waits, so the worker can run the subtasks even with one thread,
    and `rejoin()` when the block ends. Without it, tasks that wait on their own cluster
    can occupy every thread and wait for ever (notebook 07's deadlock, on a cluster).
    """
    from distributed import worker_client

    from conclab.core.workloads import cpu_work

    with worker_client() as client:
        futures = client.map(cpu_work, [n] * parts, pure=False)
        return len(client.gather(futures))
