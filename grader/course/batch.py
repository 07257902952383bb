"""`python -m grader batch SUBMISSIONS --csv grades.csv`: grade many submissions.

    batch ──submit (at most `workers` at a time)──▶ executor: a spawn process pool, or a
      │                                              dask cluster's executor (--scheduler)
      │                                                 └─ grade_submission (submission.py):
      │                                                    unzip, find exercises/, grade()
      │ ◀── one row per submission (plain dict), or the reason it has none
      └── rows + content hashes ──▶ grades.csv and grades.csv.cache.json (gradebook.py)

Only the batch's own thread submits, collects and writes: the executor's futures are the
one thing the workers and it share, so nothing here needs a lock.

Each grading is isolated as in `grader check` (a fresh process per exercise, per-check
timeouts). A submission that crashes its worker, or outlives its deadline, gets a row
with the reason; the pool is replaced and the batch goes on. Unchanged submissions
(same content hash, same checks, same options) are not graded again.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import multiprocessing
import signal
import sys
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from grader.course.gradebook import Progress, cache_path, load_cache, write_atomic, write_csv
from grader.course.submission import (
    checks_fingerprint,
    content_hash,
    grade_submission,
    submissions_in,
)
from grader.engine.proctree import JOB_MARKER
from grader.engine.runner import worst_case_seconds
from grader.manifest import Exercise, select

WORKER_DIED = "the grading worker died twice on this submission, once graded alone ({error})"
OVER_DEADLINE = "grading took longer than {seconds:g} s, the batch's limit, and was abandoned"


def deadline_seconds(exercises: list[Exercise], timeout: float | None) -> float:
    """How long one submission's grading may take before the batch abandons it."""
    total = sum(worst_case_seconds(len(e.checks), float(timeout or e.timeout)) for e in exercises)
    return 2 * total + 60  # generous: only a grader that is itself stuck reaches it


def process_pool(workers: int) -> cf.Executor:
    """The default executor: spawn workers, so nothing depends on fork."""
    return cf.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))


def _abandon(executor: cf.Executor) -> None:
    """Stop an executor without waiting: a process pool's workers are killed."""
    for proc in list((getattr(executor, "_processes", None) or {}).values()):
        try:
            proc.kill()
        except (OSError, AttributeError):
            pass
    executor.shutdown(wait=False, cancel_futures=True)


def kill_job(job: str) -> None:
    """Kill every process left of one grading on this machine (by its environment marker)."""
    from grader.engine import proctree

    proctree.kill(proctree.marked(job, JOB_MARKER))


def _failed_row(path: Path, reason: str) -> dict:
    return {"submission": path.name, "scores": {}, "total": 0.0, "max": 0.0, "errors": [reason]}


@dataclass
class _Job:
    """One submission being graded: what it is, when it started, whether it runs alone."""

    path: Path
    digest: str | None
    alone: bool
    job_id: str = field(default_factory=lambda: uuid.uuid4().hex)  # its processes' marker
    started: float = field(default_factory=time.monotonic)


def run_batch(
    paths: list[Path],
    csv_path: Path,
    names: list[str] | None = None,
    options: dict | None = None,
    executor_factory=None,
    workers: int = 2,
    regrade: bool = False,
    progress: Progress | None = None,
) -> list[dict]:
    """Grade every submission in paths on executors made by executor_factory; write the CSV.

    At most `workers` submissions are in flight. A submission whose worker fails is graded
    again alone; failing alone too, it gets a row with the reason.
    """
    batch = _Batch(paths, csv_path, names, dict(options or {}), workers, progress)
    batch.todo = batch.split_unchanged(regrade)
    batch.run(executor_factory or (lambda: process_pool(workers)))
    write_csv(csv_path, list(batch.rows.values()), batch.slugs)
    return [batch.rows[p.name] for p in paths]


class _Batch:
    """The state of one batch: rows so far, the cache, and the submissions queued or in
    flight. Only the thread that runs the batch touches it; the workers never see it."""

    def __init__(self, paths, csv_path, names, options, workers, progress):
        self.paths, self.csv_path, self.names, self.options = paths, csv_path, names, options
        self.workers = workers
        exercises = select(names)
        self.slugs = [e.slug for e in exercises]
        self.key = json.dumps([checks_fingerprint(exercises), self.slugs, sorted(options.items())])
        self.cache_file = cache_path(csv_path)
        self.cache = load_cache(self.cache_file)
        self.progress = progress or Progress(len(paths))
        self.limit = deadline_seconds(exercises, options.get("timeout"))
        self.rows: dict[str, dict] = {}
        self.todo: deque = deque()  # (path, content hash) not graded yet
        self.solo: deque = deque()  # failed once next to others: graded again on its own
        self.running: dict[cf.Future, _Job] = {}

    def split_unchanged(self, regrade: bool) -> deque:
        """Take the rows of submissions graded before with the same content and checks;
        return the rest, (path, content hash), to grade."""
        todo: deque = deque()
        for path in self.paths:
            digest = content_hash(path)
            entry = self.cache.get(path.name)
            same = entry and entry.get("hash") == digest and entry.get("key") == self.key
            if same and not regrade:
                self.rows[path.name] = entry["row"]
                self.progress.update(entry["row"], " (unchanged, not graded again)")
            else:
                todo.append((path, digest))
        return todo

    def finish(self, job: _Job, row: dict, cached: bool = True) -> None:
        self.rows[job.path.name] = row
        if cached:  # rows of a failed worker or deadline are never cached
            self.cache[job.path.name] = {"hash": job.digest, "key": self.key, "row": row}
        current = {p.name for p in self.paths}
        kept = {k: v for k, v in self.cache.items() if k in current}
        write_atomic(self.cache_file, json.dumps({"version": 1, "entries": kept}, indent=1))
        write_csv(self.csv_path, list(self.rows.values()), self.slugs)
        self.progress.update(row)

    def run(self, factory) -> None:
        executor = factory()
        try:
            while self.todo or self.solo or self.running:
                self.submit(executor)
                done, _ = cf.wait(list(self.running), timeout=0.5, return_when=cf.FIRST_COMPLETED)
                broken = self.collect(done)
                late = self.abandon_late()
                if (broken or late) and isinstance(executor, cf.ProcessPoolExecutor):
                    # The pool is broken or holds a stuck worker: the others go back in line.
                    for job in self.running.values():
                        kill_job(job.job_id)
                        self.todo.appendleft((job.path, job.digest))
                    self.running.clear()
                    _abandon(executor)
                    executor = factory()
        finally:
            for job in self.running.values():
                kill_job(job.job_id)
            if isinstance(executor, cf.ProcessPoolExecutor) and self.running:
                _abandon(executor)
            else:
                executor.shutdown(wait=True)

    def submit(self, executor) -> None:
        """A failed submission alone once nothing else runs; otherwise fill the workers."""
        queue = []
        if self.solo and not self.running:
            queue.append((*self.solo.popleft(), True))
        alone = any(job.alone for job in self.running.values()) or bool(queue)
        while self.todo and not self.solo and not alone and len(self.running) < self.workers:
            queue.append((*self.todo.popleft(), False))
        for path, digest, by_itself in queue:
            job = _Job(path, digest, by_itself)
            args = (str(path), self.names, self.options, job.job_id)
            self.running[executor.submit(grade_submission, *args)] = job

    def collect(self, done) -> bool:
        """Rows of the finished gradings; True if a worker failed (the pool may be broken)."""
        broken = False
        for fut in done:
            job = self.running.pop(fut)
            try:
                row = fut.result()
            except Exception as exc:  # noqa: BLE001 - a dead worker, a broken pool
                kill_job(job.job_id)
                broken = True
                if not job.alone:
                    self.solo.append((job.path, job.digest))
                else:
                    error = f"{type(exc).__name__}: {exc}".strip()[:200]
                    self.finish(job, _failed_row(job.path, WORKER_DIED.format(error=error)), False)
                continue
            self.finish(job, row)
        return broken

    def abandon_late(self) -> list:
        """Gradings over the deadline: killed, each with a row that says so."""
        now = time.monotonic()
        late = [f for f, job in self.running.items() if now - job.started > self.limit]
        for fut in late:
            job = self.running.pop(fut)
            fut.cancel()
            kill_job(job.job_id)
            row = _failed_row(job.path, OVER_DEADLINE.format(seconds=self.limit))
            self.finish(job, row, False)
        return late


def dask_executor_factory(address: str):
    """A factory of executors on a dask.distributed cluster, and the client to close."""
    from distributed import Client

    client = Client(address)
    return (lambda: client.get_executor(pure=False)), client


def cmd_batch(args) -> int:
    folder = Path(args.submissions).resolve()
    if not folder.is_dir():
        print(f"grader: submissions folder {folder} does not exist", file=sys.stderr)
        return 2
    paths = submissions_in(folder)
    if not paths:
        print(f"grader: no submissions (folders or .zip files) in {folder}", file=sys.stderr)
        return 2
    options = {"include_hidden": not args.public_only, "timeout": args.timeout}
    # Stopped from outside: unwind through run_batch's cleanup, which kills the gradings.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    client = None
    factory = None
    if args.scheduler:
        factory, client = dask_executor_factory(args.scheduler)
    started = time.monotonic()
    try:
        rows = run_batch(
            paths, Path(args.csv), args.exercise or None, options, factory, args.workers,
            regrade=args.regrade,
        )  # fmt: skip
    finally:
        if client is not None:
            client.close()
    minutes = (time.monotonic() - started) / 60
    errors = sum(bool(r["errors"]) for r in rows)
    print(
        f"Graded {len(rows)} submission(s) in {minutes * 60:.1f} s into {args.csv}; "
        f"{errors} with errors (see the errors column)."
    )
    return 0


def add_parser(sub) -> None:
    """Register `batch`."""
    parser = sub.add_parser("batch", help="grade a folder of submissions into a CSV")
    parser.add_argument("submissions", help="folder of submissions: folders, clones or .zip")
    parser.add_argument("--csv", required=True, metavar="FILE", help="grades file to write")
    parser.add_argument(
        "--exercise", "-e", action="append", help="grade only this exercise (repeatable)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gradings at a time (2)")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="dask.distributed scheduler")
    parser.add_argument("--timeout", type=float, help="seconds per check, for every exercise")
    parser.add_argument("--public-only", action="store_true", help="skip hidden checks")
    parser.add_argument(
        "--regrade", action="store_true", help="grade again even unchanged submissions"
    )
    parser.set_defaults(func=cmd_batch)
