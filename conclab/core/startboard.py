"""Where running tasks say that they started, so a live timeline can draw them growing.

    main process                              worker (thread, or process under any start method)
    board = StartBoard(tasks)  ─ a temp file of fixed-size records, one per task
    pool.submit(traced_started, board, f, x, i) ─▶ board.mark(i): writes record i (worker, start)
    LiveTimeline reads board.running() ◀──────── then traced(f, x, task=i) as usual

The board pickles as its file's path, so a process pool under spawn or forkserver reaches
it as easily as a thread does. Each task writes only its own record, at its own offset,
so writers need no lock; a reader that meets a record half written sees start 0 and
treats the task as not started yet (the start is written last). Times are
`time.perf_counter()`, the clock the tracer's spans use.
"""

from __future__ import annotations

import os
import struct
import tempfile
import time

from conclab.core.tracer import traced, worker_name

NAME_BYTES = 96
RECORD = struct.Struct(f"<d{NAME_BYTES}s")  # start (0 = not started), worker name


class StartBoard:
    """One record per task: when it started and on which worker (see the module docstring)."""

    def __init__(self, tasks: int):
        handle, self.path = tempfile.mkstemp(prefix="conclab-board-", suffix=".bin")
        with os.fdopen(handle, "wb") as file:
            file.write(bytes(RECORD.size * tasks))
        self.tasks = tasks

    def __getstate__(self):
        return {"path": self.path, "tasks": self.tasks}

    def __setstate__(self, state):
        self.__dict__.update(state)

    def mark(self, task: int) -> None:
        """Record that task started now, on this worker."""
        name = worker_name().encode("utf-8")[:NAME_BYTES]
        try:
            with open(self.path, "r+b") as file:
                file.seek(task * RECORD.size + 8)
                file.write(RECORD.pack(0.0, name)[8:])
                file.flush()
                file.seek(task * RECORD.size)
                file.write(struct.pack("<d", time.perf_counter()))
        except OSError:
            pass  # the plot has closed its board (its run ended early): nothing to show

    def running(self) -> dict[int, tuple[str, float]]:
        """{task: (worker name, start)} for every task that has started."""
        try:
            with open(self.path, "rb") as file:
                data = file.read()
        except FileNotFoundError:
            return {}
        started = {}
        for task in range(min(self.tasks, len(data) // RECORD.size)):
            start, name = RECORD.unpack_from(data, task * RECORD.size)
            if start > 0:
                started[task] = (name.rstrip(b"\0").decode("utf-8", "replace"), start)
        return started

    def close(self) -> None:
        try:
            os.unlink(self.path)
        except OSError:  # gone already, or (Windows) a late task still has it open
            pass


def traced_started(board: StartBoard, func, x, task: int):
    """Mark task as started on board, then run `traced(func, x, task=task)`."""
    board.mark(task)
    return traced(func, x, task=task)
