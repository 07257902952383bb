"""Worker-count sweeps: a speedup plot that redraws as each count finishes, and Amdahl's law.

    sweep(counts, run)  ─▶ for n in counts: seconds = run(n) ─▶ LiveSpeedup.add(n, seconds)
                                                               (redraws measured, ideal,
                                                                cores limit and Amdahl fit)

Amdahl's law: with a fraction p of the work parallel, n workers give a speedup of
1 / ((1 - p) + p / n), so 1 / speedup = 1 - p * (1 - 1/n): a line through the origin in
(1 - 1/n, 1 - 1/speedup) whose slope is p. `fit_parallel_fraction` fits that slope.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt

from conclab.viz.live import show


def amdahl(p: float, n: float) -> float:
    """Speedup with n workers when a fraction p of the work runs in parallel."""
    return 1.0 / ((1.0 - p) + p / n)


def fit_parallel_fraction(workers, seconds) -> float | None:
    """Least-squares estimate of Amdahl's p from (workers, seconds) pairs, clipped to [0, 1].

    The first pair is the baseline; None until at least one other point exists.
    """
    workers, seconds = list(workers), list(seconds)
    if len(workers) < 2:
        return None
    base = seconds[0] * workers[0]  # time of one worker, scaled if the sweep starts above 1
    xs = [1 - 1 / n for n in workers]
    ys = [1 - s / base for s in seconds]
    denominator = sum(x * x for x in xs)
    if denominator == 0:
        return None
    p = sum(x * y for x, y in zip(xs, ys)) / denominator
    return min(1.0, max(0.0, p))


class LiveSpeedup:
    """A speedup plot that re-renders in place each time a worker count is measured.

    Only counts up to `cores` enter the Amdahl fit: beyond the number of cores, extra
    workers cannot run at the same time, which is a hardware limit, not a serial fraction.
    """

    def __init__(self, title: str, max_workers: int, cores: int):
        self.title = title
        self.max_workers = max_workers
        self.cores = cores
        self.workers: list[int] = []
        self.seconds: list[float] = []
        self.fig, self.ax = plt.subplots(figsize=(6, 3.6), layout="constrained")
        self._handle = None
        self.frames = 0

    @property
    def parallel_fraction(self) -> float | None:
        pairs = [(n, s) for n, s in zip(self.workers, self.seconds) if n <= self.cores]
        if not pairs:
            return None
        return fit_parallel_fraction(*zip(*pairs))

    def speedups(self) -> list[float]:
        base = self.seconds[0] * self.workers[0]
        return [base / s for s in self.seconds]

    def add(self, n: int, seconds: float) -> None:
        """Record the time measured with n workers and redraw."""
        self.workers.append(n)
        self.seconds.append(seconds)
        self.draw()

    def draw(self) -> None:
        ax = self.ax
        ax.clear()
        xs = list(range(1, self.max_workers + 1))
        ax.plot(xs, xs, "--", color="grey", label="ideal (n times faster)")
        ax.plot(
            xs,
            [min(n, self.cores) for n in xs],
            "-",
            color="#bbbbbb",
            lw=4,
            alpha=0.6,
            label=f"cores limit ({self.cores})",
        )
        p = self.parallel_fraction
        if p is not None:
            limited = [amdahl(p, min(n, self.cores)) for n in xs]
            ax.plot(xs, limited, ":", color="#8250df", label=f"Amdahl, fitted p={p:.2f}")
        if self.workers:
            ax.plot(self.workers, self.speedups(), "o-", color="#0969da", label="measured")
            for n, s, sp in zip(self.workers, self.seconds, self.speedups()):
                ax.annotate(
                    f"{s:.2f} s", (n, sp), textcoords="offset points", xytext=(4, -12), fontsize=8
                )
        ax.set_xlim(0.8, self.max_workers + 0.2)
        ax.set_ylim(0, self.max_workers + 0.3)
        ax.set_xticks(xs)
        ax.set_xlabel("workers (processes)")
        ax.set_ylabel("speedup over 1 worker (x)")
        done = f"{len(self.workers)}/{self.max_workers} counts measured"
        ax.set_title(f"{self.title}: {done}")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="upper left")
        self._handle = show(self.fig, self._handle)
        self.frames += 1

    def close(self) -> None:
        plt.close(self.fig)


def sweep(counts, run, plot: LiveSpeedup | None = None) -> list[tuple[int, float]]:
    """Call run(n) for each worker count; run returns the seconds it measured (so it can
    leave out pool start-up). Each result goes to the plot at once."""
    results = []
    for n in counts:
        seconds = run(n)
        results.append((n, seconds))
        if plot is not None:
            plot.add(n, seconds)
    return results


def task_limit(tasks: int, workers: int) -> float:
    """The best speedup `tasks` equal tasks can get from `workers` workers (one core each):
    they run in ceil(tasks / workers) rounds instead of `tasks`, so tasks / ceil(tasks /
    workers). Coarse tasks cap the speedup below the worker count: 6 tasks on 4 workers
    take 2 rounds, 3x, not 4x."""
    if tasks < 1 or workers < 1:
        raise ValueError("tasks and workers must be at least 1")
    return tasks / math.ceil(tasks / workers)


def limit_sentence(tasks: int, cpus: int) -> str:
    """What a process pool with one worker per CPU can do with `tasks` equal CPU-bound
    tasks on `cpus` CPUs, in words (notebook 01 prints it for this machine)."""
    limit = task_limit(tasks, cpus)
    rounds = math.ceil(tasks / cpus)
    plural = "s" if cpus != 1 else ""
    sentence = (
        f"With {cpus} CPU{plural} and {tasks} equal tasks, a process pool runs them in "
        f"{rounds} round{'s' if rounds != 1 else ''} of at most {min(tasks, cpus)} at once, so the "
        f"best it can do on CPU-bound work is {tasks} / {rounds} = {limit:g}x"
    )
    if limit < cpus:
        sentence += f", less than {cpus}x: the tasks are too few or too coarse to fill every CPU"
    return sentence + "; threads stay near 1x."
