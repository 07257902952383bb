"""Wrong: joins the consumers before reading their results, which deadlocks on large items."""

import multiprocessing

BREAKS = ["drain-before-join"]
CAUGHT_BY = ["test_large_items_do_not_deadlock"]

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


def run_pipeline(producer_items, work, n_consumers=2):
    tasks, results = multiprocessing.Queue(), multiprocessing.Queue()
    producers = [multiprocessing.Process(target=producer, args=(i, tasks)) for i in producer_items]
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
    for proc in consumers:
        proc.join()  # a consumer with unread results in the pipe never exits
    collected = [results.get() for _ in range(sum(len(i) for i in producer_items))]
    return collected, producers + consumers
