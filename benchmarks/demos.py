"""Demo fidelity: does each timing demo show the speedup the notebooks claim, on this machine?

Each ratio is measured against a sequential baseline taken in the same run, with the same
workloads the notebooks use (conclab.core.workloads), without live plotting.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

from conclab.core.env import usable_cpus
from conclab.core.workloads import cpu_work, io_wait

from .stats import Figure, timed

CPU_N = 2_000_000
IO_SECONDS = 0.2


def _sequential(func, inputs):
    for x in inputs:
        func(x)


def _pool(pool_class, workers, func, inputs):
    with pool_class(max_workers=workers) as pool:
        list(pool.map(func, inputs))


def cpu_processes_ratio(cores: int) -> float:
    """Speedup of a process pool with one worker per core, divided by the core count."""
    inputs = [CPU_N] * (2 * cores)
    with ProcessPoolExecutor(max_workers=cores) as pool:  # workers started before timing
        list(pool.map(cpu_work, [1] * cores))
        seq = timed(_sequential, cpu_work, inputs)
        par = timed(lambda: list(pool.map(cpu_work, inputs)))
    return seq / par / cores


def cpu_ceiling_ratio(cores: int) -> float:
    """What the machine allows: one task per core at once, against the same task alone,
    on the same pre-started workers. Below 1 when the cores slow each other down (shared
    caches, a busy host, clock boost for a single busy core), whatever the pool does."""
    with ProcessPoolExecutor(max_workers=cores) as pool:
        list(pool.map(cpu_work, [1] * cores))
        alone = [timed(lambda: pool.submit(cpu_work, CPU_N).result()) for _ in range(cores)]
        together = timed(lambda: list(pool.map(cpu_work, [CPU_N] * cores)))
    return sum(alone) / len(alone) / together


def io_threads_ratio(workers: int = 8) -> float:
    """Speedup of a thread pool on sleeps, divided by the number of workers."""
    inputs = [IO_SECONDS] * workers
    seq = timed(_sequential, io_wait, inputs)
    par = timed(_pool, ThreadPoolExecutor, workers, io_wait, inputs)
    return seq / par / workers


def cpu_threads_speedup(cores: int) -> float:
    """Speedup of threads on pure-Python CPU work: about 1x with the GIL."""
    inputs = [CPU_N] * (2 * cores)
    seq = timed(_sequential, cpu_work, inputs)
    par = timed(_pool, ThreadPoolExecutor, cores, cpu_work, inputs)
    return seq / par


def run(repeats: int) -> list[Figure]:
    cores = usable_cpus()
    measures = [  # name, unit, measure, its argument, target
        (f"CPU process pool speedup / {cores} cores", "ratio", cpu_processes_ratio, cores, 0.9),
        (f"  ceiling: {cores} tasks at once vs 1 alone", "ratio", cpu_ceiling_ratio, cores, None),
        ("I/O thread pool speedup / 8 workers", "ratio", io_threads_ratio, 8, 0.9),
        (f"CPU thread pool speedup ({cores} threads, GIL)", "x", cpu_threads_speedup, cores, None),
    ]
    return [
        Figure("demo fidelity", name, unit, [measure(arg) for _ in range(repeats)], target=target)
        for name, unit, measure, arg, target in measures
    ]
