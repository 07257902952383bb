"""Public checks for exercise 02. Points and task numbers live in exercise.toml."""

import multiprocessing
import os
import pickle
from functools import partial

from conclab.probes.common import (
    PoolSpy,
    call_and_catch,
    describe_error,
    fail_on_negative,
    meet_then_sum,
    pid_and_sum,
    same_error,
)
from conclab.probes.startmethods import methods_to_check, start_method


def test_chunks_are_contiguous_and_balanced(submission):
    cases = [(range(11), 1), (range(11), 3), (range(10), 4), (range(9), 6), (range(7), 7)]
    # Unsorted, repeated and falsy items: a chunk keeps them as they come.
    cases += [([5, 3, 5, 0, 2, 2, 9], 3), (["b", "", "a", "b", ""], 2)]
    for items, n in cases:
        items = list(items)
        chunks = submission.split_into_chunks(items, n)
        assert type(chunks) is list and all(type(c) is list for c in chunks), (
            f"split_into_chunks({items!r}, {n}) returned {chunks!r}; expected a list of lists"
        )
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
    for n in (0, -1, -5):
        got, error = call_and_catch(submission.split_into_chunks, [1, 2, 3], n)
        assert isinstance(error, ValueError), (
            f"split_into_chunks([1, 2, 3], {n}) returned {got!r} / raised "
            f"{describe_error(error)}; expected ValueError (requirement: n_chunks < 1 raises "
            "ValueError, negative numbers too)"
        )


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
    raised = ValueError("negative number in chunk [-3, 4]")
    with PoolSpy() as spy:
        got, error = call_and_catch(submission.map_chunks, fail_on_negative, [1, 2, -3, 4], 2)
    assert same_error(error, raised), (
        "map_chunks(work, [1, 2, -3, 4], workers=2), where work([-3, 4]) raises "
        f"{describe_error(raised)} in a worker process: it returned {got!r} / raised "
        f"{describe_error(error)}; expected that same exception, same type and same message "
        "(requirement: a worker's exception reaches the caller)"
    )
    pools = spy.of("ProcessPoolExecutor")
    assert pools and all(p.shut_down for p in pools), (
        f"map_chunks raised {describe_error(error)} and left its pool {pools!r} running; "
        "expected it shut down on the error path too (a `with` block does it)"
    )


def test_the_pool_has_workers_processes(submission):
    # Two sizes: a pool left at its default size (the CPU count) cannot have both.
    for workers in (3, 5):
        with PoolSpy() as spy:
            items = list(range(10))
            got, error = call_and_catch(submission.map_chunks, pid_and_sum, items, workers)
        pools = spy.of("ProcessPoolExecutor")
        assert error is None and isinstance(got, list) and len(got) == workers, (
            f"map_chunks(work, list(range(10)), workers={workers}) returned {got!r} / raised "
            f"{describe_error(error)}; expected a list of {workers} results, one per chunk"
        )
        assert [p.max_workers for p in pools] == [workers] and pools[0].shut_down, (
            f"map_chunks(work, list(range(10)), workers={workers}) created {pools!r} "
            f"(shut down: {[p.shut_down for p in pools]}); expected one "
            f"ProcessPoolExecutor(max_workers={workers}), shut down when done (requirement: "
            "the pool has `workers` processes, passed on, not the default)"
        )


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


def test_counting_uses_workers_processes(submission):
    with PoolSpy() as spy:
        got, error = call_and_catch(submission.count_primes_parallel, list(range(100)), 3)
    pools = spy.of("ProcessPoolExecutor")
    assert got == 25 and [p.max_workers for p in pools] == [3], (
        f"count_primes_parallel(list(range(100)), workers=3) returned {got!r} / raised "
        f"{describe_error(error)} and created {pools!r}; expected 25, counted with map_chunks "
        "in one ProcessPoolExecutor(max_workers=3)"
    )


def test_counts_primes_correctly(submission):
    for method in methods_to_check():
        with start_method(method):
            got = submission.count_primes_parallel(list(range(2000)), workers=2)
        assert got == 303, (
            f"[{method}] count_primes_parallel(list(range(2000)), workers=2) returned "
            f"{got!r}; expected 303"
        )
