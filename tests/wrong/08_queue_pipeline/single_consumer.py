"""Wrong: one consumer, started after the producers are joined, that stops when empty()."""

import multiprocessing

BREAKS = ["consumers-at-once"]
CAUGHT_BY = [
    "test_consumer_waits_for_items_instead_of_polling",
    "test_several_consumers_take_part",
    "test_large_items_do_not_deadlock",
]

STOP = None


def producer(items, tasks):
    for item in items:
        tasks.put(item)


def consumer(work, tasks, results):
    while not tasks.empty():
        item = tasks.get()
        if item is STOP:
            return
        results.put(work(item))


def run_pipeline(producer_items, work, n_consumers=2):
    tasks, results = multiprocessing.Queue(), multiprocessing.Queue()
    producers = [multiprocessing.Process(target=producer, args=(i, tasks)) for i in producer_items]
    for proc in producers:
        proc.start()
    for proc in producers:
        proc.join()  # nobody reads yet: large items never fit the pipe
    tasks.put(STOP)
    # One consumer, started after the producers are done, so it always finds items.
    only = multiprocessing.Process(target=consumer, args=(work, tasks, results))
    only.start()
    collected = [results.get() for _ in range(sum(len(i) for i in producer_items))]
    only.join()
    return collected, producers + [only]
