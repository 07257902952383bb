"""One submission of a batch: where its exercises are (a folder or a zip), its content
hash (what makes a regrade unnecessary), and its grading, which runs in a pool worker and
always returns a row, never an exception."""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
import zipfile
from pathlib import Path

from grader.engine.proctree import JOB_MARKER
from grader.manifest import FOLDER_PATTERN, PROJECT_ROOT, Exercise

SKIP_NAMES = {".git", "__pycache__", ".ipynb_checkpoints", ".venv", ".grader"}
ZIP_LIMIT = 200 * 1024 * 1024  # bytes a submission's zip may expand to
NO_EXERCISES = "no exercise folders (NN_slug/) found in the submission"
BAD_ZIP = "not a readable zip file: {error}"


def submissions_in(folder: Path) -> list[Path]:
    """Every submission in folder: sub-folders and .zip files, hidden names skipped."""
    found = [
        p
        for p in sorted(Path(folder).iterdir())
        if not p.name.startswith(".") and (p.is_dir() or p.suffix.lower() == ".zip")
    ]
    return found


def _has_exercises(folder: Path) -> bool:
    return any(p.is_dir() and FOLDER_PATTERN.match(p.name) for p in folder.iterdir())


def find_target(folder: Path) -> Path | None:
    """The folder laid out like exercises/: the submission, its exercises/, or one level in."""
    folder = Path(folder)
    candidates = [folder / "exercises", folder]
    inner = [p for p in folder.iterdir() if p.is_dir() and p.name not in SKIP_NAMES]
    if len(inner) == 1:  # a zip of a folder, or a clone inside a folder
        candidates += [inner[0] / "exercises", inner[0]]
    return next((c for c in candidates if c.is_dir() and _has_exercises(c)), None)


def _files(path: Path):
    for dirpath, dirnames, filenames in os.walk(path):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_NAMES)
        for name in sorted(filenames):
            yield Path(dirpath) / name


def content_hash(path: Path) -> str:
    """A hash of the submission's file names and contents (or of the zip's bytes)."""
    digest = hashlib.sha256()
    path = Path(path)
    files = [path] if path.is_file() else list(_files(path))
    for file in files:
        digest.update(str(file.relative_to(path) if file != path else file.name).encode())
        digest.update(b"\0")
        with open(file, "rb") as fh:
            for block in iter(lambda fh=fh: fh.read(1 << 20), b""):
                digest.update(block)
        digest.update(b"\0")
    return digest.hexdigest()


def checks_fingerprint(exercises: list[Exercise], root: Path = PROJECT_ROOT) -> str:
    """A hash of the manifests and check files, so changed checks mean grading again."""
    digest = hashlib.sha256()
    for e in exercises:
        for file in (
            root / "exercises" / e.folder / "exercise.toml",
            e.checks_file(root),
            e.hidden_checks_file(root),
        ):
            digest.update(file.read_bytes() if file.exists() else b"-")
    return digest.hexdigest()


def _unzip(path: Path, into: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        total = sum(info.file_size for info in archive.infolist())
        if total > ZIP_LIMIT:
            raise zipfile.BadZipFile(f"it expands to {total} bytes, over {ZIP_LIMIT}")
        for info in archive.infolist():
            dest = (into / info.filename).resolve()
            if into.resolve() not in dest.parents and dest != into.resolve():
                raise zipfile.BadZipFile(f"{info.filename!r} points outside the archive")
        archive.extractall(into)


def grade_submission(path: str, names: list[str] | None, options: dict, job: str = "") -> dict:
    """Grade one submission (runs in a pool worker); never raises, returns a plain row.

    Every process the grading starts inherits the job's marker, so that the batch can
    kill what is left of it when it abandons the submission.
    """
    from grader.engine.assignment import grade  # late import: it imports the runner

    os.environ[JOB_MARKER] = job
    path = str(Path(path).resolve())  # the gradings run in scratch folders
    started = time.monotonic()
    row = {"submission": Path(path).name, "scores": {}, "total": 0.0, "max": 0.0, "errors": []}
    try:
        with tempfile.TemporaryDirectory(prefix="conclab-batch-") as scratch:
            folder = Path(path)
            if folder.is_file():
                try:
                    _unzip(folder, Path(scratch))
                except (zipfile.BadZipFile, OSError, ValueError) as exc:
                    row["errors"].append(BAD_ZIP.format(error=exc))
                    return row
                folder = Path(scratch)
            target = find_target(folder)
            if target is None:
                row["errors"].append(NO_EXERCISES)
                target = folder  # graded anyway: every exercise reports its missing file
            run = grade(
                names,
                target,
                include_hidden=options.get("include_hidden", True),
                timeout=options.get("timeout"),
                jobs=1,  # the batch already grades one submission per worker
            )
    except Exception as exc:  # noqa: BLE001 - one submission must never stop the batch
        row["errors"].append(f"the grader failed: {type(exc).__name__}: {exc}")
        return row
    for result in run.exercises:
        row["scores"][result.slug] = result.score
        if result.flags:
            row.setdefault("flags", []).append(f"{result.slug}: {'; '.join(result.flags)}")
        bad = next((c for c in result.checks if c.status not in ("passed", "failed")), None)
        if bad is not None:
            first = (bad.message.splitlines() or [""])[0][:120]
            row["errors"].append(f"{result.slug}: {bad.status} in {bad.name}: {first}")
    row["total"], row["max"] = run.score, run.max_score
    row["seconds"] = round(time.monotonic() - started, 2)
    return row
