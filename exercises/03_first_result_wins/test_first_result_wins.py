"""Public checks for exercise 03. Points and task numbers live in exercise.toml."""

import threading

import pytest

from conclab.probes.common import BARRIER_SECONDS, NeverMet, PoolSpy, call_and_catch, describe_error
from conclab.probes.futures import HOLD_SECONDS, BackgroundCall, StartLog


def test_returns_the_answer_of_a_replica(submission):
    replicas = ["eu-1", "us-1", "ap-1"]
    got = submission.first_result(lambda r: f"42 from {r}", replicas, max_workers=3)
    expected = {f"42 from {r}" for r in replicas}
    assert got in expected, (
        f"first_result(request, {replicas!r}, max_workers=3) returned {got!r}; "
        f"expected the answer of one replica, one of {sorted(expected)!r}"
    )


def call_skipping(submission, request, replicas, max_workers):
    """first_result where some replicas raise ConnectionError and one answers."""
    try:
        return submission.first_result(request, replicas, max_workers=max_workers)
    except ConnectionError as exc:
        pytest.fail(
            f"first_result(request, {replicas!r}, max_workers={max_workers}) raised "
            f"ConnectionError: {exc}, the error of one replica, although another replica "
            "answered; expected its answer. Skip a replica that raised and keep waiting.",
            pytrace=False,
        )


def test_failures_before_a_success_are_skipped(submission):
    def request(replica):
        if replica != "good":
            raise ConnectionError(f"{replica} is down")
        return "answer from good"

    # One worker: both failures are finished before "good" even starts.
    got = call_skipping(submission, request, ["down-1", "down-2", "good"], 1)
    assert got == "answer from good", (
        "first_result(request, ['down-1', 'down-2', 'good'], max_workers=1): down-1 and "
        f"down-2 raised ConnectionError, good answered; it returned {got!r} but expected "
        "'answer from good'. Skip a replica that raised and keep waiting for the others."
    )

    # Three workers: "good" answers only after both others have raised.
    failing = {"down-1": threading.Event(), "down-2": threading.Event()}

    def chained(replica):
        if replica in failing:
            failing[replica].set()
            raise ConnectionError(f"{replica} is down")
        for name, event in failing.items():
            if not event.wait(BARRIER_SECONDS):
                raise NeverMet(f"good waited for {name} to fail, but {name} never ran")
        return "answer from good"

    got = call_skipping(submission, chained, ["down-1", "down-2", "good"], 3)
    assert got == "answer from good", (
        "first_result(request, ['down-1', 'down-2', 'good'], max_workers=3): both down "
        f"replicas raised before good answered; it returned {got!r}, expected 'answer from good'"
    )


def test_returns_while_slow_replicas_are_still_blocked(submission):
    gate = threading.Event()  # the slow replicas answer only once the check opens it

    def request(replica):
        if replica.startswith("slow"):
            gate.wait(HOLD_SECONDS)
            return f"late answer from {replica}"
        return "fast answer"

    replicas = ["slow-1", "slow-2", "fast"]
    call = BackgroundCall(submission.first_result, request, replicas, 3)
    try:
        returned_while_blocked = call.wait(BARRIER_SECONDS)
        why = "" if returned_while_blocked else call.why_blocked()
    finally:
        gate.set()
    call.wait(BARRIER_SECONDS)
    got = call.outcome("first_result")
    assert returned_while_blocked, (
        f"first_result(request, {replicas!r}, max_workers=3) did not return while slow-1 and "
        f"slow-2 were still running, although fast had answered; it returned {got!r} only "
        "after they were released (requirement: return as soon as one replica answered). " + why
    )
    assert got == "fast answer", (
        f"first_result(request, {replicas!r}, max_workers=3) returned {got!r}; "
        "expected 'fast answer', the only answer available while the slow replicas were blocked"
    )


def test_replicas_not_started_are_cancelled(submission):
    log = StartLog()
    gate = threading.Event()  # every replica but "fast" waits for the check to open it

    def request(replica):
        log.record(replica)
        if replica == "fast":
            return "fast answer"
        gate.wait(HOLD_SECONDS)
        return f"late answer from {replica}"

    replicas = ["slow-0", "fast"] + [f"spare-{i}" for i in range(1, 7)]
    call = BackgroundCall(submission.first_result, request, replicas, 2)
    try:
        call.wait(BARRIER_SECONDS)
    finally:
        gate.set()
    call.wait(BARRIER_SECONDS)
    log.join_threads(BARRIER_SECONDS)  # anything still queued would have run by now
    got = call.outcome("first_result")
    assert got == "fast answer", (
        f"first_result(request, 8 replicas, max_workers=2) returned {got!r}; expected "
        "'fast answer', the only replica that answered while the others were blocked"
    )
    started = list(log.started)
    assert len(started) <= 3, (
        f"first_result(request, {replicas!r}, max_workers=2) started {started!r}. Once fast "
        "had answered, the replicas that had not started should have been cancelled: "
        "expected at most slow-0, fast and the one replica the freed worker may pick up "
        "before you cancel. Use pool.shutdown(wait=False, cancel_futures=True) or cancel() "
        "the other futures."
    )


def test_all_failed_raises_with_every_error(submission):
    raised = {
        "a": ConnectionError("a refused the connection"),
        "b": TimeoutError("b timed out"),
        "c": ValueError("c sent garbage"),
    }

    def request(replica):
        raise raised[replica]

    try:
        got = submission.first_result(request, list(raised), max_workers=2)
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001 - the type is checked below
        error = exc
    else:
        pytest.fail(
            f"first_result(request, ['a', 'b', 'c'], max_workers=2) returned {got!r} although "
            "every replica raised; expected AllReplicasFailed",
            pytrace=False,
        )
    assert isinstance(error, submission.AllReplicasFailed), (
        "first_result(request, ['a', 'b', 'c'], max_workers=2), where every replica raised, "
        f"raised {type(error).__name__}: {error}; expected AllReplicasFailed carrying all "
        "three errors"
    )
    errors = getattr(error, "errors", None)
    same = isinstance(errors, dict) and all(errors.get(r) is e for r, e in raised.items())
    assert same and len(errors) == len(raised), (
        f"AllReplicasFailed.errors was {errors!r}; expected {raised!r}, each replica mapped "
        "to the very exception it raised (future.exception() gives it)"
    )


def test_replicas_are_submitted_in_list_order(submission):
    # One worker runs the replicas one at a time in the order they were submitted; the
    # names are not sorted, and all but the last fail, so every one of them starts.
    log = StartLog()
    replicas = ["c-3", "a-1", "b-2", "z-0", "last"]

    def request(replica):
        log.record(replica)
        if replica != "last":
            raise ConnectionError(f"{replica} is down")
        return "answer from last"

    got, error = call_and_catch(submission.first_result, request, replicas, 1)
    assert got == "answer from last" and log.started == replicas, (
        f"first_result(request, {replicas!r}, max_workers=1) started the replicas in the "
        f"order {log.started!r} and returned {got!r} / raised {describe_error(error)}; "
        f"expected them started in list order {replicas!r} and 'answer from last' "
        "(requirement: submitted in list order, failures skipped)"
    )


def test_falsy_answers_are_answers(submission):
    # None, 0 and "" are answers like any other: only a replica that raised is skipped.
    for answer in (None, 0, ""):

        def request(replica, answer=answer):
            if replica == "down":
                raise ConnectionError("down is down")
            return answer

        got, error = call_and_catch(submission.first_result, request, ["down", "up"], 1)
        assert error is None and got == answer and type(got) is type(answer), (
            f"first_result(request, ['down', 'up'], max_workers=1), where down raises and up "
            f"answers {answer!r}: it returned {got!r} / raised {describe_error(error)}; "
            f"expected {answer!r} (requirement: the first answer that did not raise, "
            "whatever its value). Tell answers from failures with future.exception()."
        )


def test_the_pool_has_max_workers_threads(submission):
    # Two sizes, one above the default's cap of 32 and above any CPU count: neither a
    # default-sized pool nor one capped at the CPU count has both, on any machine. A pool
    # starts a thread only when a task waits, so 300 costs no more threads than tasks.
    for size in (2, 300):
        with PoolSpy() as spy:
            got, error = call_and_catch(submission.first_result, str.upper, ["a", "b"], size)
        pools = spy.of("ThreadPoolExecutor")
        assert got in ("A", "B") and [p.max_workers for p in pools] == [size], (
            f"first_result(request, ['a', 'b'], max_workers={size}) returned {got!r} / raised "
            f"{describe_error(error)} and created {pools!r}; expected one answer from one "
            f"ThreadPoolExecutor(max_workers={size}) (requirement: the pool size passed on)"
        )


def test_no_replicas_is_a_value_error(submission):
    with pytest.raises(ValueError):
        submission.first_result(lambda r: r, [], max_workers=2)
