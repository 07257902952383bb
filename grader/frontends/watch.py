"""`python -m grader watch [SLUG]`: re-grade an exercise each time its file is saved.

    watcher ──grade──▶ runner (isolated child per round)
       │ ◀── polls the file's (mtime, size) every --interval seconds
       │ ◀── commands from a daemon thread reading stdin lines (h, n, q, Enter)
       └── records each round in .grader/progress.json; on a pass, moves on to the
           next exercise not yet passed, like rustlings.

No TTY is needed: without stdin the commands are simply never seen, and --hints prints
the next hint after every failing round.
"""

from __future__ import annotations

import queue
import sys
import threading
from pathlib import Path

from grader import messages
from grader.engine.runner import grade_exercise
from grader.frontends import report
from grader.frontends.hints import HintStepper
from grader.frontends.progress_store import cmd_list, is_passed, load, record, state_path
from grader.manifest import EXERCISES_DIR, Exercise, relative, select

CHECKING = "== Checking {path} =="
WAITING = (
    "Edit and save {path} to check again. Type h + Enter for a hint, n + Enter for the "
    "next exercise, Enter to check now, q + Enter to quit."
)
HINT = "Hint {n}/{total} for task {task}: {text}"
PASSED = "{slug} passes every check. Moving on to {next}."
ALL_DONE = "Every exercise passes. Well done! (`python -m grader list` shows your points.)"
STOPPED = "Stopped after {rounds} round(s); progress is remembered in {state}."


def _stamp(path: Path) -> tuple[int, int] | None:
    """What changes when the file is saved: its modification time and size."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def _read_commands(stream, commands: queue.Queue) -> None:
    """Put each stripped, lower-cased line of stream in commands until end of file."""
    try:
        for line in stream:
            commands.put(line.strip().lower())
    except (OSError, ValueError):
        pass  # stdin closed or not readable: commands are simply never seen


def next_pending(exercises: list[Exercise], after: Exercise, target: Path, state) -> Exercise:
    """The first exercise after `after` (wrapping round) not yet passed, or None."""
    entries = load(state, target)
    start = exercises.index(after) + 1
    for exercise in exercises[start:] + exercises[:start]:
        if exercise is not after and not is_passed(exercise, target, entries):
            return exercise
    return None


class Watcher:
    """One watch session: the current exercise, its hints and the rounds so far."""

    def __init__(self, target: Path, state: Path | None, show_hints: bool, interval: float):
        self.target = Path(target)
        self.state = state
        self.show_hints = show_hints
        self.interval = interval  # seconds between two looks at the file
        self.exercises = select(None)
        self.rounds = 0
        self.commands: queue.Queue = queue.Queue()  # lines typed by the learner

    def say(self, text: str = "") -> None:
        print(text, flush=True)

    def listen(self, stream) -> None:
        if stream is not None:
            threading.Thread(
                target=_read_commands, args=(stream, self.commands), daemon=True
            ).start()

    def hint(self, stepper: HintStepper, result) -> None:
        failure = result.first_failure
        if failure is None:
            return
        task = failure.task
        text = stepper.next(task)
        shown = min(stepper.count(task) - stepper.remaining(task), stepper.count(task))
        self.say(HINT.format(n=shown, total=stepper.count(task), task=task, text=text))

    def run(self, current: Exercise, max_rounds: int | None = None) -> int:
        """Grade, wait for a save or a command, repeat; returns the exit status."""
        stepper = HintStepper(current)
        while True:
            module = current.module_in(self.target)
            seen = _stamp(module)
            self.say(CHECKING.format(path=relative(module)))
            result = grade_exercise(current, self.target, include_hidden=False)
            self.rounds += 1
            try:
                record(result, current, self.target, self.state)
            except OSError as exc:
                self.say(f"(could not remember progress: {exc})")
            for line in report.exercise_text(result):
                self.say(line)
            done = max_rounds is not None and self.rounds >= max_rounds
            if result.status == messages.PASSED:
                following = next_pending(self.exercises, current, self.target, self.state)
                if following is None:
                    self.say(ALL_DONE)
                    return 0
                self.say(PASSED.format(slug=current.slug, next=following.slug))
                current, stepper = following, HintStepper(following)
                if done:
                    return self._stop()
                continue
            if self.show_hints:
                self.hint(stepper, result)
            if done:
                return self._stop()
            self.say(WAITING.format(path=relative(module)))
            action = self._wait(module, seen, stepper, result)
            if action == "q":
                return self._stop()
            if action == "n":
                following = next_pending(self.exercises, current, self.target, self.state)
                if following is not None:
                    current, stepper = following, HintStepper(following)

    def _wait(self, module: Path, seen, stepper: HintStepper, result) -> str:
        """Block until the file changes ("save") or a command asks for something else."""
        while True:
            try:
                command = self.commands.get(timeout=self.interval)
            except queue.Empty:
                command = None
            if command in ("h", "hint"):
                self.hint(stepper, result)
            elif command in ("q", "quit", "n", "next"):
                return command[0]
            elif command == "":
                return "again"
            if _stamp(module) != seen:
                return "save"

    def _stop(self) -> int:
        state = self.state or state_path()
        self.say(STOPPED.format(rounds=self.rounds, state=relative(state)))
        return 0


def cmd_watch(args) -> int:
    """Entry point of `grader watch`."""
    target = Path(args.target).resolve() if args.target else EXERCISES_DIR
    state = Path(args.state) if args.state else None
    watcher = Watcher(target, state, args.hints, args.interval)
    if args.exercise:
        (current,) = select([args.exercise])
    else:
        entries = load(state, target)
        pending = [e for e in watcher.exercises if not is_passed(e, target, entries)]
        if not pending:
            watcher.say(ALL_DONE)
            return 0
        current = pending[0]
    watcher.listen(sys.stdin)
    return watcher.run(current, args.max_rounds)


def add_parsers(sub, lst) -> None:
    """Register `watch`, and make `list` show remembered status and points."""
    lst.add_argument("--target", help="folder laid out like exercises/ (default: exercises/)")
    lst.add_argument("--state", help="progress file (default: .grader/progress.json)")
    lst.set_defaults(func=cmd_list)
    watch = sub.add_parser("watch", help="re-grade an exercise each time its file is saved")
    watch.add_argument("exercise", nargs="?", help="slug, folder or number (default: next)")
    watch.add_argument("--hints", action="store_true", help="show the next hint after a fail")
    watch.add_argument("--target", help="folder laid out like exercises/ (default: exercises/)")
    watch.add_argument("--state", help="progress file (default: .grader/progress.json)")
    watch.add_argument("--interval", type=float, default=0.5, help="seconds between polls")
    watch.add_argument("--max-rounds", type=int, help="stop after this many gradings")
    watch.set_defaults(func=cmd_watch)
