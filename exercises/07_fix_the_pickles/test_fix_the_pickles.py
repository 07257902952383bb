"""Public checks for exercise 07. Points and task numbers live in exercise.toml."""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import pytest

from conclab.probes.common import PoolSpy, call_and_catch, describe_error
from conclab.probes.startmethods import methods_to_check, start_method

ADVICE = (
    "Everything a process pool sends to a worker or back is pickled, and functions and "
    "classes pickle by their importable name: define them at module level (a lambda, a "
    "nested function or a class inside a function has no such name), bind arguments with "
    "functools.partial, and send paths instead of open files."
)


RECURSION_ADVICE = (
    "Unpickling recursed without end: pickle rebuilds an object without calling __init__, so "
    "a __getattr__ (or property) that reads an attribute not set yet calls itself again. "
    "Make such attributes plain instance attributes set in __init__, or give the class "
    "__getstate__/__setstate__."
)


def _in_pool(method, what, run):
    """run(pool) in a fresh pool of this start method; a failure names the call. One worker
    is enough: whatever crosses to it is pickled, and under spawn or forkserver it imports
    the learner's module afresh."""
    try:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context(method)) as pool:
            return run(pool)
    except Exception as exc:  # noqa: BLE001 - reported to the learner
        advice = RECURSION_ADVICE if isinstance(exc, RecursionError) else ADVICE
        pytest.fail(
            f"[{method}] {what} in a ProcessPoolExecutor raised "
            f"{type(exc).__name__}: {str(exc)[:300]}. {advice}{_worker_frame(exc)}",
            pytrace=False,
        )


def _worker_frame(exc: BaseException) -> str:
    """The worker's own traceback, which a process pool attaches as the exception's cause."""
    remote = str(getattr(exc.__cause__, "tb", ""))
    lines = [line for line in remote.splitlines() if line.strip() and line.strip() != '"""']
    if not lines:
        return ""
    # The learner's frames (not the standard library's), then the error itself.
    shown = []
    for i, line in enumerate(lines):
        if line.lstrip().startswith('File "') and "/lib/python" not in line:
            shown += lines[i : i + 2]
    shown = shown[-4:] or lines[-3:-1]
    return "\nIn the worker process:\n" + "\n".join(shown + [lines[-1]])


def _lines(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_squarer_runs_in_a_process_pool(submission):
    f = submission.squarer()
    assert f(3) == 9, f"squarer()(3) returned {f(3)!r}; expected 9"
    for method in methods_to_check():
        got = _in_pool(method, "pool.map(squarer(), range(8))", lambda p: list(p.map(f, range(8))))
        expected = [x * x for x in range(8)]
        assert got == expected, (
            f"[{method}] pool.map(squarer(), range(8)) returned {got!r}; expected {expected!r}"
        )


def test_two_scalers_run_in_one_pool(submission):
    by3, by7 = submission.scaler(3), submission.scaler(7)
    assert (by3(2), by7(2)) == (6, 14), (
        f"scaler(3)(2) and scaler(7)(2) returned {by3(2)!r} and {by7(2)!r}; expected 6 and 14"
    )

    def run(pool):
        futures = [pool.submit(f, x) for x in range(6) for f in (by3, by7)]
        return [future.result() for future in futures]

    for method in methods_to_check():
        got = _in_pool(method, "submitting scaler(3) and scaler(7) to one pool", run)
        expected = [x * k for x in range(6) for k in (3, 7)]
        assert got == expected, (
            f"[{method}] scaler(3) and scaler(7), submitted in turn for x in range(6), "
            f"returned {got!r}; expected {expected!r}. Each function must carry its own "
            "factor: a module-level variable set in the caller does not reach a worker "
            "started by spawn or forkserver, and is overwritten by the next scaler."
        )


def test_summaries_come_back_from_workers(submission):
    chunks = [[4, 1, 7], [10], [-2, 5, 5, 0]]
    submission.describe(chunks[0])
    for method in methods_to_check():
        got = _in_pool(
            method, "pool.map(describe, chunks)", lambda p: list(p.map(submission.describe, chunks))
        )
        try:
            fields = [(s.count, s.total, s.smallest, s.largest) for s in got]
        except AttributeError as exc:
            pytest.fail(
                f"[{method}] describe(chunk) returned {got!r}, which lacks an attribute "
                f"({exc}); expected objects with count, total, smallest and largest",
                pytrace=False,
            )
        expected = [(3, 12, 1, 7), (1, 10, 10, 10), (4, 8, -2, 5)]
        assert fields == expected, (
            f"[{method}] pool.map(describe, {chunks!r}) gave (count, total, smallest, "
            f"largest) = {fields!r}; expected {expected!r}"
        )


def test_count_lines_worker_takes_a_path(submission, tmp_path):
    paths = [
        _lines(tmp_path, "three.txt", "a\nb\nc\n"),
        _lines(tmp_path, "empty.txt", ""),
        _lines(tmp_path, "no_newline_at_end.txt", "1\n2\n3\n4\n5"),
        _lines(tmp_path, "blank_lines.txt", "first\n\n\n   \nlast\n"),
    ]
    assert submission.count_lines(paths[0]) == 3, (
        f"count_lines({paths[0]!r}) returned {submission.count_lines(paths[0])!r} for a "
        "file of 3 lines; expected 3"
    )
    for method in methods_to_check():
        got = _in_pool(
            method,
            "pool.map(count_lines, paths)",
            lambda p: list(p.map(submission.count_lines, paths)),
        )
        assert got == [3, 0, 5, 5], (
            f"[{method}] pool.map(count_lines, paths) returned {got!r} for files of 3, 0, "
            "5 (without a final newline) and 5 lines (3 of them blank); expected "
            "[3, 0, 5, 5]: count lines as iterating over the file gives them, blank ones too"
        )


def test_count_lines_parallel_sends_paths(submission, tmp_path):
    paths = [_lines(tmp_path, f"f{i}.txt", "line\n" * n) for i, n in enumerate([4, 1, 6, 2])]
    for method in methods_to_check():
        with start_method(method):
            got = submission.count_lines_parallel(paths, workers=2)
        assert got == [4, 1, 6, 2], (
            f"[{method}] count_lines_parallel(4 paths, workers=2) returned {got!r}; "
            "expected [4, 1, 6, 2], one count per path in input order"
        )


def test_count_lines_parallel_has_workers_processes(submission, tmp_path):
    paths = [_lines(tmp_path, f"g{i}.txt", "line\n" * i) for i in range(3)]
    # Two sizes: a pool left at its default size (the CPU count) cannot have both.
    for workers in (3, 5):
        with PoolSpy() as spy:
            got, error = call_and_catch(submission.count_lines_parallel, paths, workers)
        pools = spy.of("ProcessPoolExecutor")
        assert got == [0, 1, 2] and [p.max_workers for p in pools] == [workers], (
            f"count_lines_parallel(3 paths, workers={workers}) returned {got!r} / raised "
            f"{describe_error(error)} and created {pools!r}; expected [0, 1, 2] from one "
            f"ProcessPoolExecutor(max_workers={workers}) (requirement: the pool size passed on)"
        )
        assert pools[0].shut_down, (
            f"count_lines_parallel(3 paths, workers={workers}) left its pool running; "
            "expected it shut down when done (a `with` block does it)"
        )
