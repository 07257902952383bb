"""Wrong: each producer ends its items with a STOP of its own."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence

BREAKS = ["producer"]
CAUGHT_BY = ["test_producer_puts_every_item_in_order"]

STOP = None  # None survives pickling as None, so `item is STOP` works in every process


def producer(items: Sequence, tasks) -> None:
    """Process target: put every item on the tasks queue, in order."""
    for item in items:
        tasks.put(item)
    tasks.put(STOP)


def consumer(work: Callable, tasks, results) -> None:
    """Process target: put work(item) on results for each item, until STOP."""
    while True:
        item = tasks.get()  # blocks until an item arrives: no polling of empty()
        if item is STOP:
            return
        results.put(work(item))


def run_pipeline(producer_items: Sequence[Sequence], work: Callable, n_consumers: int = 2):
    """Producers and consumers in processes; returns (results, processes)."""
    tasks = multiprocessing.Queue()
    results = multiprocessing.Queue()
    producers = [
        multiprocessing.Process(target=producer, args=(items, tasks)) for items in producer_items
    ]
    consumers = [
        multiprocessing.Process(target=consumer, args=(work, tasks, results))
        for _ in range(n_consumers)
    ]
    for proc in producers + consumers:
        proc.start()
    for proc in producers:
        proc.join()
    for _ in consumers:
        tasks.put(STOP)
    expected = sum(len(items) for items in producer_items)
    collected = [results.get() for _ in range(expected)]
    for proc in consumers:
        proc.join()
    return collected, producers + consumers
