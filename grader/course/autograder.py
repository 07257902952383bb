"""`python -m grader gradescope-autograder OUT.zip`: the high-stakes path, in one command.

    course repo ──▶ OUT.zip: setup.sh, run_autograder, source/ (grader, conclab,
                    pyproject.toml, exercises/ with every manifest and public check,
                    hidden/ with the hidden checks); never solutions/, tests/ or notebooks/
    on Gradescope: setup.sh installs source/ once; run_autograder grades
                   /autograder/submission and writes /autograder/results/results.json

The student's copy of the grader is never used: Gradescope runs the checks from the zip, on
its own machine, which is what makes the score the gradebook's. The root of the layout is
`CONCLAB_AUTOGRADER_ROOT` (default /autograder), so tests can run it in a folder.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path

from grader.manifest import PROJECT_ROOT, discover

COPIED = ("grader", "conclab", "exercises", "hidden")
COPIED_FILES = ("pyproject.toml", "README.md")
SKIPPED = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", ".*_cache")
DONE = "Wrote the Gradescope autograder to {out}: {count} exercises, {points:g} points."

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, when the autograder image is built.
set -euo pipefail
apt-get update -qq && apt-get install -y -qq python3 python3-pip python3-venv >/dev/null
python3 -m venv /autograder/conclab-venv
/autograder/conclab-venv/bin/python -m pip install --quiet /autograder/source
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission. A submission is the student's repository or
# its exercises/ folder: NN_slug/slug.py folders, wherever they are found first.
set -uo pipefail
ROOT="${CONCLAB_AUTOGRADER_ROOT:-/autograder}"
PYTHON="${CONCLAB_AUTOGRADER_PYTHON:-$ROOT/conclab-venv/bin/python}"
mkdir -p "$ROOT/results"
cd "$ROOT/source"
export PYTHONPATH="$ROOT/source"
SUB=$("$PYTHON" -c "import sys; from grader.course.submission import find_target; \
print(find_target(sys.argv[1]) or sys.argv[1])" "$ROOT/submission")
"$PYTHON" -m grader check --target "$SUB" \\
    --gradescope "$ROOT/results/results.json"
status=$?
# 0 and 1 are grades; anything else is the grader's own failure, which Gradescope must show.
if [ "$status" -gt 1 ] && [ ! -s "$ROOT/results/results.json" ]; then
  printf '{"score": 0, "output": "the grader failed (exit status %s); ask your instructor"}' \\
    "$status" > "$ROOT/results/results.json"
fi
exit 0
"""


def build(out: Path, root: Path = PROJECT_ROOT) -> tuple[int, float]:
    """Write the zip; returns (exercises, points) as the manifests declare them."""
    exercises = discover(root)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "source"
        for name in COPIED:
            if (root / name).is_dir():
                shutil.copytree(root / name, source / name, ignore=SKIPPED)
        for name in COPIED_FILES:
            if (root / name).is_file():
                shutil.copy(root / name, source / name)
        for stub_free in (source / "exercises").glob("*/*.py"):
            if not stub_free.name.startswith("test_"):
                stub_free.unlink()  # stubs are the student's side; the checks need none
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, text in (("setup.sh", SETUP_SH), ("run_autograder", RUN_AUTOGRADER)):
                info = zipfile.ZipInfo(name)
                info.external_attr = 0o755 << 16  # executable, as Gradescope requires
                archive.writestr(info, text)
            for path in sorted(source.rglob("*")):
                if path.is_file():
                    archive.write(path, Path("source") / path.relative_to(source))
    return len(exercises), sum(e.max_score for e in exercises)


def cmd_autograder(args) -> int:
    count, points = build(Path(args.out))
    print(DONE.format(out=Path(args.out).resolve(), count=count, points=points))
    return 0


def add_parser(sub) -> None:
    """Register `gradescope-autograder`."""
    parser = sub.add_parser(
        "gradescope-autograder",
        help="write the Gradescope autograder zip (checks and hidden checks, no solutions)",
    )
    parser.add_argument("out", help="the zip file to write, e.g. autograder.zip")
    parser.set_defaults(func=cmd_autograder)
