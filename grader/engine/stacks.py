"""Where every thread of every process stood when a check timed out, in the learner's terms.

    runner: SIGUSR1 to each process of the run ──▶ faulthandler dumps (grader/engine/stackhook.py)
            ◀── <stacks dir>/<pid>.txt ── parse ── keep the learner's frames and the one
            library frame each was blocked in ── name known patterns ── a few dozen lines

Used before a timed-out run is killed, under both launchers and every start method; a
process that did not answer in time is named as such.
"""

from __future__ import annotations

import linecache
import os
import re
import shutil
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from grader import messages
from grader.engine import stackhook

ANSWER_SECONDS = 0.5  # how long processes get to write their stacks
MAX_LINES = 40  # a report stays readable; the rest is cut and says so
THREAD = re.compile(r"^(Current thread|Thread) (0x[0-9a-f]+)")
FRAME = re.compile(r'^  File "(.*)", line (\d+) in (.*)$')

# (file name, function) of a library frame -> what the learner's line was waiting for
WAITS = {
    ("queue.py", "get"): "queue.Queue.get (an item that never came)",
    ("queue.py", "put"): "queue.Queue.put (room in a full queue)",
    ("queues.py", "get"): "multiprocessing Queue.get (an item that never came)",
    ("queues.py", "put"): "multiprocessing Queue.put (room in a full queue)",
    ("threading.py", "join"): "Thread.join (a thread that never ends)",
    ("threading.py", "_wait_for_tstate_lock"): "Thread.join (a thread that never ends)",
    ("threading.py", "wait"): "a Condition or Event that is never set",
    ("threading.py", "acquire"): "a Semaphore that is never released",
    ("threading.py", "__enter__"): "a lock held elsewhere",
    ("_base.py", "result"): "Future.result (a task that never finishes)",
    ("_base.py", "wait"): "concurrent.futures.wait (tasks that never finish)",
    ("_base.py", "as_completed"): "as_completed (tasks that never finish)",
    ("_base.py", "__exit__"): "the pool's shutdown, leaving the with block (running tasks)",
    ("thread.py", "shutdown"): "ThreadPoolExecutor.shutdown (running tasks)",
    ("process.py", "shutdown"): "ProcessPoolExecutor.shutdown (running tasks)",
    ("process.py", "join"): "Process.join (a process that never ends)",
    ("popen_fork.py", "wait"): "Process.join (a process that never ends)",
    ("popen_fork.py", "poll"): "Process.join (a process that never ends)",
    ("synchronize.py", "__enter__"): "a multiprocessing lock held elsewhere",
    ("synchronize.py", "acquire"): "a multiprocessing lock held elsewhere",
    ("connection.py", "recv"): "a pipe that nobody writes to",
    ("pool.py", "join"): "Pool.join (workers that never end)",
}
LOCKISH = ("acquire", "with ", "lock")
GRADER = os.path.dirname(os.path.abspath(__file__))  # frames of the grader's own hooks


@dataclass
class Frame:
    file: str
    line: int
    function: str


def request(pids: list[int], run_id: str) -> dict[int, str]:
    """Ask each process for its stacks and collect what arrives within ANSWER_SECONDS."""
    where = Path(stackhook.folder(run_id))
    if not where.is_dir() or not hasattr(signal, "SIGUSR1"):
        return {}
    asked = {}  # pid as the runner sees it -> its stack file
    for pid in pids:
        path = where / f"{_inner_pid(pid)}.txt"
        if path.exists():  # only processes that installed the handler: SIGUSR1 kills others
            try:
                os.kill(pid, signal.SIGUSR1)
                asked[pid] = path
            except OSError:
                continue
    deadline = time.monotonic() + ANSWER_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.05)
        if all(_read(path).strip() for path in asked.values()):
            time.sleep(0.05)  # let the last writes finish
            break
    return {pid: _read(path) for pid, path in asked.items()}


def _inner_pid(pid: int) -> int:
    """The pid a process sees for itself: inside the namespace backend, not the runner's."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("NSpid:"):
                return int(line.split()[-1])
    except (OSError, ValueError):
        pass
    return pid


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def parse(text: str) -> list[tuple[str, list[Frame]]]:
    """faulthandler's dump: [(thread id, frames most recent first)]."""
    threads: list[tuple[str, list[Frame]]] = []
    for line in text.splitlines():
        head = THREAD.match(line)
        if head:
            threads.append((head.group(2), []))
            continue
        frame = FRAME.match(line)
        if frame and threads:
            threads[-1][1].append(Frame(frame.group(1), int(frame.group(2)), frame.group(3)))
    return threads


def _ours(frame: Frame) -> bool:
    """A frame of the grader's hooks (imported from the run's package folder, a link)."""
    return os.path.realpath(frame.file).startswith(GRADER)


def _is_bootstrap(frame: Frame) -> bool:
    return frame.function == "_bootstrap" and frame.file.endswith(
        os.path.join("multiprocessing", "process.py")
    )


def _own_frames(frames: list[Frame]) -> list[Frame]:
    """A forked child's stack still shows the parent's frames below its start: cut them."""
    for i, frame in enumerate(frames):
        if _is_bootstrap(frame):
            return frames[: i + 1]
    return frames


def _waiting_for(frames: list[Frame], index: int) -> str:
    """What the learner's frame at `index` waits for: the library frame it called."""
    callees = [f for f in frames[:index] if not _ours(f)]  # skip our own wrappers
    if callees:
        callee = callees[-1]
        key = (os.path.basename(callee.file), callee.function)
        return WAITS.get(key, f"{key[0]} {key[1]}")
    source = linecache.getline(frames[index].file, frames[index].line).strip().lower()
    if any(word in source for word in LOCKISH):
        return "a lock held elsewhere (Lock.acquire)"
    return "a call that never returned"


def summarise(dumps: dict[int, str], learner: str) -> list[str]:
    """Lines for the report: per process, per thread, the learner's line and its wait."""
    lines: list[str] = []
    waits: list[str] = []
    in_pool_task = False
    silent = [pid for pid, text in dumps.items() if not text.strip()]
    for pid, text in sorted(dumps.items()):
        threads = parse(text)
        if not threads:
            continue
        threads = [(tid, _own_frames(frames)) for tid, frames in threads]
        started = any(_is_bootstrap(f) for _, frames in threads for f in frames)
        label = "a process your code started" if started else "the grading process"
        shown = []
        for _, frames in threads:
            if any(f.function == "_finalize_join" for f in frames):
                waits.append(messages.CAUSE_JOIN_BEFORE_DRAIN)  # exiting, its queue unread
            mine = [i for i, f in enumerate(frames) if os.path.abspath(f.file).startswith(learner)]
            if not mine:
                continue
            index = mine[0]
            frame = frames[index]
            wait = _waiting_for(frames, index)
            waits.append(wait)
            in_pool = any(os.path.basename(f.file) == "thread.py" and f.function == "_worker"
                          for f in frames)  # fmt: skip
            in_pool_task = in_pool_task or (in_pool and "Future.result" in wait)
            code = linecache.getline(frame.file, frame.line).strip()
            shown.append(
                f"    line {frame.line} in {frame.function}: `{code}` waits for {wait}"
                + (" (inside a pool task)" if in_pool else "")
            )
        if shown:
            lines.append(f"  {label} (pid {pid}):")
            lines += shown
    for pid in silent:
        lines.append(f"  a process (pid {pid}) did not report its stacks in time")
    causes = _causes(waits, in_pool_task)
    if not lines and not causes:
        return []
    out = [messages.STACKS_HEADER, *lines, *causes]
    if len(out) > MAX_LINES:
        out = out[:MAX_LINES] + [messages.STACKS_CUT.format(lines=len(out) - MAX_LINES)]
    return out


def _causes(waits: list[str], in_pool_task: bool) -> list[str]:
    found = []
    if messages.CAUSE_JOIN_BEFORE_DRAIN in waits:
        found.append(messages.CAUSE_JOIN_BEFORE_DRAIN)
    if in_pool_task:
        found.append(messages.CAUSE_POOL_WAITS_ON_ITSELF)
    if sum("lock held elsewhere" in w for w in waits) >= 2:
        found.append(messages.CAUSE_LOCK_ORDER)
    if any("an item that never came" in w for w in waits) and any("never ends" in w for w in waits):
        found.append(messages.CAUSE_SENTINEL)
    return [f"  likely cause: {cause}" for cause in found]


def prepare(run_id: str) -> None:
    os.makedirs(stackhook.folder(run_id), mode=0o700, exist_ok=True)


def remove(run_id: str) -> None:
    shutil.rmtree(stackhook.folder(run_id), ignore_errors=True)
