"""Public checks for exercise 06. Points and task numbers live in exercise.toml."""

import threading

import pytest

from conclab.probes.common import (
    BARRIER_SECONDS,
    NeverMet,
    PoolSpy,
    call_and_catch,
    describe_error,
    meet,
)
from conclab.probes.futures import AttemptLog


class Flaky:
    """A func whose call for input x raises on its first `fails[x]` attempts, then returns
    f"result for {x}"; it counts attempts per input and keeps every exception it raised."""

    def __init__(self, fails):
        self.fails = fails
        self.log = AttemptLog()
        self.raised = {}  # input -> exceptions raised for it, in order

    def __call__(self, x):
        attempt = self.log.next_attempt(x)
        if attempt <= self.fails.get(x, 0):
            error = ConnectionError(f"attempt {attempt} for {x!r} failed")
            self.raised.setdefault(x, []).append(error)
            raise error
        return f"result for {x}"


def test_every_input_gets_a_result(submission):
    got = submission.resilient_map(lambda x: x * x, list(range(6)), 0, 3)
    expected = {x: x * x for x in range(6)}
    assert tuple(got) == (expected, {}), (
        f"resilient_map(square, [0, 1, 2, 3, 4, 5], retries=0, max_workers=3) returned "
        f"{got!r}; expected MapReport(results={expected!r}, failures={{}})"
    )


def test_failures_are_reported_with_their_input(submission):
    func = Flaky({2: 99, 5: 99})
    inputs = list(range(8))
    called = "resilient_map(func, [0, ..., 7], retries=0, max_workers=3), where 2 and 5 fail,"
    try:
        got = submission.resilient_map(func, inputs, 0, 3)
    except ConnectionError as exc:
        pytest.fail(
            f"{called} raised ConnectionError: {exc}; expected it to return a MapReport "
            "with 2 and 5 in failures and every other input in results.",
            pytrace=False,
        )
    results, failures = got
    expected = {x: f"result for {x}" for x in inputs if x not in (2, 5)}
    assert results == expected, f"{called} returned results={results!r}; expected {expected!r}"
    same = isinstance(failures, dict) and all(
        failures.get(x) is errors[-1] for x, errors in func.raised.items()
    )
    assert same and len(failures) == 2, (
        f"{called} returned failures={failures!r}; expected "
        f"{ {x: errors[-1] for x, errors in func.raised.items()}!r}: each failing input "
        "mapped to the very exception its call raised"
    )


def test_inputs_run_at_the_same_time(submission):
    barrier = threading.Barrier(4)

    def func(x):
        meet(barrier, "calls")
        return x

    got = submission.resilient_map(func, ["a", "b", "c", "d"], 0, 4)
    results, failures = got
    never_met = [e for e in failures.values() if isinstance(e, NeverMet)]
    assert not never_met, str(never_met[0])
    assert results == {x: x for x in "abcd"} and not failures, (
        f"resilient_map(func, ['a', 'b', 'c', 'd'], retries=0, max_workers=4), where the 4 "
        f"calls meet at a barrier, returned {got!r}; expected every input in results"
    )


def test_fails_twice_then_succeeds_with_two_retries(submission):
    func = Flaky({"b": 2})
    got = submission.resilient_map(func, ["a", "b", "c"], 2, 2)
    counts = dict(func.log.counts)
    called = "resilient_map(func, ['a', 'b', 'c'], retries=2, max_workers=2), where b fails twice"
    assert tuple(got) == ({x: f"result for {x}" for x in "abc"}, {}), (
        f"{called} then succeeds, returned {got!r}; expected every input in results: "
        "b's third attempt (its second retry) succeeds"
    )
    assert counts == {"a": 1, "b": 3, "c": 1}, (
        f"{called} then succeeds, made these attempts per input: {counts}; "
        "expected {'a': 1, 'b': 3, 'c': 1}"
    )


def test_at_most_retries_plus_one_attempts(submission):
    for retries in (2, 0):
        func = Flaky({"down": 99})
        got = submission.resilient_map(func, ["up", "down"], retries, 2)
        counts = dict(func.log.counts)
        called = f"resilient_map(func, ['up', 'down'], retries={retries}, max_workers=2)"
        assert counts.get("down") == retries + 1, (
            f"{called}, where 'down' always fails, called func('down') {counts.get('down')} "
            f"times; expected retries + 1 = {retries + 1} attempts"
        )
        results, failures = got
        last = func.raised["down"][-1]
        assert results == {"up": "result for up"} and failures.get("down") is last, (
            f"{called} returned {got!r}; expected results={{'up': 'result for up'}} "
            f"and failures={{'down': {last!r}}}, the exception of the last attempt"
        )


def test_a_retry_does_not_wait_for_other_inputs(submission):
    retry_started = threading.Event()
    log = AttemptLog()
    outcome = {}

    def func(x):
        attempt = log.next_attempt(x)
        if x == "flaky" and attempt == 1:
            raise ConnectionError("flaky failed its first attempt")
        if x == "flaky":
            retry_started.set()
            return "flaky answered"
        # "slow" stays busy until flaky's retry has started, as a long call would.
        outcome["saw_retry"] = retry_started.wait(BARRIER_SECONDS)
        return "slow answered"

    got = submission.resilient_map(func, ["flaky", "slow"], 1, 2)
    assert tuple(got) == ({"flaky": "flaky answered", "slow": "slow answered"}, {}), (
        f"resilient_map(func, ['flaky', 'slow'], retries=1, max_workers=2) returned {got!r}; "
        "expected MapReport(results={'flaky': 'flaky answered', 'slow': 'slow answered'}, "
        f"failures={{}}). Attempts made: {dict(log.counts)}"
    )
    assert outcome.get("saw_retry"), (
        "resilient_map(func, ['flaky', 'slow'], retries=1, max_workers=2): flaky failed at "
        f"once, but its retry did not start while slow was still running (slow waited "
        f"{BARRIER_SECONDS:g} s for it). Retry a failure as soon as you see it, not after "
        "every other input has finished."
    )


def test_falsy_inputs_and_results_and_every_input_failing(submission):
    inputs = [0, "", None]
    got, error = call_and_catch(submission.resilient_map, lambda x: x, inputs, 0, 2)
    expected = ({0: 0, "": "", None: None}, {})
    assert error is None and tuple(got or ()) == expected, (
        f"resilient_map(identity, {inputs!r}, retries=0, max_workers=2) returned {got!r} / "
        f"raised {describe_error(error)}; expected MapReport(results={expected[0]!r}, "
        "failures={}) (requirement: every input ends up in results or failures, falsy "
        "inputs and results too)"
    )
    func = Flaky({x: 99 for x in ["p", "q", "r"]})
    got, error = call_and_catch(submission.resilient_map, func, ["p", "q", "r"], 1, 2)
    results, failures = got if got is not None else (None, None)
    last = {x: errors[-1] for x, errors in func.raised.items()}
    same = isinstance(failures, dict) and len(failures) == 3
    same = same and all(failures.get(x) is e for x, e in last.items())
    assert error is None and results == {} and same, (
        "resilient_map(func, ['p', 'q', 'r'], retries=1, max_workers=2), where every call "
        f"fails: it returned {got!r} / raised {describe_error(error)}; expected "
        f"MapReport(results={{}}, failures={last!r}) (requirement: a failure never stops "
        "the others, and resilient_map itself does not raise)"
    )


def test_the_pool_has_max_workers_threads(submission):
    # Two sizes, one above the default's cap of 32 and above any CPU count: neither a
    # default-sized pool nor one capped at the CPU count has both, on any machine. A pool
    # starts a thread only when a task waits, so 300 costs no more threads than tasks.
    for size in (2, 300):
        with PoolSpy() as spy:
            got, error = call_and_catch(submission.resilient_map, str.upper, ["a"], 0, size)
        pools = spy.of("ThreadPoolExecutor")
        assert error is None and [p.max_workers for p in pools] == [size], (
            f"resilient_map(str.upper, ['a'], retries=0, max_workers={size}) returned "
            f"{got!r} / raised {describe_error(error)} and created {pools!r}; expected one "
            f"ThreadPoolExecutor(max_workers={size}) (requirement: the pool size passed on)"
        )
