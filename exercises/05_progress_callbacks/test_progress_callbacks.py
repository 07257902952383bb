"""Public checks for exercise 05. Points and task numbers live in exercise.toml."""

import threading
from concurrent.futures import Future

from conclab.probes.common import BARRIER_SECONDS, meet
from conclab.probes.futures import (
    BackgroundCall,
    LockProbe,
    describe_errors,
    swallowed_callback_errors,
    switch_interval,
)

OUTCOMES = {"ok": "succeeded", "fail": "failed", "cancel": "cancelled"}


def finish(futures, hows):
    """Finish each future as told: "ok" (a result), "fail" (an exception) or "cancel".
    Results are falsy as often as not (None, 0, ""): they are successes all the same."""
    for i, (future, how) in enumerate(zip(futures, hows)):
        if how == "ok":
            future.set_result((None, 0, "", how)[i % 4])
        elif how == "fail":
            future.set_exception(OSError(f"task {id(future)} failed"))
        else:
            future.cancel()


def expected_progress(hows, total):
    return tuple(sum(h == k for h in hows) for k in OUTCOMES) + (total,)


def swallowed_note(swallowed):
    if not swallowed:
        return ""
    return (
        f" Your callback raised {describe_errors(swallowed[:3])}: concurrent.futures logged "
        "it and swallowed it, so that future was never counted."
    )


def tracked(submission, n, on_change=None):
    tracker = submission.ProgressTracker(n, on_change)
    futures = [Future() for _ in range(n)]
    for future in futures:
        tracker.track(future)
    return tracker, futures


def test_counts_each_outcome_once(submission):
    hows = ["ok", "ok", "fail", "cancel", "fail", "ok"]
    tracker, futures = tracked(submission, len(hows))
    with swallowed_callback_errors() as swallowed:
        finish(futures, hows)
    got = tracker.snapshot()
    expected = expected_progress(hows, len(hows))
    assert tuple(got) == expected, (
        f"6 tracked futures finished as {hows} (the successes with the results None, 0 and "
        f"''); snapshot() returned {got!r}, expected Progress(succeeded=3, failed=2, "
        f"cancelled=1, total=6).{swallowed_note(swallowed)}"
    )
    assert type(got) is submission.Progress, (
        f"snapshot() returned a {type(got).__name__}, {got!r}; expected a Progress "
        "(requirement: snapshot() returns the counts as a Progress)"
    )


def test_future_done_before_tracking_is_counted(submission):
    hows = ["ok", "fail", "cancel"]
    futures = [Future() for _ in hows]
    finish(futures, hows)
    tracker = submission.ProgressTracker(3)
    with swallowed_callback_errors() as swallowed:
        for future in futures:
            tracker.track(future)
    got = tracker.snapshot()
    assert tuple(got) == expected_progress(hows, 3), (
        f"3 futures that had already finished ({hows}) were tracked; snapshot() returned "
        f"{got!r}, expected Progress(succeeded=1, failed=1, cancelled=1, total=3). "
        f"add_done_callback on a done future calls the callback at once.{swallowed_note(swallowed)}"
    )


def test_counts_are_updated_while_holding_the_lock(submission):
    hows = ["ok", "fail", "cancel", "ok"]
    tracker = submission.ProgressTracker(len(hows))
    # The probe replaces the tracker's lock and measures how much the count of finished
    # futures grew while the lock was held: an update made without the lock adds nothing.
    probe = LockProbe.replacing(tracker._lock, lambda: tracker.snapshot().finished)
    tracker._lock = probe
    futures = [Future() for _ in hows]
    for future in futures:
        tracker.track(future)
    with swallowed_callback_errors() as swallowed:
        call = BackgroundCall(finish, futures, hows)
        completed = call.wait(BARRIER_SECONDS)
    assert completed, (
        "finishing 4 tracked futures one after another never completed: the callback "
        "waits for a lock that is already held (threading.Lock is not re-entrant: do not "
        "call snapshot() while holding self._lock)."
    )
    call.outcome("finishing the futures")
    got = tracker.snapshot()
    assert tuple(got) == expected_progress(hows, 4), (
        f"4 tracked futures finished as {hows}; snapshot() returned {got!r}, expected "
        f"Progress(succeeded=2, failed=1, cancelled=1, total=4).{swallowed_note(swallowed)}"
    )
    assert probe.changed_inside == len(hows), (
        f"while self._lock was held the finished count grew by {probe.changed_inside}, but 4 "
        "futures were counted: update the counts inside `with self._lock:`. Callbacks run "
        "in several threads at once, and `self.count += 1` is a read, an add and a write "
        "that another thread can interleave with."
    )
    before = probe.acquisitions
    tracker.snapshot()
    assert probe.acquisitions > before, (
        "snapshot() read the counts without holding self._lock, so it can see a half-done "
        "update; read them inside `with self._lock:`."
    )


def test_no_counts_lost_when_futures_finish_in_many_threads(submission):
    n_threads, per_thread = 8, 250
    total = n_threads * per_thread
    hows = [("ok", "fail", "ok", "cancel")[i % 4] for i in range(total)]
    calls = []  # list.append is atomic, so this listener needs no lock of its own
    tracker, futures = tracked(submission, total, calls.append)
    barrier = threading.Barrier(n_threads)

    def finisher(k):
        meet(barrier, "finishing threads")
        finish(futures[k::n_threads], hows[k::n_threads])

    threads = [threading.Thread(target=finisher, args=(k,), daemon=True) for k in range(n_threads)]
    with swallowed_callback_errors() as swallowed, switch_interval(1e-6):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(BARRIER_SECONDS * 4)
    assert not any(t.is_alive() for t in threads), (
        f"{n_threads} threads finishing {total} tracked futures never completed: a callback "
        "is stuck, most likely waiting for a lock."
    )
    got = tracker.snapshot()
    expected = expected_progress(hows, total)
    assert tuple(got) == expected, (
        f"{n_threads} threads finished {total} tracked futures at once; snapshot() returned "
        f"{got!r}, expected Progress{expected!r}. Counts were lost or kept per thread: "
        f"keep one set of counts, updated under self._lock.{swallowed_note(swallowed)}"
    )
    finished = sorted(getattr(p, "finished", -1) for p in calls)
    assert finished == list(range(1, total + 1)), (
        f"on_change was called {len(calls)} times for {total} finished futures, seeing "
        f"{len(set(finished))} different finished counts; expected once per future, each "
        f"with its own count 1..{total}: take the Progress in the same locked step as the "
        "update, not with a later snapshot()"
    )


def test_listener_sees_every_change(submission):
    hows = ["ok", "fail", "cancel", "ok"]
    seen, read_inside = [], []

    def listener(progress):
        seen.append(tuple(progress))
        read_inside.append(tuple(tracker.snapshot()))  # needs the lock to be free

    tracker, futures = tracked(submission, len(hows), listener)
    with swallowed_callback_errors() as swallowed:
        call = BackgroundCall(finish, futures, hows)
        completed = call.wait(BARRIER_SECONDS)
    assert completed, (
        "a listener that calls tracker.snapshot() got stuck: on_change was called while "
        "self._lock was held, and threading.Lock is not re-entrant. Release the lock "
        "before calling on_change."
    )
    call.outcome("finishing the futures")
    expected = [(1, 0, 0, 4), (1, 1, 0, 4), (1, 1, 1, 4), (2, 1, 1, 4)]
    assert seen == expected, (
        f"4 tracked futures finished one after another as {hows}; on_change received "
        f"{seen}, expected {expected}: one call per finished future, with the counts "
        f"right after it was counted.{swallowed_note(swallowed)}"
    )
    assert read_inside == expected, (
        f"inside on_change, tracker.snapshot() returned {read_inside}; expected {expected}"
    )


def test_listener_errors_are_recorded_not_lost(submission):
    hows = ["ok", "fail", "ok", "cancel"]
    boom = RuntimeError("the listener broke on the second change")
    calls = []

    def listener(progress):
        calls.append(tuple(progress))
        if len(calls) == 2:
            raise boom

    tracker, futures = tracked(submission, len(hows), listener)
    with swallowed_callback_errors() as swallowed:
        call = BackgroundCall(finish, futures, hows)
        call.wait(BARRIER_SECONDS)
    call.outcome("finishing the futures")
    errors = tracker.listener_errors
    assert len(errors) == 1 and errors[0] is boom, (
        f"on_change raised {boom!r} on the second change; tracker.listener_errors is "
        f"{errors!r}, expected [that exception]. Catch it around the on_change call and "
        "append it: an exception escaping a done-callback is only logged by "
        "concurrent.futures and then lost."
        + (
            f" It escaped: concurrent.futures swallowed {describe_errors(swallowed)}."
            if swallowed
            else ""
        )
    )
    assert not swallowed, (
        f"besides being recorded, an exception escaped the callback and was swallowed by "
        f"concurrent.futures: {describe_errors(swallowed)}"
    )
    got = tracker.snapshot()
    assert tuple(got) == expected_progress(hows, 4) and len(calls) == 4, (
        f"after the listener raised once, snapshot() returned {got!r} and on_change was "
        f"called {len(calls)} times; expected Progress(succeeded=2, failed=1, cancelled=1, "
        "total=4) and 4 calls: a failing listener must not stop the counting."
    )
