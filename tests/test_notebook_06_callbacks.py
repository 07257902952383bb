"""conclab.lessons.callbacks, the helpers of notebook 06-callbacks, and the behaviours the
notebook states (where callbacks run, what happens to their exceptions)."""

from __future__ import annotations

import logging
import sys
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, wait
from pathlib import Path

import pytest

from conclab.lessons import callbacks as demo
from conclab.lessons.futures import wait_until

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "06-callbacks.ipynb"


def test_callback_runs_in_pool_thread_or_in_the_adding_thread():
    where = {}
    go = threading.Event()
    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(demo.wait_for, go, "x")
        future.add_done_callback(lambda f: where.setdefault("before", demo.where()))
        go.set()
        assert future.result(10) == "x"
    future.add_done_callback(lambda f: where.setdefault("after", demo.where()))
    assert not where["before"]["main thread"]
    assert where["before"]["thread"].startswith("ThreadPoolExecutor")
    assert where["after"]["thread"] == threading.current_thread().name


def test_process_pool_callback_runs_in_this_process():
    where = {}
    gate = demo.new_gate()
    with ProcessPoolExecutor(
        max_workers=1, initializer=demo.install_gate, initargs=(gate,)
    ) as pool:
        future = pool.submit(demo.wait_at_gate, "d")
        future.add_done_callback(lambda f: where.setdefault("cb", demo.where()))
        gate.set()
        value, worker_pid = future.result(60)
    assert value == "d"
    assert where["cb"]["pid"] != worker_pid
    assert where["cb"]["pid"] == demo.where()["pid"]
    assert not where["cb"]["main thread"]


def test_captured_log_holds_the_swallowed_callback_exception():
    def broken(future):
        raise KeyError("typo")

    logger = logging.getLogger("concurrent.futures")
    propagate = logger.propagate
    with demo.captured_log() as records, ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(pow, 3, 4)
        future.add_done_callback(broken)
    assert future.result() == 81
    assert len(records) == 1
    assert records[0].getMessage().startswith("exception calling callback for <Future")
    assert records[0].exc_info[0] is KeyError
    assert logger.propagate == propagate and not any(
        isinstance(h, demo.ListHandler) for h in logger.handlers
    )


def test_progress_board_counts_success_failure_and_cancelled():
    board = demo.ProgressBoard(total=4)
    release = threading.Event()
    with ThreadPoolExecutor(max_workers=1) as pool:
        blocker = pool.submit(demo.wait_for, release, "b")
        futures = [
            blocker,
            pool.submit(demo.sleep_then_maybe_fail, 0.0),
            pool.submit(demo.sleep_then_maybe_fail, 0.0, fail=True),
            pool.submit(pow, 2, 2),
        ]
        for f in futures:
            f.add_done_callback(board.callback)
        assert futures[3].cancel()
        release.set()
        assert board.wait(10)
    assert (board.done, board.failed, board.bar.value) == (4, 2, 4)
    assert "4 of 4 finished, 2 failed" in board.label.value


def test_wait_returns_before_a_slow_callback_has_run():
    go, release = threading.Event(), threading.Event()
    ran = []
    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(demo.wait_for, go, 1)
        future.add_done_callback(lambda f: (release.wait(10), ran.append(1)))
        go.set()
        wait([future], timeout=10)
        assert future.done() and ran == []
        release.set()
    assert ran == [1]


def test_meet_then_needs_every_task_at_once():
    barrier = threading.Barrier(3)
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(demo.meet_then, [barrier] * 3, "abc", [0.0] * 3))
    assert results == ["a", "b", "c"]


def test_output_rule_follows_the_ipykernel_version():
    # Notebook 06 section 4: 6.29.0 to 7.0.x routed a thread's output to the cell that
    # started the thread (ipykernel PR 1186); 7.1.0 restored the running cell (PR 1451).
    for version, where in [
        ("6.28.3", "RUNNING"),
        ("6.29.0", "STARTED"),
        ("6.29.5", "STARTED"),
        ("7.0.1", "STARTED"),
        ("7.1.0", "RUNNING"),
        ("7.4.0", "RUNNING"),
    ]:
        rule = demo.output_rule(version, inherit_context=False)
        assert where in rule and version in rule, (version, rule)
    assert "inherit" in demo.output_rule("7.1.0", inherit_context=True)


def test_project_requires_an_ipykernel_with_the_rule_notebook_06_states():
    import ipykernel

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert "ipykernel>=7.1" in project["optional-dependencies"]["course"]
    assert demo._version_tuple(ipykernel.__version__) >= (7, 1, 0)


@pytest.mark.parametrize("update", sorted(demo.UPDATES))
def test_an_unlocked_widget_update_held_open_loses_the_other_one(update):
    # Notebook 06: Output.append_stdout and bar.value += 1 are a read, then a write.
    lost, kept = demo.held_open(update, locked=False), demo.held_open(update, locked=True)
    if update == "bar.value += 1":
        assert (lost, kept) == (1, 2)
    else:
        assert lost == ["line from the first thread"]
        assert kept == ["line from the first thread", "line from the second thread"]


def test_output_log_keeps_every_line_from_callbacks_in_several_threads():
    log = demo.OutputLog()
    before = sys.getswitchinterval()
    assert demo.appends_from_callbacks(4, 50, log, switch_interval=1e-5) == 200
    assert len(log.lines) == 200
    assert sys.getswitchinterval() == before  # restored


def test_a_slow_callback_holds_back_every_result_of_a_process_pool():
    # Notebook 06: one manager thread completes every future of a process pool.
    events = {name: demo.new_gate() for name in ("go first", "go second", "second ran")}
    in_callback, release = threading.Event(), threading.Event()

    def slow_callback(future):
        in_callback.set()
        release.wait(30)

    with ProcessPoolExecutor(
        max_workers=2, initializer=demo.install_events, initargs=(events,)
    ) as pool:
        first = pool.submit(demo.wait_then_set, "first", "go first")
        second = pool.submit(demo.wait_then_set, "second", "go second", "second ran")
        first.add_done_callback(slow_callback)
        assert wait_until(second.running, 30)
        events["go first"].set()
        assert in_callback.wait(60)
        events["go second"].set()
        assert events["second ran"].wait(60)
        assert not second.done()  # the manager thread is inside slow_callback
        release.set()
        assert second.result(30)[0] == "second"


def test_a_callback_raising_base_exception_ends_its_pool_thread():
    # Notebook 06 section 3: undefined by the docs; what CPython does today.
    ran_in, after = [], []
    go = threading.Event()

    def exiting(future):
        raise SystemExit("exit")

    with demo.captured_log() as records, ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(demo.wait_for, go, 81)
        future.add_done_callback(lambda f: ran_in.append(threading.current_thread()))
        future.add_done_callback(exiting)
        future.add_done_callback(lambda f: after.append(1))
        go.set()
        assert future.result(10) == 81
        assert wait_until(lambda: ran_in)
        ran_in[0].join(10)
        assert not ran_in[0].is_alive()
    assert after == []
    assert [(r.levelname, r.getMessage()) for r in records] == [("CRITICAL", "Exception in worker")]


def run_cells(cell_ids: list[str]) -> dict[str, str]:
    """Run the setup cell and these cells of notebook 06 in a fresh kernel; their stdout."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOK, as_version=4)
    by_id = {cell.id: cell for cell in nb.cells}
    cells = [by_id[cell_id] for cell_id in ["cell-02", *cell_ids]]
    run = nbformat.v4.new_notebook(cells=cells, metadata=nb.metadata)
    NotebookClient(run, timeout=120, kernel_name="python3").execute(cwd=str(NOTEBOOK.parent))
    return {
        cell.id: "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        for cell in run.cells
    }


@pytest.mark.slow
def test_notebook_06_cells_show_what_their_prose_says():
    out = run_cells(
        [
            "cell-04",
            "cell-09a",
            "cell-13b",
            "cell-14a",
            "cell-15",
            "cell-17",
            "cell-20b",
            "cell-28a",
        ]
    )
    # Item 3: the gated task's callback runs in the pool thread, not in MainThread.
    assert "callback in ThreadPoolExecutor" in out["cell-04"], out["cell-04"]
    # Slow callback in a process pool: the finished second call's future is not done.
    assert "has run the second call: True" in out["cell-09a"]
    assert "done 0.5 s later: False" in out["cell-09a"], out["cell-09a"]
    assert "callbacks after the exiting one: []" in out["cell-13b"], out["cell-13b"]
    # Item 1: the installed ipykernel sends the callback's print to the RUNNING cell.
    assert "RUNNING" in out["cell-14a"], out["cell-14a"]
    assert "printed by the callback" not in out["cell-15"]
    assert "printed by the callback" in out["cell-17"], out["cell-17"]
    # Item 2: unlocked, the held-open update is lost; locked, both are kept.
    assert "locked=False: the Output holds ['line from the first thread']" in out["cell-20b"]
    assert "second thread']" in out["cell-20b"]
    assert "bar.value is 1" in out["cell-28a"] and "bar.value is 2" in out["cell-28a"]
