"""Wrong: consumers are threads of the caller, fed through a thread-safe queue.Queue."""

import multiprocessing
import queue
import threading

BREAKS = ["in-processes"]
CAUGHT_BY = ["test_every_item_processed_exactly_once"]

STOP = None


def producer(items, tasks):
    for item in items:
        tasks.put(item)


def consumer(work, tasks, results):
    while True:
        item = tasks.get()
        if item is STOP:
            return
        results.put(work(item))


def _forward(source, target, count):
    for _ in range(count):
        target.put(source.get())


def run_pipeline(producer_items, work, n_consumers=2):
    inbox = multiprocessing.Queue()
    tasks, results = queue.Queue(), queue.Queue()
    producers = [multiprocessing.Process(target=producer, args=(items, inbox))
                 for items in producer_items]  # fmt: skip
    for proc in producers:
        proc.start()
    expected = sum(len(items) for items in producer_items)
    _forward(inbox, tasks, expected)
    for proc in producers:
        proc.join()
    consumers = [threading.Thread(target=consumer, args=(work, tasks, results))
                 for _ in range(n_consumers)]  # fmt: skip
    for thread in consumers:
        thread.start()
    for _ in consumers:
        tasks.put(STOP)
    collected = [results.get() for _ in range(expected)]
    for thread in consumers:
        thread.join()
    return collected, producers
