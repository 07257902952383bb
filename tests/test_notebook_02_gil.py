"""conclab.gil, the helpers of notebook 02-the-gil: concurrency shown by construction."""

from __future__ import annotations

import os
import stat
import sys
import sysconfig
import threading

import pytest

from conclab import gil


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
