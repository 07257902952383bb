"""Helpers behind notebook 10: the decision guide, the Amdahl fit, the pipeline's spans."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest

from conclab.lessons.choosing_and_sizing import amdahl, cpus, guide, io_bound, pools
from conclab.lessons.choosing_and_sizing import pipeline as stages
from conclab.viz import speedup

matplotlib.use("Agg")


@pytest.mark.parametrize(
    ("work", "data", "isolation", "expected"),
    [
        ("io", "small", "no", "ThreadPoolExecutor"),
        ("native", "large", "no", "ThreadPoolExecutor"),
        ("python", "small", "no", "ProcessPoolExecutor"),
        ("python", "large", "no", "ProcessPoolExecutor"),
        ("io", "small", "yes", "ProcessPoolExecutor"),
    ],
)
def test_recommend_picks_the_executor(work, data, isolation, expected):
    pick, why = guide.recommend(work, data, isolation)
    assert pick.startswith(expected), f"recommend{(work, data, isolation)} gave {pick!r}"
    assert why


def test_recommend_rejects_unknown_answers():
    with pytest.raises(ValueError):
        guide.recommend("gpu", "small", "no")


def test_every_answer_combination_has_a_recommendation():
    widget = guide.decision_widget()
    work, data, isolation, answer = widget.children
    for w in guide.WORK:
        for d in guide.DATA:
            for i in guide.ISOLATION:
                work.value, data.value, isolation.value = w, d, i
                assert guide.recommend(w, d, i)[0] in answer.value


@pytest.mark.parametrize("p", [0.0, 0.5, 0.9, 1.0])
def test_fit_recovers_the_parallel_fraction_of_exact_amdahl_times(p):
    workers = [1, 2, 3, 4]
    seconds = [10 / speedup.amdahl(p, n) for n in workers]
    assert speedup.fit_parallel_fraction(workers, seconds) == pytest.approx(p, abs=1e-9)


def test_fit_needs_two_points_and_clips_to_the_unit_interval():
    assert speedup.fit_parallel_fraction([1], [2.0]) is None
    assert speedup.fit_parallel_fraction([1, 2], [1.0, 2.0]) == 0.0  # slower: clipped at 0
    assert speedup.fit_parallel_fraction([1, 2], [1.0, 0.4]) == 1.0  # superlinear: clipped


def test_live_speedup_redraws_once_per_count_and_fits_only_up_to_the_cores():
    plot = speedup.LiveSpeedup("test", max_workers=4, cores=2)
    results = speedup.sweep([1, 2, 3, 4], lambda n: {1: 1.0, 2: 0.5, 3: 0.9, 4: 0.9}[n], plot)
    plot.close()
    assert results == [(1, 1.0), (2, 0.5), (3, 0.9), (4, 0.9)]
    assert plot.frames == 4
    assert plot.parallel_fraction == pytest.approx(1.0)  # counts 3 and 4 are beyond the cores


def test_pipeline_runs_each_item_through_three_stages_in_order(no_leaked_processes):
    results, tracer = stages.run_pipeline(range(4), live=False, compute_n=10_000)
    assert sorted(results) == [0, 1, 2, 3]
    spans = {(s.worker.split(":")[0], s.task): s for s in tracer.snapshot()}
    assert len(spans) == 12, f"expected 4 items x 3 stages, got {sorted(spans)}"
    for item in range(4):
        down, cpu, save = (
            spans[(f"{n} {stage}", item)] for n, stage in enumerate(stages.STAGES, 1)
        )
        assert down.end <= cpu.start and cpu.end <= save.start, f"item {item} out of order"
        assert cpu.pid != os.getpid(), "compute should run in a worker process"
        assert down.pid == save.pid == os.getpid(), "download and save should run in threads"
    busy = stages.stage_busy_seconds(tracer)
    assert set(busy) == set(stages.STAGES) and all(s > 0 for s in busy.values())


@pytest.mark.parametrize("method", ["spawn", None])
def test_blas_limit_in_the_initializer_reaches_the_worker(method):
    """spawn is the strict case: the worker has not loaded NumPy when the initializer runs."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context(method)
    with ProcessPoolExecutor(
        1, mp_context=context, initializer=pools.limit_blas_threads, initargs=(1,)
    ) as pool:
        info = pool.submit(pools.blas_threads).result()
    assert info["pools"], "threadpoolctl found no BLAS library in the worker"
    assert all(p.endswith(": 1 threads") for p in info["pools"]), info


# --- issue 17, item 3: the bottleneck is computed from the spans, never written in advance

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "10-choosing-and-sizing.ipynb"


def _notebook_cells(kind: str) -> list[str]:
    import nbformat

    nb = nbformat.read(NOTEBOOK, as_version=4)
    return [c.source for c in nb.cells if c.cell_type == kind]


def test_the_notebook_writes_no_bottleneck_in_advance():
    prose = "\n".join(_notebook_cells("markdown"))
    assert "compute row is the bottleneck" not in prose
    assert "only more CPUs would" not in prose
    assert any("bottleneck_verdict(" in source for source in _notebook_cells("code"))


def test_the_verdict_names_the_save_stage_with_the_notebooks_own_settings():
    """The reviewer's numbers: 8 saves x 0.08 s on 2 threads, about 0.16 s of compute."""
    busy = {"download": 0.8, "compute": 0.32, "save": 0.64}
    workers = {"download": 4, "compute": 2, "save": 2}
    text = stages.bottleneck_verdict(busy, workers, cores=2)
    assert text.startswith("**save** is the bottleneck"), text
    assert "more save threads would shorten it" in text
    assert "more CPUs would not" in text


@pytest.mark.parametrize(
    ("cores", "advice"),
    [(2, "only more CPUs"), (16, "up to the 16 usable CPUs")],
)
def test_a_compute_bottleneck_reads_true_on_2_and_on_16_cpus(monkeypatch, cores, advice):
    from conclab.core.env import usable_cpus

    monkeypatch.setenv("CONCLAB_CPUS", str(cores))
    busy = {"download": 0.4, "compute": 1.6, "save": 0.2}
    workers = {"download": 4, "compute": 2, "save": 2}
    text = stages.bottleneck_verdict(busy, workers, cores=usable_cpus())
    assert text.startswith("**compute** is the bottleneck"), text
    assert advice in text, text


def test_the_verdict_follows_the_measured_spans(no_leaked_processes):
    _, tracer = stages.run_pipeline(range(4), live=False, compute_n=10_000)
    busy = stages.stage_busy_seconds(tracer)
    workers = {"download": 4, "compute": 2, "save": 2}
    load = stages.stage_load(busy, workers)
    slowest = max(load, key=load.get)
    assert stages.bottleneck_verdict(busy, workers, 2).startswith(f"**{slowest}**")


# --- issue 17, item 22: items move on in done-callbacks, not in the thread that draws


class _BlockingTimeline:
    """Blocks its first redraw until every item has been saved (or 60 s have passed): a
    pipeline that hands items on in the drawing thread cannot finish meanwhile."""

    def __init__(self, all_saved):
        self.all_saved = all_saved
        self.saved_while_drawing = None
        self.closed = False

    def update(self, force=False):
        if self.saved_while_drawing is None:
            self.saved_while_drawing = self.all_saved.wait(timeout=60)

    def close(self, redraw=True):
        self.closed = True


def test_items_move_on_while_the_main_thread_draws(monkeypatch, no_leaked_processes):
    import threading

    items = 4
    saved = []
    all_saved = threading.Event()
    real_save = stages.save

    def counting_save(result, seconds=0.0):
        value = real_save(result, 0.0)
        saved.append(value)
        if len(saved) == items:
            all_saved.set()
        return value

    monkeypatch.setattr(stages, "save", counting_save)
    timeline = _BlockingTimeline(all_saved)
    results, tracer = stages.run_pipeline(range(items), compute_n=10_000, timeline=timeline)
    assert timeline.saved_while_drawing, (
        "no item was saved while the main thread was blocked in a redraw: the hand-off to "
        "the next stage must not run in the drawing thread"
    )
    assert sorted(results) == list(range(items)) and timeline.closed
    assert len(tracer.snapshot()) == 3 * items


def test_a_failing_stage_is_raised_not_only_logged(monkeypatch, no_leaked_processes):
    def broken_save(result, seconds=0.0):
        raise OSError("disk full")

    monkeypatch.setattr(stages, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        stages.run_pipeline(range(3), live=False, compute_n=10_000)


# --- issue 17, item 11: Amdahl's p only from what the sweep can show


@pytest.mark.parametrize("cores", range(1, 33))
def test_every_sweep_count_divides_the_tasks_evenly(cores):
    counts = amdahl.sweep_counts(cores)
    assert counts[0] == 1 and counts[-1] <= 2 * cores
    assert all(amdahl.SWEEP_TASKS % n == 0 for n in counts)
    assert any(n > cores for n in counts), "the sweep should show a count beyond the CPUs"


def _runs(p, cores, spread=0.01):
    """Two runs per count of an Amdahl-exact workload, the second `spread` slower."""
    times = {n: 10 / speedup.amdahl(p, min(n, cores)) for n in amdahl.sweep_counts(cores)}
    return {n: [t, t * (1 + spread)] for n, t in times.items()}


def test_two_cpus_read_as_one_point_and_an_extrapolation(monkeypatch):
    from conclab.core.env import usable_cpus

    monkeypatch.setenv("CONCLAB_CPUS", "2")
    cores = usable_cpus()
    reading = amdahl.read_amdahl(_runs(0.9, cores), cores)
    text = reading.describe()
    assert reading.fitted == (2,)
    assert "fit has 1 point" in text and "extrapolation" in text, text
    assert reading.limit_low < 10 < reading.limit_high


def test_an_ideal_run_bounds_the_limit_from_below_only():
    """An ideal 4-CPU run printed 1000000000.0x: a limit the data cannot show."""
    reading = amdahl.read_amdahl(_runs(1.0, 4), 4)
    text = reading.describe()
    assert reading.limit_high == float("inf")
    assert "from below only" in text and "1000000000" not in text, text


def test_sixteen_cpus_fit_every_count_up_to_the_cpus(monkeypatch):
    from conclab.core.env import usable_cpus

    monkeypatch.setenv("CONCLAB_CPUS", "16")
    cores = usable_cpus()
    reading = amdahl.read_amdahl(_runs(0.9, cores), cores)
    assert reading.fitted == (2, 3, 4, 6, 8, 12, 16)
    assert reading.p_low <= 0.9 <= reading.p_high
    assert "extrapolation" not in reading.describe()


def test_equal_shares_leave_no_staircase_for_the_fit():
    """48 tasks of 1 s on n CPUs take ceil(48 / n) rounds: with counts that divide 48,
    a perfectly parallel workload reads as p = 1."""
    import math

    cores = 8
    runs = {n: [math.ceil(48 / min(n, cores)) * 1.0] * 2 for n in amdahl.sweep_counts(cores)}
    assert amdahl.read_amdahl(runs, cores).p == pytest.approx(1.0)


def test_one_cpu_fits_nothing():
    reading = amdahl.read_amdahl(_runs(0.9, 1), 1)
    assert reading.p is None and "cannot measure" in reading.describe()


# --- issue 17, item 12: the affinity mask is not a container's quota


def test_the_setup_prose_does_not_claim_the_count_sees_containers():
    setup = next(s for s in _notebook_cells("markdown") if s.startswith("Set-up"))
    assert "honours CPU affinity and containers" not in setup
    assert "quota" in setup and "affinity mask" in setup and "-X cpu_count" in setup


@pytest.mark.parametrize(
    ("text", "quota"), [("max 100000\n", None), ("200000 100000\n", 2.0), ("50000 100000", 0.5)]
)
def test_cgroup_v2_cpu_max_is_read_as_cpus(text, quota):
    assert cpus.parse_cgroup_v2_cpu_max(text) == quota


def test_cgroup_quota_falls_back_to_v1_and_to_none(tmp_path):
    assert cpus.cgroup_cpu_quota(str(tmp_path)) is None
    (tmp_path / "cpu").mkdir()
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("-1\n")
    (tmp_path / "cpu" / "cpu.cfs_period_us").write_text("100000\n")
    assert cpus.cgroup_cpu_quota(str(tmp_path)) is None
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("150000\n")
    assert cpus.cgroup_cpu_quota(str(tmp_path)) == 1.5
    (tmp_path / "cpu.max").write_text("300000 100000\n")
    assert cpus.cgroup_cpu_quota(str(tmp_path)) == 3.0


def _python313():
    """A working Python 3.13+ interpreter: this one, one on PATH, or one pyenv installed."""
    import shutil
    import subprocess
    import sys

    if sys.version_info >= (3, 13):
        return sys.executable
    candidates = [shutil.which(f"python3.{minor}") for minor in (13, 14, 15)]
    candidates += sorted(str(p) for p in Path.home().glob(".pyenv/versions/3.1[3-9]*/bin/python3"))
    check = "import sys; assert sys.version_info >= (3, 13)"
    for python in filter(None, candidates):
        if subprocess.run([python, "-c", check], capture_output=True).returncode == 0:
            return python
    pytest.skip("needs a Python 3.13+ interpreter")


def test_process_cpu_count_is_the_affinity_mask_and_x_cpu_count_overrides_it():
    import subprocess

    if not hasattr(os, "sched_setaffinity"):
        pytest.skip("no CPU affinity on this platform")
    python = _python313()
    code = "import os; os.sched_setaffinity(0, {min(os.sched_getaffinity(0))}); " + (
        "print(os.cpu_count(), os.process_cpu_count())"
    )
    machine, usable = subprocess.run(
        [python, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert usable == "1" and int(machine) == os.cpu_count()
    forced = subprocess.run(
        [
            python,
            "-X",
            "cpu_count=3",
            "-c",
            "import os; print(os.cpu_count(), os.process_cpu_count())",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert forced == ["3", "3"]


# --- issue 17, item 19: sizing a thread pool for I/O


def test_the_service_never_serves_more_than_its_slots():
    from concurrent.futures import ThreadPoolExecutor

    service = io_bound.Service(slots=3, seconds=0.01)
    with ThreadPoolExecutor(12) as pool:
        latencies = list(pool.map(service.request, range(24)))
    assert len(latencies) == 24 and service.serving == 0
    assert 1 <= service.peak <= 3, f"{service.peak} requests were served at once"
    assert service.capacity == pytest.approx(300)


def test_io_sweep_rows_obey_littles_law_by_definition():
    rows = io_bound.io_sweep(io_bound.Service(slots=2, seconds=0.005), [1, 4], requests=8)
    for row in rows:
        assert row["in_flight"] == pytest.approx(row["throughput"] * row["latency"])
        assert row["throughput"] == pytest.approx(8 / row["seconds"])


def test_the_io_verdict_is_computed_from_the_rows():
    service = io_bound.Service(slots=8, seconds=0.02)
    rows = [
        {"threads": n, "throughput": min(n, 8) / 0.02, "latency": 0.02 * max(1, n / 8)}
        for n in (1, 2, 4, 8, 16, 32)
    ]
    text = io_bound.io_sweep_verdict(rows, service)
    assert "to within 10 % of its best (400/s) at 8 threads" in text, text
    assert "With 32 threads" in text and "only wait in line" in text
    assert "200 requests/s at 20 ms each, 4.0 requests must be in flight" in text


# --- issue 17, item 22: one cell compares start methods; exercise 10 cites notebook 04


def test_worker_memory_under_spawn_is_measured_in_the_same_cell():
    workers = pools.worker_memory("spawn", workers=2)
    assert len(workers) == 2 and all(m["uss"] > 0 for m in workers.values())
    memory_cell = next(s for s in _notebook_cells("code") if "worker_memory(" in s)
    assert '"spawn"' in memory_cell and "CONCLAB_START_METHOD" not in memory_cell


def test_exercise_10_readme_cites_the_notebook_that_shows_map_reading_ahead():
    root = NOTEBOOK.parent.parent
    readme = (root / "exercises" / "10_bounded_map" / "README.md").read_text()
    assert "`10-choosing-and-sizing` shows the\nmemory growing" not in readme
    assert "`04-futures`" in readme
    assert "InputLog" in (root / "notebooks" / "04-futures.ipynb").read_text()


def test_runs_that_disagree_say_the_machine_was_busy():
    runs = {1: [3.3, 6.1], 2: [3.6, 3.4], 3: [2.5, 3.7], 4: [2.9, 2.3]}  # a loaded 2-CPU run
    text = amdahl.read_amdahl(runs, 2).describe()
    assert "differed by up to 85%" in text and "idle" in text, text
    assert "from 1.0x to 1.0x" not in text


def test_more_compute_processes_than_cpus_are_named_as_such():
    busy = {"download": 0.4, "compute": 2.4, "save": 0.2}
    workers = {"download": 4, "compute": 4, "save": 2}
    text = stages.bottleneck_verdict(busy, workers, cores=2)
    assert "already has 4 processes for the 2 usable CPUs" in text, text


@pytest.mark.parametrize(("load", "warns"), [(1.0, False), (3.0, False), (6.2, True)])
def test_a_busy_machine_is_said_to_be_busy(monkeypatch, load, warns):
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load), raising=False)
    note = cpus.load_note(2)
    assert bool(note) is warns
    if warns:
        assert "load average is 6.2 on 2 usable CPUs" in note
