"""Helpers behind notebook 09: the decision guide, the Amdahl fit, the pipeline's spans."""

from __future__ import annotations

import os

import matplotlib
import pytest

from conclab import sizing, speedup, stages

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
    pick, why = sizing.recommend(work, data, isolation)
    assert pick.startswith(expected), f"recommend{(work, data, isolation)} gave {pick!r}"
    assert why


def test_recommend_rejects_unknown_answers():
    with pytest.raises(ValueError):
        sizing.recommend("gpu", "small", "no")


def test_every_answer_combination_has_a_recommendation():
    widget = sizing.decision_widget()
    work, data, isolation, answer = widget.children
    for w in sizing.WORK:
        for d in sizing.DATA:
            for i in sizing.ISOLATION:
                work.value, data.value, isolation.value = w, d, i
                assert sizing.recommend(w, d, i)[0] in answer.value


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
        1, mp_context=context, initializer=sizing.limit_blas_threads, initargs=(1,)
    ) as pool:
        info = pool.submit(sizing.blas_threads).result()
    assert info["pools"], "threadpoolctl found no BLAS library in the worker"
    assert all(p.endswith(": 1 threads") for p in info["pools"]), info
