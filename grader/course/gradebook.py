"""What a batch writes and shows: grades.csv (written atomically), the cache of content
hashes beside it, and the progress line on the terminal."""

from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path


class Progress:
    """A one-line progress bar on a terminal; one line per submission otherwise."""

    def __init__(self, total: int, stream=None, width: int = 30):
        self.total, self.done, self.width = total, 0, width
        self.stream = stream if stream is not None else sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()

    def update(self, row: dict, note: str = "") -> None:
        self.done += 1
        what = f"{row['submission']}: {row['total']:g}/{row['max']:g} points{note}"
        if self.tty:
            filled = self.width * self.done // max(self.total, 1)
            bar = "#" * filled + "." * (self.width - filled)
            self.stream.write(f"\r[{bar}] {self.done}/{self.total} {what[:60]:<60}")
            if self.done == self.total:
                self.stream.write("\n")
        else:
            self.stream.write(f"[{self.done:>{len(str(self.total))}}/{self.total}] {what}\n")
        self.stream.flush()


def cache_path(csv_path: Path) -> Path:
    return Path(csv_path).with_name(Path(csv_path).name + ".cache.json")


def load_cache(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data["entries"] if data.get("version") == 1 else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8", newline="")
    os.replace(tmp, path)


def write_csv(path: Path, rows: list[dict], slugs: list[str]) -> None:
    """One row per submission: its score per exercise, total, max and what went wrong."""
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["submission", *slugs, "total", "max", "errors", "flagged_for_review"])
    for row in sorted(rows, key=lambda r: r["submission"]):
        scores = [f"{row['scores'][s]:g}" if s in row["scores"] else "" for s in slugs]
        errors = " | ".join(row["errors"])
        flags = " | ".join(row.get("flags", []))
        writer.writerow(
            [row["submission"], *scores, f"{row['total']:g}", f"{row['max']:g}", errors, flags]
        )
    write_atomic(Path(path), buffer.getvalue())
