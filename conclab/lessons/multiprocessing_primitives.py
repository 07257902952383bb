"""Workers for notebook 09: one small function per multiprocessing primitive.

    produce ──put──▶ tasks Queue ──get──▶ consume (x2) ──put──▶ results Queue ──▶ parent
                     one SENTINEL per consumer         (pid, SENTINEL, None) = "I am done"

Every function here is module-level, so `Process(target=...)` and the pools can pickle it
by name under fork, spawn and forkserver. Nothing here measures speed except
`dict_ops_per_second`; the demos prove their point by what the processes report.

One module because it is one notebook's helpers (09-multiprocessing-primitives), named
after it: small workers, one per primitive.
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


def hold_lock(lock, holding, seconds: float = 60.0) -> None:
    """Take the lock, say so through the `holding` Event, then keep it while sleeping: a
    process that is terminate()d here never releases it."""
    with lock:
        holding.set()
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


def read_meet_write(counter, both_read) -> None:
    """`counter.value += 1` taken apart, with the unlucky timing forced: read, wait at a
    Barrier until every process has read, then write what was read plus one. Every
    process reads the same number, so all but one of the increments are lost."""
    seen = counter.value
    both_read.wait(timeout=60)
    counter.value = seen + 1


def fill_squares(shared_array, start: int, stop: int) -> int:
    """Write i*i into shared_array[i] for i in [start, stop); returns this pid."""
    for i in range(start, stop):
        shared_array[i] = i * i
    return os.getpid()


# -- Manager ----------------------------------------------------------------------------


def record_pid(shared_dict, key) -> None:
    """Write this process's pid into a Manager dict (a proxy: each write is a message)."""
    shared_dict[key] = os.getpid()


def append_to_entry(shared_dict, key, start_together) -> None:
    """`shared_dict[key].append(pid)`: the proxy returns a *copy* of the list, so the append
    changes the copy and the Manager never hears of it (unless the entry is itself a
    proxy, such as manager.list())."""
    start_together.wait(timeout=60)
    shared_dict[key].append(os.getpid())


def increment_entry(shared_dict, key, n: int, start_together, lock=None) -> None:
    """`shared_dict[key] += 1` n times: a get message, then a set message; another process
    can set in between. Under `lock` (a manager.Lock()) when one is given."""
    start_together.wait(timeout=60)
    for _ in range(n):
        if lock is None:
            shared_dict[key] += 1
        else:
            with lock:  # guards the get-then-set of shared_dict[key]
                shared_dict[key] += 1


def read_meet_write_entry(shared_dict, key, both_read) -> None:
    """`shared_dict[key] += 1` with the unlucky timing forced, as `read_meet_write`."""
    seen = shared_dict[key]
    both_read.wait(timeout=60)
    shared_dict[key] = seen + 1


def dict_ops_per_second(mapping, n: int) -> float:
    """Time n writes and n reads on mapping (a dict or a Manager proxy); ops per second."""
    start = time.perf_counter()
    for i in range(n):
        mapping[i % 100] = i
    for i in range(n):
        mapping[i % 100]
    return 2 * n / (time.perf_counter() - start)


# -- shared_memory ----------------------------------------------------------------------
#
#     SharedMemory ── .buf (memoryview) ── np.frombuffer(...) ── slices, reshapes ...
#     close() unmaps the block. np.frombuffer keeps a buffer export on .buf, so close()
#     raises BufferError while any array over the block lives. np.ndarray(buffer=shm.buf)
#     keeps none: close() succeeds under it, and touching the array afterwards reads
#     unmapped memory and kills the process (SIGSEGV).


def as_array(shm, shape, dtype):
    """A NumPy array over a SharedMemory block that makes an early close() fail loudly.

    `np.frombuffer` holds a buffer export on `shm.buf` for as long as the array, or any
    slice or reshape of it, is alive; `shm.close()` raises BufferError until they are all
    gone. (`np.ndarray(shape, dtype, buffer=shm.buf)` holds none: close() unmaps the
    memory under it, and the next read crashes the process.)
    """
    import numpy as np

    count = 1
    for n in shape:
        count *= n
    return np.frombuffer(shm.buf, dtype=dtype, count=count).reshape(shape)


def scale_block(name: str, shape, dtype: str, start: int, stop: int, factor: float) -> int:
    """Attach to a SharedMemory block by name and multiply rows [start, stop) in place.

    The rule: close() only after every NumPy view of the block is gone, on the error
    path too. The view is this function's only one, so `finally` drops it, then closes.
    (The view comes from `as_array`, so a forgotten view makes close() raise BufferError
    instead of unmapping memory the view still points into.) Every process closes its
    handle; only the creator unlinks.
    """
    from multiprocessing import shared_memory

    shm = shared_memory.SharedMemory(name=name)
    view = None
    try:
        view = as_array(shm, shape, dtype)
        view[start:stop] *= factor
    finally:
        view = None  # the last reference: the buffer export goes with it
        shm.close()
    return os.getpid()


# Run in a separate interpreter by notebook 09 and the tests: what the unsafe view does.
CLOSE_UNDER_A_NDARRAY_VIEW = """
import numpy as np
from multiprocessing import shared_memory

block = shared_memory.SharedMemory(create=True, size=8 * 1_000_000)
values = np.ndarray((1_000_000,), dtype=np.float64, buffer=block.buf)
values[:] = 1.0
block.close()  # no BufferError: the ndarray holds no buffer export
block.unlink()
print("close() and unlink() returned with the view still alive", flush=True)
print("reading the view:", values.sum(), flush=True)  # the memory is gone
"""


def block_exists(name: str) -> bool:
    """Whether a SharedMemory block of this name can still be attached to."""
    from multiprocessing import shared_memory

    try:
        shared_memory.SharedMemory(name=name).close()
    except FileNotFoundError:
        return False
    return True


def unlink_created(block) -> bool:
    """Close and unlink a block this process created; False if it was gone already (then
    tell our resource tracker to forget it, or it warns about a leak at exit)."""
    block.close()
    try:
        block.unlink()
    except FileNotFoundError:
        from multiprocessing import resource_tracker

        resource_tracker.unregister(block._name, "shared_memory")
        return False
    return True


def attach_and_close_script(name: str, track: bool = True) -> str:
    """Source of a separate program that attaches to a block by name, closes it, exits."""
    option = "" if track else ", track=False"
    return (
        "from multiprocessing import shared_memory\n"
        f"block = shared_memory.SharedMemory(name={name!r}{option})\n"
        "block.close()  # close only: no unlink\n"
    )


def create_and_forget_script() -> str:
    """Source of a program that creates a block, closes it, never unlinks, and prints the
    block's name."""
    return (
        "from multiprocessing import shared_memory\n"
        "block = shared_memory.SharedMemory(create=True, size=4096)\n"
        "print(block.name, flush=True)\n"
        "block.close()  # no unlink()\n"
    )


# -- the article's snippet: join, then `while not q.empty()` -----------------------------


def put_result(i: int, queue, nbytes: int) -> None:
    """A worker that puts one result of about nbytes on a Queue and returns."""
    queue.put((i, b"x" * nbytes))


# The snippet, as a separate program: run with a timeout, because it can hang.
JOIN_THEN_EMPTY = """
import multiprocessing as mp
from conclab.lessons.multiprocessing_primitives import put_result

if __name__ == "__main__":
    q = mp.Queue()
    procs = [mp.Process(target=put_result, args=(i, q, NBYTES)) for i in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    results = []
    while not q.empty():
        results.append(q.get())
    print("collected", len(results), "results")
"""


# -- streaming input into a pool ----------------------------------------------------------


class CountedInputs:
    """An iterable of range(n) that counts how many items have been taken from it: shows
    how far ahead of the caller a pool reads its input. (Read by the pool's own thread;
    an int attribute updated by one thread needs no lock.)"""

    def __init__(self, n: int):
        self.n = n
        self.taken = 0

    def __iter__(self):
        for i in range(self.n):
            self.taken += 1
            yield i


def double(x: int) -> int:
    """A task so short that the pool's input reading is all there is to see."""
    return 2 * x


# -- Pool -------------------------------------------------------------------------------


def slow_square(x: int) -> tuple[int, int, int]:
    """(x, x*x, pid) after a pause that is longer for small x, so results finish out of
    submission order."""
    time.sleep(0.05 * (4 - x % 4))
    return x, x * x, os.getpid()
