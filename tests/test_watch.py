"""`grader watch` re-grades on save, shows hints on request and moves on when a file passes."""

from __future__ import annotations

import json
import queue
import shutil
import subprocess
import sys
import threading
import time

from grader import messages
from grader.frontends.hints import load_hints
from grader.frontends.watch import ALL_DONE, CHECKING, HINT, PASSED, STOPPED
from grader.manifest import EXERCISES_DIR, PROJECT_ROOT, SOLUTIONS_DIR

from .conftest import all_exercises

PROMPT = "Edit and save"  # the start of grader.frontends.watch.WAITING


def _target(tmp_path):
    """A copy of the first two exercises' stubs, as a learner has them."""
    exercises = all_exercises()[:2]
    for exercise in exercises:
        shutil.copytree(EXERCISES_DIR / exercise.folder, tmp_path / "target" / exercise.folder)
    return exercises, tmp_path / "target"


def _start(target, state, *extra, stdin=subprocess.PIPE):
    cmd = [sys.executable, "-m", "grader", "watch", "--target", str(target)]
    cmd += ["--state", str(state), "--interval", "0.1", *extra]
    return subprocess.Popen(
        cmd, cwd=PROJECT_ROOT, stdin=stdin, stdout=subprocess.PIPE, text=True, bufsize=1
    )


class Lines:
    """The watcher's output lines, read by a thread so that a wait can time out."""

    def __init__(self, stream):
        self.queue: queue.Queue = queue.Queue()  # lines as they arrive; None at the end
        self.seen: list[str] = []
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream):
        for line in stream:
            self.queue.put(line.rstrip("\n"))
        self.queue.put(None)

    def until(self, prefix: str, timeout: float = 90.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.queue.get(timeout=0.5)
            except queue.Empty:
                continue
            if line is None:
                break
            self.seen.append(line)
            if line.startswith(prefix):
                return line
        shown = "\n".join(self.seen)
        raise AssertionError(f"no line starting with {prefix!r}; output was:\n{shown}")


def test_watch_regrades_on_save_gives_hints_on_request_and_moves_on(tmp_path):
    (first, second), target = _target(tmp_path)
    state = tmp_path / "progress.json"
    proc = _start(target, state, first.slug, "--max-rounds", "3")
    lines = Lines(proc.stdout)
    try:
        lines.until(CHECKING.split("{")[0])
        assert lines.until("[FAIL]").split()[2] == first.slug
        lines.until(PROMPT)
        hints = load_hints(first)[1].hints
        proc.stdin.write("h\n")
        proc.stdin.flush()
        got = lines.until("Hint ")
        assert got == HINT.format(n=1, total=len(hints), task=1, text=hints[0])
        proc.stdin.write("hint\n")
        proc.stdin.flush()
        assert lines.until("Hint ") == HINT.format(n=2, total=len(hints), task=1, text=hints[1])
        assert sum(line.startswith("== Checking") for line in lines.seen) == 1, "no save yet"
        shutil.copy(SOLUTIONS_DIR / first.folder / f"{first.slug}.py", target / first.folder)
        assert lines.until("[pass]").split()[2] == first.slug
        moving_on = PASSED.format(slug=first.slug, next=second.slug)
        assert lines.until(f"{first.slug} passes") == moving_on
        assert lines.until("[FAIL]").split()[2] == second.slug
        assert lines.until("Stopped after") == STOPPED.format(rounds=3, state=state)
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()
        proc.wait()
    entries = json.loads(state.read_text(encoding="utf-8"))["targets"][str(target.resolve())]
    assert entries[first.slug]["status"] == messages.PASSED
    assert entries[first.slug]["score"] == first.max_score
    assert entries[second.slug]["status"] == messages.FAILED


def test_watch_without_a_terminal_prints_the_hint_with_the_flag_and_resumes_progress(tmp_path):
    (first, second), target = _target(tmp_path)
    state = tmp_path / "progress.json"
    shutil.copy(SOLUTIONS_DIR / first.folder / f"{first.slug}.py", target / first.folder)
    proc = _start(target, state, first.slug, "--max-rounds", "1", stdin=subprocess.DEVNULL)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0 and f"[pass] {first.order:02d} {first.slug}" in out, out
    # Without a slug the watcher resumes at the first exercise not yet passed.
    proc = _start(target, state, "--max-rounds", "1", "--hints", stdin=subprocess.DEVNULL)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, out
    assert f"[FAIL] {second.order:02d} {second.slug}" in out and first.slug not in out
    task = next(c.task for c in second.checks)
    hint = load_hints(second)[task].hints[0]
    assert HINT.format(n=1, total=len(load_hints(second)[task].hints), task=task, text=hint) in out


def test_all_done_message_when_every_exercise_passed(tmp_path):
    state = tmp_path / "progress.json"
    target = tmp_path / "target"
    target.mkdir()
    entries = {}
    for exercise in all_exercises():
        folder = target / exercise.folder
        folder.mkdir()
        (folder / f"{exercise.slug}.py").write_text("# solved\n", encoding="utf-8")
        stat = (folder / f"{exercise.slug}.py").stat()
        entries[exercise.slug] = {"status": messages.PASSED, "file_mtime_ns": stat.st_mtime_ns}
    data = {"version": 2, "targets": {str(target.resolve()): entries}}
    state.write_text(json.dumps(data), encoding="utf-8")
    proc = _start(target, state, stdin=subprocess.DEVNULL)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0 and out.strip() == ALL_DONE
