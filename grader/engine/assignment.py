"""Grade several exercises of one target, some at once, reporting them in the order asked.

Each exercise is still graded in its own supervisor and worker (see runner.py); this
module only decides how many of those runs are in flight. Runs mostly wait on their
processes, so the runner's threads cost little; the CPUs are what `jobs` shares out.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from grader.engine.runner import ABORT, grade_exercise
from grader.manifest import EXERCISES_DIR, PROJECT_ROOT, Exercise, relative, select
from grader.results import ExerciseResult, RunResult
from grader.settings import preload_modules


def default_jobs() -> int:
    """One exercise at a time per CPU this process may use (its affinity mask, where the
    platform has one): runs mostly wait, so more would only share the same CPUs."""
    if hasattr(os, "process_cpu_count"):  # 3.13+
        return os.process_cpu_count() or 1
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def grade(
    names: list[str] | None,
    target: Path = EXERCISES_DIR,
    include_hidden: bool = True,
    root: Path = PROJECT_ROOT,
    on_result=None,
    timeout: float | None = None,
    limits: dict | None = None,
    errors: list[str] | None = None,
    jobs: int | None = None,
) -> RunResult:
    """Grade the selected exercises against target, `jobs` of them at once (default: one
    per CPU). on_result is called for each result in the order selected, as soon as it and every
    exercise before it are done. Broken manifests are described in `errors` and skipped."""
    preload_modules(root)  # a broken exercises/course.toml stops here, named (ManifestError)
    run = RunResult(target=relative(target))
    errors = [] if errors is None else errors
    exercises = select(names, root, errors)
    run.manifest_errors = errors
    run.hidden_declared = any(c.hidden for e in exercises for c in e.checks)
    ABORT.clear()

    def one(exercise: Exercise) -> ExerciseResult:
        return grade_exercise(
            exercise, Path(target), include_hidden, root, timeout=timeout, limits=limits
        )

    jobs = max(1, min(jobs or default_jobs(), len(exercises) or 1))
    with ThreadPoolExecutor(jobs, thread_name_prefix="grader-exercise") as pool:
        futures = [pool.submit(one, exercise) for exercise in exercises]
        try:
            for future in futures:  # in the order selected, whatever order they finish in
                run.exercises.append(future.result())
                if on_result is not None:
                    on_result(run.exercises[-1])
        except KeyboardInterrupt:
            # Ctrl-C: every run in flight stops at its next poll (its processes killed)
            # and no new one starts; what was graded is kept, marked interrupted.
            ABORT.set()
            run.interrupted = True
            for future in futures[len(run.exercises) :]:
                result = future.result()
                if any(c.status != "not run" for c in result.checks):
                    run.exercises.append(result)
    return run
