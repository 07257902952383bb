"""Public checks for exercise 08. Points and task numbers live in exercise.toml."""

import multiprocessing
import os
import queue
import threading
from collections import Counter
from functools import partial

import pytest

from conclab.probes.common import PROCESS_BARRIER_SECONDS
from conclab.probes.mp import call_with_deadline, meet_then_record, record_item
from conclab.probes.startmethods import methods_to_check, start_method

# How long a check waits for run_pipeline before it stops the processes and reports a hang.
# A correct pipeline returns in well under 0.1 s (fork, forkserver) to about 1 s (spawn
# on a loaded machine); only a lost sentinel or a deadlock comes near this.
PIPELINE_SECONDS = 10.0

HANG = (
    "{call} did not return within {seconds:g} s, so the grader stopped its processes. Usual "
    "causes: a consumer that never gets its STOP (put one STOP per consumer, after every "
    "producer has finished), waiting for more results than there are items, or joining a "
    "process before getting everything it put on a queue."
)
DEADLOCK = (
    "{call} did not return within {seconds:g} s, so the grader stopped its processes: a "
    "deadlock. A process that put data on a multiprocessing.Queue cannot exit until that data "
    "has been read (its feeder thread waits for room in the pipe, about 64 KiB), so joining "
    "a consumer before getting all its results, or joining the producers before the "
    "consumers run, waits forever. Get every result first, then join."
)


def run(
    submission, method, producer_items, work, n_consumers, call, hang=HANG, seconds=PIPELINE_SECONDS
):
    """run_pipeline under a start method, with a deadline; returns (results, processes)."""
    with start_method(method):
        outcome = call_with_deadline(
            submission.run_pipeline, producer_items, work, n_consumers, seconds=seconds
        )
    if outcome.error is not None:
        raise outcome.error
    if not outcome.finished:
        pytest.fail(f"[{method}] " + hang.format(call=call, seconds=seconds), False)
    got = outcome.value
    assert isinstance(got, (tuple, list)) and len(got) == 2, (
        f"[{method}] {call} returned {got!r}; expected a pair (results, processes)"
    )
    results, processes = list(got[0]), list(got[1])
    return results, processes


def default_method_only() -> list[str]:
    """This platform's default start method, for the checks whose property does not depend
    on how the processes start. A strict method (spawn, forkserver), which needs
    module-level targets and picklable arguments, is covered by
    test_every_item_processed_exactly_once (task 3) and test_large_items_do_not_deadlock
    (task 4), which run under both."""
    return methods_to_check()[-1:]


def exactly_once(method, call, expected_items, seen_items):
    counts = Counter(seen_items)
    missing = [i for i in expected_items if counts[i] == 0]
    twice = sorted({i for i, n in counts.items() if n > 1}, key=repr)
    extra = sorted({i for i in counts if i not in set(expected_items)}, key=repr)
    assert not (missing or twice or extra), (
        f"[{method}] {call}: every item should be processed exactly once, but "
        f"{len(missing)} items were never processed {missing[:5]!r}, {len(twice)} were "
        f"processed more than once {twice[:5]!r}, and {len(extra)} results are not items "
        f"{extra[:5]!r}"
    )


def test_producer_puts_every_item_in_order(submission):
    tasks = queue.Queue()
    items = [3, 1, "two", 0, "", 3, (4, 5)]
    submission.producer(items, tasks)
    got = [tasks.get_nowait() for _ in range(tasks.qsize())]
    assert got == items, (
        f"producer({items!r}, tasks) put {got!r} on tasks; expected exactly the items, in "
        "order (no STOP: run_pipeline puts those once every producer has finished)"
    )


class _ConsumerThread(threading.Thread):
    """Runs the learner's consumer in this process; keeps an exception for the check."""

    def __init__(self, submission, tasks, results):
        super().__init__(daemon=True)
        self.call = partial(submission.consumer, record_item, tasks, results)
        self.error = None

    def run(self):
        try:
            self.call()
        except BaseException as exc:  # noqa: BLE001 - re-raised by the check
            self.error = exc

    def raise_error(self):
        if self.error is not None:
            raise self.error


def _consume_in_thread(submission, tasks, results):
    thread = _ConsumerThread(submission, tasks, results)
    thread.start()
    return thread


def test_consumer_processes_items_until_stop(submission):
    tasks, results = queue.Queue(), queue.Queue()
    for item in [1, 0, "", 3, submission.STOP, 4]:
        tasks.put(item)
    thread = _consume_in_thread(submission, tasks, results)
    thread.join(5)
    thread.raise_error()
    assert not thread.is_alive(), (
        "consumer(work, tasks, results) with tasks [1, 0, '', 3, STOP, 4] did not return within "
        "5 s; expected it to return when it takes STOP"
    )
    got = [item for item, _ in (results.get_nowait() for _ in range(results.qsize()))]
    left = [tasks.get_nowait() for _ in range(tasks.qsize())]
    assert got == [1, 0, "", 3] and left == [4], (
        f"consumer(work, tasks, results) with tasks [1, 0, '', 3, STOP, 4] processed {got!r} "
        f"and left {left!r} on tasks; expected it to process [1, 0, '', 3] and stop at STOP "
        "only, leaving [4] for someone else: 0 and '' are items, test `item is STOP`"
    )


class _WatchedQueue(queue.Queue):
    """A queue that notes when someone starts waiting in get()."""

    def __init__(self):
        super().__init__()
        self.getting = threading.Event()

    def get(self, *args, **kwargs):
        self.getting.set()
        return super().get(*args, **kwargs)


def test_consumer_waits_for_items_instead_of_polling(submission):
    tasks, results = _WatchedQueue(), queue.Queue()
    thread = _consume_in_thread(submission, tasks, results)
    while not tasks.getting.wait(0.05):
        if not thread.is_alive():
            thread.raise_error()
            pytest.fail(
                "consumer(work, tasks, results) returned while tasks was still empty, before "
                "any item or STOP was put; expected it to wait in tasks.get(). An empty queue "
                "does not mean the producers are done (multiprocessing.Queue.empty() is "
                "even True right after a put): only STOP means stop.",
                False,
            )
    for item in [5, 6, submission.STOP]:
        tasks.put(item)
    thread.join(5)
    thread.raise_error()
    got = [item for item, _ in (results.get_nowait() for _ in range(results.qsize()))]
    assert not thread.is_alive() and got == [5, 6], (
        f"consumer(work, tasks, results) waiting on an empty queue, then given 5, 6 and "
        f"STOP, processed {got!r} (returned: {not thread.is_alive()}); expected [5, 6] and "
        "a return"
    )


def test_every_item_processed_exactly_once(submission):
    producer_items = [[(p, i) for i in range(12)] for p in range(2)]
    expected = [item for items in producer_items for item in items]
    call = "run_pipeline(2 producers x 12 items, work, n_consumers=3)"
    for method in methods_to_check():
        results, processes = run(submission, method, producer_items, record_item, 3, call)
        exactly_once(method, call, expected, [r[0] for r in results])
        pids = {pid for _, pid in results}
        started = {getattr(p, "pid", None) for p in processes}
        assert os.getpid() not in pids and pids <= started, (
            f"[{method}] {call}: items were processed in processes {sorted(pids)}; expected "
            f"only the consumer processes you started {sorted(started, key=str)}, never the "
            f"caller ({os.getpid()})"
        )


def test_several_consumers_take_part(submission):
    producer_items = [[(p, i) for i in range(10)] for p in range(2)]
    expected = [item for items in producer_items for item in items]
    meeters = frozenset({(0, 2), (1, 7)})
    call = "run_pipeline(2 producers x 10 items, work, n_consumers=2)"
    for method in default_method_only():
        with multiprocessing.get_context(method).Manager() as manager:
            work = partial(meet_then_record, manager.Barrier(2), meeters)
            # A consumer may wait PROCESS_BARRIER_SECONDS in work() for the other one: on
            # top of that, the usual deadline, so that such a pipeline still returns and
            # the check can say that the consumers never met.
            seconds = PROCESS_BARRIER_SECONDS + PIPELINE_SECONDS
            results, _ = run(submission, method, producer_items, work, 2, call, seconds=seconds)
        exactly_once(method, call, expected, [r[0] for r in results])
        meeting = {item: (pid, met) for item, pid, met in results if item in meeters}
        assert all(met for _, met in meeting.values()), (
            f"[{method}] {call}: the consumers never worked at the same time. Items "
            f"{sorted(meeters)} each wait for the other in work(); a consumer waiting there "
            "cannot take the other one, so only two consumer processes running at once "
            f"pass. Got (pid, met) = {meeting!r}; expected both met in different processes."
        )


def test_every_process_exits_cleanly(submission):
    producer_items = [[(p, i) for i in range(5)] for p in range(2)]
    call = "run_pipeline(2 producers x 5 items, work, n_consumers=2)"
    for method in default_method_only():
        _, processes = run(submission, method, producer_items, record_item, 2, call)
        assert len(processes) == 4, (
            f"[{method}] {call} returned {len(processes)} processes; expected all 4 it "
            "started (2 producers, 2 consumers)"
        )
        states = [(getattr(p, "exitcode", p), p.is_alive()) for p in processes]
        assert all(code == 0 and not alive for code, alive in states), (
            f"[{method}] {call}: the processes ended with (exitcode, still alive) = "
            f"{states!r}; expected every one joined with exit code 0. Stop consumers with "
            "STOP sentinels, not terminate(), and join every process."
        )


def test_large_items_do_not_deadlock(submission):
    size = 128 * 1024  # twice a pipe's buffer (64 KiB): one unread item fills it
    producer_items = [[(p, i, bytes([p * 3 + i]) * size) for i in range(2)] for p in range(2)]
    expected = [item[:2] for items in producer_items for item in items]
    call = "run_pipeline(2 producers x 2 items of 128 KiB, work, n_consumers=2)"
    for method in methods_to_check():
        results, _ = run(submission, method, producer_items, record_item, 2, call, DEADLOCK)
        exactly_once(method, call, expected, [r[0][:2] for r in results])
        intact = all(r[0][2] == bytes([r[0][0] * 3 + r[0][1]]) * size for r in results)
        assert intact, f"[{method}] {call}: some results did not carry their item's data"


def test_duplicate_and_falsy_items_each_processed(submission):
    producer_items = [[0, "", 0, 5], ["", 5, 7]]
    expected = [item for items in producer_items for item in items]
    call = "run_pipeline([[0, '', 0, 5], ['', 5, 7]], work, n_consumers=2)"
    for method in default_method_only():
        results, _ = run(submission, method, producer_items, record_item, 2, call)
        got = Counter(r[0] for r in results)
        assert got == Counter(expected), (
            f"[{method}] {call} processed the items {dict(got)!r} times; expected "
            f"{dict(Counter(expected))!r}: every item once per time it was produced, "
            "repeated and falsy items included (requirement: work(item) for every item)"
        )
