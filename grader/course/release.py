"""`python -m grader release OUT`: write the student repository of the course.

    course repo ──copy──▶ OUT: notebooks (outputs cleared), exercises (stubs, public checks,
                               manifests without hidden checks), grader, conclab,
                               environment files, a Makefile with `lab` and `check`,
                               a student README and .github/workflows/classroom.yml
    never copied: solutions/ (reference code), hidden/ (hidden checks), tests/, docs/, .ci/

The classroom workflow is generated from the manifests, so its points never disagree.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import sys
from pathlib import Path

from grader.engine import runner
from grader.frontends import report
from grader.manifest import PROJECT_ROOT, Exercise, discover, load_manifest
from grader.settings import COURSE_FILE

TEMPLATES = Path(__file__).resolve().parent / "templates"
COPIED_DIRS = ("grader", "conclab")
COPIED_FILES = ("pyproject.toml", "environment.yml", ".gitignore", "tools/lab-overrides.json")
SKIPPED = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", ".*_cache")
MAKE_TARGETS_KEPT = {"install", "$(STAMP)", "lab", "clean"}
STUDENT_MAKE_TARGETS = """check: $(STAMP)
\t$(BIN)/python -m grader check

watch: $(STAMP)
\t$(BIN)/python -m grader watch

test: check
"""
CLASSROOM_PYTHON = "3.12"

INSIDE_REPO = "release: {out} is inside the course repository; choose a folder outside {root}"
NOT_EMPTY = "release: {out} exists and is not empty; pass --force to replace its contents"
UNSAFE = "release: refusing to replace {out}: it holds the course repository or your home"
DONE = "Wrote the student release to {out}: {count} exercises, {points:g} public points."


class ReleaseError(ValueError):
    """OUT cannot be used for a release; the message says why."""


def public_manifest(text: str) -> str:
    """The manifest without its hidden checks (their names and points stay instructor-side)."""
    head, *blocks = re.split(r"(?m)^(?=\[\[checks\]\])", text)
    kept = [b for b in blocks if not re.search(r"(?m)^\s*hidden\s*=\s*true\b", b)]
    return head + "".join(kept)


def _prepare(out: Path, force: bool, root: Path) -> None:
    out = out.resolve()
    if out == root or root in out.parents:
        raise ReleaseError(INSIDE_REPO.format(out=out, root=root))
    if out.exists() and any(out.iterdir()):
        if not force:
            raise ReleaseError(NOT_EMPTY.format(out=out))
        if out in root.parents or out in (Path.home(), Path(out.anchor)):
            raise ReleaseError(UNSAFE.format(out=out))
        for child in out.iterdir():
            if child.name == ".git":
                continue  # an existing student repository keeps its history
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    out.mkdir(parents=True, exist_ok=True)


def _copy_exercises(exercises: list[Exercise], root: Path, out: Path) -> None:
    (out / "exercises").mkdir(parents=True, exist_ok=True)
    for shared in ("conftest.py", COURSE_FILE):  # what every exercise's grading uses
        if (root / "exercises" / shared).is_file():
            shutil.copy2(root / "exercises" / shared, out / "exercises" / shared)
    for exercise in exercises:
        src = root / "exercises" / exercise.folder
        dst = out / "exercises" / exercise.folder
        shutil.copytree(src, dst, ignore=SKIPPED)
        manifest = dst / "exercise.toml"
        manifest.write_text(public_manifest(manifest.read_text("utf-8")), encoding="utf-8")
        if load_manifest(manifest).checks != exercise.public_checks():
            raise ReleaseError(f"release: could not strip the hidden checks of {manifest}")


def clear_outputs(nb) -> None:
    """No outputs or execution counts: how notebooks are stored (tools/notebooks.py) and
    released, so no stale timing is ever shown as fact."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)


def _copy_notebooks(root: Path, out: Path) -> None:
    import nbformat

    (out / "notebooks").mkdir()
    for path in sorted((root / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        clear_outputs(nb)
        nbformat.write(nb, out / "notebooks" / path.name)


def student_makefile(text: str) -> str:
    """The course Makefile with only install, lab and clean, plus `check` and `watch`."""
    lines, skipping = [], False
    text = text.replace('-e ".[dev]"', '-e ".[course]"')  # no test or browser tools
    for line in text.splitlines():
        header = re.match(r"^([^\s#=:][^=:]*?)\s*:(?!=)", line)
        if line.startswith(".PHONY"):
            continue
        if header:
            skipping = header.group(1).strip() not in MAKE_TARGETS_KEPT
        elif not line.startswith("\t"):
            skipping = False
        if not skipping:
            lines.append(line)
    body = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
    phony = ".PHONY: install lab check watch test clean\n"
    return f"{body}\n{phony}\n{STUDENT_MAKE_TARGETS}"


def step_minutes(exercise: Exercise) -> int:
    """Minutes the grading of an exercise may take: every public check at its limit."""
    seconds = runner.worst_case_seconds(len(exercise.public_checks()), exercise.timeout)
    return math.ceil(seconds / 60) + 1


def classroom_workflow(exercises: list[Exercise]) -> str:
    """The GitHub Classroom workflow: one command-grader step per exercise, then the reporter."""
    step = (TEMPLATES / "classroom-step.yml").read_text(encoding="utf-8")
    steps, env = [], []
    for e in exercises:
        steps.append(
            step.format(
                title=json.dumps(f"{e.order:02d} {e.title}"),
                step_id=e.slug,
                test_name=json.dumps(f"{e.order:02d} {e.slug}"),
                slug=e.slug,
                minutes=step_minutes(e),
                max_score=f"{sum(c.points for c in e.public_checks()):g}",
            )
        )
        env.append(f'          {e.slug.upper()}_RESULTS: "${{{{steps.{e.slug}.outputs.result}}}}"')
    return (
        (TEMPLATES / "classroom.yml")
        .read_text(encoding="utf-8")
        .format(
            python_version=CLASSROOM_PYTHON,
            steps="".join(steps),
            reporter_env="\n".join(env),
            runners=",".join(e.slug for e in exercises),
        )
    )


def student_readme(exercises: list[Exercise]) -> str:
    rows = [
        f"| {e.order:02d} | [{e.title}](exercises/{e.folder}/README.md) | "
        f"`exercises/{e.folder}/{e.slug}.py` | {sum(c.points for c in e.public_checks()):g} | "
        f"`notebooks/{e.notebook}` |"
        for e in exercises
    ]
    template = (TEMPLATES / "student-README.md").read_text(encoding="utf-8")
    return template.format(count=len(exercises), table="\n".join(rows))


def release(out: Path, force: bool = False, root: Path = PROJECT_ROOT) -> list[Exercise]:
    """Write the student repository to out; return the exercises it holds."""
    root = Path(root).resolve()
    out = Path(out).resolve()
    _prepare(out, force, root)
    exercises = discover(root)
    _copy_exercises(exercises, root, out)
    _copy_notebooks(root, out)
    for name in COPIED_DIRS:
        shutil.copytree(root / name, out / name, ignore=SKIPPED)
    for name in COPIED_FILES:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, out / name)
    makefile = student_makefile((root / "Makefile").read_text(encoding="utf-8"))
    (out / "Makefile").write_text(makefile, encoding="utf-8")
    (out / "README.md").write_text(student_readme(exercises), encoding="utf-8")
    workflows = out / ".github" / "workflows"
    workflows.mkdir(parents=True, exist_ok=True)
    (workflows / "classroom.yml").write_text(classroom_workflow(exercises), encoding="utf-8")
    (out / report.RELEASE_MARKER).write_text(
        "Written by `python -m grader release`.\n", encoding="utf-8"
    )
    return exercises


def cmd_release(args) -> int:
    try:
        exercises = release(Path(args.out), force=args.force)
    except ReleaseError as exc:
        print(exc, file=sys.stderr)
        return 2
    points = sum(c.points for e in exercises for c in e.public_checks())
    print(DONE.format(out=Path(args.out).resolve(), count=len(exercises), points=points))
    return 0


def add_parser(sub) -> None:
    """Register `release`."""
    parser = sub.add_parser("release", help="write the student repository (no solutions)")
    parser.add_argument("out", help="folder to write, outside this repository")
    parser.add_argument(
        "--force", action="store_true", help="replace the contents of OUT (keeps OUT/.git)"
    )
    parser.set_defaults(func=cmd_release)
