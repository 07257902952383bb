"""Exercise 08: producers and consumers in separate processes, linked by queues.

    producer 0 ─┐                       ┌─▶ consumer 0 ─┐
    producer 1 ─┼──▶ tasks (Queue) ─────┤               ├──▶ results (Queue) ──▶ caller
    ...        ─┘   + one STOP for each └─▶ consumer 1 ─┘
                      consumer, put by the caller

Run the checks with `python -m grader check queue_pipeline`, or in a notebook with
`from grader import check; check("queue_pipeline")`.
"""

from __future__ import annotations

import multiprocessing  # noqa: F401 - you will need it
from collections.abc import Callable, Sequence

# The sentinel that tells a consumer to stop. None pickles to None, so a consumer in
# another process can recognise it with `item is STOP`; an `object()` would arrive as a
# different object.
STOP = None


def producer(items: Sequence, tasks) -> None:
    """Process target: put every item on the `tasks` queue, in order, and nothing else.

    A producer does not put STOP: with several producers, none of them knows when the
    others are done. `run_pipeline` does that once every producer has finished.
    """
    # TODO 1: put each item on tasks.
    raise NotImplementedError("producer")


def consumer(work: Callable, tasks, results) -> None:
    """Process target: take items from `tasks` and put `work(item)` on `results`, until
    an item is STOP; then return (do not process STOP, do not take anything after it).

    Wait for items with `tasks.get()`: never stop because the queue looks empty.
    """
    # TODO 2: loop: get an item; return on STOP; otherwise put work(item) on results.
    raise NotImplementedError("consumer")


def run_pipeline(producer_items: Sequence[Sequence], work: Callable, n_consumers: int = 2):
    """Run one producer process per entry of `producer_items` and `n_consumers` consumer
    processes, linked by two `multiprocessing.Queue`s; process every item exactly once.

    `work` is a picklable callable (a module-level function, or a functools.partial of
    one), applied by the consumers to each item.

    Returns `(results, processes)`: `results` holds `work(item)` for every item, in any
    order; `processes` is the list of every Process started, all finished (joined).
    Every process must exit with exit code 0.
    """
    # TODO 3: create the queues; start the producers and the consumers; once every
    #         producer has finished, put one STOP per consumer on the tasks queue.
    # TODO 4: get every result from the results queue first, then join the consumers
    #         (a process that put data on a queue cannot exit until that data is read).
    raise NotImplementedError("run_pipeline")
