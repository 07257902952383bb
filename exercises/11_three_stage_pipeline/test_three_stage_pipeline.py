"""Public checks for exercise 11. Points and task numbers live in exercise.toml."""

import math
import multiprocessing
import os
import threading
from functools import partial

from conclab.probes.common import (
    BARRIER_SECONDS,
    NeverMet,
    PoolSpy,
    call_and_catch,
    describe_error,
    meet,
    same_error,
)
from conclab.probes.gates import FinishingOrder
from conclab.probes.pipeline import (
    StageLog,
    meet_then_square,
    square_in_process,
    square_unless_negative,
)
from conclab.probes.runspans import timed
from conclab.probes.startmethods import methods_to_check, start_method


def pass_through(item):
    """A download that hands the item on unchanged."""
    return item


def recording_stages(log: StageLog):
    """A download and a save that record their threads and pass values through."""

    def download(item):
        with log.timed("download", item):
            return item

    def save(pair):
        with log.timed("save", pair):
            return pair[1]

    return download, save


def test_every_item_saved_once(submission):
    log = StageLog()
    download, save = recording_stages(log)
    got = submission.run_pipeline(list(range(8)), download, square_in_process, save, 3, 2, 2)
    expected = [i * i for i in range(8)]
    # Which order the saves finish in is up to the pools here, so only the results are
    # judged; the order check below fixes the finishing order by construction.
    assert sorted(got or []) == expected, (
        f"run_pipeline(range(8), download, compute=square, save, 3, 2, 2) returned {got!r}; "
        f"expected save(compute(download(item))) for every item: {expected!r}"
    )
    assert sorted(log.calls["download"]) == list(range(8)), (
        f"download was called with {sorted(log.calls['download'])!r}; expected each of "
        "0 to 7 exactly once"
    )
    assert len(log.calls["save"]) == 8, (
        f"save was called {len(log.calls['save'])} times for 8 items; expected 8"
    )


def test_empty_input_gives_empty_list(submission):
    got = submission.run_pipeline([], pass_through, square_in_process, str, 2, 1, 2)
    assert got == [], f"run_pipeline([], ...) returned {got!r}; expected []"


def test_order_kept_when_later_items_finish_first(submission):
    # The saves finish last to first, one at a time: the save of item 4 returns only once
    # the save of item 2 has returned and run_pipeline has dealt with it, and so on. The
    # items are not sorted, so sorting the results does not give the input order either.
    items = [3, 0, 5, 1, 4, 2]
    save = FinishingOrder(
        items[::-1],
        lambda pair: f"saved {math.isqrt(pair[1])}",
        key=lambda pair: math.isqrt(pair[1]),
        describe=lambda i: f"the save of item {i}",
        what="saves",
    )
    try:
        got = submission.run_pipeline(items, pass_through, square_in_process, save, 6, 2, 6)
    finally:
        save.stop()
    expected = [f"saved {i}" for i in items]
    assert got == expected, (
        f"the saves finished in the order {items[::-1]}; run_pipeline({items}, ..., "
        f"save_workers=6) returned {got!r} but expected the input order {expected!r} "
        "(requirement: results in input order). Keep each result at its item's position, "
        "not in the order the saves finish, and do not sort them."
    )


def test_repeated_and_falsy_items_each_go_through(submission):
    log = StageLog()
    download, save = recording_stages(log)
    items = [2, 0, 2, 1, 0]
    got = submission.run_pipeline(items, download, square_in_process, save, 2, 2, 2)
    expected = [i * i for i in items]
    assert type(got) is list and got == expected, (
        f"run_pipeline({items}, download, compute=square, save, 2, 2, 2) returned {got!r}; "
        f"expected the list {expected!r}: every item goes through every stage once, "
        "repeated items and 0 included, and keeps its position"
    )
    assert sorted(log.calls["download"]) == sorted(items), (
        f"download was called with {sorted(log.calls['download'])!r}; expected once per "
        f"item: {sorted(items)!r}"
    )


def test_each_stage_has_a_pool_of_its_own_size(submission):
    # Two sets of sizes: pools left at their default size (from the CPU count) cannot
    # match both. Two thread pools and one process pool each time, all shut down.
    for sizes in [(3, 2, 4), (5, 3, 2)]:
        d, c, s = sizes
        with PoolSpy() as spy:
            got, error = call_and_catch(
                submission.run_pipeline, [1, 2, 3], pass_through, square_in_process,
                lambda pair: pair[1], d, c, s,
            )  # fmt: skip
        threads = sorted(p.max_workers for p in spy.of("ThreadPoolExecutor"))
        processes = [p.max_workers for p in spy.of("ProcessPoolExecutor")]
        called = f"run_pipeline([1, 2, 3], download, compute, save, {d}, {c}, {s})"
        assert got == [1, 4, 9] and threads == sorted([d, s]) and processes == [c], (
            f"{called} returned {got!r} / raised {describe_error(error)} and created thread "
            f"pools of {threads} and process pools of {processes}; expected [1, 4, 9] from "
            f"ThreadPoolExecutors of {d} (download) and {s} (save) threads and one "
            f"ProcessPoolExecutor of {c} (requirement: each stage in its own pool, sized as "
            "given)"
        )
        assert all(p.shut_down for p in spy.pools), (
            f"{called} left pools running: {[p for p in spy.pools if not p.shut_down]!r}; "
            "expected every pool shut down when it returns"
        )


def test_downloads_run_at_the_same_time_in_threads(submission):
    log = StageLog()
    barrier = threading.Barrier(3)

    def download(item):
        with log.timed("download", item):
            meet(barrier, "downloads")
            return item

    def save(pair):
        with timed(f"save {pair!r}"):
            return pair[1]

    got = submission.run_pipeline(list(range(6)), download, square_in_process, save, 3, 2, 2)
    # The saves finish in any order here; order has its own check.
    assert sorted(got or []) == [i * i for i in range(6)], (
        f"returned {got!r}; expected a result for each of {[i * i for i in range(6)]!r}"
    )
    threads = log.threads["download"]
    assert threading.get_ident() not in threads, (
        "download ran in the thread that called run_pipeline; expected the threads of a "
        "download pool"
    )
    assert len(threads) <= 3, (
        f"the downloads ran in {len(threads)} threads; expected at most download_workers=3"
    )


def test_compute_runs_at_once_in_other_processes(submission):
    for method in methods_to_check():
        log = StageLog()
        download, save = recording_stages(log)
        with start_method(method), multiprocessing.get_context(method).Manager() as manager:
            compute = partial(meet_then_square, manager.Barrier(2))
            got = submission.run_pipeline(list(range(4)), download, compute, save, 2, 2, 2)
        assert sorted(got or []) == [0, 1, 4, 9], (
            f"[{method}] run_pipeline(range(4), download, compute, save, 2, 2, 2) returned "
            f"{got!r}; expected a result for each of [0, 1, 4, 9]"
        )
        pids = {pid for pid, _ in log.calls["save"]}
        assert os.getpid() not in pids, (
            f"[{method}] compute ran in the calling process {os.getpid()}; expected the "
            "worker processes of a ProcessPoolExecutor (CPU-bound work needs its own GIL)"
        )
        assert len(pids) >= 2, (
            f"[{method}] every compute ran in process {pids}; expected compute_workers=2 processes"
        )


def test_saves_run_at_the_same_time_in_threads(submission):
    log = StageLog()
    barrier = threading.Barrier(2)

    def save(pair):
        with log.timed("save", pair):
            meet(barrier, "saves")
            return pair[1]

    got = submission.run_pipeline(list(range(4)), pass_through, square_in_process, save, 2, 2, 2)
    assert sorted(got or []) == [0, 1, 4, 9], (
        f"returned {got!r}; expected a result for each of [0, 1, 4, 9]"
    )
    threads = log.threads["save"]
    assert threading.get_ident() not in threads, (
        "save ran in the thread that called run_pipeline; expected the threads of a save pool"
    )
    assert len(threads) <= 2, (
        f"the saves ran in {len(threads)} threads; expected at most save_workers=2"
    )


def test_item_0_is_saved_while_a_later_item_downloads(submission):
    # The save of item 0 waits until the download of the last item has started, and that
    # download waits until item 0 is saved: only overlapping stages get both done.
    last = 5
    download_started = threading.Event()
    saved_first = threading.Event()

    def download(item):
        with timed(f"download {item!r}"):
            if item == last:
                download_started.set()
                if not saved_first.wait(BARRIER_SECONDS):
                    raise NeverMet(
                        f"the download of item {last} waited {BARRIER_SECONDS:g} s for item "
                        "0 to be saved, but it never was: the save stage did not start while "
                        "the download stage was still busy. Hand each item to the next stage "
                        "as soon as it is ready, not after the whole stage has finished."
                    )
            return item

    def save(pair):
        with timed(f"save {pair!r}"):
            if pair[1] == 0:
                if not download_started.wait(BARRIER_SECONDS):
                    raise NeverMet(
                        f"the save of item 0 waited {BARRIER_SECONDS:g} s for the download "
                        f"of item {last} to start, but it never did: the items went through "
                        "the pipeline one at a time, or the downloads did not keep going "
                        "while item 0 was being saved."
                    )
                saved_first.set()
            return pair[1]

    got = submission.run_pipeline(list(range(last + 1)), download, square_in_process, save, 2, 2, 2)
    expected = [i * i for i in range(last + 1)]
    assert sorted(got or []) == expected, (
        f"returned {got!r}; expected a result for each of {expected!r}"
    )


def test_error_in_compute_reaches_the_caller(submission):
    raised = ValueError("cannot compute item -3: negative")
    with PoolSpy() as spy:
        got, error = call_and_catch(
            submission.run_pipeline, [1, 2, -3, 4], pass_through, square_unless_negative, str,
            2, 2, 2,
        )  # fmt: skip
    assert same_error(error, raised), (
        "run_pipeline([1, 2, -3, 4], download, compute, save, 2, 2, 2), where compute(-3) "
        f"raises {describe_error(raised)} in a worker process: it returned {got!r} / raised "
        f"{describe_error(error)}; expected that same exception, same type and same message "
        "(requirement: errors reach the caller)"
    )
    assert spy.pools and all(p.shut_down for p in spy.pools), (
        f"run_pipeline raised {describe_error(error)} and left pools running: "
        f"{[p for p in spy.pools if not p.shut_down]!r}; expected every pool shut down"
    )


def test_errors_in_download_and_save_reach_the_caller(submission):
    for stage in ("download", "save"):
        raised = ConnectionError(f"{stage} of item 2 failed")

        def download(item, stage=stage, raised=raised):
            if stage == "download" and item == 2:
                raise ConnectionError(str(raised))
            return item

        def save(pair, stage=stage, raised=raised):
            if stage == "save" and pair[1] == 4:
                raise ConnectionError(str(raised))
            return pair[1]

        with PoolSpy() as spy:
            got, error = call_and_catch(
                submission.run_pipeline, [1, 2, 3], download, square_in_process, save, 2, 2, 2
            )
        assert same_error(error, raised), (
            f"run_pipeline([1, 2, 3], ...), where the {stage} of item 2 raises "
            f"{describe_error(raised)}: it returned {got!r} / raised {describe_error(error)}; "
            "expected that same exception (requirement: errors of any stage reach the caller)"
        )
        assert all(p.shut_down for p in spy.pools), (
            f"run_pipeline raised {describe_error(error)} from the {stage} stage and left "
            f"pools running: {[p for p in spy.pools if not p.shut_down]!r}"
        )
