"""`python -m grader validate [SLUG ...]`: is an exercise complete and honest?

For each exercise: the manifest loads, its files are present, it declares exactly the
checks the check files define, every requirement it lists (the README's rules) is proved
by a check, every task has a README section and at least two hints,
the stub marks its TODOs and raises NotImplementedError, the stub scores 0 and the
reference solution gets full points (hidden checks included). Exit status 0 only when
every selected exercise passes all of it.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

from grader import messages
from grader.engine.runner import grade_exercise
from grader.frontends.hints import load_hints
from grader.manifest import PROJECT_ROOT, Exercise, ManifestError, select

MIN_HINTS = 2
OK = "ok    {order:02d} {slug}"
BAD = "FAIL  {order:02d} {slug}"
STUB_WORDS = ("TODO", "NotImplementedError")  # a stub has both; a solution neither
STUB_MARKS = "the stub should mark each edit with TODO and raise NotImplementedError"
NO_REQUIREMENTS = "exercise.toml lists no [[requirements]]: list every rule its README states"
UNPROVEN = "requirement '{id}' ({text}) is proved by no check: add `proves = [\"{id}\"]` to one"
COVERED = "  ({count} README requirements, each proved by a check)"
ALL_OK = "{count} exercise(s) complete."
SOME_BAD = "{bad} of {count} exercise(s) incomplete: fix the problems above."


def _check_names(path: Path) -> set[str]:
    if not path.exists():
        return set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        n.name
        for n in tree.body
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name.startswith("test_")
    }


def static_problems(exercise: Exercise, root: Path = PROJECT_ROOT) -> list[str]:
    """What is missing or inconsistent in the exercise's files, without grading anything."""
    problems = []
    folder = root / "exercises" / exercise.folder
    stub = folder / f"{exercise.slug}.py"
    solution = root / "solutions" / exercise.folder / f"{exercise.slug}.py"
    for path in (stub, folder / "README.md", folder / "hints.md", exercise.checks_file(root),
                 solution):  # fmt: skip
        if not path.is_file():
            problems.append(f"missing file {path.relative_to(root)}")
    if not (root / "notebooks" / exercise.notebook).is_file():
        problems.append(f"the manifest's notebook notebooks/{exercise.notebook} does not exist")
    public = _check_names(exercise.checks_file(root))
    hidden = _check_names(exercise.hidden_checks_file(root))
    for kind, found, declared in (
        ("public", public, {c.name for c in exercise.checks if not c.hidden}),
        ("hidden", hidden, {c.name for c in exercise.checks if c.hidden}),
    ):
        for name in sorted(declared - found):
            problems.append(f"the manifest declares {kind} check {name}, no check file has it")
        for name in sorted(found - declared):
            problems.append(f"{kind} check {name} is not declared in exercise.toml")
    tasks = sorted({c.task for c in exercise.checks})
    readme = (folder / "README.md").read_text("utf-8") if (folder / "README.md").is_file() else ""
    hints = load_hints(exercise, root)
    for task in tasks:
        if not re.search(rf"^## {task}\. ", readme, re.M):
            problems.append(f"README.md has no section '## {task}. ...' for task {task}")
        count = len(hints[task].hints) if task in hints else 0
        if count < MIN_HINTS:
            problems.append(
                f"hints.md has {count} hint(s) under '## {task}.'; give at least {MIN_HINTS}"
            )
    problems += requirement_problems(exercise)
    if stub.is_file():
        text = stub.read_text(encoding="utf-8")
        if not all(word in text for word in STUB_WORDS):
            problems.append(STUB_MARKS)
    return problems


def requirement_problems(exercise: Exercise) -> list[str]:
    """Every README rule is listed as a requirement and proved by at least one check."""
    if not exercise.requirements:
        return [NO_REQUIREMENTS]
    problems = []
    tasks = {c.task for c in exercise.checks}
    for requirement in exercise.requirements:
        if not exercise.proving(requirement.id):
            problems.append(UNPROVEN.format(id=requirement.id, text=requirement.text))
        if requirement.task not in tasks:
            problems.append(
                f"requirement '{requirement.id}' names task {requirement.task}, which has no check"
            )
    return problems


def grading_problems(exercise: Exercise, root: Path = PROJECT_ROOT) -> list[str]:
    """Grade the stub (must score 0) and the solution (must get every point)."""
    problems = []
    stub = grade_exercise(exercise, root / "exercises", include_hidden=True, root=root)
    passed = [c.name for c in stub.checks if c.passed]
    if passed:
        problems.append(
            f"the stub gets {stub.score:g} points, it should get 0: {', '.join(passed)} pass"
        )
    hung = [c.name for c in stub.checks if c.status == messages.TIMEOUT]
    if hung:
        problems.append(f"the stub should fail fast, but timed out in: {', '.join(hung)}")
    solution = grade_exercise(exercise, root / "solutions", include_hidden=True, root=root)
    for check in solution.checks:
        if not check.passed:
            first = (check.message.splitlines() or [""])[0]
            problems.append(f"the solution fails {check.name} ({check.status}): {first}")
    return problems


def validate(
    names: list[str] | None, root: Path = PROJECT_ROOT, grade: bool = True, out=print
) -> int:
    """Report each selected exercise; return the exit status (0 when all are complete)."""
    errors: list[str] = []
    exercises = select(names, root, errors)
    for error in errors:
        out(f"FAIL  broken manifest: {error}")
    bad = len(errors)
    for exercise in exercises:
        problems = static_problems(exercise, root)
        if grade:
            problems += grading_problems(exercise, root)
        line = (BAD if problems else OK).format(order=exercise.order, slug=exercise.slug)
        if not problems:
            line += COVERED.format(count=len(exercise.requirements))
        out(line)
        for problem in problems:
            out(f"      - {problem}")
        bad += bool(problems)
    count = len(exercises) + len(errors)
    out(SOME_BAD.format(bad=bad, count=count) if bad else ALL_OK.format(count=count))
    return 1 if bad else 0


def cmd_validate(args) -> int:
    try:
        return validate(args.exercises, grade=not args.no_grade)
    except ManifestError as exc:
        print(f"grader: {exc}", file=sys.stderr)
        return 2


def add_parser(sub) -> None:
    """Register `validate`."""
    parser = sub.add_parser("validate", help="check that exercises are complete (authors)")
    parser.add_argument("exercises", nargs="*", help="slugs, folders or numbers (default: all)")
    parser.add_argument(
        "--no-grade", action="store_true", help="skip grading the stub and the solution"
    )
    parser.set_defaults(func=cmd_validate)
