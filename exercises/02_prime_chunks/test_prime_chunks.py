"""Public checks for exercise 02. Points and task numbers live in exercise.toml."""

import multiprocessing
import os
import pickle
from functools import partial

import pytest

from conclab.probes import fail_on_negative, meet_then_sum, pid_and_sum
from conclab.startmethods import methods_to_check, start_method


def test_chunks_are_contiguous_and_balanced(submission):
    for items, n in [(range(11), 1), (range(11), 3), (range(10), 4), (range(9), 6), (range(7), 7)]:
        items = list(items)
        chunks = submission.split_into_chunks(items, n)
        sizes = [len(c) for c in chunks]
        assert [x for c in chunks for x in c] == items, (
            f"split_into_chunks({items!r}, {n}) returned {chunks!r}; joined together "
            "the chunks should give back the items in order"
        )
        assert len(chunks) == n and max(sizes) - min(sizes) <= 1, (
            f"split_into_chunks({items!r}, {n}) gave chunk sizes {sizes}; expected "
            f"{n} chunks whose sizes differ by at most one"
        )


def test_edge_cases_of_splitting(submission):
    got = submission.split_into_chunks([1, 2], 5)
    assert got == [[1], [2]], f"split_into_chunks([1, 2], 5) returned {got!r}; expected [[1], [2]]"
    got = submission.split_into_chunks([], 3)
    assert got == [], f"split_into_chunks([], 3) returned {got!r}; expected []"
    with pytest.raises(ValueError):
        submission.split_into_chunks([1, 2, 3], 0)


def test_chunks_run_at_once_in_separate_processes(submission):
    for method in methods_to_check():
        with start_method(method), multiprocessing.get_context(method).Manager() as manager:
            barrier = manager.Barrier(2)
            got = submission.map_chunks(partial(meet_then_sum, barrier), list(range(10)), 2)
        assert isinstance(got, list) and len(got) == 2, (
            f"[{method}] map_chunks(work, list(range(10)), workers=2) returned {got!r}; "
            "expected a list with one result per chunk"
        )
        pids = [pid for pid, _ in got]
        assert os.getpid() not in pids, (
            f"[{method}] the chunks ran in the calling process; expected worker processes "
            "from a ProcessPoolExecutor (threads share one GIL for CPU-bound work)"
        )
        assert len(set(pids)) == 2, (
            f"[{method}] both chunks ran in the same process {pids[0]}; expected two processes"
        )
        assert [s for _, s in got] == [10, 35], (
            f"[{method}] chunk results were {[s for _, s in got]}; expected [10, 35]"
        )


def test_results_in_chunk_order(submission):
    got = submission.map_chunks(pid_and_sum, list(range(20)), 4)
    sums = [s for _, s in got]
    assert sums == [10, 35, 60, 85], (
        f"map_chunks(sum, list(range(20)), workers=4) gave chunk sums {sums}; "
        "expected them in chunk order: [10, 35, 60, 85]"
    )


def test_error_in_a_worker_reaches_the_caller(submission):
    with pytest.raises(ValueError, match="negative number in chunk"):
        submission.map_chunks(fail_on_negative, [1, 2, -3, 4], 2)


def test_worker_function_is_importable(submission):
    worker = submission.count_primes_in_chunk
    assert "<locals>" not in worker.__qualname__ and worker.__name__ != "<lambda>", (
        f"count_primes_in_chunk is {worker.__qualname__}; define it at module level so "
        "that worker processes can import it"
    )
    assert pickle.loads(pickle.dumps(worker)) is worker, "count_primes_in_chunk does not pickle"
    got = worker([0, 1, 2, 3, 4, 5, 9, 11, 25, 97])
    assert got == 5, (
        f"count_primes_in_chunk([0, 1, 2, 3, 4, 5, 9, 11, 25, 97]) returned {got!r}; expected 5"
    )


def test_counts_primes_correctly(submission):
    for method in methods_to_check():
        with start_method(method):
            got = submission.count_primes_parallel(list(range(2000)), workers=2)
        assert got == 303, (
            f"[{method}] count_primes_parallel(list(range(2000)), workers=2) returned "
            f"{got!r}; expected 303"
        )
