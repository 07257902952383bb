"""Public checks for exercise 10. Points and task numbers live in exercise.toml."""

import threading
from itertools import islice

import pytest

from conclab.probes import BARRIER_SECONDS, NeverMet, ThreadProbe, meet

# How far ahead of the caller a correct bounded_map may read: max_in_flight items in the
# window, plus a little for the moment between a result being handed back and the check
# counting it as consumed.
SLACK = 2


class ReadTooFar(AssertionError):
    """bounded_map took more items from the input than the caller had room for."""


class EndlessSource:
    """An endless iterator of 0, 1, 2, ... that counts how far it was read ahead.

    The check calls `consumed()` for each result it takes. Reading more than
    max_in_flight + SLACK items ahead of that raises ReadTooFar, so an implementation
    that reads everything first stops at once instead of filling the memory.
    """

    def __init__(self, max_in_flight: int):
        self.limit = max_in_flight + SLACK
        self._lock = threading.Lock()  # guards pulled, taken and most_ahead
        self.pulled = 0
        self.taken = 0
        self.most_ahead = 0

    def __iter__(self):
        return self

    def __next__(self) -> int:
        with self._lock:
            if self.pulled - self.taken >= self.limit:
                raise ReadTooFar(
                    f"bounded_map(fn, endless_input, max_in_flight={self.limit - SLACK}) took "
                    f"{self.pulled + 1} items from the input while the caller had taken only "
                    f"{self.taken} results; expected at most max_in_flight + {SLACK} items "
                    "ahead. Take the next item only when a result has been handed back "
                    "(ThreadPoolExecutor.map reads the whole input at once)."
                )
            n = self.pulled
            self.pulled += 1
            self.most_ahead = max(self.most_ahead, self.pulled - self.taken)
        return n

    def consumed(self) -> None:
        with self._lock:
            self.taken += 1


def double(n):
    return 2 * n


def test_results_in_input_order(submission):
    items = list(range(8))
    got = list(submission.bounded_map(double, iter(items), 3))
    assert got == [2 * n for n in items], (
        f"list(bounded_map(double, iter(range(8)), 3)) gave {got!r}; "
        f"expected {[2 * n for n in items]!r}, one result per item in input order"
    )


def test_empty_and_short_inputs(submission):
    got = list(submission.bounded_map(double, iter([]), 3))
    assert got == [], f"list(bounded_map(double, iter([]), 3)) gave {got!r}; expected []"
    got = list(submission.bounded_map(double, [5, 6], 4))
    assert got == [10, 12], (
        f"list(bounded_map(double, [5, 6], 4)) gave {got!r}; expected [10, 12] "
        "(fewer items than max_in_flight)"
    )
    got = list(submission.bounded_map(double, range(5), 1))
    assert got == [0, 2, 4, 6, 8], (
        f"list(bounded_map(double, range(5), 1)) gave {got!r}; expected [0, 2, 4, 6, 8]"
    )
    with pytest.raises(ValueError):
        list(submission.bounded_map(double, [1, 2], 0))


def test_order_kept_when_later_items_finish_first(submission):
    # Call i may only finish after call i+1 has finished, so they finish last to first.
    finished = [threading.Event() for _ in range(3)]

    def fn(n):
        if n + 1 < len(finished) and not finished[n + 1].wait(BARRIER_SECONDS):
            raise NeverMet(
                f"fn({n}) waited {BARRIER_SECONDS:g} s for fn({n + 1}) to finish, but it "
                "never ran: the calls did not run at the same time."
            )
        finished[n].set()
        return n * 10

    got = list(submission.bounded_map(fn, iter(range(3)), 3))
    assert got == [0, 10, 20], (
        "the calls finished in the order 2, 1, 0; list(bounded_map(fn, iter(range(3)), 3)) "
        f"gave {got!r} but expected the input order [0, 10, 20]. Hand back the oldest "
        "result first, not the first one to finish."
    )


def test_calls_run_at_the_same_time(submission):
    barrier = threading.Barrier(3)

    def fn(n):
        meet(barrier, "calls")
        return n

    got = list(submission.bounded_map(fn, iter(range(6)), 3))
    assert got == list(range(6)), f"gave {got!r}; expected [0, 1, 2, 3, 4, 5]"


def test_never_more_than_max_in_flight_calls(submission):
    probe = ThreadProbe()
    gate = threading.Event()
    source = EndlessSource(3)
    outcome = {}

    def fn(n):
        probe.enter(n)
        try:
            gate.wait(BARRIER_SECONDS)
            return n
        finally:
            probe.leave()

    def consume():
        try:
            got = []
            for result in islice(submission.bounded_map(fn, source, 3), 12):
                source.consumed()
                got.append(result)
            outcome["result"] = got
        except BaseException as exc:  # noqa: BLE001 - reported below
            outcome["error"] = exc
        finally:
            probe.done()

    caller = threading.Thread(target=consume, daemon=True)
    caller.start()
    reached = probe.wait_for_in_flight(3, BARRIER_SECONDS)
    # While the gate is closed every call blocks; a wrong implementation that starts more
    # calls shows them here within a moment.
    too_many = probe.wait_for_in_flight(4, 0.5)
    gate.set()
    caller.join(BARRIER_SECONDS * 2)
    if "error" in outcome:
        raise outcome["error"]
    assert reached, (
        "bounded_map(fn, endless_input, 3) never had 3 calls in progress at once; "
        "expected 3 calls running at the same time in a pool of 3 threads."
    )
    assert not too_many and len(probe.threads) <= 3, (
        f"bounded_map(fn, endless_input, 3) ran {probe.peak} calls at once in "
        f"{len(probe.threads)} threads; expected at most max_in_flight=3."
    )
    assert outcome.get("result") == list(range(12)), (
        f"the first 12 results were {outcome.get('result')!r}; expected 0 to 11 in order"
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
    assert got == [2 * n for n in range(40)], (
        f"the first 40 results of bounded_map(double, endless_input, 4) were {got!r}; "
        "expected 0, 2, 4, ... 78 in order"
    )
    assert source.most_ahead <= 4 + SLACK, (
        f"bounded_map read {source.most_ahead} items ahead of the results the caller took; "
        f"expected at most max_in_flight + {SLACK} = {4 + SLACK}"
    )


def test_exception_reaches_the_caller_at_its_position(submission):
    def fn(n):
        if n == 4:
            raise KeyError(f"no record for item {n}")
        return n

    source = EndlessSource(3)
    got = []
    with pytest.raises(KeyError, match="no record for item 4"):
        for result in submission.bounded_map(fn, source, 3):
            source.consumed()
            got.append(result)
            if len(got) > 10:
                break
    assert got == [0, 1, 2, 3], (
        f"before fn(4) raised KeyError the caller got {got!r}; expected [0, 1, 2, 3]: "
        "the results before the failing item first, then its exception"
    )
