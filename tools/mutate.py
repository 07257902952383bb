"""Mutation testing of the checks: grade every mutant of each reference solution.

    solutions/NN_slug/slug.py ──mutmut's operators──▶ mutant 1, 2, ... (one change each)
        each mutant ──▶ scratch/NN_slug/slug.py ──▶ python -m grader check SLUG --target scratch
        killed: the mutant loses a point (public and hidden checks)   survived: full points

A survivor is either a hole in the checks (make them stronger) or equivalent to the
solution (it cannot behave differently): those are listed, with why, in
hidden/NN_slug/mutants.toml, instructor-side like the hidden checks, since a mutant shows
the solution's code. Usage: python tools/mutate.py [SLUG ...] [--json FILE] [--jobs N]
Exit status 1 when a survivor is not explained there.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENT_FILE = "mutants.toml"  # hidden/NN_slug/mutants.toml: [[equivalent]] mutant, why
CHECK_TIMEOUT = 10.0  # seconds per check: a mutant that hangs is killed by the timeout


@dataclass
class Mutant:
    key: str  # "original line -> mutated line", stable while the line itself is unchanged
    line: int
    code: str


def mutants_of(path: Path) -> list[Mutant]:
    """One mutant per change mutmut's operators make to the file (duplicates dropped)."""
    import mutmut.mutation.pragma_handling as pragmas
    from mutmut.mutation.file_mutation import create_mutations, deep_replace

    # mutmut reads do_not_mutate patterns from a project config we do not have; none apply.
    pragmas.get_lines_ignored_by_pattern = lambda source: set()
    source = path.read_text(encoding="utf-8")
    module, mutations, *_ = create_mutations(str(path), source)
    found, seen = [], set()
    for mutation in mutations:
        code = deep_replace(module, mutation.original_node, mutation.mutated_node).code
        if code == source or code in seen:
            continue
        seen.add(code)
        try:
            compile(code, str(path), "exec")
        except SyntaxError:
            continue
        old, new, line = [], [], 0
        matcher = difflib.SequenceMatcher(a=source.splitlines(), b=code.splitlines())
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag != "equal":
                line = line or i1 + 1
                old += [s.strip() for s in source.splitlines()[i1:i2]]
                new += [s.strip() for s in code.splitlines()[j1:j2]]
        found.append(Mutant(f"{' / '.join(old)} -> {' / '.join(new)}", line, code))
    return found


def equivalents(root: Path, folder: str) -> dict[str, str]:
    """The mutants recorded as equivalent for an exercise: key -> why."""
    try:
        import tomllib
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    path = root / "hidden" / folder / EQUIVALENT_FILE
    if not path.is_file():
        return {}
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {e["mutant"]: e["why"] for e in data.get("equivalent", [])}


def grade(root: Path, exercise, mutant: Mutant, timeout: float) -> tuple[bool, str]:
    """Grade one mutant; (killed, the first check it failed or why it was killed)."""
    with tempfile.TemporaryDirectory(prefix="mutant-") as scratch:
        folder = Path(scratch) / exercise.folder
        folder.mkdir()
        (folder / f"{exercise.slug}.py").write_text(mutant.code, encoding="utf-8")
        report = Path(scratch) / "result.json"
        env = dict(os.environ, PYTHONPATH=str(root))  # this root's grader, conclab, checks
        cmd = [sys.executable, "-m", "grader", "check", exercise.slug, "--target", scratch,
               "--jobs", "1", "--timeout", str(timeout), "--json", str(report)]  # fmt: skip
        try:
            subprocess.run(cmd, cwd=root, env=env, capture_output=True, timeout=600)
        except subprocess.TimeoutExpired:
            return True, "the whole grading took more than 600 s"
        if not report.is_file():
            return True, "the grader wrote no result"
        result = json.loads(report.read_text(encoding="utf-8"))["exercises"][0]
        failed = [c["name"] for c in result["checks"] if c["status"] != "passed"]
        return result["score"] < result["max_score"], ", ".join(failed)


def run(slugs: list[str], root: Path, jobs: int, timeout: float, out=print) -> dict:
    sys.path.insert(0, str(root))
    from grader.manifest import select

    summary = {}
    for exercise in select(slugs or None, root):
        solution = root / "solutions" / exercise.folder / f"{exercise.slug}.py"
        found = mutants_of(solution)
        known = equivalents(root, exercise.folder)
        start = time.monotonic()
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            verdicts = list(pool.map(grade, [root] * len(found), [exercise] * len(found),
                                     found, [timeout] * len(found)))  # fmt: skip
        killed = sum(k for k, _ in verdicts)
        survivors = [m for m, (k, _) in zip(found, verdicts) if not k]
        unexplained = [m for m in survivors if m.key not in known]
        rate = killed / len(found) if found else 1.0
        out(f"{exercise.order:02d} {exercise.slug:24} {killed:3d}/{len(found):3d} killed "
            f"({rate:.0%}), {len(survivors) - len(unexplained)} equivalent, "
            f"{len(unexplained)} unexplained  [{time.monotonic() - start:.0f} s]")  # fmt: skip
        for mutant in survivors:
            tag = "equivalent" if mutant.key in known else "SURVIVED  "
            out(f"    {tag} line {mutant.line}: {mutant.key}")
        summary[exercise.slug] = {
            "mutants": len(found),
            "killed": killed,
            "equivalent": len(survivors) - len(unexplained),
            "survivors": [{"line": m.line, "mutant": m.key} for m in unexplained],
            "killed_by": {m.key: why for m, (k, why) in zip(found, verdicts) if k},
        }
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("exercises", nargs="*", help="slugs, folders or numbers (default: all)")
    parser.add_argument("--root", type=Path, default=ROOT, help="project root to test")
    parser.add_argument("--jobs", type=int, default=1, help="mutants graded at once")
    parser.add_argument("--timeout", type=float, default=CHECK_TIMEOUT, help="seconds per check")
    parser.add_argument("--json", type=Path, help="write the per-exercise summary here")
    args = parser.parse_args(argv)
    summary = run(args.exercises, args.root.resolve(), args.jobs, args.timeout)
    total = sum(s["mutants"] for s in summary.values())
    killed = sum(s["killed"] for s in summary.values())
    print(f"all: {killed}/{total} mutants killed ({killed / max(total, 1):.0%})")
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    return 1 if any(s["survivors"] for s in summary.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
