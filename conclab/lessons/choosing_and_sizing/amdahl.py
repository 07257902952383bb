"""Amdahl's law from a worker-count sweep: what the sweep can and cannot say, for notebook 10."""

from __future__ import annotations

import dataclasses
from concurrent.futures import ProcessPoolExecutor

from conclab.lessons.choosing_and_sizing.pools import start_workers, time_map

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
        from conclab.viz.speedup import fit_parallel_fraction

        times = {m: 1 / s for m, s in self.speedups.items() if m == 1 or m in self.fitted}
        times[n] *= factor
        workers = sorted(times)
        return fit_parallel_fraction(workers, [times[m] for m in workers])


def _describe_limit(p: float) -> str:
    limit = _limit(p)
    return "no limit at all" if limit == float("inf") else f"{limit:.1f}x"


def read_amdahl(runs: dict[int, list[float]], cores: int) -> AmdahlReading:
    """Fit Amdahl's p to repeated timings {workers: [seconds, ...]} that include 1 worker."""
    from conclab.viz.speedup import fit_parallel_fraction

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
