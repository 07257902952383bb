"""Repeat a measurement and summarise it: median, min, max."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass


@dataclass
class Figure:
    """One benchmark figure over several runs, with the target it is compared against."""

    group: str
    name: str
    unit: str
    values: list[float]
    target: float | None = None
    higher_is_better: bool = True

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        return self.median >= self.target if self.higher_is_better else self.median <= self.target

    def row(self) -> dict:
        return {
            "group": self.group,
            "name": self.name,
            "unit": self.unit,
            "median": self.median,
            "min": min(self.values),
            "max": max(self.values),
            "runs": len(self.values),
            "target": self.target,
            "higher_is_better": self.higher_is_better,
            "met": self.met,
        }


def timed(func, *args, **kwargs) -> float:
    """Seconds one call takes (wall clock)."""
    start = time.perf_counter()
    func(*args, **kwargs)
    return time.perf_counter() - start


def run_pytest(args: list[str], timeout: float, **env: str) -> None:
    """One quiet pytest run of the project (no cache, plots to files), which must pass."""
    from grader.manifest import PROJECT_ROOT

    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=PROJECT_ROOT,
        env=dict(os.environ, MPLBACKEND="Agg", **env),
        capture_output=True,
        check=True,
        timeout=timeout,
    )
