"""Remembered progress (.grader/progress.json) and the overview of all exercises.

Every in-notebook check and every `grader watch` round records its result here, so
`grader list` and `progress()` can say what is done without grading again:

    {"version": 2, "targets": {"/abs/exercises": {"fetch_in_order": {"status": "passed",
     "score": 12.0, "max_score": 12.0, "file_mtime_ns": 17..., "checked_at": "..."}}}}

Entries are kept per target folder, so checking another folder (a solutions copy, a
test's temporary folder) never overwrites the learner's own progress.
"""

from __future__ import annotations

import html
import json
import os
import tempfile
import threading
import time
from pathlib import Path

from grader import messages
from grader.frontends import panels
from grader.manifest import EXERCISES_DIR, PROJECT_ROOT, Exercise, select
from grader.results import ExerciseResult

STATE_ENV = "CONCLAB_PROGRESS_FILE"  # overrides where progress is remembered (tests use it)
NOT_CHECKED = messages.NOT_CHECKED
EDITED = "edited since"  # the file changed after its last check
_STATE_LOCK = threading.Lock()  # guards the read-modify-write of the state file in this process


def state_path() -> Path:
    """Where progress is remembered: $CONCLAB_PROGRESS_FILE or .grader/progress.json."""
    override = os.environ.get(STATE_ENV)
    return Path(override) if override else PROJECT_ROOT / ".grader" / "progress.json"


def _key(target: Path) -> str:
    return str(Path(target).resolve())


def _mtime_ns(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


def _read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        targets = data.get("targets", {})
        return targets if isinstance(targets, dict) else {}
    except (OSError, ValueError, AttributeError):
        return {}


def load(path: Path | None = None, target: Path = EXERCISES_DIR) -> dict:
    """The remembered entries of one target by slug; an unreadable file counts as empty."""
    entries = _read(Path(path) if path else state_path()).get(_key(target), {})
    return entries if isinstance(entries, dict) else {}


def record(
    result: ExerciseResult, exercise: Exercise, target: Path, path: Path | None = None
) -> None:
    """Remember one exercise's result; the file is replaced atomically, never half-written."""
    path = Path(path) if path else state_path()
    entry = {
        "status": result.status,
        "score": result.score,
        "max_score": result.max_score,
        "file_mtime_ns": _mtime_ns(exercise.module_in(target)),
        "checked_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    with _STATE_LOCK:
        targets = _read(path)
        entries = targets.setdefault(_key(target), {})
        entries[exercise.slug] = entry
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".progress-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump({"version": 2, "targets": targets}, f, indent=2)
        os.replace(tmp, path)


def status_of(exercise: Exercise, target: Path, entries: dict) -> tuple[str, str]:
    """(status, points) for one exercise from the remembered entries of target."""
    entry = entries.get(exercise.slug)
    if not isinstance(entry, dict):
        return NOT_CHECKED, f"-/{exercise.max_score:g}"
    status = str(entry.get("status", NOT_CHECKED))
    if entry.get("file_mtime_ns") != _mtime_ns(exercise.module_in(target)):
        status = f"{status}, {EDITED}"
    return status, f"{entry.get('score', 0):g}/{exercise.max_score:g}"


def is_passed(exercise: Exercise, target: Path, entries: dict) -> bool:
    return status_of(exercise, target, entries)[0] == messages.PASSED


def list_lines(target: Path = EXERCISES_DIR, path: Path | None = None) -> list[str]:
    """One line per exercise with its remembered status and points, then a summary."""
    entries = load(path, target)
    lines, done, score, total = [], 0, 0.0, 0.0
    for exercise in select(None):
        status, points = status_of(exercise, target, entries)
        done += status == messages.PASSED
        total += exercise.max_score
        if status != NOT_CHECKED:
            score += float(entries[exercise.slug].get("score", 0))
        lines.append(
            f"{exercise.order:02d} {exercise.slug:<24} {points:>9} points  {status:<20} "
            f"{exercise.title}  (notebook {exercise.notebook})"
        )
    count = len(lines)
    lines.append(
        messages.SUMMARY.format(done=done, total=count, score=score, max_score=total)
        + " (remembered from the last checks; `python -m grader watch` checks again)"
    )
    return lines


def cmd_list(args) -> int:
    """`grader list`: every exercise with its remembered status and points."""
    target = Path(getattr(args, "target", None) or EXERCISES_DIR)
    for line in list_lines(target, getattr(args, "state", None)):
        print(line)
    return 0


def overview_html(target: Path = EXERCISES_DIR, path: Path | None = None) -> str:
    """A table of every exercise with its remembered status and points."""
    entries = load(path, target)
    rows = []
    for exercise in select(None):
        status, points = status_of(exercise, target, entries)
        row = (
            f"{exercise.order:02d}",
            html.escape(exercise.title),
            f"<code>{html.escape(exercise.slug)}</code>",
            panels.status_html(status),
            points,
            html.escape(exercise.notebook),
        )
        rows.append(f"<tr>{panels.cells(*row)}</tr>")
    heads = ("#", "exercise", "slug", "status", "points", "notebook")
    summary = html.escape(list_lines(target, path)[-1].split(" (")[0])
    return f"<div class='conclab-progress'>{panels.table(heads, rows)}<b>{summary}</b></div>"
