"""Choosing an executor and sizing it: the decision guide, pool timings, BLAS threads, memory.

Workers for notebook 10-choosing-and-sizing. Every function a pool runs is module-level,
so it pickles by reference under fork, spawn and forkserver. NumPy, threadpoolctl and
psutil are imported inside functions: a worker pays for them only when it uses them.
"""

from __future__ import annotations

import dataclasses
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

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


# --- How many CPUs each count sees ----------------------------------------------------------


def parse_cgroup_v2_cpu_max(text: str) -> float | None:
    """CPUs allowed by a cgroup v2 `cpu.max` line ('quota period', or 'max period')."""
    fields = text.split()
    if not fields or fields[0] == "max":
        return None
    period = int(fields[1]) if len(fields) > 1 else 100_000
    return int(fields[0]) / period


def parse_cgroup_v1_quota(quota_us: str, period_us: str) -> float | None:
    """CPUs allowed by cgroup v1's cpu.cfs_quota_us / cpu.cfs_period_us (-1: no quota)."""
    quota = int(quota_us)
    return None if quota < 0 else quota / int(period_us)


def cgroup_cpu_quota(root: str = "/sys/fs/cgroup") -> float | None:
    """The CPU quota of this process's container (`docker --cpus`, Kubernetes CPU limits),
    in CPUs, or None when there is none or it cannot be read (not Linux, no cgroups)."""
    try:
        with open(os.path.join(root, "cpu.max")) as f:
            return parse_cgroup_v2_cpu_max(f.read())
    except (OSError, ValueError):
        pass
    try:
        with (
            open(os.path.join(root, "cpu", "cpu.cfs_quota_us")) as quota,
            open(os.path.join(root, "cpu", "cpu.cfs_period_us")) as period,
        ):
            return parse_cgroup_v1_quota(quota.read(), period.read())
    except (OSError, ValueError):
        return None


def cpu_counts() -> dict[str, object]:
    """Each way of counting CPUs, as this process sees it right now."""
    from .env import usable_cpus

    counts: dict[str, object] = {"os.cpu_count() (the machine)": os.cpu_count()}
    if hasattr(os, "sched_getaffinity"):
        counts["len(os.sched_getaffinity(0)) (affinity mask)"] = len(os.sched_getaffinity(0))
    if hasattr(os, "process_cpu_count"):
        counts["os.process_cpu_count() (3.13+)"] = os.process_cpu_count()
    quota = cgroup_cpu_quota()
    counts["cgroup CPU quota (docker --cpus)"] = "none" if quota is None else f"{quota:g} CPUs"
    counts["conclab.env.usable_cpus()"] = usable_cpus()
    return counts


def cpu_count_override(count: int = 1) -> str | None:
    """What a new interpreter started with `-X cpu_count=count` reports (3.13+), or None
    before 3.13, where the option does not exist."""
    import subprocess
    import sys

    if sys.version_info < (3, 13):
        return None
    code = "import os; print(os.cpu_count(), os.process_cpu_count())"
    done = subprocess.run(
        [sys.executable, "-X", f"cpu_count={count}", "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    machine, usable = done.stdout.split()
    return f"os.cpu_count() = {machine}, os.process_cpu_count() = {usable}"


def load_note(cores: int) -> str:
    """A sentence when other programs keep the machine busy (a 1-minute load average above
    1.5 x the usable CPUs), else ''. Timings on such a machine include their work."""
    if not hasattr(os, "getloadavg"):
        return ""
    load = os.getloadavg()[0]
    if load <= 1.5 * cores:
        return ""
    return (
        f"(The 1-minute load average is {load:.1f} on {cores} usable CPUs: other programs "
        "compete for them, so these times include their work. Run the cell again when the "
        "machine is quieter.)"
    )


# --- Amdahl's law: what a sweep can show -------------------------------------------------

SWEEP_TASKS = 48  # 1, 2, 3, 4, 6, 8, 12, 16, 24 workers all get equal shares of 48 tasks


def sweep_counts(cores: int, tasks: int = SWEEP_TASKS) -> list[int]:
    """Worker counts from 1 to twice the usable CPUs that divide `tasks` evenly, so every
    worker gets the same number of tasks (12 tasks on 8 workers would leave 4 of them idle
    for the second round, and the fit would read that staircase as a serial part)."""
    return [n for n in range(1, min(2 * cores, tasks) + 1) if tasks % n == 0]


def time_process_pool_runs(
    workers: int, func, inputs, chunksize: int = 1, repeat: int = 2
) -> list[float]:
    """Seconds of each of `repeat` maps of func over inputs on one fresh, started pool."""
    inputs = list(inputs)
    with ProcessPoolExecutor(workers) as pool:
        start_workers(pool, workers)
        return [time_map(pool, func, inputs, chunksize) for _ in range(repeat)]


def _limit(p: float) -> float:
    return float("inf") if p >= 1 else 1 / (1 - p)


@dataclasses.dataclass(frozen=True)
class AmdahlReading:
    """What a worker-count sweep can say about Amdahl's parallel fraction p.

    Only counts from 2 up to the usable CPUs enter the fit: beyond the CPUs, extra workers
    cannot run at once, which is a hardware limit, not a serial part. The range comes from
    the spread between repeated runs: the slowest baseline with the fastest parallel runs,
    and the other way round.
    """

    cores: int
    fitted: tuple[int, ...]  # worker counts the fit used (2 ... cores)
    p: float | None
    p_low: float | None
    p_high: float | None
    speedups: dict[int, float]  # best time of 1 worker / best time of n workers
    spread: float = 0.0  # the largest (slowest / fastest - 1) between runs of one count

    @property
    def limit_low(self) -> float | None:
        return None if self.p_low is None else _limit(self.p_low)

    @property
    def limit_high(self) -> float | None:
        return None if self.p_high is None else _limit(self.p_high)

    def describe(self) -> str:
        """The conclusions, in sentences computed from the measured times."""
        if self.p is None:
            return (
                f"With {self.cores} usable CPU no two workers run at once, so this sweep "
                "cannot measure a parallel fraction: every count above 1 shares the one CPU."
            )
        counts = ", ".join(str(n) for n in self.fitted)
        text = [
            f"Fitted on {len(self.fitted)} worker count{'s' if len(self.fitted) > 1 else ''} "
            f"({counts}; the counts up to the {self.cores} usable CPUs): p = {self.p:.2f}, "
            f"between {self.p_low:.2f} and {self.p_high:.2f} across the repeated runs."
        ]
        if self.limit_high == float("inf"):
            text.append(
                f"The data bound Amdahl's limit from below only: at least {self.limit_low:.1f}x "
                "with unlimited CPUs. The fastest runs are as fast as the ideal within the "
                "spread between runs, so they cannot tell a small serial part from none."
            )
        else:
            text.append(
                f"Amdahl's limit with unlimited CPUs, 1 / (1 - p): between "
                f"{self.limit_low:.1f}x and {self.limit_high:.1f}x."
            )
        if len(self.fitted) < 3:
            n = self.fitted[-1]
            points = f"{len(self.fitted)} point{'s' if len(self.fitted) > 1 else ''}"
            text.append(
                f"That is an extrapolation far beyond the data: with {self.cores} usable CPUs "
                f"the fit has {points}."
            )
            slower = _describe_limit(self._p_with(n, 1.02))
            faster = _describe_limit(self._p_with(n, 0.98))
            if slower != faster:
                text.append(
                    f"A 2 % change in the {n}-worker time alone moves the limit from {slower} "
                    f"to {faster}."
                )
            text.append("A machine with more CPUs gives the sweep the points to test it.")
        if self.spread > 0.1:
            text.append(
                f"The two runs of one count differed by up to {self.spread:.0%}: other programs "
                "were using the CPUs, and the fit reads their load as a serial part. Run the "
                "cell again when the machine is idle."
            )
        beyond = [n for n in self.speedups if n > self.cores]
        if beyond:
            top = max(beyond)
            at_cores = max(n for n in self.speedups if n <= self.cores)
            text.append(
                f"Beyond the CPUs, {top} workers gave {self.speedups[top]:.2f}x against "
                f"{self.speedups[at_cores]:.2f}x with {at_cores}."
            )
        return " ".join(text)

    def _p_with(self, n: int, factor: float) -> float:
        """The fit's p if the n-worker speedup were `factor` times slower."""
        from .speedup import fit_parallel_fraction

        times = {m: 1 / s for m, s in self.speedups.items() if m == 1 or m in self.fitted}
        times[n] *= factor
        workers = sorted(times)
        return fit_parallel_fraction(workers, [times[m] for m in workers])


def _describe_limit(p: float) -> str:
    limit = _limit(p)
    return "no limit at all" if limit == float("inf") else f"{limit:.1f}x"


def read_amdahl(runs: dict[int, list[float]], cores: int) -> AmdahlReading:
    """Fit Amdahl's p to repeated timings {workers: [seconds, ...]} that include 1 worker."""
    from .speedup import fit_parallel_fraction

    fitted = tuple(n for n in sorted(runs) if 2 <= n <= cores)
    best = {n: min(seconds) for n, seconds in runs.items()}
    speedups = {n: best[1] / best[n] for n in sorted(runs)}
    spread = max(max(seconds) / min(seconds) - 1 for seconds in runs.values())
    if not fitted:
        return AmdahlReading(cores, fitted, None, None, None, speedups, spread)
    workers = [1, *fitted]

    def fit(base, parallel):
        return fit_parallel_fraction(workers, [base(runs[1])] + [parallel(runs[n]) for n in fitted])

    return AmdahlReading(
        cores,
        fitted,
        p=fit(min, min),
        p_low=fit(min, max),
        p_high=fit(max, min),
        speedups=speedups,
        spread=spread,
    )


# --- Sizing a thread pool for I/O: Little's law ------------------------------------------


class Service:
    """Stands for a remote service that answers in `seconds` and serves at most `slots`
    requests at once (a connection limit, a rate limit, a database's pool); more wait."""

    def __init__(self, slots: int = 8, seconds: float = 0.02):
        self.slots = slots
        self.seconds = seconds
        self._slots = threading.BoundedSemaphore(slots)  # held while a request is served
        self._count = threading.Lock()  # guards serving and peak
        self.serving = 0  # requests being served right now
        self.peak = 0  # the most served at once so far

    def request(self, _item=None) -> float:
        """One call: wait for a slot, then for the answer; returns its latency in seconds."""
        start = time.perf_counter()
        with self._slots:
            with self._count:
                self.serving += 1
                self.peak = max(self.peak, self.serving)
            time.sleep(self.seconds)
            with self._count:
                self.serving -= 1
        return time.perf_counter() - start

    @property
    def capacity(self) -> float:
        """Requests per second the service can answer at most: slots / seconds."""
        return self.slots / self.seconds


def io_sweep(service: Service, thread_counts, requests: int = 64) -> list[dict]:
    """Send `requests` calls through a thread pool of each size; per size: the seconds, the
    throughput (requests per second), the mean latency, and Little's law's L = throughput x
    latency, the mean number of requests in flight."""
    rows = []
    for threads in thread_counts:
        start = time.perf_counter()
        with ThreadPoolExecutor(threads) as pool:
            latencies = list(pool.map(service.request, range(requests)))
        seconds = time.perf_counter() - start
        throughput = requests / seconds
        latency = sum(latencies) / len(latencies)
        rows.append(
            {
                "threads": threads,
                "seconds": seconds,
                "throughput": throughput,
                "latency": latency,
                "in_flight": throughput * latency,
            }
        )
    return rows


def io_sweep_verdict(rows: list[dict], service: Service) -> str:
    """What the sweep shows, from its numbers: where throughput stopped growing and what
    the extra threads did instead."""
    best = max(rows, key=lambda r: r["throughput"])
    enough = min(
        (r for r in rows if r["throughput"] >= 0.9 * best["throughput"]), key=lambda r: r["threads"]
    )
    first, last = rows[0], rows[-1]
    text = (
        f"Throughput grew from {first['throughput']:.0f} requests/s with {first['threads']} "
        f"thread{'s' if first['threads'] > 1 else ''} to within 10 % of its best "
        f"({best['throughput']:.0f}/s) at {enough['threads']} threads; the service allows "
        f"{service.slots} at once, at most {service.capacity:.0f}/s. "
    )
    if last["threads"] > enough["threads"]:
        text += (
            f"With {last['threads']} threads it was {last['throughput']:.0f}/s, and each "
            f"request took {last['latency'] * 1000:.0f} ms instead of "
            f"{first['latency'] * 1000:.0f} ms: the extra threads only wait in line. "
        )
    target = 0.5 * service.capacity
    text += (
        f"Little's law sizes the pool: for {target:.0f} requests/s at "
        f"{first['latency'] * 1000:.0f} ms each, {target * first['latency']:.1f} requests must "
        "be in flight, so that many threads; more than the service allows at once buys nothing."
    )
    return text


def io_sweep_plot(rows: list[dict], service: Service):
    """Throughput against threads, with Little's law's threads / latency and the service's
    capacity as reference lines."""
    import matplotlib.pyplot as plt

    threads = [r["threads"] for r in rows]
    fig, ax = plt.subplots(figsize=(6, 3.4), layout="constrained")
    ax.plot(threads, [r["throughput"] for r in rows], "o-", label="measured")
    ax.plot(
        threads,
        [min(n / service.seconds, service.capacity) for n in threads],
        "--",
        color="grey",
        label=f"Little's law: threads / {service.seconds * 1000:.0f} ms, up to the limit",
    )
    limit = f"service limit: {service.slots} slots / {service.seconds * 1000:.0f} ms"
    ax.axhline(service.capacity, color="#bbbbbb", lw=4, alpha=0.6, label=limit)
    ax.set_xscale("log", base=2)
    ax.set_xticks(threads, [str(n) for n in threads])
    ax.set_xlabel("threads in the pool")
    ax.set_ylabel("throughput (requests/s)")
    ax.set_title(f"I/O-bound calls to a service with {service.slots} slots")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig


def worker_memory(method: str, workers: int = 2) -> dict[int, dict]:
    """RSS and USS (MB) of each worker of a fresh process pool under a start method."""
    import multiprocessing

    context = multiprocessing.get_context(method)
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        pids = start_workers(pool, workers, seconds=0.3)
        return {pid: memory_mb(pid) for pid in pids}
