"""What a run says while it runs: the recorder's events (only lines with the run's secret
count) and the learner's output, read by the runner's one thread that watches the run.

    worker's recorder ──events channel──▶ Reader.read ─▶ apply_event ─▶ Attempt (results,
    learner's code ─────output pipe─────▶ OutputBuffer (kept up to a bound)    deadline)
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass, field

from grader import messages

MAX_EVENT_BYTES = 1 << 20  # an event line longer than this is not the recorder's: dropped
START_GRACE = 15.0  # seconds to start Python and pytest, on top of the first check's timeout
EXIT_GRACE = 3.0  # seconds the worker may take to exit after its last check


@dataclass
class Attempt:
    """What one supervised run reported before it ended."""

    results: dict[str, dict] = field(default_factory=dict)
    current: str | None = None
    imported: bool = False
    finished: bool = False
    exit_code: int | None = None
    ending: str = ""  # why the run was stopped, or how the worker died
    ending_status: str = messages.ERROR
    sandbox: str = ""  # the backend the supervisor reported
    collect_error: str = ""  # the checks themselves could not be collected
    vanished: list[str] = field(default_factory=list)  # exceptions nobody saw, as reported


class OutputBuffer:
    """Keeps the first `limit` bytes of the learner's output and counts the rest."""

    def __init__(self, limit: int):
        self.limit = limit
        self.kept = bytearray()
        self.dropped = 0
        self._lock = threading.Lock()  # guards kept/dropped: a pump thread may feed

    def feed(self, data: bytes) -> None:
        with self._lock:
            room = max(self.limit - len(self.kept), 0)
            self.kept += data[:room]
            self.dropped += max(len(data) - room, 0)

    def text(self) -> str:
        text = self.kept.decode("utf-8", errors="replace")
        if self.dropped:
            text += "\n" + messages.OUTPUT_CUT.format(dropped=self.dropped)
        return text


def pump(stream, out) -> None:
    """Copy the run's output into `out` until the pipe ends (the portable path)."""
    try:
        while data := os.read(stream.fileno(), 65536):
            out.feed(data)
    except (OSError, ValueError):
        pass


class Reader:
    """Reads a run's events (a check's start resets the deadline) and, where it can, its output."""

    def __init__(self, selector, chan, secret: str, attempt: Attempt, timeout: float, out):
        self.selector, self.chan, self.secret, self.attempt = selector, chan, secret, attempt
        self.timeout, self.out = timeout, out
        self.deadline = time.monotonic() + timeout + START_GRACE  # reset by each check start
        self.open_streams = 0
        self.pending = b""  # an event line not yet complete

    def read(self, wait: float) -> bool:
        """Read what is ready within `wait` seconds; False when nothing was."""
        if not self.selector.get_map():
            time.sleep(wait)
            return False
        ready = self.selector.select(timeout=wait)
        for key, _ in ready:
            if key.data == "output":
                data = os.read(key.fd, 65536)
                if data:
                    self.out.feed(data)
                else:
                    self.selector.unregister(key.fileobj)
                    self.open_streams -= 1
                continue
            data, change = self.chan.read(key, self.selector)
            self.open_streams += change
            if data:
                self._events(data)
        return bool(ready)

    def _events(self, data: bytes) -> None:
        """Split event lines; a line that grows past MAX_EVENT_BYTES is dropped up to its
        newline (it is not the recorder's), so a flood costs linear time and loses nothing."""
        while data:
            head, newline, data = data.partition(b"\n")
            if self.pending is not None:
                self.pending += head
                if len(self.pending) > MAX_EVENT_BYTES:
                    self.pending = None  # skip the rest of this line
            if not newline:
                return
            if self.pending is not None:
                self.deadline = apply_event(
                    self.pending, self.secret, self.attempt, self.timeout, self.deadline
                )
            self.pending = b""


def apply_event(line: bytes, secret: str, attempt: Attempt, timeout: float, deadline: float):
    try:
        event = json.loads(line)
    except ValueError:
        return deadline
    if not isinstance(event, dict) or event.get("secret") != secret:
        return deadline  # not written by the grader's own recorder
    kind = event.get("event")
    if kind == "start":
        attempt.current = event["name"]
        return time.monotonic() + timeout
    if kind == "sandbox":
        attempt.sandbox = str(event.get("name", ""))
    elif kind == "collect_error":
        attempt.collect_error = str(event.get("message", ""))
    elif kind == "vanished" and len(attempt.vanished) < 50:
        attempt.vanished.append(str(event.get("text", ""))[:500])
    elif kind == "imported":
        attempt.imported = True
    elif kind == "result":
        earlier = attempt.results.get(event["name"])
        if earlier is None or earlier["status"] == messages.PASSED:  # a parametrized check
            attempt.results[event["name"]] = event  # passes only if every case passed
        attempt.current = None
    elif kind == "done":
        attempt.finished = True
        return min(deadline, time.monotonic() + EXIT_GRACE)
    elif kind == "exit":
        attempt.exit_code = int(event["code"])
    return deadline
