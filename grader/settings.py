"""The course's own settings (`exercises/course.toml`): what every exercise shares, as the
grader reads it. Each exercise's metadata stays in its manifest (grader/manifest.py)."""

from __future__ import annotations

from pathlib import Path

from grader.manifest import PROJECT_ROOT, ManifestError, read_toml

COURSE_FILE = "course.toml"  # in root/exercises: what every exercise shares


def preload_modules(root: Path = PROJECT_ROOT) -> tuple[str, ...]:
    """The modules a course asks the grader to import before learners' code runs (its
    `exercises/course.toml`, `[grader] preload`); none where the course has no such file."""
    path = Path(root) / "exercises" / COURSE_FILE
    if not path.exists():
        return ()
    data = read_toml(path)
    names = data.get("grader", {}).get("preload", [])
    if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
        raise ManifestError(f"{path}: [grader] preload should be a list of module names")
    return tuple(names)
