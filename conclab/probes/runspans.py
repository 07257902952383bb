"""Spans of the learner's own run: which worker ran which call, when (for the grader's
report of a concurrency or order check). Probes record; the grader takes them.

    grading process ── collect_from_processes() ──▶ $CONCLAB_SPANS_DIR (a fresh folder)
       │ record() in its threads ──▶ _spans (memory, under _lock)
       │ worker processes (any start method) inherit the variable:
       │     record() there ──append one JSON line──▶ <folder>/<pid>.jsonl
       └ take() ◀── memory + every file (read, then deleted)

Times are `time.perf_counter()`, a clock every process of a machine shares (the
monotonic clock on Linux, uptime on macOS, the performance counter on Windows), so spans
of pool processes line up with the caller's threads.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
import time
from pathlib import Path

MAX_SPANS = 200  # a timeline stays readable; the rest are counted, not kept
_POOL_THREAD = re.compile(r"ThreadPoolExecutor-(\d+)_(\d+)")
SPOOL = "CONCLAB_SPANS_DIR"  # where other processes of the run write their spans
_lock = threading.Lock()  # guards _spans, _dropped and _written: calls end in many threads
_spans: list[dict] = []
_dropped = 0
_written = 0  # lines this process wrote to its spool file (a process of a pool)
_owner: int | None = None  # the pid that collects (the grading process), once it asked


def collect_from_processes(folder: str) -> None:
    """In the grading process, before any check runs: let worker processes report too,
    through a new folder inside `folder` (the run's scratch folder, removed with it)."""
    global _owner
    if _owner != os.getpid():
        try:
            os.environ[SPOOL] = tempfile.mkdtemp(prefix=".conclab-spans-", dir=folder)
        except OSError:
            return  # not writable: the threads' spans are still drawn
        _owner = os.getpid()


def record(label: str, start: float, end: float) -> None:
    """One call of a probe, run by the current thread from `start` to `end` (perf_counter)."""
    global _dropped, _written
    worker = _short(threading.current_thread().name)
    span = {"worker": worker, "label": label[:40], "start": start, "end": end}
    spool = os.environ.get(SPOOL)
    if spool and os.getpid() != _owner:  # a process of the run, not the grading process
        if worker == "MainThread":
            span["worker"] = f"process {os.getpid()}"
        with _lock:
            if _written >= MAX_SPANS:
                return
            _written += 1
        try:
            with open(Path(spool) / f"{os.getpid()}.jsonl", "a", encoding="utf-8") as out:
                out.write(json.dumps(span) + "\n")
        except OSError:
            pass  # the run is being cleaned up; the picture loses a bar, the grade nothing
        return
    with _lock:
        if len(_spans) < MAX_SPANS:
            _spans.append(span)
        else:
            _dropped += 1


def _short(name: str) -> str:
    """'ThreadPoolExecutor-3_1' as a timeline row names it: 'pool 3 thread 1'."""
    pool = _POOL_THREAD.fullmatch(name)
    return f"pool {pool[1]} thread {pool[2]}" if pool else name


class timed:
    """`with timed(label):` records the block as one span of the current thread."""

    def __init__(self, label: str):
        self.label = label

    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        record(self.label, self.start, time.perf_counter())
        return False


def _from_processes() -> list[dict]:
    spool = os.environ.get(SPOOL)
    if not spool or os.getpid() != _owner:
        return []
    found = []
    for path in Path(spool).glob("*.jsonl"):
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
            path.unlink()
        except OSError:
            continue
        for line in lines:
            try:
                span = json.loads(line)
                found.append({k: span[k] for k in ("worker", "label", "start", "end")})
            except (ValueError, KeyError, TypeError):
                continue  # a line cut by a kill, or written by the learner: not drawn
    return found


def take() -> tuple[list[dict], int]:
    """The spans recorded since the last take (times from the first start), and how many
    were dropped."""
    global _dropped
    with _lock:
        spans, dropped = list(_spans), _dropped
        _spans.clear()
        _dropped = 0
    spans += _from_processes()
    spans.sort(key=lambda s: s["start"])
    dropped += max(0, len(spans) - MAX_SPANS)
    spans = spans[:MAX_SPANS]
    if spans:
        zero = min(s["start"] for s in spans)
        spans = [{**s, "start": s["start"] - zero, "end": s["end"] - zero} for s in spans]
    return spans, dropped
