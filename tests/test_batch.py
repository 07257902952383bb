"""Batch grading: folders, zips and clones into one CSV; crashes and hangs get their row."""

from __future__ import annotations

import concurrent.futures as cf
import csv
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grader.course import batch, gradebook, submission
from grader.manifest import EXERCISES_DIR, PROJECT_ROOT, SOLUTIONS_DIR, discover

EXERCISE = discover(PROJECT_ROOT)[0]  # graded alone: the point is the batch, not the checks
NAMES = [EXERCISE.slug]
FULL = EXERCISE.max_score
# Imported by the grader's worker: kills the batch's pool worker (two levels up), the
# worst a submission can do to a batch.
KILL_POOL_WORKER = """
import os, signal
import psutil
# Kill the batch's worker: the first ancestor outside the graded run (and not the zygote,
# whose marker is unset), however many processes the grader put in between.
proc = psutil.Process()
while "CONCLAB_GRADING_RUN" in proc.environ():
    proc = proc.parent()
os.kill(proc.pid, signal.SIGKILL)
"""


def put(folder: Path, source: Path | str) -> Path:
    """A submission folder laid out like exercises/, holding source as the module."""
    target = folder / EXERCISE.folder
    target.mkdir(parents=True, exist_ok=True)
    module = target / f"{EXERCISE.slug}.py"
    if isinstance(source, Path):
        shutil.copy(source, module)
    else:
        module.write_text(source, encoding="utf-8")
    return folder


@pytest.fixture
def resource_tracker():
    """multiprocessing's tracker lives as long as this process; start it before counting."""
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()


def solution() -> Path:
    return SOLUTIONS_DIR / EXERCISE.folder / f"{EXERCISE.slug}.py"


def stub() -> Path:
    return EXERCISES_DIR / EXERCISE.folder / f"{EXERCISE.slug}.py"


@pytest.fixture
def submissions(tmp_path) -> Path:
    """A solved folder, a stub, a zip of a solved folder, a clone, a bad zip, an empty one."""
    root = tmp_path / "submissions"
    put(root / "alice", solution())
    put(root / "bob", stub())
    put(tmp_path / "carol" / "carol-work", solution())
    with zipfile.ZipFile(root / "carol.zip", "w") as archive:
        for path in (tmp_path / "carol").rglob("*"):
            archive.write(path, path.relative_to(tmp_path / "carol"))
    clone = root / "dave"
    put(clone / "exercises", solution())
    (clone / ".git").mkdir()
    (clone / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (clone / "notebooks").mkdir()
    (root / "erin.zip").write_bytes(b"this is not a zip file")
    (root / "frank").mkdir()
    return root


def read_csv(path: Path) -> dict[str, dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return {row["submission"]: row for row in csv.DictReader(fh)}


def cli(*args: str, cwd: Path = PROJECT_ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "grader", "batch", *args],
        cwd=cwd, capture_output=True, text=True, timeout=900,
    )  # fmt: skip


@pytest.mark.slow
def test_batch_grades_every_kind_of_submission_then_skips_unchanged(submissions, tmp_path):
    grades = tmp_path / "out" / "grades.csv"
    grades.parent.mkdir()
    done = cli(
        "submissions", "--csv", str(grades), "-e", EXERCISE.slug, "--workers", "2", cwd=tmp_path
    )
    assert done.returncode == 0, done.stdout + done.stderr
    rows = read_csv(grades)
    assert list(rows) == ["alice", "bob", "carol.zip", "dave", "erin.zip", "frank"]
    with open(grades, newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert header == ["submission", EXERCISE.slug, "total", "max", "errors", "flagged_for_review"]
    for name in ("alice", "carol.zip", "dave"):
        assert float(rows[name]["total"]) == float(rows[name]["max"]) == FULL, rows[name]
        assert rows[name]["errors"] == "", rows[name]
    assert float(rows["bob"]["total"]) == 0 and float(rows["bob"]["max"]) == FULL
    assert "not a readable zip" in rows["erin.zip"]["errors"]
    assert submission.NO_EXERCISES in rows["frank"]["errors"]
    assert float(rows["frank"]["total"]) == 0

    # Again: nothing changed, so nothing is graded (the pool would be needed otherwise).
    again = cli(str(submissions), "--csv", str(grades), "-e", EXERCISE.slug)
    assert again.returncode == 0, again.stderr
    assert again.stderr.count("unchanged, not graded again") == 6
    assert read_csv(grades) == rows

    # bob solves it: only bob is graded again.
    shutil.copy(solution(), submissions / "bob" / EXERCISE.folder / f"{EXERCISE.slug}.py")
    third = cli(str(submissions), "--csv", str(grades), "-e", EXERCISE.slug)
    assert third.stderr.count("unchanged, not graded again") == 5
    assert float(read_csv(grades)["bob"]["total"]) == FULL


@pytest.mark.slow
def test_a_submission_that_kills_its_worker_gets_a_row_and_the_batch_goes_on(
    tmp_path, monkeypatch, resource_tracker, no_leaked_processes
):
    # The killer needs to see the batch worker above its run: the namespace backend hides it
    # (its /proc shows only the run), so this runs on the session backend.
    monkeypatch.setenv("CONCLAB_SANDBOX", "session")
    root = tmp_path / "subs"
    put(root / "good", solution())
    put(root / "killer", KILL_POOL_WORKER)
    put(root / "other", stub())
    paths = submission.submissions_in(root)
    rows = batch.run_batch(paths, tmp_path / "g.csv", NAMES, workers=2)
    by_name = {r["submission"]: r for r in rows}
    assert by_name["good"]["total"] == FULL and by_name["good"]["errors"] == []
    assert by_name["other"]["total"] == 0 and by_name["other"]["errors"] == []
    assert by_name["killer"]["total"] == 0
    assert "the grading worker died twice" in by_name["killer"]["errors"][0]
    # A worker that died is no grade: killer is graded again on the next run.
    cache = gradebook.load_cache(gradebook.cache_path(tmp_path / "g.csv"))
    assert set(cache) == {"good", "other"}


@pytest.mark.slow
def test_a_grading_past_the_batch_deadline_is_abandoned(
    tmp_path, monkeypatch, resource_tracker, no_leaked_processes
):
    root = tmp_path / "subs"
    # It can never finish before the deadline: its import waits forever (no race with a
    # grading that happens to be fast).
    put(root / "slow", "import threading\nthreading.Event().wait()\n")
    monkeypatch.setattr(batch, "deadline_seconds", lambda exercises, timeout: 0.5)
    rows = batch.run_batch(submission.submissions_in(root), tmp_path / "g.csv", NAMES, workers=1)
    assert rows[0]["total"] == 0
    assert "longer than 0.5 s" in rows[0]["errors"][0]
    assert read_csv(tmp_path / "g.csv")["slow"]["errors"] == rows[0]["errors"][0]


@pytest.mark.slow
def test_the_executor_is_injected(tmp_path):
    """Any concurrent.futures executor will do; here one thread, counting its submissions."""
    root = tmp_path / "subs"
    put(root / "a", solution())
    put(root / "b", stub())
    made = []

    def factory():
        made.append(cf.ThreadPoolExecutor(1))
        return made[-1]

    rows = batch.run_batch(
        submission.submissions_in(root), tmp_path / "g.csv", NAMES, {}, factory, 1
    )
    assert [r["total"] for r in rows] == [FULL, 0]
    assert len(made) == 1


@pytest.mark.slow
def test_batch_runs_on_a_dask_cluster(submissions, tmp_path):
    distributed = pytest.importorskip("distributed")
    for name in ("carol.zip", "dave", "erin.zip", "frank"):
        path = submissions / name
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    try:
        factory, client = batch.dask_executor_factory(cluster.scheduler_address)
        try:
            rows = batch.run_batch(
                submission.submissions_in(submissions), tmp_path / "g.csv", NAMES, {}, factory, 2
            )
            # The gradings ran in the cluster's worker processes, not in this one.
            worker_pids = set(client.run(os.getpid).values())
        finally:
            client.close()
    finally:
        cluster.close()
    assert [(r["submission"], r["total"]) for r in rows] == [("alice", FULL), ("bob", 0.0)]
    assert len(worker_pids) == 2 and os.getpid() not in worker_pids


def test_find_target_accepts_the_usual_layouts(tmp_path):
    assert submission.find_target(put(tmp_path / "flat", stub())) == tmp_path / "flat"
    put(tmp_path / "clone" / "exercises", stub())
    assert submission.find_target(tmp_path / "clone") == tmp_path / "clone" / "exercises"
    put(tmp_path / "zipped" / "inner", stub())
    assert submission.find_target(tmp_path / "zipped") == tmp_path / "zipped" / "inner"
    (tmp_path / "empty").mkdir()
    assert submission.find_target(tmp_path / "empty") is None


def test_unzip_refuses_paths_outside_the_archive(tmp_path):
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr("../escape.py", "x = 1")
    (tmp_path / "into").mkdir()
    with pytest.raises(zipfile.BadZipFile, match="outside"):
        submission._unzip(bad, tmp_path / "into")
    assert not (tmp_path / "escape.py").exists()


def test_content_hash_follows_the_files(tmp_path):
    folder = put(tmp_path / "s", stub())
    first = submission.content_hash(folder)
    (folder / ".git").mkdir()
    (folder / ".git" / "index").write_text("changes with every commit")
    assert submission.content_hash(folder) == first
    (folder / EXERCISE.folder / f"{EXERCISE.slug}.py").write_text("# edited\n")
    assert submission.content_hash(folder) != first
