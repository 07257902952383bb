"""Exercise manifests (`exercise.toml`): the one place an exercise's metadata lives."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from grader.limits import problems

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

PROJECT_ROOT = Path(__file__).resolve().parent.parent
EXERCISES_DIR = PROJECT_ROOT / "exercises"
SOLUTIONS_DIR = PROJECT_ROOT / "solutions"
HIDDEN_DIR = PROJECT_ROOT / "hidden"  # instructor-only checks; never on a graded run's path
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"

DEFAULT_TIMEOUT = 20.0  # seconds one check may take before its process tree is killed
FOLDER_PATTERN = re.compile(r"^(\d\d)_([a-z][a-z0-9_]*)$")
REQUIREMENT_ID = re.compile(r"^[a-z][a-z0-9-]*$")


class ManifestError(ValueError):
    """A manifest that is missing, malformed or inconsistent with its folder."""


@dataclass(frozen=True)
class Check:
    """One graded check: a test function and the points it is worth."""

    name: str
    task: int
    points: float
    hidden: bool = False
    proves: tuple[str, ...] = ()  # ids of the requirements this check proves


@dataclass(frozen=True)
class Requirement:
    """One rule the README states, which at least one check must prove."""

    id: str
    task: int
    text: str


@dataclass(frozen=True)
class Exercise:
    """An exercise folder and everything its manifest declares."""

    slug: str
    title: str
    order: int
    notebook: str
    timeout: float
    folder: str
    checks: tuple[Check, ...]
    limits: dict = field(default_factory=dict)
    requirements: tuple[Requirement, ...] = ()

    def proving(self, requirement: str) -> tuple[Check, ...]:
        """The checks that prove a requirement."""
        return tuple(c for c in self.checks if requirement in c.proves)

    @property
    def max_score(self) -> float:
        return sum(c.points for c in self.checks)

    def public_checks(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.hidden)

    def check(self, name: str) -> Check:
        for c in self.checks:
            if c.name == name:
                return c
        raise KeyError(name)

    def checks_file(self, root: Path = PROJECT_ROOT) -> Path:
        return root / "exercises" / self.folder / f"test_{self.slug}.py"

    def hidden_checks_file(self, root: Path = PROJECT_ROOT) -> Path:
        return root / "hidden" / self.folder / f"test_{self.slug}_hidden.py"

    def hints_file(self, root: Path = PROJECT_ROOT) -> Path:
        return root / "exercises" / self.folder / "hints.md"

    def module_in(self, target: Path) -> Path:
        """The learner's module for this exercise inside a target folder."""
        return Path(target) / self.folder / f"{self.slug}.py"


def _require(data: dict, key: str, kind: type | tuple, where: Path):
    if key not in data:
        raise ManifestError(f"{where}: missing key '{key}'")
    value = data[key]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise ManifestError(f"{where}: '{key}' should be {kind}, got {value!r}")
    return value


def read_toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ManifestError(f"{path}: file not found") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path}: not valid TOML ({exc})") from exc


def _checks(data: dict, path: Path) -> list[Check]:
    """The [[checks]] tables: at least one, each named test_*, worth positive points."""
    raw_checks = _require(data, "checks", list, path)
    if not raw_checks:
        raise ManifestError(f"{path}: no checks declared")
    checks = []
    for i, raw in enumerate(raw_checks):
        where = Path(f"{path}[checks][{i}]")
        name = _require(raw, "name", str, where)
        if not name.startswith("test_"):
            raise ManifestError(f"{where}: check names start with 'test_'")
        points = _require(raw, "points", (int, float), where)
        if points <= 0:
            raise ManifestError(f"{where}: points must be positive")
        checks.append(
            Check(
                name=name,
                task=_require(raw, "task", int, where),
                points=float(points),
                hidden=bool(raw.get("hidden", False)),
                proves=_proves(raw, where),
            )
        )
    names = [c.name for c in checks]
    if len(set(names)) != len(names):
        raise ManifestError(f"{path}: a check is declared twice")
    return checks


def _check_limits(data: dict, path: Path) -> None:
    raw_limits = data.get("limits", {})
    if not isinstance(raw_limits, dict):
        raise ManifestError(f"{path}: [limits] should be a table")
    wrong = problems(raw_limits)
    if wrong:
        raise ManifestError(f"{path}: [limits]: {'; '.join(wrong)}")


def load_manifest(path: Path) -> Exercise:
    """Read and validate one `exercise.toml`; raise ManifestError with the reason."""
    path = Path(path)
    data = read_toml(path)
    folder = path.parent.name
    match = FOLDER_PATTERN.match(folder)
    if not match:
        raise ManifestError(f"{path}: folder '{folder}' should be named NN_slug")
    slug = _require(data, "slug", str, path)
    order = _require(data, "order", int, path)
    if match.group(2) != slug or int(match.group(1)) != order:
        raise ManifestError(f"{path}: folder '{folder}' does not match slug and order")
    timeout = float(data.get("timeout", DEFAULT_TIMEOUT))
    if timeout <= 0:
        raise ManifestError(f"{path}: 'timeout' must be positive")
    checks = _checks(data, path)
    if slug in _module_names():
        raise ManifestError(
            f"{path}: slug '{slug}' is the name of a module the checks may "
            "import; the learner's file would shadow it. Choose another slug"
        )
    _check_limits(data, path)
    requirements = _requirements(data, path, checks)
    return Exercise(
        slug=slug,
        title=_require(data, "title", str, path),
        order=order,
        notebook=_require(data, "notebook", str, path),
        timeout=timeout,
        folder=folder,
        checks=tuple(checks),
        limits=dict(data.get("limits", {})),
        requirements=requirements,
    )


def _proves(raw: dict, where: Path) -> tuple[str, ...]:
    proves = raw.get("proves", [])
    if not isinstance(proves, list) or not all(isinstance(p, str) for p in proves):
        raise ManifestError(f"{where}: 'proves' should be a list of requirement ids")
    return tuple(proves)


def _requirements(data: dict, path: Path, checks: list[Check]) -> tuple[Requirement, ...]:
    """The [[requirements]] tables; every id a check `proves` must be one of them.

    They come before the first [[checks]] table: a release strips hidden check tables and
    keeps everything above the first one (grader/course/release.py).
    """
    raw_list = data.get("requirements", [])
    if not isinstance(raw_list, list):
        raise ManifestError(f"{path}: 'requirements' should be an array of tables")
    requirements = []
    for i, raw in enumerate(raw_list):
        where = Path(f"{path}[requirements][{i}]")
        rid = _require(raw, "id", str, where)
        if not REQUIREMENT_ID.match(rid):
            raise ManifestError(f"{where}: requirement ids are lower-case words joined by '-'")
        requirements.append(
            Requirement(
                id=rid,
                task=_require(raw, "task", int, where),
                text=_require(raw, "text", str, where),
            )
        )
    ids = [r.id for r in requirements]
    if len(set(ids)) != len(ids):
        raise ManifestError(f"{path}: a requirement id is declared twice")
    for check in checks:
        for rid in check.proves:
            if rid not in ids:
                raise ManifestError(
                    f"{path}: check {check.name} proves '{rid}', which no [[requirements]] declares"
                )
    return tuple(requirements)


def _module_names() -> set[str]:
    """Names a slug may not take: the standard library's, and what the grader runs on."""
    stdlib = set(getattr(sys, "stdlib_module_names", ()))
    return stdlib | {"pytest", "_pytest", "grader", "conclab", "psutil", "numpy", "conftest"}


def discover(root: Path = PROJECT_ROOT, errors: list[str] | None = None) -> list[Exercise]:
    """Every exercise under root/exercises, in course order.

    A broken manifest raises ManifestError, or, when an `errors` list is given, is
    described there and skipped so that the other exercises can still be graded.
    """
    exercises = []
    for path in sorted((root / "exercises").glob("*/exercise.toml")):
        try:
            exercises.append(load_manifest(path))
        except ManifestError as exc:
            if errors is None:
                raise
            errors.append(str(exc))
    return sorted(exercises, key=lambda e: e.order)


def relative(path: Path) -> str:
    """A path as a learner reads it: from the project's root when it is inside it."""
    try:
        return str(Path(path).resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def _names_a_folder(name: str, root: Path) -> bool:
    """Whether name (slug, folder or number) names an exercise folder under root."""
    for path in (root / "exercises").glob("*/exercise.toml"):
        match = FOLDER_PATTERN.match(path.parent.name)
        if match and name in (path.parent.name, match.group(2)):
            return True
        if match and name.isdigit() and int(name) == int(match.group(1)):
            return True
    return False


def select(
    names: list[str] | None, root: Path = PROJECT_ROOT, errors: list[str] | None = None
) -> list[Exercise]:
    """The exercises named by slug, folder or number (all when names is empty)."""
    from grader import messages

    exercises = discover(root, errors)
    if not names:
        return exercises
    chosen = []
    for name in names:
        found = [
            e
            for e in exercises
            if name in (e.slug, e.folder) or (name.isdigit() and int(name) == e.order)
        ]
        if not found and errors is not None and _names_a_folder(name, root):
            continue  # its manifest is broken: described in `errors`, the rest are graded
        if not found:
            known = ", ".join(e.slug for e in exercises)
            raise ManifestError(messages.NO_CHECKS_SELECTED.format(names=name, known=known))
        chosen.extend(e for e in found if e not in chosen)
    return chosen
