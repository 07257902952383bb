"""Wrong: a single STOP for several consumers, so all but one wait forever."""

import multiprocessing

BREAKS = ["stop-per-consumer"]
CAUGHT_BY = [
    "test_every_item_processed_exactly_once",
    "test_several_consumers_take_part",
    "test_every_process_exits_cleanly",
    "test_large_items_do_not_deadlock",
    "test_producers_without_items",
]

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
    tasks.put(STOP)
    collected = [results.get() for _ in range(sum(len(i) for i in producer_items))]
    for proc in consumers:
        proc.join()
    return collected, producers + consumers
