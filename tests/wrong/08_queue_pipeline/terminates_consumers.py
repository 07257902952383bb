"""Wrong: no sentinels; the caller terminates the consumers once it has every result."""

import multiprocessing

BREAKS = ["processes-joined"]
CAUGHT_BY = ["test_every_process_exits_cleanly", "test_producers_without_items"]

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
    collected = [results.get() for _ in range(sum(len(i) for i in producer_items))]
    for proc in producers:
        proc.join()
    for proc in consumers:
        proc.terminate()  # exit code -15 instead of a clean return
        proc.join()
    return collected, producers + consumers
