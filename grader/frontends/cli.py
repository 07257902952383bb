"""Command line: `python -m grader check|list ...` (also installed as `grader`)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from grader.course import autograder, batch, release, validate
from grader.engine.assignment import default_jobs, grade
from grader.frontends import formats, report, watch
from grader.manifest import EXERCISES_DIR, PROJECT_ROOT, ManifestError, relative


def _resolve_target(text: str | None) -> Path:
    if text is None:
        return EXERCISES_DIR
    path = Path(text)
    if not path.exists() and (PROJECT_ROOT / text).exists():
        path = PROJECT_ROOT / text
    return path.resolve()


def cmd_check(args) -> int:
    target = _resolve_target(args.target)
    if not target.is_dir():
        print(f"grader: target folder {target} does not exist", file=sys.stderr)
        return 2
    print(f"Grading {relative(target)}", flush=True)

    def show(result):
        for line in report.exercise_text(result, args.verbose, args.show_runs):
            _print(line)

    errors: list[str] = []
    run = grade(
        args.exercises,
        target,
        include_hidden=not args.public_only,
        on_result=show,
        timeout=args.timeout,
        errors=errors,
        jobs=args.jobs,
    )
    for error in errors:
        print(f"grader: skipped a broken manifest: {error}", file=sys.stderr)
    _print(report.summary_line(run))
    if run.interrupted:
        print(INTERRUPTED, file=sys.stderr)
    if args.json:
        report.write_json(run, Path(args.json))
    formats.write(run, args.junit, args.gradescope, args.markdown)
    for result in run.exercises:
        if result.internal_error:
            print(INTERNAL.format(slug=result.slug), file=sys.stderr)
    if run.interrupted:
        return 130
    if any(r.internal_error for r in run.exercises):
        return 3
    if errors:
        return 2
    return 0 if run.passed else 1


INTERRUPTED = "grader: interrupted; the report holds what was graded before Ctrl-C."
INTERNAL = "grader: internal error while grading {slug} (exit status 3); see its output with -v."


def _print(line: str) -> None:
    """Print, surviving a reader that went away (`grader check | head`): the grading goes
    on and the reports are still written; the rest of the terminal output is dropped."""
    try:
        print(line, flush=True)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grader", description="Grade Concurrency Lab exercises in isolated processes."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="grade exercises against a target folder")
    check.add_argument("exercises", nargs="*", help="slugs, folders or numbers (default: all)")
    check.add_argument("--target", help="folder laid out like exercises/ (default: exercises/)")
    check.add_argument("--json", metavar="FILE", help="write the results as JSON")
    check.add_argument("--verbose", "-v", action="store_true", help="show every failing check")
    check.add_argument(
        "--timeout", type=float, help="seconds per check, instead of each manifest's timeout"
    )
    check.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=None,
        help=f"exercises graded at once (default: one per CPU, {default_jobs()} here)",
    )
    check.add_argument(
        "--show-runs",
        action="store_true",
        help="draw the run of passing checks too (failed checks always show theirs)",
    )
    check.add_argument(
        "--public-only", action="store_true", help="skip hidden checks even when available"
    )
    formats.add_arguments(check)  # --junit, --gradescope, --markdown
    check.set_defaults(func=cmd_check)
    lst = sub.add_parser("list", help="list the exercises")
    watch.add_parsers(sub, lst)  # `watch`, and `list` with remembered progress
    for course_module in (release, batch, validate, autograder):  # instructors' commands
        course_module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ManifestError as exc:
        print(f"grader: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(INTERRUPTED, file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
