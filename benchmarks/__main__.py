"""Run the benchmarks, print a table, and write the figures as JSON for later comparison.

python -m benchmarks                     # everything, 3 repeats
python -m benchmarks --only grading demos --repeats 5
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import sys
from pathlib import Path

from conclab.core.env import usable_cpus

from . import class_scale, demos, grading, notebooks

GROUPS = {
    "demos": demos.run,
    "grading": grading.run,
    "notebooks": notebooks.run,
    "class": class_scale.run,
}
RESULTS = Path(__file__).resolve().parent / "results"


def table(figures) -> str:
    lines = [f"{'group':<14} {'figure':<46} {'median':>9} {'min':>9} {'max':>9} {'target':>9}  met"]
    for f in figures:
        target = (
            "" if f.target is None else ("<=" if not f.higher_is_better else ">=") + f"{f.target:g}"
        )
        met = {True: "yes", False: "NO", None: ""}[f.met]
        lines.append(
            f"{f.group:<14} {f.name:<46} {f.median:>9.3f} {min(f.values):>9.3f} "
            f"{max(f.values):>9.3f} {target:>9}  {met}   ({f.unit}, {len(f.values)} runs)"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--only", nargs="+", choices=sorted(GROUPS), help="groups to run")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", type=Path, help="where to write the figures")
    parser.add_argument("--class-size", type=int, default=100, help="submissions in the class")
    args = parser.parse_args(argv)
    figures = []
    for name in args.only or list(GROUPS):
        print(f"running {name} ...", flush=True)
        if name == "class":
            figures.extend(class_scale.run(args.repeats, size=args.class_size))
        else:
            figures.extend(GROUPS[name](args.repeats))
    print(table(figures))
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = args.json or RESULTS / f"{stamp}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "when": stamp,
        "python": platform.python_version(),
        "cpus": usable_cpus(),
        "platform": platform.platform(),
        "repeats": args.repeats,
    }
    out.write_text(json.dumps({"meta": meta, "figures": [f.row() for f in figures]}, indent=2))
    print(f"figures written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
