"""Public checks for exercise 12. Points and task numbers live in exercise.toml.

Each check runs one scenario twice, with your ThreadPool and with the standard library's
ThreadPoolExecutor, and compares what can be observed: results, exceptions, cancellations,
the order of completions, threads. The scenario's expected outcome is written in the
check too, so a scenario that observes nothing cannot pass.
"""

import concurrent.futures as cf
import contextlib
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from conclab.probes.common import BARRIER_SECONDS, NeverMet
from conclab.probes.gates import InFlightGate, release_when_parked


@contextlib.contextmanager
def stdlib_pools_spied():
    """Record every ThreadPoolExecutor created inside the block (subclasses included)."""
    created = []
    original = ThreadPoolExecutor.__init__

    def spy(self, *args, **kwargs):
        created.append(type(self).__name__)
        original(self, *args, **kwargs)

    ThreadPoolExecutor.__init__ = spy
    try:
        yield created
    finally:
        ThreadPoolExecutor.__init__ = original


def run_both(scenario, submission):
    """(outcome with your ThreadPool, outcome with ThreadPoolExecutor) of one scenario."""

    def make_yours(max_workers):
        pool = submission.ThreadPool(max_workers)
        assert not isinstance(pool, ThreadPoolExecutor), (
            "ThreadPool is a ThreadPoolExecutor; write your own pool instead"
        )
        return pool

    with stdlib_pools_spied() as created:
        yours = scenario(make_yours)
    assert not created, (
        f"your ThreadPool created a concurrent.futures.ThreadPoolExecutor ({created[0]}); "
        "the point of this exercise is to write the pool yourself: threads, a queue, futures"
    )
    return yours, scenario(ThreadPoolExecutor)


def assert_same(what, yours, reference, expected):
    """Your outcome must equal ThreadPoolExecutor's, which must be the one documented."""
    for key, value in reference.items():
        assert yours.get(key) == value, (
            f"{what}: {key} was {yours.get(key)!r} with your ThreadPool; "
            f"ThreadPoolExecutor gives {value!r}"
        )
    assert reference == expected, (
        f"{what}: ThreadPoolExecutor gave {reference!r}, not {expected!r} as this check expects"
    )


def result_of(future):
    """future.result(), failing with a clear message instead of waiting for ever."""
    try:
        return future.result(timeout=BARRIER_SECONDS * 2)
    except cf.TimeoutError:
        raise AssertionError(
            f"a task's future was not done {BARRIER_SECONDS * 2:g} s after it was submitted: "
            "no worker thread ran it, or its future's result was never set"
        ) from None


def settle(future, timeout=BARRIER_SECONDS * 2):
    """What a future ended with: its result, the name of its exception, or why it did not
    end; never raises, so a check can compare it (including a cancelled future)."""
    try:
        return future.result(timeout=timeout)
    except cf.TimeoutError:
        return f"not done {timeout:g} s after the check started waiting for it"
    except BaseException as exc:  # noqa: BLE001 - the exception is the outcome
        return type(exc).__name__


def raised(call, *args):
    """The name of the exception call(*args) raises, or what it returned."""
    try:
        value = call(*args)
    except BaseException as exc:  # noqa: BLE001 - the exception is the outcome
        return type(exc).__name__
    return f"no exception, returned {value!r}"


def new_threads(before):
    return [t for t in threading.enumerate() if t not in before and t.is_alive()]


def join_new_threads(before):
    """Give threads the pool started up to BARRIER_SECONDS in all to exit."""
    deadline = time.monotonic() + BARRIER_SECONDS
    for thread in new_threads(before):
        thread.join(max(0.0, deadline - time.monotonic()))


def test_submit_returns_futures_with_results(submission):
    def scenario(make):
        pool = make(2)
        try:
            power = pool.submit(pow, 2, 10)
            ordered = pool.submit(sorted, [3, 1, 2], reverse=True)
            broken = pool.submit(int, "not a number")
            outcome = {
                "submit(pow, 2, 10).result()": result_of(power),
                "submit(sorted, [3, 1, 2], reverse=True).result()": result_of(ordered),
                "submit(int, 'not a number').exception()": type(broken.exception(10)).__name__,
                "submit(int, 'not a number').result()": raised(broken.result, 10),
                "done() of the three futures": [f.done() for f in (power, ordered, broken)],
            }
        finally:
            pool.shutdown(wait=True)
        return outcome

    yours, reference = run_both(scenario, submission)
    assert_same(
        "submit three tasks to a pool of 2",
        yours,
        reference,
        {
            "submit(pow, 2, 10).result()": 1024,
            "submit(sorted, [3, 1, 2], reverse=True).result()": [3, 2, 1],
            "submit(int, 'not a number').exception()": "ValueError",
            "submit(int, 'not a number').result()": "ValueError",
            "done() of the three futures": [True, True, True],
        },
    )


def test_runs_max_workers_tasks_at_once(submission):
    def scenario(make):
        barrier = threading.Barrier(3)

        def task(i):
            try:
                barrier.wait(BARRIER_SECONDS)
            except threading.BrokenBarrierError:
                raise NeverMet(
                    "a pool with max_workers=3 never ran 3 tasks at the same time: each "
                    f"waited {BARRIER_SECONDS:g} s at a barrier that only 3 threads running "
                    "at once can pass. Start max_workers threads that each take tasks "
                    "from the queue."
                ) from None
            return i

        pool = make(3)
        try:
            futures = [pool.submit(task, i) for i in range(6)]
            return {"results": [result_of(f) for f in futures]}
        finally:
            pool.shutdown(wait=True)

    yours, reference = run_both(scenario, submission)
    assert_same(
        "6 tasks that meet 3 at a time at a barrier, in a pool of 3",
        yours,
        reference,
        {"results": [0, 1, 2, 3, 4, 5]},
    )


def test_never_more_than_max_workers_threads(submission):
    def scenario(make):
        before = set(threading.enumerate())
        # Every task waits at a gate that opens once 3 wait there and no more can start.
        task = InFlightGate(3)
        pool = make(3)
        try:
            futures = [pool.submit(task, i) for i in range(10)]
            task.watch()
            started = len(new_threads(before))
            results = [result_of(f) for f in futures]
        finally:
            task.open()
            pool.shutdown(wait=True)
        return {
            "3 tasks running at once": task.reached,
            "a 4th task running at the same time": task.too_many,
            "threads started by the pool": started,
            "threads that ran tasks": len(task.threads),
            "results": results,
        }

    yours, reference = run_both(scenario, submission)
    assert_same(
        "10 blocked tasks submitted to a pool with max_workers=3",
        yours,
        reference,
        {
            "3 tasks running at once": True,
            "a 4th task running at the same time": False,
            "threads started by the pool": 3,
            "threads that ran tasks": 3,
            "results": list(range(10)),
        },
    )


def test_cancel_a_pending_task(submission):
    def scenario(make):
        started, gate = threading.Event(), threading.Event()
        ran = []

        def first():
            started.set()
            gate.wait(BARRIER_SECONDS)
            ran.append("first")
            return "first"

        pool = make(1)
        try:
            running = pool.submit(first)
            pending = pool.submit(ran.append, "second")
            later = pool.submit(ran.append, "third")
            assert started.wait(BARRIER_SECONDS), "the first task submitted never started"
            outcome = {
                "cancel() of the running task": running.cancel(),
                "cancel() of a pending task": pending.cancel(),
                "cancelled() of that task": pending.cancelled(),
                "done() of that task": pending.done(),
            }
            gate.set()
            outcome["result of the running task"] = settle(running)
            outcome["result of the last task"] = settle(later)
            outcome["result() of the cancelled task"] = raised(pending.result, 0)
            outcome["tasks that ran"] = list(ran)
        finally:
            gate.set()
            pool.shutdown(wait=True)
        return outcome

    yours, reference = run_both(scenario, submission)
    assert_same(
        "a pool of 1 running one task, with two more waiting; cancel the first waiting one",
        yours,
        reference,
        {
            "cancel() of the running task": False,
            "cancel() of a pending task": True,
            "cancelled() of that task": True,
            "done() of that task": True,
            "result of the running task": "first",
            "result of the last task": None,
            "result() of the cancelled task": "CancelledError",
            "tasks that ran": ["first", "third"],
        },
    )


def test_done_callbacks(submission):
    def scenario(make):
        gate, all_called = threading.Event(), threading.Event()
        calls = []
        pool = make(2)
        try:
            future = pool.submit(gate.wait, BARRIER_SECONDS)
            future.add_done_callback(lambda f: calls.append(("first", f is future, f.result())))
            future.add_done_callback(lambda f: calls.append(("second", f is future)))
            future.add_done_callback(lambda f: all_called.set())
            before = list(calls)
            gate.set()
            result_of(future)
            all_called.wait(BARRIER_SECONDS)
            me = threading.get_ident()
            future.add_done_callback(lambda f: calls.append(("late", threading.get_ident() == me)))
        finally:
            gate.set()
            pool.shutdown(wait=True)
        return {"callbacks called before the task finished": before, "calls": calls}

    yours, reference = run_both(scenario, submission)
    assert_same(
        "callbacks added before a task finishes, and one added after",
        yours,
        reference,
        {
            "callbacks called before the task finished": [],
            "calls": [("first", True, True), ("second", True), ("late", True)],
        },
    )


def test_works_with_as_completed_and_wait(submission):
    def scenario(make):
        # Task i finishes only after as_completed has handed the caller task i+1, so
        # as_completed must yield them last to first.
        handed = [threading.Event() for _ in range(4)]

        def task(i):
            if i + 1 < len(handed):
                handed[i + 1].wait(BARRIER_SECONDS)
            return i

        gate = threading.Event()
        pool = make(4)
        try:
            futures = [pool.submit(task, i) for i in range(4)]
            order = []
            try:
                for future in cf.as_completed(futures, timeout=BARRIER_SECONDS * 2):
                    order.append(futures.index(future))
                    handed[order[-1]].set()
            except cf.TimeoutError:
                raise AssertionError(
                    "as_completed(4 futures, timeout=10) timed out after handing back the "
                    f"tasks {order}: task i finishes only after task i+1 was handed back, "
                    "so the 4 tasks must run at the same time in a pool of 4"
                ) from None
            slow = pool.submit(gate.wait, BARRIER_SECONDS)
            quick = pool.submit(str, "quick")
            first = cf.wait([slow, quick], BARRIER_SECONDS, return_when=cf.FIRST_COMPLETED)
            gate.set()
            every = cf.wait([slow, quick], BARRIER_SECONDS * 2)
        finally:
            for event in (gate, *handed):
                event.set()
            pool.shutdown(wait=True)
        return {
            "order from as_completed": order,
            "wait(FIRST_COMPLETED) done": [f is quick for f in first.done],
            "wait() not done": len(every.not_done),
        }

    yours, reference = run_both(scenario, submission)
    assert_same(
        "as_completed over 4 tasks that finish last to first, then wait()",
        yours,
        reference,
        {
            "order from as_completed": [3, 2, 1, 0],
            "wait(FIRST_COMPLETED) done": [True],
            "wait() not done": 0,
        },
    )


def test_submit_after_shutdown_raises_runtime_error(submission):
    def scenario(make):
        pool = make(2)
        before = pool.submit(pow, 3, 2)
        pool.shutdown(wait=True)
        return {
            "result of a task submitted before shutdown": result_of(before),
            "submit() after shutdown()": raised(pool.submit, pow, 3, 3),
        }

    yours, reference = run_both(scenario, submission)
    assert_same(
        "submit after shutdown",
        yours,
        reference,
        {
            "result of a task submitted before shutdown": 9,
            "submit() after shutdown()": "RuntimeError",
        },
    )


def test_shutdown_waits_for_running_tasks(submission):
    def scenario(make):
        # The tasks are held until shutdown(wait=True) has been called and is waiting.
        release = threading.Event()

        def task(i):
            release.wait(BARRIER_SECONDS)
            return i

        pool = make(2)
        futures = [pool.submit(task, i) for i in range(4)]
        with release_when_parked(threading.current_thread(), release):
            pool.shutdown()  # wait=True is the default
            done = [f.done() for f in futures]
        return {
            "done() of each task when shutdown() returned": done,
            "results": [result_of(f) for f in futures],
        }

    yours, reference = run_both(scenario, submission)
    assert_same(
        "4 tasks in a pool of 2, still running or waiting, then shutdown() (wait=True by default)",
        yours,
        reference,
        {
            "done() of each task when shutdown() returned": [True] * 4,
            "results": [0, 1, 2, 3],
        },
    )


def test_shutdown_can_cancel_pending_tasks(submission):
    def scenario(make):
        before = set(threading.enumerate())
        started, gate = threading.Event(), threading.Event()
        ran = []

        def first():
            started.set()
            gate.wait(BARRIER_SECONDS)
            ran.append("first")
            return "first"

        pool = make(1)
        try:
            running = pool.submit(first)
            pending = [pool.submit(ran.append, f"waiting {i}") for i in range(3)]
            assert started.wait(BARRIER_SECONDS), "the first task submitted never started"
            pool.shutdown(wait=False, cancel_futures=True)
            outcome = {
                "cancelled() of the waiting tasks": [f.cancelled() for f in pending],
                "cancelled() of the running task": running.cancelled(),
            }
            gate.set()
            outcome["result of the running task"] = result_of(running)
        finally:
            gate.set()
            join_new_threads(before)
        outcome["tasks that ran"] = list(ran)
        outcome["submit() after shutdown()"] = raised(pool.submit, pow, 2, 2)
        outcome["threads left once the running task ended"] = [t.name for t in new_threads(before)]
        return outcome

    yours, reference = run_both(scenario, submission)
    assert_same(
        "shutdown(wait=False, cancel_futures=True) with one task running and 3 waiting",
        yours,
        reference,
        {
            "cancelled() of the waiting tasks": [True, True, True],
            "cancelled() of the running task": False,
            "result of the running task": "first",
            "tasks that ran": ["first"],
            "submit() after shutdown()": "RuntimeError",
            "threads left once the running task ended": [],
        },
    )


def test_worker_threads_exit_after_shutdown(submission):
    def scenario(make):
        before = set(threading.enumerate())
        with make(3) as pool:
            futures = [pool.submit(pow, i, 2) for i in range(9)]
            results = [result_of(f) for f in futures]
        # Leaving the with block called shutdown(wait=True): every worker has exited.
        left = new_threads(before)
        return {"results": results, "threads still alive after shutdown": [t.name for t in left]}

    yours, reference = run_both(scenario, submission)
    assert_same(
        "`with ThreadPool(3) as pool:` running 9 tasks; threads alive after the block",
        yours,
        reference,
        {"results": [i * i for i in range(9)], "threads still alive after shutdown": []},
    )


def test_max_workers_below_one_is_a_value_error(submission):
    def scenario(make):
        return {f"ThreadPool({n})": raised(make, n) for n in (0, -1, -5)}

    yours, reference = run_both(scenario, submission)
    assert_same(
        "creating a pool with max_workers < 1",
        yours,
        reference,
        {
            "ThreadPool(0)": "ValueError",
            "ThreadPool(-1)": "ValueError",
            "ThreadPool(-5)": "ValueError",
        },
    )


def test_submit_returns_a_future_at_once(submission):
    def scenario(make):
        gate = threading.Event()
        pool = make(1)
        try:
            busy = pool.submit(gate.wait, BARRIER_SECONDS)
            # Keyword arguments named like submit's own parameters reach the task.
            queued = pool.submit(dict, fn="f", self="s")
            outcome = {
                "submit() returned while the only worker was busy": not busy.done(),
                "submit() returned a concurrent.futures.Future": isinstance(queued, cf.Future),
            }
            gate.set()
            outcome["result of the busy task (True: released by the check)"] = settle(busy)
            outcome["submit(dict, fn='f', self='s').result()"] = settle(queued)
        finally:
            gate.set()
            pool.shutdown(wait=True)
        return outcome

    yours, reference = run_both(scenario, submission)
    assert_same(
        "submit to a pool of 1 whose worker is busy, with keywords fn= and self=",
        yours,
        reference,
        {
            "submit() returned while the only worker was busy": True,
            "submit() returned a concurrent.futures.Future": True,
            "result of the busy task (True: released by the check)": True,
            "submit(dict, fn='f', self='s').result()": {"fn": "f", "self": "s"},
        },
    )


def test_a_task_raising_base_exception_does_not_stop_its_worker(submission):
    def scenario(make):
        pool = make(1)
        try:
            leaving = pool.submit(sys.exit, 3)  # raises SystemExit, a BaseException
            interrupted = pool.submit(_raise_keyboard_interrupt)
            after = pool.submit(pow, 2, 5)
            last = settle(after)  # one worker, in order: once it is done, so are the others
            return {
                "outcome of a task calling sys.exit(3)": settle(leaving, 0),
                "outcome of a task raising KeyboardInterrupt": settle(interrupted, 0),
                "result of a task after them (same worker)": last,
            }
        finally:
            pool.shutdown(wait=True)

    yours, reference = run_both(scenario, submission)
    assert_same(
        "a pool of 1 running a task that raises SystemExit, one that raises "
        "KeyboardInterrupt, then pow(2, 5)",
        yours,
        reference,
        {
            "outcome of a task calling sys.exit(3)": "SystemExit",
            "outcome of a task raising KeyboardInterrupt": "KeyboardInterrupt",
            "result of a task after them (same worker)": 32,
        },
    )


def _raise_keyboard_interrupt():
    raise KeyboardInterrupt("raised by a task, not by you")


def test_shutdown_without_waiting_returns_at_once(submission):
    def scenario(make):
        before = set(threading.enumerate())
        gate = threading.Event()
        pool = make(1)
        try:
            running = pool.submit(gate.wait, BARRIER_SECONDS)
            queued = pool.submit(pow, 3, 3)
            pool.shutdown(wait=False)
            outcome = {
                "done() of the running task when shutdown(wait=False) returned": running.done(),
                "submit() after shutdown(wait=False)": raised(pool.submit, pow, 2, 2),
            }
            gate.set()
            outcome["result of the running task (True: released by the check)"] = settle(running)
            outcome["result of the task queued before shutdown"] = settle(queued)
        finally:
            gate.set()
            join_new_threads(before)
        outcome["threads left once the tasks ended"] = [t.name for t in new_threads(before)]
        return outcome

    yours, reference = run_both(scenario, submission)
    assert_same(
        "shutdown(wait=False) on a pool of 1 running one task with one more queued",
        yours,
        reference,
        {
            "done() of the running task when shutdown(wait=False) returned": False,
            "submit() after shutdown(wait=False)": "RuntimeError",
            "result of the running task (True: released by the check)": True,
            "result of the task queued before shutdown": 27,
            "threads left once the tasks ended": [],
        },
    )
