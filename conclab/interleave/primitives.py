"""Lock, RLock, Condition, Semaphore, Event, Barrier and Queue that the explorer controls.

Each has the standard library's interface. Inside a controlled run, a call that would
block marks its thread blocked (not runnable) until what it waits for holds; a call
with a timeout may instead time out whenever the scheduler chooses (that is the only
notion of time: any wait with a timeout can expire). Outside a run (setup, the
invariant) they work without blocking, and a call that would block raises
`WouldBlock` instead of hanging. Their state is read only by the running thread or by
the controller between steps, so they need no locks of their own.

One module, about 330 lines: the seven controlled primitives share one blocking rule
and one way to ask the run whether a thread may go on.
"""

from __future__ import annotations

import queue as _queue
import threading as _threading
import types
from collections import deque

from .run import current_worker


class WouldBlock(RuntimeError):
    """A primitive would block outside a controlled thread (nothing could wake it)."""


def _who():
    worker = current_worker()
    return worker.name if worker is not None else "main"


def _wait(ready, what: str, timeout) -> bool:
    """True once ready() holds; False if the wait timed out (only when timeout is set)."""
    worker = current_worker()
    if worker is None:
        if ready():
            return True
        if timeout is not None:
            return False
        raise WouldBlock(f"{what} would block forever outside the explored threads")
    if worker.run.aborting:
        from .run import Abort

        raise Abort
    return worker.wait_until(ready, what, timeout is not None and timeout >= 0)


def _timeout(blocking, timeout):
    if not blocking:
        return 0
    return None if timeout is None or timeout < 0 else timeout


class Lock:
    _name = "Lock"

    def __init__(self):
        self.owner = None  # name of the holding thread, None when free

    def acquire(self, blocking=True, timeout=-1):
        limit = _timeout(blocking, timeout)
        if limit == 0 and self.owner is not None:
            return False
        if not _wait(lambda: self.owner is None, f"{self._name}.acquire()", limit):
            return False
        self.owner = _who()
        return True

    def release(self):
        if self.owner is None:
            raise RuntimeError("release unlocked lock")
        self.owner = None

    def locked(self):
        return self.owner is not None

    __enter__ = acquire

    def __exit__(self, *exc):
        self.release()

    def __repr__(self):
        return "free" if self.owner is None else f"held by {self.owner}"


class RLock(Lock):
    _name = "RLock"

    def __init__(self):
        super().__init__()
        self.count = 0

    def acquire(self, blocking=True, timeout=-1):
        if self.owner == _who() and self.count:
            self.count += 1
            return True
        if not super().acquire(blocking, timeout):
            return False
        self.count = 1
        return True

    __enter__ = acquire

    def release(self):
        if self.owner != _who() or not self.count:
            raise RuntimeError("cannot release un-acquired lock")
        self.count -= 1
        if not self.count:
            self.owner = None

    def __repr__(self):
        return "free" if self.owner is None else f"held by {self.owner} x{self.count}"


class Condition:
    def __init__(self, lock=None):
        self.lock = lock if lock is not None else RLock()
        self.waiters: list[list] = []  # one [thread name, notified] per waiting thread

    def acquire(self, *args, **kwargs):
        return self.lock.acquire(*args, **kwargs)

    def release(self):
        self.lock.release()

    __enter__ = acquire

    def __exit__(self, *exc):
        self.lock.release()

    def wait(self, timeout=None):
        if self.lock.owner != _who():
            raise RuntimeError("cannot wait on un-acquired lock")
        count = getattr(self.lock, "count", 1)
        self.lock.owner = None
        if hasattr(self.lock, "count"):
            self.lock.count = 0
        me = [_who(), False]
        self.waiters.append(me)
        notified = _wait(lambda: me[1], "Condition.wait()", timeout)
        if not notified:
            self.waiters.remove(me)
        _wait(lambda: self.lock.owner is None, "Condition.wait() reacquiring", None)
        self.lock.owner = _who()
        if hasattr(self.lock, "count"):
            self.lock.count = count
        return notified

    def wait_for(self, predicate, timeout=None):
        result = predicate()
        while not result:
            if not self.wait(timeout) and timeout is not None:
                return predicate()
            result = predicate()
        return result

    def notify(self, n=1):
        if self.lock.owner != _who():
            raise RuntimeError("cannot notify on un-acquired lock")
        for waiter in self.waiters[:n]:
            waiter[1] = True
        del self.waiters[:n]

    def notify_all(self):
        self.notify(len(self.waiters))

    def __repr__(self):
        names = ",".join(w[0] for w in self.waiters)
        return f"lock {self.lock!r}" + (f", waiting: {names}" if names else "")


class Semaphore:
    def __init__(self, value=1):
        if value < 0:
            raise ValueError("semaphore initial value must be >= 0")
        self.value = value

    def acquire(self, blocking=True, timeout=None):
        limit = _timeout(blocking, timeout)
        if limit == 0 and self.value == 0:
            return False
        if not _wait(lambda: self.value > 0, "Semaphore.acquire()", limit):
            return False
        self.value -= 1
        return True

    __enter__ = acquire

    def release(self, n=1):
        self.value += n

    def __exit__(self, *exc):
        self.release()

    def __repr__(self):
        return f"value {self.value}"


class BoundedSemaphore(Semaphore):
    def __init__(self, value=1):
        super().__init__(value)
        self.initial = value

    def release(self, n=1):
        if self.value + n > self.initial:
            raise ValueError("Semaphore released too many times")
        self.value += n


class Event:
    def __init__(self):
        self.flag = False

    def is_set(self):
        return self.flag

    def set(self):
        self.flag = True

    def clear(self):
        self.flag = False

    def wait(self, timeout=None):
        return _wait(lambda: self.flag, "Event.wait()", timeout)

    def __repr__(self):
        return "set" if self.flag else "clear"


class Barrier:
    def __init__(self, parties, action=None, timeout=None):
        self.parties, self.action, self.timeout = parties, action, timeout
        self.count, self.generation, self.broken = 0, 0, False

    def wait(self, timeout=None):
        if self.broken:
            raise _threading.BrokenBarrierError
        index, generation = self.count, self.generation
        self.count += 1
        if self.count == self.parties:
            if self.action is not None:
                self.action()
            self.count, self.generation = 0, self.generation + 1
            return index
        timeout = self.timeout if timeout is None else timeout
        passed = _wait(
            lambda: self.generation != generation or self.broken, "Barrier.wait()", timeout
        )
        if not passed or self.broken:
            self.broken = True
            raise _threading.BrokenBarrierError
        return index

    def abort(self):
        self.broken = True

    def reset(self):
        self.count, self.broken = 0, False

    @property
    def n_waiting(self):
        return self.count

    def __repr__(self):
        return "broken" if self.broken else f"{self.count}/{self.parties} waiting"


class Queue:
    def __init__(self, maxsize=0):
        self.maxsize, self.items, self.unfinished = maxsize, deque(), 0

    def qsize(self):
        return len(self.items)

    def empty(self):
        return not self.items

    def full(self):
        return 0 < self.maxsize <= len(self.items)

    def put(self, item, block=True, timeout=None):
        limit = _timeout(block, timeout)
        if (limit == 0 and self.full()) or not _wait(lambda: not self.full(), "Queue.put()", limit):
            raise _queue.Full
        self.items.append(item)
        self.unfinished += 1

    def get(self, block=True, timeout=None):
        limit = _timeout(block, timeout)
        if (limit == 0 and self.empty()) or not _wait(
            lambda: bool(self.items), "Queue.get()", limit
        ):
            raise _queue.Empty
        return self.items.popleft()

    def put_nowait(self, item):
        self.put(item, block=False)

    def get_nowait(self):
        return self.get(block=False)

    def task_done(self):
        if self.unfinished <= 0:
            raise ValueError("task_done() called too many times")
        self.unfinished -= 1

    def join(self):
        _wait(lambda: self.unfinished == 0, "Queue.join()", None)

    def __repr__(self):
        return repr(list(self.items))


SimpleQueue = Queue

# Module look-alikes for Scenario(patch=[module]): a module's `threading.Lock()` or
# `queue.Queue()` then makes these, while everything else still comes from the real one.
_THREADING_NAMES = ("Lock", "RLock", "Condition", "Semaphore", "BoundedSemaphore", "Event")
threading = types.ModuleType("threading", "conclab.interleave's stand-in for threading")
queue = types.ModuleType("queue", "conclab.interleave's stand-in for queue")
for _name in (*_THREADING_NAMES, "Barrier"):
    setattr(threading, _name, globals()[_name])
for _name in ("Queue", "SimpleQueue"):
    setattr(queue, _name, Queue)
threading.__getattr__ = lambda name: getattr(_threading, name)
queue.__getattr__ = lambda name: getattr(_queue, name)
REPLACEMENTS = {
    id(_threading): threading,
    id(_queue): queue,
    **{id(getattr(_threading, n)): globals()[n] for n in (*_THREADING_NAMES, "Barrier")},
    id(_queue.Queue): Queue,
    id(_queue.SimpleQueue): Queue,
}
