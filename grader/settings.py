"""The course's own settings (`exercises/course.toml`): what every exercise shares, as the
grader reads it. Each exercise's metadata stays in its manifest (grader/manifest.py)."""

from __future__ import annotations

import functools
from pathlib import Path

from grader.manifest import PROJECT_ROOT, ManifestError, read_toml

COURSE_FILE = "course.toml"  # in root/exercises: what every exercise shares


def preload_modules(root: Path = PROJECT_ROOT) -> tuple[str, ...]:
    """The modules a course asks the grader to import before learners' code runs (its
    `exercises/course.toml`, `[grader] preload`); none where the course has no such file.
    Every run asks; the file is parsed again only when it has changed."""
    path = Path(root) / "exercises" / COURSE_FILE
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        return ()
    return _preload_in(path, stamp)


@functools.lru_cache(maxsize=8)
def _preload_in(path: Path, stamp: int) -> tuple[str, ...]:
    names = read_toml(path).get("grader", {}).get("preload", [])
    if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
        raise ManifestError(f"{path}: [grader] preload should be a list of module names")
    return tuple(names)
