"""Public checks for exercise 10. Points and task numbers live in exercise.toml."""

import threading
from itertools import islice

from conclab.probes.common import PoolSpy, call_and_catch, describe_error, meet, same_error
from conclab.probes.gates import FinishingOrder, InFlightGate


class ReadTooFar(AssertionError):
    """bounded_map took more items from the input than the caller had room for."""


class EndlessSource:
    """An endless iterator of 0, 1, 2, ... that counts how far it was read ahead.

    The check calls `consumed()` for each result it takes. Reading more than
    max_in_flight items ahead of that raises ReadTooFar, so an implementation that reads
    everything first stops at once instead of filling the memory. No slack where none is
    needed: the caller counts a result as consumed before it asks for the next one, so a
    read made in the caller's thread (inside next(), as a generator does) is judged
    against exactly max_in_flight. A read made by another thread (a feeder) may come
    between a result being handed back and the caller counting it: one more is allowed.
    """

    def __init__(self, max_in_flight: int):
        self.limit = max_in_flight
        self._lock = threading.Lock()  # guards pulled, taken, consumer and most_ahead
        self.pulled = 0
        self.taken = 0
        self.consumer: threading.Thread | None = None  # the thread that takes the results
        self.most_ahead = 0  # how far ahead of the caller, less any feeder allowance

    def __iter__(self):
        return self

    def __next__(self) -> int:
        with self._lock:
            caller = self.consumer in (None, threading.current_thread())
            slack = 0 if caller else 1
            if self.pulled - self.taken >= self.limit + slack:
                raise ReadTooFar(
                    f"bounded_map(fn, endless_input, max_in_flight={self.limit}) took "
                    f"{self.pulled + 1} items from the input while the caller had taken only "
                    f"{self.taken} results; expected at most max_in_flight items ahead "
                    "(requirement: never hold more than max_in_flight items). Take the "
                    "next item only when a result has been handed back "
                    "(ThreadPoolExecutor.map reads the whole input at once)."
                )
            n = self.pulled
            self.pulled += 1
            self.most_ahead = max(self.most_ahead, self.pulled - self.taken - slack)
        return n

    def consumed(self) -> None:
        with self._lock:
            self.taken += 1
            self.consumer = threading.current_thread()


def double(n):
    return 2 * n


def test_one_result_per_item(submission):
    items = list(range(8))
    got = list(submission.bounded_map(double, iter(items), 3))
    # Which order the calls finish in is up to the pool here, so only the results are
    # judged; the order checks below fix the finishing order by construction.
    assert sorted(got) == [2 * n for n in items], (
        f"list(bounded_map(double, iter(range(8)), 3)) gave {got!r}; "
        f"expected {[2 * n for n in items]!r}, one result per item"
    )


def test_empty_and_short_inputs(submission):
    got = list(submission.bounded_map(double, iter([]), 3))
    assert got == [], f"list(bounded_map(double, iter([]), 3)) gave {got!r}; expected []"
    got = list(submission.bounded_map(double, [5, 6], 4))
    assert sorted(got) == [10, 12], (
        f"list(bounded_map(double, [5, 6], 4)) gave {got!r}; expected [10, 12] "
        "(fewer items than max_in_flight)"
    )
    got = list(submission.bounded_map(double, range(5), 1))
    assert got == [0, 2, 4, 6, 8], (
        f"list(bounded_map(double, range(5), 1)) gave {got!r}; expected [0, 2, 4, 6, 8]"
    )
    items = [0, "", 0, None, False, ""]
    got = list(submission.bounded_map(lambda x: x, iter(items), 2))
    assert got == items and [type(x) for x in got] == [type(x) for x in items], (
        f"list(bounded_map(identity, iter({items!r}), 2)) gave {got!r}; expected {items!r}: "
        "repeated and falsy items are items like any other (stop when the input is "
        "exhausted, not at a falsy item)"
    )


def test_max_in_flight_below_one_is_a_value_error(submission):
    for k in (0, -1, -4):
        got, error = call_and_catch(lambda k=k: list(submission.bounded_map(double, [1, 2], k)))
        assert isinstance(error, ValueError), (
            f"list(bounded_map(double, [1, 2], {k})) gave {got!r} / raised "
            f"{describe_error(error)}; expected ValueError (requirement: max_in_flight < 1 "
            "raises ValueError, negative numbers too)"
        )


def test_the_pool_has_max_in_flight_threads_and_is_shut_down(submission):
    # Two sizes, one above the default's cap of 32 and above any CPU count: neither a
    # default-sized pool nor one capped at the CPU count has both, on any machine. A pool
    # starts a thread only when a task waits, so 300 costs no more threads than tasks.
    for k in (2, 300):
        with PoolSpy() as spy:
            results = submission.bounded_map(double, iter(range(5)), k)
            first = [next(results) for _ in range(3)]
            close = getattr(results, "close", None)
            if close is not None:
                close()  # the caller stops early
        pools = spy.of("ThreadPoolExecutor")
        assert first == [0, 2, 4] and [p.max_workers for p in pools] == [k], (
            f"bounded_map(double, iter(range(5)), {k}) gave {first!r} first and created "
            f"{pools!r}; expected [0, 2, 4] from one ThreadPoolExecutor(max_workers={k}) "
            "(requirement: the pool size passed on)"
        )
        assert pools[0].shut_down, (
            f"the caller took 3 results of bounded_map(double, iter(range(5)), {k}) and "
            "closed it, but the pool was not shut down; expected it shut down when the "
            "generator is closed (a `with` block around the loop does it)"
        )


def test_order_kept_when_later_items_finish_first(submission):
    # The calls finish last to first, one at a time: fn(3) returns only once fn(5) has
    # returned and bounded_map has dealt with it, and so on. The items are not sorted.
    fn = FinishingOrder([5, 3, 7], lambda n: n * 10, describe=lambda n: f"fn({n})")
    try:
        got = list(submission.bounded_map(fn, iter([7, 3, 5]), 3))
    finally:
        fn.stop()
    assert got == [70, 30, 50], (
        "the calls finished in the order 5, 3, 7; list(bounded_map(fn, iter([7, 3, 5]), 3)) "
        f"gave {got!r} but expected the input order [70, 30, 50] (requirement: results in "
        "input order). Hand back the oldest result first, not the first one to finish."
    )


def test_calls_run_at_the_same_time(submission):
    barrier = threading.Barrier(3)

    def fn(n):
        meet(barrier, "calls")
        return n

    got = list(submission.bounded_map(fn, iter(range(6)), 3))
    # The calls finish in any order here; order has its own checks.
    assert sorted(got) == list(range(6)), f"gave {got!r}; expected a result for 0 to 5"


def test_never_more_than_max_in_flight_calls(submission):
    source = EndlessSource(3)
    # Every call waits at a gate that opens once 3 wait there and no more can start.
    fn = InFlightGate(3)

    def consume():
        got = []
        for result in islice(submission.bounded_map(fn, source, 3), 12):
            source.consumed()
            got.append(result)
        return got

    got = fn.run(consume)
    assert fn.reached, (
        "bounded_map(fn, endless_input, 3) never had 3 calls in progress at once; "
        "expected 3 calls running at the same time in a pool of 3 threads."
    )
    assert not fn.too_many and len(fn.threads) <= 3, (
        f"bounded_map(fn, endless_input, 3) ran {fn.peak} calls at once in "
        f"{len(fn.threads)} threads; expected at most max_in_flight=3."
    )
    # Order has its own checks: here, 12 different results, each an item that was taken.
    assert got is not None and len(set(got)) == len(got) == 12, (
        f"the first 12 results were {got!r}; expected 12 different results"
    )
    assert set(got) <= set(fn.calls), (
        f"the first 12 results were {got!r}; expected each to be fn(item) of an item taken "
        f"from the input, {sorted(fn.calls)!r}"
    )


def test_endless_input_is_read_only_as_fast_as_results_are_consumed(submission):
    source = EndlessSource(4)
    results = submission.bounded_map(double, source, 4)
    got = []
    for result in islice(results, 40):
        source.consumed()
        got.append(result)
    close = getattr(results, "close", None)
    if close is not None:
        close()  # the caller stops early: a generator shuts its pool down here
    # Order has its own checks: here, 40 different results, each double an item taken.
    doubles = {2 * n for n in range(source.pulled)}
    assert len(set(got)) == len(got) == 40 and set(got) <= doubles, (
        f"the first 40 results of bounded_map(double, endless_input, 4) were {got!r}; "
        f"expected 40 different results, each double an item taken from the input"
    )
    assert source.most_ahead <= 4, (
        f"bounded_map read {source.most_ahead} items ahead of the results the caller took; "
        "expected at most max_in_flight = 4"
    )


def test_exception_reaches_the_caller_at_its_position(submission):
    def task(n):
        if n == 4:
            raise KeyError(f"no record for item {n}")
        return n

    # The calls finish in input order, one at a time, so that every implementation sees
    # the same completion order.
    fn = FinishingOrder(range(12), task, describe=lambda n: f"fn({n})")
    source = EndlessSource(3)
    got = []

    def consume():
        for result in submission.bounded_map(fn, source, 3):
            source.consumed()
            got.append(result)
            if len(got) > 10:
                break

    raised = KeyError("no record for item 4")
    try:
        with PoolSpy() as spy:
            _, error = call_and_catch(consume)
    finally:
        fn.stop()
    assert same_error(error, raised), (
        f"iterating over bounded_map(fn, endless_input, 3), where fn(4) raises "
        f"{describe_error(raised)}, raised {describe_error(error)} after {got!r}; expected "
        "that same exception, same type and same message (requirement: errors reach the "
        "caller at their position)"
    )
    pools = spy.of("ThreadPoolExecutor")
    assert pools and all(p.shut_down for p in pools), (
        f"bounded_map raised {describe_error(error)} and left its pool {pools!r} running; "
        "expected it shut down on the error path too"
    )
    assert got == [0, 1, 2, 3], (
        f"before fn(4) raised KeyError the caller got {got!r}; expected [0, 1, 2, 3]: "
        "the results before the failing item first, then its exception"
    )
