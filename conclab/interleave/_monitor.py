"""The sys.monitoring backend (CPython 3.12+): the same pauses as the sys.settrace one.

    INSTRUCTION(code, offset) / LINE    -> library code or our own: DISABLE (that location,
        |                                  for good); scenario code outside a worker: return
        v
    in a worker's thread: Worker.on_instruction / Worker.on_line (pause before a shared
    access, or at a line), as the sys.settrace backend's opcode and line events do

Why not sys.settrace there: from 3.12 it is built on sys.monitoring, and on CPython 3.12.1
opcode tracing segfaults once a worker is resumed or unwound inside a `with` block (two
threads taking one Lock crash the interpreter; a single thread does not). The monitoring
API used directly does not crash there and gives the same interleavings as 3.13.

Events are per interpreter, not per thread: the callbacks look up the calling thread's
worker and return at once outside a controlled run. A code object that once ran in a
worker keeps its events (a cheap callback per instruction afterwards).
"""

from __future__ import annotations

import atexit
import sys
from contextlib import contextmanager

TOOL_NAME = "conclab.interleave"
_state = {"tool": None, "started": False, "depth": 0}  # depth: sessions open
_verdicts: dict = {}  # scenario code object -> is it the scenario's (see run._is_ours)


def _claim():
    """A free tool id (debuggers take 0, coverage 1, profilers 2), or None."""
    monitoring = getattr(sys, "monitoring", None)
    if monitoring is None:
        return None
    for tool in (4, 3, 5):
        if monitoring.get_tool(tool) in (None, TOOL_NAME):
            if monitoring.get_tool(tool) is None:
                monitoring.use_tool_id(tool, TOOL_NAME)
            return tool
    return None


def available() -> bool:
    """True where this backend is used (3.12+ with a free tool id)."""
    if _state["tool"] is None and sys.version_info >= (3, 12):
        _state["tool"] = _claim()
    return _state["tool"] is not None


def start(current_worker, is_ours) -> None:
    """Register the callbacks, once; INSTRUCTION and LINE events are for all code, on
    while a session() is open.

    Global, not per code object: sys.monitoring applies new local events to a code object
    only when it next starts (or jumps back), so events given to scenario code from its
    PY_START would miss its first straight-line run. Library code and our own code return
    DISABLE at their first event, which switches that location off for good."""
    if _state["started"] or not available():
        return
    monitoring, events, tool = sys.monitoring, sys.monitoring.events, _state["tool"]
    from . import _code

    info, disable = _code.info, monitoring.DISABLE
    verdicts = _verdicts

    def ours(code, frame):
        verdict = verdicts.get(code)
        if verdict is None:
            verdict = verdicts[code] = is_ours(frame)
        return verdict

    def on_instruction(code, offset):
        if info(code) is None:
            return disable
        worker = current_worker()
        if worker is None:  # scenario code outside a run (an invariant, a notebook cell)
            return None
        frame = sys._getframe(1)
        if not ours(code, frame):
            return disable
        worker.on_instruction(frame, code, offset)
        return None

    def on_line(code, line):
        if info(code) is None:
            return disable
        worker = current_worker()
        if worker is None:
            return None
        frame = sys._getframe(1)
        if not ours(code, frame):
            return disable
        worker.on_line(frame)
        return None

    def stop():  # at exit: no callbacks while the interpreter tears modules down
        monitoring.set_events(tool, 0)
        monitoring.register_callback(tool, events.INSTRUCTION, None)
        monitoring.register_callback(tool, events.LINE, None)

    atexit.register(stop)
    monitoring.register_callback(tool, events.INSTRUCTION, on_instruction)
    monitoring.register_callback(tool, events.LINE, on_line)
    _state["started"] = True
    _switch()


def _switch():
    """Events on while a session is open, off otherwise."""
    if _state["started"]:
        on = sys.monitoring.events.INSTRUCTION | sys.monitoring.events.LINE
        sys.monitoring.set_events(_state["tool"], on if _state["depth"] else 0)


@contextmanager
def session():
    """Events on inside (nested sessions are free): an exploration opens one for all its
    runs, each step of a run one of its own (what a stepper's click costs). Outside, plain
    threaded code runs with no callbacks, so no switch point of ours changes it."""
    _state["depth"] += 1
    if _state["depth"] == 1:
        _switch()
    try:
        yield
    finally:
        _state["depth"] -= 1
        if _state["depth"] == 0:
            _switch()
