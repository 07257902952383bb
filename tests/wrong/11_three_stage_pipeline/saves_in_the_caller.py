"""Wrong: saves each result in the caller's loop instead of a save pool."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from typing import Any

BREAKS = ["save-threads"]
CAUGHT_BY = ["test_saves_run_at_the_same_time_in_threads"]


def run_pipeline(
    items: Iterable[Any],
    download: Callable[[Any], Any],
    compute: Callable[[Any], Any],
    save: Callable[[Any], Any],
    download_workers: int = 4,
    compute_workers: int = 2,
    save_workers: int = 2,
) -> list[Any]:
    """save(compute(download(item))) for every item, in input order; each stage in its own
    pool, and each item moves on as soon as its stage is done."""
    items = list(items)
    results: list[Any] = [None] * len(items)
    with (
        ThreadPoolExecutor(max_workers=download_workers) as downloads,
        ProcessPoolExecutor(max_workers=compute_workers) as computes,
        ThreadPoolExecutor(max_workers=save_workers),
    ):
        running: dict[Future, tuple[str, int]] = {
            downloads.submit(download, item): ("download", i) for i, item in enumerate(items)
        }
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                stage, i = running.pop(future)
                value = future.result()  # re-raises the stage's exception
                if stage == "download":
                    running[computes.submit(compute, value)] = ("compute", i)
                elif stage == "compute":
                    results[i] = save(value)
                else:
                    results[i] = value  # by position: input order, whatever finished first
    return results
