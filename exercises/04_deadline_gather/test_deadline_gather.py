"""Public checks for exercise 04. Points and task numbers live in exercise.toml."""

import threading
import time

from conclab.probes.common import BARRIER_SECONDS, PoolSpy, call_and_catch, describe_error
from conclab.probes.futures import HOLD_SECONDS, BackgroundCall, StartLog

DEADLINE = 0.1  # seconds; the quick calls finish in microseconds, the stragglers never do
MARGIN = 0.05  # a quick call that returned later than DEADLINE - MARGIN may count either way
# A run in which some quick call had not returned by DEADLINE - MARGIN (a machine overloaded
# at that moment) cannot tell a dropped error from an unfinished call; the check then runs
# again once with this longer deadline and margin, and judges that run.
SLOW_DEADLINE, SLOW_MARGIN = 2.0, 0.5


class Scenario:
    """gather_until over quick inputs, failing inputs and stragglers that block on a gate
    until the check opens it, after the call has returned (or clearly never will)."""

    def __init__(self, submission, inputs, timeout, max_workers):
        self.inputs = inputs
        self.log = StartLog()
        self.gate = threading.Event()  # stragglers wait for it
        self.finished_at = {}  # quick input -> when its call returned
        self.raised = {}  # failing input -> the exception its call raised
        self.started_at = time.monotonic()
        self.call = BackgroundCall(submission.gather_until, self.func, inputs, timeout, max_workers)
        try:
            self.returned_in_time = self.call.wait(timeout + BARRIER_SECONDS)
            self.why = "" if self.returned_in_time else self.call.why_blocked()
        finally:
            self.gate.set()
        self.call.wait(BARRIER_SECONDS)
        self.log.join_threads(BARRIER_SECONDS)  # anything still queued would have run by now

    def func(self, x):
        self.log.record(x)
        if x.startswith("slow"):
            self.gate.wait(HOLD_SECONDS)
            return f"too late: {x}"
        self.finished_at[x] = time.monotonic()
        if x.startswith("bad"):
            self.raised[x] = ValueError(f"cannot process {x}")
            raise self.raised[x]
        return x.upper()

    def late(self, timeout, margin):
        """Quick or failing inputs whose call had not ended `margin` before the deadline
        (only on an overloaded machine): either answer is right for them."""
        limit = self.started_at + timeout - margin
        quick = [x for x in self.inputs if not x.startswith("slow")]
        return {x for x in quick if self.finished_at.get(x, limit + 1) > limit}


def test_every_result_when_all_finish(submission):
    inputs = ["a", "b", "c", "d", "e"]
    call = BackgroundCall(submission.gather_until, str.upper, inputs, 60.0, 3)
    returned = call.wait(BARRIER_SECONDS)
    if call.error is not None:
        raise call.error
    assert returned, (
        "gather_until(str.upper, ['a', 'b', 'c', 'd', 'e'], timeout=60.0, max_workers=3) had "
        f"not returned after {BARRIER_SECONDS:g} s although every call finished at once; "
        "expected it to return as soon as all calls are done, not at the deadline"
    )
    got = call.result
    expected = ({x: x.upper() for x in inputs}, {}, [])
    assert tuple(got) == expected, (
        f"gather_until(str.upper, {inputs!r}, timeout=60.0, max_workers=3) returned {got!r}; "
        f"expected Gathered(results={expected[0]!r}, errors={{}}, unfinished=[])"
    )


def test_errors_are_kept_with_their_input(submission):
    raised = {}

    def func(x):
        if x % 2:
            raised[x] = ArithmeticError(f"odd input {x}")
            raise raised[x]
        return x * 10

    got = submission.gather_until(func, [0, 1, 2, 3, 4], 60.0, 2)
    results, errors, unfinished = got
    assert results == {0: 0, 2: 20, 4: 40}, (
        f"gather_until(func, [0, 1, 2, 3, 4], timeout=60.0, max_workers=2), where func raises "
        f"for odd inputs, returned results={results!r}; expected {{0: 0, 2: 20, 4: 40}}"
    )
    same = isinstance(errors, dict) and all(errors.get(x) is e for x, e in raised.items())
    assert same and len(errors) == 2, (
        f"gather_until(func, [0, 1, 2, 3, 4], ...) returned errors={errors!r}; expected "
        f"{raised!r}: each failing input mapped to the very exception its call raised"
    )
    assert unfinished == [], f"returned unfinished={unfinished!r}; expected [] (all finished)"


def test_returns_while_stragglers_are_still_running(submission):
    inputs = ["quick-0", "slow-b", "quick-1", "bad-2", "slow-a", "quick-3"]
    run = Scenario(submission, inputs, DEADLINE, len(inputs))
    got = run.call.outcome("gather_until")
    assert run.returned_in_time, (
        f"gather_until(func, {inputs!r}, timeout={DEADLINE:g}, max_workers=6) had not "
        f"returned {BARRIER_SECONDS:g} s after its deadline, while slow-a and slow-b were "
        f"still running; it returned {got!r} only after they were released (requirement: "
        "return at the deadline, leaving the stragglers behind). " + run.why
    )


def test_reports_exactly_the_unfinished_inputs(submission):
    inputs = ["quick-0", "slow-b", "quick-1", "bad-2", "slow-a", "quick-3"]
    for timeout, margin in [(DEADLINE, MARGIN), (SLOW_DEADLINE, SLOW_MARGIN)]:
        run = Scenario(submission, inputs, timeout, len(inputs))
        late = run.late(timeout, margin)
        if not late:
            break
    got = run.call.outcome("gather_until")
    results, errors, unfinished = got
    quick = {x for x in inputs if x.startswith("quick")}
    called = f"gather_until(func, {inputs!r}, timeout={timeout:g}, max_workers=6)"
    assert quick - late <= set(results) <= quick, (
        f"{called} returned results={results!r}; expected the quick inputs, which returned "
        f"at once: {{{', '.join(f'{x!r}: {x.upper()!r}' for x in sorted(quick))}}}"
    )
    assert all(results[x] == x.upper() for x in results), (
        f"{called} returned results={results!r}; expected each input mapped to func(input)"
    )
    in_time = {x: e for x, e in run.raised.items() if x not in late}
    same = all(errors.get(x) is e for x, e in in_time.items())
    assert same and set(in_time) <= set(errors) <= set(run.raised), (
        f"{called} returned errors={errors!r}; expected {run.raised!r}, the failing input "
        "mapped to the very exception its call raised"
    )
    expected = [x for x in inputs if x.startswith("slow") or x in late - set(results) - set(errors)]
    assert type(unfinished) is list and unfinished == expected, (
        f"{called} returned unfinished={unfinished!r}; expected the list {expected!r}: the "
        "inputs whose call was still running at the deadline, in input order (not sorted)"
    )


def test_inputs_not_started_are_cancelled(submission):
    inputs = ["slow-d", "slow-a", "slow-f", "slow-b", "slow-e", "slow-c"]
    timeout = 0.05  # nothing can finish before the check opens the gate, so any deadline will do
    run = Scenario(submission, inputs, timeout, 2)
    got = run.call.outcome("gather_until")
    called = f"gather_until(func, {inputs!r}, timeout={timeout:g}, max_workers=2)"
    assert tuple(got) == ({}, {}, inputs), (
        f"{called} returned {got!r}, where no call could finish before the deadline; "
        f"expected Gathered(results={{}}, errors={{}}, unfinished={inputs!r})"
    )
    started = list(run.log.started)
    assert len(started) <= 2, (
        f"{called} started {started!r}. With 2 workers, only slow-d and slow-a had started "
        "by the deadline; the others should have been cancelled and never run. Use "
        "pool.shutdown(wait=False, cancel_futures=True), or cancel() the unfinished futures."
    )


def test_falsy_results_and_every_input_failing(submission):
    answers = {"none": None, "zero": 0, "empty": "", "no": False}
    inputs = list(answers)
    got, error = call_and_catch(submission.gather_until, answers.__getitem__, inputs, 60.0, 2)
    expected = (answers, {}, [])
    assert error is None and tuple(got or ()) == expected, (
        f"gather_until(func, {inputs!r}, timeout=60.0, max_workers=2), where func returns "
        f"{answers!r}: it returned {got!r} / raised {describe_error(error)}; expected "
        f"Gathered(results={answers!r}, errors={{}}, unfinished=[]) (requirement: every "
        "input whose call returned is a result, whatever the value)"
    )
    raised = {x: KeyError(f"no answer for {x}") for x in ["x", "y", "z"]}

    def fail(x):
        raise raised[x]

    got, error = call_and_catch(submission.gather_until, fail, list(raised), 60.0, 2)
    results, errors, unfinished = got if got is not None else (None, None, None)
    same = isinstance(errors, dict) and len(errors) == 3
    same = same and all(errors.get(x) is e for x, e in raised.items())
    assert error is None and results == {} and same and unfinished == [], (
        "gather_until(func, ['x', 'y', 'z'], timeout=60.0, max_workers=2), where every call "
        f"raises: it returned {got!r} / raised {describe_error(error)}; expected "
        f"Gathered(results={{}}, errors={raised!r}, unfinished=[]) (requirement: errors "
        "kept by input, and gather_until itself does not raise)"
    )


def test_the_pool_has_max_workers_threads(submission):
    # Two sizes, one above the default's cap of 32 and above any CPU count: neither a
    # default-sized pool nor one capped at the CPU count has both, on any machine. A pool
    # starts a thread only when a task waits, so 300 costs no more threads than tasks.
    for size in (2, 300):
        with PoolSpy() as spy:
            got, error = call_and_catch(submission.gather_until, str.upper, ["a"], 60.0, size)
        pools = spy.of("ThreadPoolExecutor")
        assert error is None and [p.max_workers for p in pools] == [size], (
            f"gather_until(str.upper, ['a'], timeout=60.0, max_workers={size}) returned "
            f"{got!r} / raised {describe_error(error)} and created {pools!r}; expected one "
            f"ThreadPoolExecutor(max_workers={size}) (requirement: the pool size passed on)"
        )
