"""conclab.lessons.the_gil, notebook 02-the-gil's helpers: concurrency shown by construction."""

from __future__ import annotations

import os
import stat
import sys
import sysconfig
import threading

import pytest

from conclab.lessons import the_gil as gil


def test_run_together_starts_every_thread_at_once():
    # Each call waits for all four at a second barrier: only concurrent threads pass it.
    meet = threading.Barrier(4)
    passed = []
    gil.run_together(lambda: passed.append(meet.wait(timeout=10)), 4)
    assert len(passed) == 4


def test_run_threads_traced_runs_one_raw_thread_per_input():
    meet = threading.Barrier(3)

    def task(x):
        meet.wait(timeout=10)  # only three threads running together get past this
        return x

    tracer = gil.run_threads_traced(task, [1, 2, 3], "test", live=False)
    assert sorted(s.task for s in tracer.spans) == [0, 1, 2]
    assert len({s.thread for s in tracer.spans}) == 3
    assert tracer.max_overlap() == 3
    assert gil.wall(tracer) > 0


def test_run_threads_traced_raises_what_a_call_raised():
    with pytest.raises(ZeroDivisionError):
        gil.run_threads_traced(lambda x: 1 / x, [1, 0], "test", live=False)


def test_best_split_times_gives_one_time_per_thread_count():
    times = gil.best_split_times(abs, 10, (1, 2), repeats=1)
    assert len(times) == 2 and all(t >= 0 for t in times)


def test_find_free_threaded_lists_t_builds_on_path(tmp_path):
    assert gil.find_free_threaded(path=str(tmp_path)) == []
    fake = tmp_path / ("python3.14t.exe" if sys.platform == "win32" else "python3.14t")
    fake.write_text("")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    assert [os.path.basename(p) for p in gil.find_free_threaded(path=str(tmp_path))] == [fake.name]


def test_try_interpreter_reports_how_this_build_takes_gil_0():
    plain = gil.try_interpreter(sys.executable)
    assert plain["exit code"] == 0
    assert plain["GIL enabled"] == str(gil.build_info()["sys._is_gil_enabled()"] is not False)
    refused = gil.try_interpreter(sys.executable, ["-X", "gil=0"])
    free_threaded = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    if sys.version_info >= (3, 13) and not free_threaded:
        assert refused["exit code"] != 0 and refused["error"]
    else:
        assert refused["exit code"] == 0


@pytest.mark.slow
def test_scaling_in_runs_the_comparison_in_a_subprocess():
    result = gil.scaling_in(sys.executable, (1, 2), n=20_000)
    assert result["threads"] == [1, 2]
    assert len(result["seconds"]) == 2 and all(s > 0 for s in result["seconds"])
    assert isinstance(result["gil_enabled"], bool)


GIL_BUILD_WITH_CALL_SWITCHES = sys.version_info >= (3, 10) and gil.build_info()[
    "sys._is_gil_enabled()"
] in (True, "(no such function before 3.13)")


@pytest.mark.skipif(
    not GIL_BUILD_WITH_CALL_SWITCHES, reason="CPython 3.10+ with the GIL switches only at calls"
)
def test_a_loop_without_a_call_loses_nothing_even_at_a_1_microsecond_interval():
    # Notebook 02 said a switch "can happen between any two lines" and that no loss was
    # luck ("hardly ever is not never"). With the GIL, 3.10+ hand it over only at calls
    # and backward jumps, so a load-add-store with no call in between is never split.
    assert gil.runs_with_losses(gil.plain_increments, 1e-6, runs=5, n=20_000) == 0
    assert sys.getswitchinterval() == pytest.approx(0.005)  # restored


def test_runs_with_losses_counts_runs_that_lost_updates_and_restores_the_interval():
    before = sys.getswitchinterval()

    def lose_everything(box, n):
        box.value = 0  # every thread overwrites: 4 * n is never reached

    assert gil.runs_with_losses(lose_everything, 1e-3, runs=3, n=10) == 3
    assert sys.getswitchinterval() == before


def test_sorted_holds_the_gil_for_its_whole_run():
    # By construction: the ticker needs the GIL to tick, and sorted() of ints never
    # lets go of it, whatever the switch interval asks.
    import random

    values = list(range(300_000))
    random.Random(1).shuffle(values)
    seen = gil.ticks_during(sorted, values)
    assert seen["longest pause"] >= 0.5 * seen["seconds"]


def test_numpy_sort_releases_the_gil():
    # Notebook 02 claimed NumPy releases the GIL; a tick inside the call proves it. The OS
    # may leave the ticker unscheduled for one call on a busy machine, so up to ten tries.
    np = pytest.importorskip("numpy")
    array = np.random.default_rng(0).random(2_000_000)
    ticks = [gil.ticks_during(np.sort, array)["ticks inside"] for _ in range(10)]
    assert max(ticks) > 10


def test_round_trips_measure_each_trip_with_and_without_a_busy_thread():
    for busy in (False, True):
        times = gil.round_trips(5, busy=busy, delay=0.0)
        assert len(times) == 5 and all(t > 0 for t in times)


@pytest.mark.parametrize(
    ("figure", "cpus", "says"),
    [(1.7, 2, "above 1"), (1.0, 2, "about 1"), (1.9, 16, "above 1"), (1.0, 1, "1 usable CPU")],
)
def test_overlap_sentence_says_what_the_figure_shows(figure, cpus, says):
    # The old cell printed "(above 1: threads hashed at the same time)" whatever the figure.
    assert says in gil.overlap_sentence(figure, cpus)


def _notebook_02():
    import nbformat

    from grader.manifest import NOTEBOOKS_DIR

    nb = nbformat.read(NOTEBOOKS_DIR / "02-the-gil.ipynb", as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    return " ".join(markdown.split()), code


def test_notebook_02_states_where_switches_happen_and_what_is_not_guaranteed():
    markdown, code = _notebook_02()
    assert "between any two lines" not in markdown  # the old, wrong rule
    assert "*Hardly ever* is not *never*" not in markdown
    assert "not a promise of the language" in markdown
    assert "not a guarantee of current or future behavior" in markdown  # free-threading
    assert any("runs_with_losses(target, interval" in c for c in code)
    assert any("round_trips(50, busy=True)" in c for c in code)  # the convoy effect
    assert any("ticks_during(call" in c and "np.sort" in c for c in code)  # NumPy's claim


def test_notebook_02_shows_plots_under_any_matplotlib_backend():
    _, code = _notebook_02()
    assert code[0].startswith("%matplotlib inline")
