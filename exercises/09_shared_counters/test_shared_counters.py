"""Public checks for exercise 09. Points and task numbers live in exercise.toml."""

import multiprocessing
import os
import random
from collections import Counter
from functools import partial

import pytest

from conclab.probes.mp import (
    DEADLINE_SECONDS,
    call_with_deadline,
    meet_add_and_note,
    meet_count_and_note,
    start_together,
)
from conclab.probes.shared import RacingArray, RacingValue
from conclab.probes.startmethods import methods_to_check, start_method, strict_method

# Four processes released together at a barrier, on a counter (or bins) that pairs up
# processes at their first read without the lock (conclab.probes.shared): code that does
# not hold the lock loses an update on every run, by construction, so few increments do.
PROCESSES, TIMES = 4, 2_000
LOCK_ADVICE = (
    "`x += 1` on shared memory reads, then writes: when another process writes in between, "
    "its update is lost. Hold the object's own lock: `with counter.get_lock():`."
)


def run_together(method, target, args_list, call):
    """One process per args tuple, all released at once; fails the check on a bad exit."""
    ctx = multiprocessing.get_context(method)
    barrier = ctx.Barrier(len(args_list))
    procs = [
        ctx.Process(target=start_together, args=(barrier, target, *args)) for args in args_list
    ]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(DEADLINE_SECONDS)
    stuck = [proc for proc in procs if proc.is_alive()]
    for proc in stuck:
        proc.kill()
        proc.join()
    if stuck:
        pytest.fail(f"[{method}] {call} did not finish within {DEADLINE_SECONDS:g} s", False)
    codes = [proc.exitcode for proc in procs]
    if any(codes):
        pytest.fail(
            f"[{method}] {call}: the processes exited with codes {codes}; expected 0 "
            "(a non-zero code means your function raised: its traceback is in the output)",
            False,
        )


def call_in_time(method, fn, *args, call):
    with start_method(method):
        outcome = call_with_deadline(fn, *args)
    if outcome.error is not None:
        raise outcome.error
    if not outcome.finished:
        pytest.fail(
            f"[{method}] {call} did not return within {DEADLINE_SECONDS:g} s; start every "
            "process, then join each of them",
            False,
        )
    return outcome.value


def test_add_to_counter_counts(submission):
    counter = multiprocessing.Value("i", 0)
    submission.add_to_counter(counter, 5)
    submission.add_to_counter(counter, 0)
    assert counter.value == 5, (
        f"add_to_counter(counter, 5) then add_to_counter(counter, 0) on a Value('i', 0) "
        f"left counter.value at {counter.value}; expected 5"
    )


def strict_only() -> list[str]:
    """Only a start method as strict as spawn (module-level functions, picklable
    arguments), for checks that release processes together at a barrier: whether they run
    at once, and whether updates are lost, does not depend on how they were started."""
    return [strict_method()]


def test_no_lost_updates_with_many_processes(submission):
    submission.add_to_counter(multiprocessing.Value("i", 0), 1)
    call = f"{PROCESSES} processes each running add_to_counter(counter, {TIMES}) at once"
    for method in strict_only():
        counter = RacingValue(multiprocessing.get_context(method), "i")
        run_together(method, submission.add_to_counter, [(counter, TIMES)] * PROCESSES, call)
        expected, got = PROCESSES * TIMES, counter.snapshot()
        assert got == expected, (
            f"[{method}] {call}: counter.value ended at {got}, expected "
            f"{expected}: {expected - got} updates were lost. {LOCK_ADVICE}"
        )


def test_count_in_processes_runs_them_at_once(submission):
    got = submission.count_in_processes(0, 5)
    assert got == 0, f"count_in_processes(0, 5) returned {got!r}; expected 0 (no processes)"
    call = "count_in_processes(3, 1000, work)"
    for method in strict_only():
        # The Manager is the check's own process: it starts with the default method.
        with multiprocessing.Manager() as manager:
            barrier, notes = manager.Barrier(3), manager.list()
            work = partial(meet_add_and_note, barrier, notes)
            got = call_in_time(method, submission.count_in_processes, 3, 1000, work, call=call)
            notes = list(notes)
        pids = {pid for pid, _ in notes}
        assert len(notes) == 3 and len(pids) == 3 and os.getpid() not in pids, (
            f"[{method}] {call} ran work in processes {[pid for pid, _ in notes]}; expected "
            f"3 calls in 3 different processes, none of them the caller ({os.getpid()})"
        )
        assert all(met for _, met in notes), (
            f"[{method}] {call}: the 3 processes never ran at the same time (each work "
            "waits for the others at a barrier). Start every process before joining any."
        )
        assert got == 3000, f"[{method}] {call} returned {got!r}; expected 3000"


def test_count_in_processes_with_its_own_worker(submission):
    # One process: whether add_to_counter loses updates is judged above, with a barrier;
    # here only that the default work is add_to_counter and its count comes back.
    for method in methods_to_check():
        call = "count_in_processes(1, 2000)"
        got = call_in_time(method, submission.count_in_processes, 1, 2000, call=call)
        assert got == 2000, (
            f"[{method}] {call} returned {got!r}; expected 2000: the default work is "
            "add_to_counter, and the function returns the shared counter's final value"
        )


def test_histogram_without_lost_updates(submission):
    submission.add_to_histogram([0], multiprocessing.Array("i", 1))
    rng = random.Random(9)
    chunks = [[rng.randrange(8) for _ in range(TIMES)] for _ in range(PROCESSES)]
    expected = [Counter(v for c in chunks for v in c)[b] for b in range(8)]
    call = f"{PROCESSES} processes each running add_to_histogram({TIMES} values, bins) at once"
    for method in strict_only():
        bins = RacingArray(multiprocessing.get_context(method), "i", 8)
        run_together(method, submission.add_to_histogram, [(c, bins) for c in chunks], call)
        got = bins.snapshot()
        assert got == expected, (
            f"[{method}] {call}: bins ended as {got}, expected {expected}: "
            f"{sum(expected) - sum(got)} updates were lost. "
            + LOCK_ADVICE.replace("counter.get_lock()", "bins.get_lock()")
        )


def test_parallel_histogram_splits_work_over_processes(submission):
    got = submission.parallel_histogram([], 3, 1)
    assert type(got) is list and got == [0, 0, 0], (
        f"parallel_histogram([], n_bins=3, n_processes=1) returned {type(got).__name__} "
        f"{got!r}; expected the list [0, 0, 0] (requirement: the bins returned as a list "
        "of ints, not the shared Array)"
    )
    values = [i % 5 for i in range(61)]  # 61: chunks of 21, 20 and 20
    call = "parallel_histogram(61 values, n_bins=5, n_processes=3, work)"
    for method in strict_only():
        # The Manager is the check's own process: it starts with the default method.
        with multiprocessing.Manager() as manager:
            barrier, notes = manager.Barrier(3), manager.list()
            work = partial(meet_count_and_note, barrier, notes)
            got = call_in_time(method, submission.parallel_histogram, values, 5, 3, work, call=call)
            notes = list(notes)
        pids = {pid for pid, _, _ in notes}
        sizes = sorted(n for _, _, n in notes)
        # Any split into 3 chunks that counts every value once will do (the README leaves
        # the chunk sizes open: balanced or ceiling-sized are both fine).
        assert len(pids) == 3 and os.getpid() not in pids and sum(sizes) == 61, (
            f"[{method}] {call} ran work in processes {[pid for pid, _, _ in notes]} with "
            f"chunks of {sizes} values; expected 3 chunks holding the 61 values between "
            f"them, in 3 different processes, none of them the caller ({os.getpid()})"
        )
        assert all(met for _, met, _ in notes), (
            f"[{method}] {call}: the 3 processes never ran at the same time (each work "
            "waits for the others at a barrier). Start every process before joining any."
        )
        expected = [13, 12, 12, 12, 12]
        assert type(got) is list and got == expected, (
            f"[{method}] {call} returned {type(got).__name__} {got!r}; expected the list {expected}"
        )
