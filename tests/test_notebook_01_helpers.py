"""Notebook 01's helpers: the speedup limit in its prose (issue 16, item 5), the explorer
(item 20)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from conclab.core.env import CPUS_OVERRIDE, usable_cpus  # noqa: E402
from conclab.viz.speedup import limit_sentence, task_limit  # noqa: E402


@pytest.mark.parametrize(
    ("tasks", "workers", "limit"),
    [(6, 1, 1), (6, 2, 2), (6, 4, 3), (6, 5, 3), (6, 6, 6), (6, 16, 6), (3, 2, 1.5), (6, 3, 6 / 2)],
)
def test_task_limit_is_tasks_over_rounds(tasks, workers, limit):
    assert task_limit(tasks, workers) == pytest.approx(limit)


@pytest.mark.parametrize(("cpus", "expected"), [("2", "= 2x;"), ("16", "= 6x, less than 16x")])
def test_the_sentence_reads_true_on_2_and_16_cpus(monkeypatch, cpus, expected):
    # Notebook 01 prints limit_sentence(TASKS, usable_cpus()); the old prose said "2x" on
    # every machine.
    monkeypatch.setenv(CPUS_OVERRIDE, cpus)
    sentence = limit_sentence(6, usable_cpus())
    assert expected in sentence and f"With {cpus} CPUs" in sentence


def test_the_sentence_names_coarse_tasks_only_when_they_cap_the_speedup():
    assert "coarse" not in limit_sentence(6, 3)
    assert "coarse" in limit_sentence(6, 4)
    assert "1 CPU and" in limit_sentence(6, 1)


def test_explorer_titles_a_sequential_run_with_one_worker():
    from conclab.viz.widgets import title_for

    assert title_for("sequential", 4) == "sequential, 1 worker"
    assert title_for("threads", 4) == "threads, 4 workers"


def test_explorer_reuses_its_pool_and_reruns_when_tasks_change():
    widgets = pytest.importorskip("conclab.viz.widgets")
    explorer = widgets.TimelineExplorer()
    try:
        explorer.tasks.value = 2  # the tasks slider re-runs too
        explorer.run()
        assert explorer.runs == 2
        assert explorer.pools_started == 1  # same kind and size: one pool for both
        explorer.workers.value = 3
        assert explorer.pools_started == 2 and explorer.runs == 3
        assert not explorer.workers.continuous_update  # a drag re-runs once, at release
    finally:
        explorer.close()


def test_explorer_shows_an_error_instead_of_losing_it(monkeypatch):
    widgets = pytest.importorskip("conclab.viz.widgets")

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(widgets, "run_once", broken)
    explorer = widgets.TimelineExplorer()
    explorer.run()
    assert "run failed" in explorer.status.value and "boom" in explorer.status.value


def test_multiprocessing_has_a_thread_pool_that_runs_calls_in_this_process():
    # Notebook 01 corrects the claim that multiprocessing has no thread support.
    import os
    import threading
    from multiprocessing.pool import ThreadPool

    meet = threading.Barrier(3)

    def where(_):
        meet.wait(timeout=10)  # only three calls running at once get past this
        return os.getpid(), threading.current_thread().name

    with ThreadPool(3) as pool:
        seen = pool.map(where, range(3))
    assert {pid for pid, _ in seen} == {os.getpid()}
    assert len({name for _, name in seen}) == 3


def test_notebook_01_computes_its_machine_dependent_sentences():
    import nbformat

    from grader.manifest import NOTEBOOKS_DIR

    nb = nbformat.read(NOTEBOOKS_DIR / "01-threads-vs-processes.ipynb", as_version=4)
    markdown = " ".join(c.source for c in nb.cells if c.cell_type == "markdown")
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "With 2 CPUs" not in markdown  # was written for one machine
    assert "print(limit_sentence(TASKS, CPUS))" in code
    assert "repeats=REPEATS" in code  # CPU-bound numbers measured without drawing
    assert "ThreadPool" in code and "2 * CPUS" in code  # items 23 and 14
