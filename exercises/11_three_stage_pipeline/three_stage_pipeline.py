"""Exercise 11: a pipeline of three stages, each with its own pool, that overlap in time.

Run the checks with `python -m grader check three_stage_pipeline`, or in a notebook with
`from grader import check; check("three_stage_pipeline")`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import (  # noqa: F401 - you will need some of these
    FIRST_COMPLETED,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from typing import Any


def run_pipeline(
    items: Iterable[Any],
    download: Callable[[Any], Any],
    compute: Callable[[Any], Any],
    save: Callable[[Any], Any],
    download_workers: int = 4,
    compute_workers: int = 2,
    save_workers: int = 2,
) -> list[Any]:
    """Run `save(compute(download(item)))` for every item and return the results of
    `save`, in the order of `items`.

    Each stage has its own pool: `download` (waits for the network) in a
    ThreadPoolExecutor of `download_workers` threads, `compute` (CPU-bound; a picklable,
    module-level function) in a ProcessPoolExecutor of `compute_workers` processes, and
    `save` (waits for the disk) in a ThreadPoolExecutor of `save_workers` threads. An item
    moves to the next stage as soon as its current stage is done, so the stages overlap:
    item 0 can be saved while item 9 is still downloading. An exception raised by any
    stage reaches the caller.

    Example (with module-level functions):
        >>> run_pipeline([1, 2, 3], str, int, abs)
        [1, 2, 3]
    """
    # TODO 1: return one result per item, save(compute(download(item))), in input order.
    # TODO 2: give each stage its own pool: threads for download and save, processes for
    #         compute, with the given numbers of workers.
    # TODO 3: hand each item to the next stage as soon as it is ready, so the stages
    #         overlap; do not wait for a whole stage to finish first.
    # TODO 4: let an exception raised by any stage reach the caller.
    raise NotImplementedError("run_pipeline")
