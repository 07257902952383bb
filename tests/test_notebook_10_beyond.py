"""Helpers behind notebook 10: scheduler address, data-travel timings, interpreter detection."""

from __future__ import annotations

import os
import sys

import psutil
import pytest

from conclab import beyond


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
