"""The grader's own behaviour: command line, JSON, timeouts, start methods, bad input."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import psutil
import pytest

from grader import check, messages
from grader.engine import assignment, proctree, zygote
from grader.engine.assignment import grade
from grader.engine.runner import grade_exercise
from grader.manifest import (
    EXERCISES_DIR,
    PROJECT_ROOT,
    SOLUTIONS_DIR,
    ManifestError,
    discover,
    load_manifest,
    select,
)

from .conftest import WRONG_DIR, make_target, tagged


def run_cli(*args: str, cwd: Path = PROJECT_ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "grader", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_check_solutions_exits_zero_and_stub_exits_one(tmp_path):
    points = next(e for e in select(None) if e.slug == "fetch_in_order").max_score
    ok = run_cli("check", "fetch_in_order", "--target", "solutions")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "[pass] 01 fetch_in_order" in ok.stdout
    assert f"1/1 exercises, {points:g}/{points:g} points" in ok.stdout
    stub = run_cli("check", "fetch_in_order")
    assert stub.returncode == 1
    assert f"0/1 exercises, 0/{points:g} points" in stub.stdout
    assert "Read hint 1 in exercises/01_fetch_in_order/hints.md." in stub.stdout


def test_json_report_has_the_documented_shape(tmp_path):
    out = tmp_path / "results.json"
    run_cli("check", "fetch_in_order", "prime_chunks", "--json", str(out))
    data = json.loads(out.read_text())
    assert set(data) >= {"score", "max_score", "exercises", "target", "passed"}
    points = sum(e.max_score for e in select(["fetch_in_order", "prime_chunks"]))
    assert data["score"] == 0 and data["max_score"] == points and data["passed"] is False
    assert set(data) >= {"interrupted", "manifest_errors"} and data["interrupted"] is False
    for exercise in data["exercises"]:
        assert exercise["sandbox"].split("+")[0] in {"namespace", "session"}
        assert exercise["internal_error"] is False and exercise["flagged_for_review"] == []
    for exercise in data["exercises"]:
        assert set(exercise) >= {"slug", "score", "max_score", "status", "checks"}
        assert exercise["status"] == messages.FAILED
        for item in exercise["checks"]:
            assert set(item) >= {"name", "status", "score", "max_score", "message"}
            assert item["status"] in {"passed", "failed", "error", "timeout", "not run"}
            assert item["message"]


def test_unknown_exercise_and_missing_target_are_usage_errors(tmp_path):
    unknown = run_cli("check", "no_such_exercise")
    assert unknown.returncode == 2
    assert "no exercise matches no_such_exercise" in unknown.stderr
    missing = run_cli("check", "--target", str(tmp_path / "nowhere"))
    assert missing.returncode == 2
    assert "does not exist" in missing.stderr


def test_broken_manifest_is_reported_and_the_others_are_graded(tmp_path):
    root = tmp_path / "course"
    shutil.copytree(PROJECT_ROOT / "exercises", root / "exercises")
    (root / "exercises" / "02_prime_chunks" / "exercise.toml").write_text("slug = [broken")
    errors: list[str] = []
    run = grade(["fetch_in_order"], SOLUTIONS_DIR, root=root, errors=errors)
    assert [e.slug for e in run.exercises] == ["fetch_in_order"]
    assert run.passed
    assert len(errors) == 1 and "not valid TOML" in errors[0]
    with pytest.raises(ManifestError, match="not valid TOML"):
        select(None, root)


def test_exercises_graded_at_once_are_reported_in_course_order(monkeypatch):
    """Three gradings meet at a barrier only a concurrent run reaches, then finish in
    reverse order; results still arrive in course order."""
    slugs = ["first_result_wins", "progress_callbacks", "resilient_map"]
    all_in_flight = threading.Barrier(len(slugs), timeout=30)
    turn = {slug: threading.Event() for slug in slugs}  # set when that grading may finish
    real = assignment.grade_exercise

    def grade_exercise(exercise, *args, **kwargs):
        all_in_flight.wait()  # raises BrokenBarrierError unless all three run at once
        if exercise.slug != slugs[-1]:
            assert turn[exercise.slug].wait(30)
        result = real(exercise, *args, **kwargs)
        position = slugs.index(exercise.slug)
        if position:
            turn[slugs[position - 1]].set()  # the later exercise finishes first
        return result

    monkeypatch.setattr(assignment, "grade_exercise", grade_exercise)
    seen = []
    run = grade(slugs, SOLUTIONS_DIR, jobs=3, on_result=lambda r: seen.append(r.slug))
    assert [e.slug for e in run.exercises] == slugs == seen
    assert run.passed


def test_parallel_grading_gives_the_same_outcomes_as_one_at_a_time():
    slugs = ["first_result_wins", "resilient_map"]
    for where in (SOLUTIONS_DIR, EXERCISES_DIR):  # full points, then the stubs' failures
        one = grade(slugs, where, jobs=1)
        two = grade(slugs, where, jobs=2)
        outcomes = [[(c.name, c.status) for c in e.checks] for e in one.exercises]
        assert outcomes == [[(c.name, c.status) for c in e.checks] for e in two.exercises]
        assert one.score == two.score


def test_manifest_errors_say_what_is_wrong(tmp_path):
    folder = tmp_path / "03_example"
    folder.mkdir()
    manifest = folder / "exercise.toml"
    manifest.write_text('slug = "example"\norder = 3\ntitle = "x"\nnotebook = "n"\nchecks = []\n')
    with pytest.raises(ManifestError, match="no checks declared"):
        load_manifest(manifest)
    manifest.write_text('slug = "other"\norder = 3\ntitle = "x"\nnotebook = "n"\n')
    with pytest.raises(ManifestError, match="does not match"):
        load_manifest(manifest)
    with pytest.raises(ManifestError, match="file not found"):
        load_manifest(folder / "missing.toml")


def test_timeout_kills_the_whole_tree(tmp_path, process_tag, supervisor_start):
    """A submission whose pool workers and a detached grandchild hang: all are killed."""
    source = tmp_path / "hangs.py"
    source.write_text(
        "import subprocess, sys, time\n"
        "from concurrent.futures import ProcessPoolExecutor\n"
        "from conclab.core.workloads import io_wait\n"
        "def fetch_all(urls, fetch, max_workers=8):\n"
        "    subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'],\n"
        "                     start_new_session=True)\n"
        "    with ProcessPoolExecutor(2) as pool:\n"
        "        pool.submit(io_wait, 600).result()\n"
    )
    (exercise,) = select(["fetch_in_order"])
    result = grade_exercise(exercise, make_target(tmp_path, exercise, source), timeout=4)
    assert result.score == 0
    statuses = [c.status for c in result.checks]
    assert statuses[:2] == [messages.TIMEOUT, messages.TIMEOUT]
    assert set(statuses[2:]) == {messages.NOT_RUN}
    assert result.checks[0].message.startswith(messages.TIMED_OUT.format(seconds=4))
    assert "`pool.submit(io_wait, 600).result()`" in result.checks[0].message
    gone, alive = psutil.wait_procs(tagged(process_tag), timeout=5)
    assert not alive, [p.pid for p in alive]


@pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])
def test_process_exercise_graded_under_each_start_method(method, tmp_path, monkeypatch):
    import multiprocessing

    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"{method} is not available on this platform")
    monkeypatch.setenv("CONCLAB_START_METHOD", method)
    (exercise,) = select(["prime_chunks"])
    solved = grade_exercise(exercise, SOLUTIONS_DIR)
    assert solved.score == solved.max_score, [c.message for c in solved.checks if not c.passed]
    wrong = WRONG_DIR / exercise.folder / "threads_not_processes.py"
    caught = grade_exercise(exercise, make_target(tmp_path, exercise, wrong))
    failed = {c.name for c in caught.checks if not c.passed}
    assert "test_chunks_run_at_once_in_separate_processes" in failed


def test_hidden_checks_are_marked_and_can_be_left_out():
    hidden = [e for e in select(None) if any(c.hidden for c in e.checks)]
    if not hidden:
        pytest.skip("no exercise declares hidden checks yet")
    exercise = hidden[0]
    full = grade_exercise(exercise, SOLUTIONS_DIR, include_hidden=True)
    public = grade_exercise(exercise, SOLUTIONS_DIR, include_hidden=False)
    assert full.hidden_included and not public.hidden_included
    assert any(c.hidden for c in full.checks) and not any(c.hidden for c in public.checks)
    assert public.max_score < full.max_score


def test_notebook_check_never_raises(capsys):
    assert check("no_such_exercise", display=False) is None
    result = check("fetch_in_order", target=SOLUTIONS_DIR, display=False)
    assert result.score == result.max_score


def test_learner_can_run_public_checks_with_plain_pytest():
    """`pytest exercises/01_fetch_in_order` works for a learner, via the pytest11 plugin."""
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "exercises/01_fetch_in_order",
            "-p",
            "no:cacheprovider",
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 1
    public = next(e for e in select(None) if e.slug == "fetch_in_order").public_checks()
    assert f"{len(public)} failed" in done.stdout
    assert "NotImplementedError" in done.stdout


def hanging_pool_target(tmp_path, start_method: str | None = None):
    """Exercise 01 and a submission whose fetch_all waits forever on 2 pool workers."""
    source = tmp_path / "hangs.py"
    source.write_text(
        "import multiprocessing\n"
        "from concurrent.futures import ProcessPoolExecutor\n"
        "from conclab.core.workloads import io_wait\n"
        "def fetch_all(urls, fetch, max_workers=8):\n"
        f"    context = multiprocessing.get_context({start_method!r})\n"
        "    with ProcessPoolExecutor(2, mp_context=context) as pool:\n"
        "        pool.submit(io_wait, 600).result()\n"
    )
    (exercise,) = select(["fetch_in_order"])
    return exercise, make_target(tmp_path, exercise, source)


def test_killing_the_grader_takes_its_gradings_with_it(tmp_path, process_tag, supervisor_start):
    """If the grading process itself is killed, its supervisor cleans up the whole run: on
    Linux through the parent-death signal, on the portable path because its stdin ends."""
    exercise, target = hanging_pool_target(tmp_path)
    script = (
        "from grader.manifest import select\n"
        "from grader.engine.runner import grade_exercise\n"
        "(e,) = select(['fetch_in_order'])\n"
        f"grade_exercise(e, {str(target)!r}, timeout=600)\n"
    )
    runner = subprocess.Popen([sys.executable, "-c", script], cwd=PROJECT_ROOT)
    try:
        deadline = time.monotonic() + 120
        while len(tagged(process_tag)) < 5 and time.monotonic() < deadline:
            time.sleep(0.2)  # runner, (zygote,) supervisor, worker and its 2 pool workers
        assert len(tagged(process_tag)) >= 5, "the grading never started"
    finally:
        runner.kill()
        runner.wait()
    gone, alive = psutil.wait_procs(tagged(process_tag), timeout=15)
    assert not alive, [(p.pid, p.cmdline()[:3]) for p in alive]


def test_runs_forked_by_the_zygote_carry_their_marker(tmp_path, monkeypatch):
    """Scans of /proc find a forked run's processes by its markers (the run's, and the batch
    job's), as for exec'd ones; and one zygote serves the next batch job too."""
    if not zygote.ENABLED:
        pytest.skip("no zygote on this platform")
    job = uuid.uuid4().hex
    monkeypatch.setenv(proctree.JOB_MARKER, job)
    exercise, target = hanging_pool_target(tmp_path, "fork")  # children that never exec
    args = (exercise, target, False, PROJECT_ROOT, 6)  # a 6 s timeout per check
    grading = threading.Thread(target=grade_exercise, args=args)
    grading.start()
    try:
        deadline = time.monotonic() + 60
        run = []
        while len(run) < 4 and time.monotonic() < deadline:  # supervisor, worker, 2 workers
            time.sleep(0.1)
            run = [p for z in zygote.pids() for p in psutil.Process(z).children(recursive=True)]
        markers, jobs = set(), set()
        for proc in run:
            with contextlib.suppress(psutil.Error):
                markers.add(proc.environ().get(proctree.MARKER))
                jobs.add(proc.environ().get(proctree.JOB_MARKER))
        assert len(run) >= 4, "the grading never started"
        assert len(markers) == 1 and proctree.UNSET not in markers, markers
        assert jobs == {job}, jobs
        (marker,) = markers
        assert {p.pid for p in proctree.marked(marker)} >= {p.pid for p in run}
    finally:
        grading.join()
    served = zygote.pids()
    monkeypatch.setenv(proctree.JOB_MARKER, uuid.uuid4().hex)
    quick = grade_exercise(next(e for e in discover() if e.order == 6), SOLUTIONS_DIR)
    assert quick.score == quick.max_score
    assert zygote.pids() == served, "a new batch job started a new zygote"


def test_one_zygote_serves_every_run_of_an_environment():
    """The zygote is kept while the run's environment (markers aside) stays the same: a
    setting that changed with every run would start a new one each time (+170 ms a run)."""
    from grader.engine import zygote

    if not zygote.ENABLED:
        pytest.skip("no zygote on this platform")
    (exercise,) = select(["first_result_wins"])
    grade_exercise(exercise, SOLUTIONS_DIR)
    first = zygote._current
    grade_exercise(exercise, SOLUTIONS_DIR)
    assert first is not None and zygote._current is first


def test_plain_pytest_on_an_exercise_folder_grades_the_module_beside_the_checks(tmp_path):
    """exercises/conftest.py gives plain pytest the `submission` fixture (no global plugin):
    a solution put beside the checks passes, the stub fails, and no fixture is missing."""
    for name in ("conftest.py", "03_first_result_wins"):
        source = PROJECT_ROOT / "exercises" / name
        copy = shutil.copytree if source.is_dir() else shutil.copy
        copy(source, tmp_path / name)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "03_first_result_wins"]
    stub = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert stub.returncode == 1 and "fixture 'submission' not found" not in stub.stdout
    solution = SOLUTIONS_DIR / "03_first_result_wins" / "first_result_wins.py"
    shutil.copy(solution, tmp_path / "03_first_result_wins")
    solved = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert solved.returncode == 0, solved.stdout[-3000:]
