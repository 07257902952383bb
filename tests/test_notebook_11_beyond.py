"""Helpers behind notebook 11: scheduler address, data-travel timings, interpreter detection."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import psutil
import pytest

from conclab.lessons import beyond_one_machine as beyond


def test_scheduler_address_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv(beyond.SCHEDULER_VARIABLE, raising=False)
    assert beyond.scheduler_address() is None
    monkeypatch.setenv(beyond.SCHEDULER_VARIABLE, "")
    assert beyond.scheduler_address() is None
    monkeypatch.setenv(beyond.SCHEDULER_VARIABLE, "tcp://10.0.0.5:8786")
    assert beyond.scheduler_address() == "tcp://10.0.0.5:8786"


def test_total_sums_each_part_once():
    np = pytest.importorskip("numpy")
    array = np.arange(12, dtype=float)
    assert sum(beyond.total(array, i, 4) for i in range(4)) == array.sum()


def test_interpreters_available_matches_the_version():
    assert beyond.interpreters_available() == (sys.version_info >= (3, 14))


def test_free_threaded_build_agrees_with_the_gil_check():
    if not beyond.free_threaded_build():
        assert getattr(sys, "_is_gil_enabled", lambda: True)()


def test_describe_processes_lists_only_live_ones():
    import subprocess

    exited = subprocess.Popen([sys.executable, "-c", "pass"])
    exited.wait(timeout=30)
    assert beyond.describe_processes([os.getpid()]), "this test process is alive"
    assert beyond.describe_processes([exited.pid]) == []


@pytest.mark.slow
def test_both_data_paths_give_results_and_the_cluster_leaves_nothing():
    """Start a 1-worker local cluster, time both ways, close it: no worker may remain.

    multiprocessing's resource tracker, started for spawned workers, lives as long as this
    process and is not counted.
    """
    np = pytest.importorskip("numpy")
    distributed = pytest.importorskip("distributed")
    import logging

    before = {p.pid for p in psutil.Process().children(recursive=True)}
    cluster = distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    client = distributed.Client(cluster)
    try:
        pids = list(client.run(os.getpid).values())
        array = np.ones(100_000)
        each, _ = beyond.time_send_each(client, array, tasks=2)
        once = beyond.time_scatter_once(client, array, tasks=2)
        assert each > 0 and once > 0
    finally:
        client.close()
        cluster.close()
    assert beyond.describe_processes(pids) == []
    _, alive = psutil.wait_procs(
        [p for p in psutil.Process().children(recursive=True) if p.pid not in before], timeout=10
    )
    left = [p.cmdline() for p in alive if "resource_tracker" not in " ".join(p.cmdline())]
    assert not left, f"processes left behind by the cluster: {left}"


# --- issue 17, item 4: a timeline across machines comes from the scheduler's task stream


def _record(worker, start, stop, action="compute"):
    return {
        "worker": worker,
        "key": f"k-{start}",
        "startstops": [
            {"action": "transfer", "start": start - 5, "stop": start},
            {"action": action, "start": start, "stop": stop},
        ],
    }


def test_task_stream_spans_share_the_schedulers_clock():
    wall = 1_796_000_000.0  # wall-clock seconds, as Dask records them
    records = [_record("tcp://b:1", wall + 1, wall + 3), _record("tcp://a:1", wall, wall + 2)]
    tracer = beyond.task_stream_tracer(records, {"tcp://a:1": 11})
    spans = sorted(tracer.spans, key=lambda s: s.start)
    assert tracer.origin == wall
    assert [(s.worker, s.start - tracer.origin, s.duration) for s in spans] == [
        ("tcp://a:1", 0.0, 2.0),
        ("tcp://b:1", 1.0, 2.0),
    ], "only the compute part of each task, numbered in start order"
    assert [s.task for s in spans] == [0, 1] and spans[0].pid == 11 and spans[1].pid == 0
    assert tracer.elapsed() == 3.0


def test_the_notebook_draws_dask_from_the_task_stream_not_from_worker_clocks():
    import nbformat

    path = Path(__file__).resolve().parent.parent / "notebooks" / "11-beyond-one-machine.ipynb"
    code = [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    executor_cell = next(s for s in code if "get_executor(" in s)
    assert "get_task_stream(" in executor_cell and "task_stream_tracer(" in executor_cell
    assert "run_traced(" not in executor_cell


# --- issue 17, items 20 and 23: helpers, and the notebook without Dask


def test_dask_available_is_false_when_distributed_cannot_be_imported(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    assert beyond.dask_available() is False


def test_try_import_reports_instead_of_raising():
    assert beyond.try_import("json") == "ok"
    assert beyond.try_import("conclab_no_such_module").startswith("ModuleNotFoundError: ")


def test_pool_start_seconds_runs_a_task_on_every_worker():
    from concurrent.futures import ThreadPoolExecutor

    started = []

    class CountingPool(ThreadPoolExecutor):
        def map(self, fn, *iterables, **kwargs):
            items = list(iterables[0])
            started.append(len(items))
            return super().map(fn, items, **kwargs)

    assert beyond.pool_start_seconds(CountingPool, 3) > 0
    assert started == [3]


@pytest.mark.skipif(not beyond.interpreters_available(), reason="InterpreterPoolExecutor: 3.14+")
def test_a_subinterpreter_imports_the_standard_library():
    from concurrent.futures import InterpreterPoolExecutor

    with InterpreterPoolExecutor(1) as pool:
        assert pool.submit(beyond.try_import, "json").result(timeout=60) == "ok"


@pytest.mark.slow
def test_notebook_11_runs_without_dask_and_says_how_to_install_it():
    """Item 23: every Dask cell skips with a hint instead of failing one after another."""
    import nbformat
    from nbclient import NotebookClient

    path = Path(__file__).resolve().parent.parent / "notebooks" / "11-beyond-one-machine.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells = [c for c in nb.cells if "from grader import check" not in c.source]
    block = nbformat.v4.new_code_cell(
        "import sys\nsys.modules['distributed'] = None  # as if Dask were not installed"
    )
    nb.cells.insert(0, block)
    NotebookClient(nb, timeout=300, resources={"metadata": {"path": str(path.parent)}}).execute()
    printed = "".join(
        o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs
    )
    assert beyond.DASK_HINT in printed
    dask_cells = [c for c in nb.cells if c.cell_type == "code" and "if client is None" in c.source]
    assert len(dask_cells) >= 6
    for c in dask_cells:
        text = "".join(o.get("text", "") for o in c.outputs)
        assert beyond.NO_DASK in text, f"a Dask cell did not skip: {c.source[:80]!r}"


@pytest.mark.slow
def test_on_a_cluster_whose_clocks_differ_only_the_task_stream_lines_up():
    """Item 4, by construction: one worker's perf_counter is moved 1,000 s ahead, as on
    another machine. Spans stamped with it land 1,000 s away; the task stream does not.
    The same cluster shows items 20's claims: a lambda runs, tasks go to their data, and
    tasks that wait on tasks of their own finish on 1-thread workers."""
    distributed = pytest.importorskip("distributed")
    import logging
    from concurrent.futures import ProcessPoolExecutor

    from conclab.core.tracer import traced
    from conclab.core.workloads import cpu_work

    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
    )
    client = distributed.Client(cluster)
    try:
        first, second = sorted(client.scheduler_info()["workers"])

        def move_clock_ahead():
            import time

            real = time.perf_counter
            time.perf_counter = lambda: real() + 1000.0
            return True

        client.run(move_clock_ahead, workers=[second])
        futures = [
            client.submit(traced, cpu_work, 1000, task=i, workers=[w], pure=False)
            for i, w in enumerate([first, second] * 2)
        ]
        with distributed.get_task_stream(client) as stream:
            spans = [f.result()[0] for f in futures]
            client.gather(
                [client.submit(cpu_work, 1000, workers=[w], pure=False) for w in (first, second)]
            )
        starts = [s.start for s in spans]
        assert max(starts) - min(starts) > 900, "the moved clock should show in traced spans"
        tracer = beyond.task_stream_tracer(stream.data)
        assert {s.worker for s in tracer.spans} == {first, second}
        assert tracer.elapsed() < 900, "task-stream spans must not see the moved clock"

        assert client.submit(lambda x: x + 1, 1).result() == 2
        with ProcessPoolExecutor(1) as pool, pytest.raises(Exception, match="pickle"):
            pool.submit(lambda x: x + 1, 1).result()

        data = client.scatter(b"x" * 1000, workers=[second])
        assert client.submit(beyond.where_it_ran, data, pure=False).result() == second

        outer = [client.submit(beyond.fan_out, 3, 1000, pure=False) for _ in range(2)]
        assert client.gather(outer) == [3, 3]  # 2 outer tasks hold both threads: secede
    finally:
        client.close()
        cluster.close()


def test_the_notebook_says_the_scheduler_assigns_tasks():
    """Item 20: the scheduler decides where each task runs; workers do not take from a queue."""
    import nbformat

    path = Path(__file__).resolve().parent.parent / "notebooks" / "11-beyond-one-machine.ipynb"
    cells = nbformat.read(path, as_version=4).cells
    prose = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    assert "a queue of\ntasks (at the scheduler), workers that take them" not in prose
    assert "The code below is the same either way." not in prose
    assert "scheduler **decides** which worker runs each task" in prose
    assert any("where_it_ran" in c.source for c in cells if c.cell_type == "code")
