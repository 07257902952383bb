"""The isolated process that runs one exercise's checks: `python -m grader.child ...`.

The parent (grader/runner.py) starts it in a new session and a scratch folder, with the
learner's output going to a file and a private pipe for the check records:

    parent ──argv: target, checks──▶ child ──pytest──▶ checks ──▶ learner's module
       ▲                              │
       └──── JSON lines on --events-fd (start, imported, result, done) ◀─┘

Limits are applied here, before pytest starts and before the learner's code is imported.
"""

from __future__ import annotations

import argparse
import os
import sys

from . import limits


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="grader.child")
    parser.add_argument("--target", required=True)
    parser.add_argument("--events-fd", type=int, required=True)
    parser.add_argument("--limits", default="{}")
    parser.add_argument("nodeids", nargs="+")
    args = parser.parse_args(argv)

    limits.apply_json(args.limits)
    os.environ.setdefault("MPLBACKEND", "Agg")

    import pytest

    scratch = os.getcwd()
    ini = os.path.join(scratch, "pytest.ini")
    with open(ini, "w", encoding="utf-8") as fh:
        fh.write("[pytest]\n")
    return int(
        pytest.main(
            [
                "-q",
                "-c",
                ini,
                "--rootdir",
                scratch,
                "--import-mode=importlib",
                "-p",
                "no:cacheprovider",
                "-p",
                "grader.plugin",
                "--conclab-target",
                args.target,
                "--conclab-events-fd",
                str(args.events_fd),
                *args.nodeids,
            ]
        )
    )


if __name__ == "__main__":
    sys.exit(main())
