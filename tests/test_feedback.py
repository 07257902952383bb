"""Feedback at a timeout, through the real grader: for each classic hang, the report names
the learner's line, what it waited for and the likely cause; exceptions nobody saw are
listed. Under each launcher, and the process case under each strict start method."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader import messages
from grader.engine import stacks
from grader.engine.runner import grade_exercise
from grader.manifest import select

from .conftest import make_target

TIMEOUT = 3.0  # seconds per check: every submission here hangs on purpose

TWO_LOCKS = """
import threading
a, b = threading.Lock(), threading.Lock()
both = threading.Barrier(2)
def one():
    with a:
        both.wait()
        with b:
            pass
def two():
    with b:
        both.wait()
        with a:
            pass
def fetch_all(urls, fetch, max_workers=8):
    threads = [threading.Thread(target=one), threading.Thread(target=two)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
"""

JOIN_BEFORE_DRAIN = """
import multiprocessing
def produce(q):
    q.put(b"x" * 1_000_000)
def fetch_all(urls, fetch, max_workers=8):
    q = multiprocessing.Queue()
    p = multiprocessing.Process(target=produce, args=(q,))
    p.start()
    p.join()
    return [q.get()]
"""

POOL_WAITS_ON_ITSELF = """
from concurrent.futures import ThreadPoolExecutor
def fetch_all(urls, fetch, max_workers=8):
    with ThreadPoolExecutor(1) as pool:
        def outer():
            return pool.submit(fetch, "inner").result()
        return [pool.submit(outer).result()]
"""

MISSING_SENTINEL = """
import queue, threading
def fetch_all(urls, fetch, max_workers=8):
    q = queue.Queue()
    def consume():
        while (item := q.get()) is not None:
            fetch(item)
    workers = [threading.Thread(target=consume) for _ in range(2)]
    for w in workers:
        w.start()
    for url in urls:
        q.put(url)
    q.put(None)
    for w in workers:
        w.join()
    return []
"""

CALLBACK_RAISES = """
import threading
from concurrent.futures import ThreadPoolExecutor
def fetch_all(urls, fetch, max_workers=8):
    done = threading.Event()
    def on_done(future):
        raise ValueError("callback broke before setting the event")
        done.set()
    with ThreadPoolExecutor(2) as pool:
        pool.submit(fetch, "u").add_done_callback(on_done)
        done.wait()
    return []
"""

CASES = {
    "two locks": (TWO_LOCKS, ["`with b:`", "`with a:`", messages.CAUSE_LOCK_ORDER]),
    "join before drain": (JOIN_BEFORE_DRAIN, ["`p.join()`", messages.CAUSE_JOIN_BEFORE_DRAIN]),
    "pool waits on itself": (
        POOL_WAITS_ON_ITSELF,
        ['pool.submit(fetch, "inner").result()', messages.CAUSE_POOL_WAITS_ON_ITSELF],
    ),
    "missing sentinel": (MISSING_SENTINEL, ["q.get()", "`w.join()`", messages.CAUSE_SENTINEL]),
    "callback raises": (
        CALLBACK_RAISES,
        ["`done.wait()`", messages.VANISHED_HEADER, "ValueError: callback broke"],
    ),
}


def first_timeout(tmp_path, source: str):
    (exercise,) = select(["fetch_in_order"])
    path = tmp_path / "submission.py"
    path.write_text(source, encoding="utf-8")
    result = grade_exercise(exercise, make_target(tmp_path, exercise, path), timeout=TIMEOUT)
    timed_out = [c for c in result.checks if c.status == messages.TIMEOUT]
    assert timed_out, [(c.name, c.status) for c in result.checks]
    return timed_out[0].message


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_a_hang_is_explained_by_the_learners_own_lines(case, tmp_path, supervisor_start):
    source, expected = CASES[case]
    message = first_timeout(tmp_path, source)
    assert messages.STACKS_HEADER in message, message
    for fragment in expected:
        assert fragment in message, f"{fragment!r} not in:\n{message}"
    assert len(message.splitlines()) <= stacks.MAX_LINES + 10


@pytest.mark.slow
@pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])
def test_join_before_drain_is_found_under_each_start_method(method, tmp_path, monkeypatch):
    monkeypatch.setenv("CONCLAB_START_METHOD", method)
    message = first_timeout(tmp_path, JOIN_BEFORE_DRAIN)
    assert messages.CAUSE_JOIN_BEFORE_DRAIN in message, message


def test_a_stack_dump_is_trimmed_to_the_learners_frames():
    dump = (
        "Thread 0x01 (most recent call first):\n"
        '  File "/usr/lib/python3.11/threading.py", line 320 in wait\n'
        '  File "/usr/lib/python3.11/queue.py", line 171 in get\n'
        '  File "/sub/01_x/x.py", line 7 in consume\n'
        '  File "/usr/lib/python3.11/threading.py", line 975 in run\n'
        "\n"
        "Current thread 0x02 (most recent call first):\n"
        '  File "/usr/lib/python3.11/selectors.py", line 415 in select\n'
    )
    lines = stacks.summarise({42: dump, 43: ""}, "/sub")
    assert any("line 7 in consume" in line and "queue.Queue.get" in line for line in lines)
    assert any("pid 43" in line and "did not report" in line for line in lines)
    assert not any("selectors" in line for line in lines)


SORTS_RESULTS = """
from concurrent.futures import ThreadPoolExecutor
def fetch_all(urls, fetch, max_workers=8):
    with ThreadPoolExecutor(max_workers) as pool:
        return sorted(pool.map(fetch, urls), key=str)
"""

TOO_MANY_IN_FLIGHT = """
from concurrent.futures import ThreadPoolExecutor
def bounded_map(fn, items, k):
    if k < 1:
        raise ValueError("k must be at least 1")
    with ThreadPoolExecutor(k + 1) as pool:
        yield from pool.map(fn, items)
"""


WRONG = Path(__file__).parent / "wrong"


@pytest.mark.parametrize(
    "slug, source, rows",
    [
        ("fetch_in_order", SORTS_RESULTS, "threads"),
        ("bounded_map", TOO_MANY_IN_FLIGHT, "threads"),
        # Chunks one at a time: the one chunk that ran is drawn, in its pool process.
        ("prime_chunks", WRONG / "02_prime_chunks" / "one_chunk_at_a_time.py", "process"),
        # One item at a time: downloads and saves in threads, computes in processes.
        (
            "three_stage_pipeline",
            WRONG / "11_three_stage_pipeline" / "one_item_at_a_time.py",
            "both",
        ),
    ],
)
def test_a_failed_concurrency_check_shows_the_learners_run(slug, source, rows, tmp_path):
    from grader.frontends import panels, report

    (exercise,) = select([slug])
    path = tmp_path / "submission.py"
    if isinstance(source, Path):
        path.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    else:
        path.write_text(source, encoding="utf-8")
    result = grade_exercise(exercise, make_target(tmp_path, exercise, path))
    drawn = [c for c in result.checks if not c.passed and c.spans]
    assert drawn, [(c.name, c.status) for c in result.checks]
    spans = drawn[0].spans
    assert {"worker", "label", "start", "end"} <= set(spans[0])
    workers = {s["worker"] for c in drawn for s in c.spans}
    processes = {w for w in workers if w.startswith("process ")}
    if rows in ("threads", "both"):
        assert len(workers - processes) > 1, workers  # several threads, a row each
    if rows in ("process", "both"):
        assert processes, workers  # spans recorded in pool processes reach the report
    text = "\n".join(report.exercise_text(result, verbose=True))
    assert messages.YOUR_RUN in text and "|" in text
    assert "<img alt='your run'" in panels.checks_table(result)
    if slug == "three_stage_pipeline":  # what an earlier check's tasks raised stays there
        by_name = {c.name: c.message for c in result.checks}
        assert "the save of item 3" in by_name["test_order_kept_when_later_items_finish_first"]
        assert "the save of item 3" not in by_name["test_downloads_run_at_the_same_time_in_threads"]
    passing = [c for c in result.checks if c.passed and c.spans]
    if passing:  # passing checks carry their run too, drawn only on demand
        quiet = "\n".join(report.exercise_text(result))
        shown = "\n".join(report.exercise_text(result, show_runs=True))
        assert f"{passing[0].name}; {messages.YOUR_RUN}" not in quiet
        assert f"{passing[0].name}; {messages.YOUR_RUN}" in shown
