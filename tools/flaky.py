"""Grade solutions, stubs and wrong implementations many times under load; report flakiness.

    python tools/flaky.py                  # every exercise, 20 runs each, 2 busy loads
    python tools/flaky.py --runs 5 prime_chunks --jobs 2

Both cores are kept busy by other processes while the gradings run, as on a shared CI
machine. Each (exercise, target) must give the same per-check outcomes in every run; the
script prints every one that differs and exits 1 if any does. Not part of `make test`:
it takes long by design (see README, "Flakiness").
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from grader.engine.runner import grade_exercise  # noqa: E402
from grader.manifest import EXERCISES_DIR, SOLUTIONS_DIR, select  # noqa: E402

WRONG_DIR = ROOT / "tests" / "wrong"
BUSY_LOOP = "while True: pass"


def targets_for(exercise, scratch: Path) -> list[tuple[str, Path]]:
    """(label, target folder) for the solution, the stub and each wrong implementation."""
    found = [("solution", SOLUTIONS_DIR), ("stub", EXERCISES_DIR)]
    for wrong in sorted((WRONG_DIR / exercise.folder).glob("*.py")):
        target = scratch / f"{exercise.folder}-{wrong.stem}"
        (target / exercise.folder).mkdir(parents=True)
        shutil.copy(wrong, exercise.module_in(target))
        found.append((f"wrong/{wrong.stem}", target))
    return found


def outcome(exercise, target: Path) -> tuple[tuple, dict[str, str]]:
    """Which checks passed, and why each failing one failed."""
    result = grade_exercise(exercise, target, include_hidden=True)
    why = {c.name: f"{c.status}: {c.message}" for c in result.checks if not c.passed}
    return tuple((c.name, c.passed) for c in result.checks), why


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exercises", nargs="*", help="slugs (default: all)")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--load", type=int, default=2, help="busy processes to start")
    parser.add_argument("--jobs", type=int, default=1, help="gradings at once")
    args = parser.parse_args(argv)

    busy = [subprocess.Popen([sys.executable, "-c", BUSY_LOOP]) for _ in range(args.load)]
    started = time.monotonic()
    differing = total = 0
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for exercise in select(args.exercises or None):
                for label, target in targets_for(exercise, Path(tmp)):
                    began = time.monotonic()
                    with ThreadPoolExecutor(args.jobs) as pool:
                        graded = list(pool.map(outcome, *zip(*[(exercise, target)] * args.runs)))
                    runs = [o for o, _ in graded]
                    counts = Counter(runs)
                    total += 1
                    score = [sum(passed for _, passed in o) for o in runs]
                    line = (
                        f"{exercise.slug:<22} {label:<38} {args.runs} runs, "
                        f"{len(counts)} outcome(s), checks passed {min(score)}..{max(score)}, "
                        f"{time.monotonic() - began:.0f} s"
                    )
                    print(line, flush=True)
                    if len(counts) > 1:
                        differing += 1
                        for o, n in counts.items():
                            failed = [name for name, passed in o if not passed]
                            print(f"    {n:>3}x failed: {failed}", flush=True)
                        always = set.intersection(*({n for n, p in o if not p} for o in runs))
                        for name in {n for _, why in graded for n in why} - always:
                            example = next(why[name] for _, why in graded if name in why)
                            print(f"    sometimes {name}: {example[:600]}", flush=True)
    finally:
        for proc in busy:
            proc.kill()
            proc.wait()
    minutes = (time.monotonic() - started) / 60
    print(f"{differing} of {total} targets gave differing outcomes; took {minutes:.1f} min")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
