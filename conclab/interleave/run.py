"""One controlled execution: real threads, one running at a time, switched by the caller.

The controller (the thread that calls `Run.step`) and the workers hand a single turn
back and forth through two plain locks: `worker.go` (released by the controller to let
that worker run one step) and `run.back` (released by the worker when it pauses again,
blocks in a primitive, or finishes). At any moment at most one of them runs scenario
code, so the shared state seen between steps is exactly the state after the step.

One module, about 330 lines: the hand-off protocol between the controller and the
workers is one idea; split, its two sides would be read apart.
"""

from __future__ import annotations

import _thread
import contextlib
import linecache
import sys
import threading
from dataclasses import dataclass, field

from . import _code, _monitor

# How workers are paused: sys.monitoring on 3.12+ (_monitor.py), sys.settrace before.
# On 3.12 sys.settrace is built on sys.monitoring, and CPython 3.12.1 segfaults under opcode
# tracing once a worker is resumed or unwound inside a `with` block (found with two threads
# taking one Lock). sys.monitoring used directly does not crash there.
USE_MONITORING = _monitor.available()
# Only where monitoring cannot be had (every tool id taken) on 3.12.0 or 3.12.1: a run that
# would block stops with this message instead of crashing the process.
BLOCKING_CRASHES = (
    "CPython 3.12.0 and 3.12.1 crash when a thread traced with sys.settrace instruction by "
    "instruction blocks (an interpreter bug), and no sys.monitoring tool id is free here: "
    "explore scenarios with locks, conditions or queues on another Python version, or with "
    "granularity='line'"
    if (3, 12, 0) <= sys.version_info[:3] < (3, 12, 2) and not USE_MONITORING
    else ""
)

WATCHDOG_SECONDS = 10.0  # a step that never comes back ran into a real (uninstrumented) wait


class Abort(BaseException):
    """Raised in a worker to end a run early (pruned, deadlocked, budget, reset)."""


class ScheduleError(ValueError):
    """A schedule named a thread that cannot run at that step."""


class StuckError(RuntimeError):
    """A worker did not come back: it waits on something the explorer does not control."""


@dataclass
class Step:
    index: int
    thread: str
    line: int
    code: str  # the source line
    instruction: str
    state: dict = field(default_factory=dict)  # shared state after the step


@dataclass
class Blocked:
    ready: object  # callable() -> bool, evaluated by the controller
    what: str  # "Lock.acquire()" ...
    can_time_out: bool
    line: int
    code: str


_workers: dict[int, Worker] = {}  # thread ident -> its worker, for the primitives


def session():
    """Keep the 3.12+ monitoring events on across many steps (an exploration, a replay)."""
    return _monitor.session() if USE_MONITORING else contextlib.nullcontext()


def current_worker():
    """The worker running on this thread, or None outside a controlled run."""
    return _workers.get(_thread.get_ident())


class Worker:
    def __init__(self, run: Run, name: str, fn):
        self.run, self.name, self.fn = run, name, fn
        self.go = _thread.allocate_lock()
        self.go.acquire()
        self.status = "new"  # new -> ready | blocked -> done
        self.blocked: Blocked | None = None
        self.frame = None  # where it is paused (scenario frame)
        self.offset = -1
        self.error: BaseException | None = None
        self.since_line: list = []  # shared-state keys read since the current line began
        self.primed: set = set()
        self.thread = threading.Thread(target=self._main, name=f"interleave-{name}", daemon=True)

    # -- in the worker's own thread -------------------------------------------------
    def _main(self):
        _workers[_thread.get_ident()] = self
        self.go.acquire()
        try:
            if not self.run.aborting:
                if not USE_MONITORING:
                    sys.settrace(self._global_trace)
                self.fn(self.run.state)
        except Abort:
            pass
        except BaseException as exc:  # the scenario's own error is an outcome, not a crash
            self.error = exc
        finally:
            if not USE_MONITORING:
                sys.settrace(None)
            _workers.pop(_thread.get_ident(), None)
            self.status, self.frame, self.blocked = "done", None, None
            self.run.back.release()

    def _global_trace(self, frame, event, arg):
        code_info = _code.info(frame.f_code)
        if code_info is None:
            return None
        if not _is_ours(frame):
            return None
        if self.run.granularity == "bytecode":
            frame.f_trace_opcodes = True
            frame.f_trace = self._local_trace
            if frame.f_code not in self.primed:  # 3.12+ instruments the code on settrace
                self.primed.add(frame.f_code)
                sys.settrace(self._global_trace)
        return self._local_trace

    def _local_trace(self, frame, event, arg):
        if event == "opcode":
            code_info = _code.info(frame.f_code)
            offset = frame.f_lasti
            if offset in code_info.line_starts:
                self.since_line = []
            if offset in code_info.visible or self.run.granularity == "every":
                self.pause(frame, offset)
        elif event == "line" and self.run.granularity == "line":
            self.since_line = []
            self.pause(frame, -1)
        return self._local_trace

    def on_instruction(self, frame, code, offset):
        """sys.monitoring's INSTRUCTION event (3.12+): what _local_trace does on "opcode"."""
        if self.run.granularity == "line":
            return
        code_info = _code.info(code)
        if offset in code_info.line_starts:
            self.since_line = []
        if offset in code_info.visible or self.run.granularity == "every":
            self.pause(frame, offset)

    def on_line(self, frame):
        """sys.monitoring's LINE event (3.12+)."""
        if self.run.granularity == "line":
            self.since_line = []
            self.pause(frame, -1)

    def pause(self, frame, offset):
        if self.run.aborting:  # unwinding after Abort: finally blocks run straight through
            return
        self.frame, self.offset, self.status = frame, offset, "ready"
        self._hand_back()

    def _hand_back(self):
        self.run.back.release()
        self.go.acquire()
        if self.run.aborting:
            if not USE_MONITORING:
                sys.settrace(None)
            raise Abort

    def wait_until(self, ready, what: str, can_time_out: bool) -> bool:
        """Block (in the model) until ready(); False if the controller let it time out."""
        if ready():
            return True
        if BLOCKING_CRASHES and self.run.granularity != "line":
            self.run.fatal = BLOCKING_CRASHES
            raise Abort
        frame = _code.caller_frame()
        line = frame.f_lineno if frame is not None else 0
        source = linecache.getline(frame.f_code.co_filename, line).strip() if frame else ""
        self.blocked = Blocked(ready, what, can_time_out, line, source)
        self.status = "blocked"
        self._hand_back()
        self.blocked, self.status = None, "ready"
        return bool(ready())

    # -- seen by the controller -----------------------------------------------------
    def runnable(self) -> bool:
        if self.status == "ready":
            return True
        if self.status == "blocked":
            return self.blocked.can_time_out or bool(self.blocked.ready())
        return False

    def where(self) -> tuple[int, str, str]:
        """(line, source line, instruction) of what this worker runs next."""
        if self.status == "blocked":
            b = self.blocked
            ready = b.ready()
            return b.line, b.code, f"{b.what} {'wakes' if ready else 'times out'}"
        if self.frame is None:
            return 0, "", "finished" if self.status == "done" else "not started"
        line = self.frame.f_lineno
        code = linecache.getline(self.frame.f_code.co_filename, line).strip()
        if self.offset < 0:
            return line, code, "line"
        text = _code.info(self.frame.f_code).instructions.get(self.offset, "?")
        return line, code, text

    def key(self):
        """What this worker's future depends on, for pruning repeated states."""
        from .search import fingerprint

        if self.status == "done":
            return ("done", type(self.error).__name__ if self.error else None)
        frames = _code.scenario_frames(self.frame) if self.frame is not None else []
        where = tuple((id(f.f_code), f.f_lasti) for f in frames)
        local = tuple(
            fingerprint({k: v for k, v in f.f_locals.items() if k != "self"}) for f in frames
        )
        blocked = (self.blocked.what, self.blocked.line) if self.blocked else None
        return (self.status, where, local, tuple(self.since_line), blocked)


class Run:
    """Threads of one scenario, paused before their first shared access, stepped by name."""

    def __init__(self, state, threads: dict, granularity="bytecode", snapshot=None, track=False):
        if granularity not in ("bytecode", "line", "every"):
            raise ValueError("granularity is 'bytecode', 'line' or 'every'")
        self.state, self.granularity, self.snapshot = state, granularity, snapshot
        self.track = track  # note what each step could read, for pruning (Worker.key)
        self.back = _thread.allocate_lock()
        self.back.acquire()
        if USE_MONITORING:
            _monitor.start(current_worker, _is_ours)
        self.session = _monitor.session if USE_MONITORING else contextlib.nullcontext
        self.aborting = False
        self.fatal = ""  # set by a worker that cannot go on (BLOCKING_CRASHES)
        self.steps: list[Step] = []
        self.workers = {name: Worker(self, name, fn) for name, fn in threads.items()}
        for worker in self.workers.values():  # each runs its thread-private prologue
            worker.thread.start()
            self._resume(worker)

    def _resume(self, worker: Worker):
        with self.session():
            worker.go.release()
            came_back = self.back.acquire(timeout=WATCHDOG_SECONDS)
        if not came_back:
            self.abort()
            raise StuckError(
                f"thread {worker.name} did not pause within {WATCHDOG_SECONDS:g} s: it waits "
                "on something the explorer does not control (a real lock, a sleep, I/O?). "
                "Create locks and queues with conclab.interleave's versions, in setup."
            )
        if self.fatal:
            raise RuntimeError(self.fatal)

    def runnable(self) -> list[str]:
        return [n for n, w in self.workers.items() if w.runnable()]

    def finished(self) -> bool:
        return all(w.status == "done" for w in self.workers.values())

    def deadlocked(self) -> bool:
        return not self.finished() and not self.runnable()

    def step(self, name: str) -> Step:
        worker = self.workers.get(name)
        if worker is None or not worker.runnable():
            raise ScheduleError(f"step {len(self.steps) + 1}: {name} {self.describe(name)}")
        line, code, instruction = worker.where()
        reads = instruction.split(" ")[0] not in _code.PURE_WRITES
        if self.track and reads:  # what it reads now may sit on its stack until its line ends
            from .search import fingerprint

            worker.since_line.append(fingerprint(self.state))
        self._resume(worker)
        state = self.snapshot(self.state) if self.snapshot else {}
        step = Step(len(self.steps) + 1, name, line, code, instruction, state)
        self.steps.append(step)
        return step

    def describe(self, name: str) -> str:
        worker = self.workers.get(name)
        if worker is None:
            return f"is not a thread of this scenario ({', '.join(self.workers)})"
        if worker.status == "done":
            return "has finished"
        if worker.status == "blocked":
            b = worker.blocked
            return f"is blocked in {b.what} at line {b.line}: {b.code}"
        return "can run"

    def abort(self):
        """End every worker (they raise Abort where they are paused) and wait for them."""
        if self.fatal:
            # BLOCKING_CRASHES: unwinding a paused worker is what crashes there. Leave the
            # other workers paused for good instead (daemon threads, waiting on their lock).
            return
        self.aborting = True
        with self.session():  # the workers unwind with events on, as they were paused
            for worker in self.workers.values():
                if worker.status != "done" and worker.thread.is_alive():
                    worker.go.release()
                    if not self.back.acquire(timeout=WATCHDOG_SECONDS):
                        break
        for worker in self.workers.values():
            worker.thread.join(WATCHDOG_SECONDS)


_MAIN_CODE = Worker._main.__code__  # calls the scenario's thread functions


def _is_ours(frame) -> bool:
    """False for exec'd code that this package calls, such as the __init__ a dataclass
    generates ("<string>") for our own Blocked: not the scenario's, so none of its steps
    is shown or offered as a switch."""
    back = frame.f_back
    return not (
        frame.f_code.co_filename.startswith("<")
        and back is not None
        and back.f_code is not _MAIN_CODE
        and _code.own_file(back.f_code.co_filename)
    )
