"""Workers for notebook 08: one small function per multiprocessing primitive.

    produce ──put──▶ tasks Queue ──get──▶ consume (x2) ──put──▶ results Queue ──▶ parent
                     one SENTINEL per consumer         (pid, SENTINEL, None) = "I am done"

Every function here is module-level, so `Process(target=...)` and the pools can pickle it
by name under fork, spawn and forkserver. Nothing here measures speed except
`dict_ops_per_second`; the demos prove their point by what the processes report.
"""

from __future__ import annotations

import os
import sys
import time

SENTINEL = None  # "no more work": one per consumer, since each consumer eats one


# -- Process ----------------------------------------------------------------------------


def exit_with(code: int) -> None:
    """A process target that ends with the given exit code."""
    sys.exit(code)


def fail() -> None:
    """A process target that raises: its traceback goes to the child's stderr."""
    raise ValueError("this worker failed on purpose")


def sleep_for(seconds: float) -> None:
    """A process target that is still running when the parent looks (for terminate)."""
    time.sleep(seconds)


# -- Queue ------------------------------------------------------------------------------


def produce(tasks, items, consumers: int) -> None:
    """Put every item, then one SENTINEL per consumer so that each of them stops."""
    for item in items:
        tasks.put(item)
    for _ in range(consumers):
        tasks.put(SENTINEL)


def consume(tasks, results) -> None:
    """Square items until the sentinel, then report (pid, SENTINEL, None) and stop."""
    pid = os.getpid()
    while True:
        item = tasks.get()
        if item is SENTINEL:
            break
        results.put((pid, item, item * item))
    results.put((pid, SENTINEL, None))


def put_then_signal(queue, nbytes: int, put_returned) -> None:
    """Put nbytes on the queue, set the event once put() has returned, then try to exit.

    put() only hands the data to a feeder thread; the process cannot exit until that
    thread has written everything into the pipe, i.e. until someone reads it.
    """
    queue.put(b"x" * nbytes)
    put_returned.set()


# -- Pipe -------------------------------------------------------------------------------


def shout_back(conn) -> None:
    """Receive strings on a Pipe end and send each back upper-cased; None ends it."""
    try:
        while True:
            message = conn.recv()
            if message is None:
                break
            conn.send((os.getpid(), message.upper()))
    finally:
        conn.close()


# -- Event ------------------------------------------------------------------------------


def wait_for_go(go, reports) -> None:
    """Report 'ready', block on the event, then report what the event looked like."""
    reports.put(("ready", os.getpid(), go.is_set()))
    released = go.wait(timeout=60)
    reports.put(("released", os.getpid(), released))


# -- Lock, Value, Array -----------------------------------------------------------------


def add_many(counter, n: int, start_together, lock=None) -> None:
    """Do `counter.value += 1` n times, after every process has reached start_together
    (a Barrier), so the increments really overlap; under `lock` when one is given."""
    start_together.wait(timeout=60)
    if lock is None:
        for _ in range(n):
            counter.value += 1  # a read, then a write: another process can slip between
    else:
        for _ in range(n):
            with lock:  # guards the read-modify-write of counter.value
                counter.value += 1


def fill_squares(shared_array, start: int, stop: int) -> int:
    """Write i*i into shared_array[i] for i in [start, stop); returns this pid."""
    for i in range(start, stop):
        shared_array[i] = i * i
    return os.getpid()


# -- Manager ----------------------------------------------------------------------------


def record_pid(shared_dict, key) -> None:
    """Write this process's pid into a Manager dict (a proxy: each write is a message)."""
    shared_dict[key] = os.getpid()


def dict_ops_per_second(mapping, n: int) -> float:
    """Time n writes and n reads on mapping (a dict or a Manager proxy); ops per second."""
    start = time.perf_counter()
    for i in range(n):
        mapping[i % 100] = i
    for i in range(n):
        mapping[i % 100]
    return 2 * n / (time.perf_counter() - start)


# -- shared_memory ----------------------------------------------------------------------


def scale_block(name: str, shape, dtype: str, start: int, stop: int, factor: float) -> int:
    """Attach to a SharedMemory block by name and multiply rows [start, stop) in place.

    The NumPy view must be dropped before close(): an array still pointing into the
    buffer makes close() raise BufferError. Every process closes; only the creator unlinks.
    """
    from multiprocessing import shared_memory

    import numpy as np

    shm = shared_memory.SharedMemory(name=name)
    try:
        view = np.ndarray(shape, dtype=dtype, buffer=shm.buf)
        view[start:stop] *= factor
        del view
    finally:
        shm.close()
    return os.getpid()


# -- Pool -------------------------------------------------------------------------------


def slow_square(x: int) -> tuple[int, int, int]:
    """(x, x*x, pid) after a pause that is longer for small x, so results finish out of
    submission order."""
    time.sleep(0.05 * (4 - x % 4))
    return x, x * x, os.getpid()
