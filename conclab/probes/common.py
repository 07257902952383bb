"""Tasks that checks hand to a learner's code to prove concurrency by construction: barriers
(meet), worker ids, pool spies, errors caught as values. The gates are in gates.py.

Nothing here measures speed. A probe records which thread or process ran each task and
how many ran at once, and tasks can be made to wait for each other (a barrier, or a
chain of events) so that only a concurrent run can finish them.
"""

from __future__ import annotations

import os
import threading

from conclab.probes import runspans

# How long a task waits for the others before the check gives up. Generous on purpose:
# only an implementation that never runs the tasks together ever waits this long.
BARRIER_SECONDS = 5.0  # threads in one process start within milliseconds
PROCESS_BARRIER_SECONDS = 15.0  # spawn start-up on a loaded machine can take seconds


class NeverMet(AssertionError):
    """The tasks never ran at the same time: a barrier or chain timed out."""


def meet(barrier: threading.Barrier, what: str = "tasks") -> None:
    """Wait at the barrier; a timeout means the tasks never ran at the same time."""
    try:
        barrier.wait(BARRIER_SECONDS)
    except threading.BrokenBarrierError:
        raise NeverMet(
            f"the {what} never ran at the same time: each one waited up to "
            f"{BARRIER_SECONDS:g} s for the others at a barrier that only a concurrent run "
            "can pass. Submit all of them to the pool before you wait for any result."
        ) from None


def meet_then_sum(barrier, chunk) -> tuple[int, int]:
    """For process pools: meet the other chunks at a Manager barrier, return (pid, sum).

    Module-level, so it pickles by reference under every start method; `barrier` is a
    `multiprocessing.Manager().Barrier` proxy, which pickles too.
    """
    with runspans.timed(_chunk_label(chunk)):
        try:
            barrier.wait(PROCESS_BARRIER_SECONDS)
        except threading.BrokenBarrierError:
            raise NeverMet(
                "the chunks never ran at the same time in different processes: each waited "
                f"{PROCESS_BARRIER_SECONDS:g} s at a barrier that only parallel workers can "
                "pass."
            ) from None
        return os.getpid(), sum(chunk)


def pid_and_sum(chunk) -> tuple[int, int]:
    """For process pools: which process summed this chunk."""
    with runspans.timed(_chunk_label(chunk)):
        return os.getpid(), sum(chunk)


def _chunk_label(chunk) -> str:
    """A chunk as a timeline bar names it: its first and last item."""
    items = list(chunk)
    return f"chunk {items[0]!r}..{items[-1]!r}" if items else "empty chunk"


def fail_on_negative(chunk) -> int:
    """Raises ValueError for a chunk holding a negative number; used to test error paths."""
    if any(x < 0 for x in chunk):
        raise ValueError(f"negative number in chunk {chunk}")
    return sum(chunk)


class PoolRecord:
    """One executor created while a PoolSpy was active."""

    def __init__(self, kind: str, pool, max_workers):
        self.kind = kind  # "ThreadPoolExecutor" or "ProcessPoolExecutor"
        self.pool = pool
        self.max_workers = max_workers  # what the executor ended up with (None: not set)
        self.shutdowns: list[tuple[bool, bool]] = []  # (wait, cancel_futures) per call

    @property
    def shut_down(self) -> bool:
        return bool(self.shutdowns)

    def __repr__(self) -> str:
        return f"{self.kind}(max_workers={self.max_workers})"


class PoolSpy:
    """Records every ThreadPoolExecutor and ProcessPoolExecutor created inside the block,
    with the max_workers it ended up with and each shutdown() call (a `with` block calls
    shutdown(wait=True) on exit). It patches the classes themselves, so a module that did
    `from concurrent.futures import ThreadPoolExecutor` is seen, and subclasses too.

    Spying on the constructor judges the size asked for, whatever the CPU count of the
    machine, where counting threads cannot (a pool starts threads only as work arrives).
    """

    def __init__(self):
        from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

        self._classes = (ThreadPoolExecutor, ProcessPoolExecutor)
        self._saved: list[tuple[type, str, object]] = []
        self._lock = threading.Lock()  # guards pools: pools may be made in several threads
        self.pools: list[PoolRecord] = []

    def of(self, kind: str) -> list[PoolRecord]:
        """The pools of one kind, "ThreadPoolExecutor" or "ProcessPoolExecutor"."""
        return [p for p in self.pools if p.kind == kind]

    def _record(self, pool) -> PoolRecord | None:
        with self._lock:
            return next((p for p in self.pools if p.pool is pool), None)

    def __enter__(self) -> PoolSpy:
        spy = self
        for cls in self._classes:
            init, shutdown = cls.__dict__["__init__"], cls.__dict__["shutdown"]
            self._saved += [(cls, "__init__", init), (cls, "shutdown", shutdown)]

            def spied_init(pool, *args, _init=init, _kind=cls.__name__, **kwargs):
                _init(pool, *args, **kwargs)
                if spy._record(pool) is None:
                    with spy._lock:
                        spy.pools.append(
                            PoolRecord(_kind, pool, getattr(pool, "_max_workers", None))
                        )

            def spied_shutdown(pool, wait=True, *, cancel_futures=False, _shutdown=shutdown):
                record = spy._record(pool)
                if record is not None:
                    record.shutdowns.append((bool(wait), bool(cancel_futures)))
                return _shutdown(pool, wait=wait, cancel_futures=cancel_futures)

            cls.__init__ = spied_init
            cls.shutdown = spied_shutdown
        return self

    def __exit__(self, *exc_info) -> None:
        for cls, name, original in reversed(self._saved):
            setattr(cls, name, original)
        self._saved.clear()


def describe_error(error: BaseException | None) -> str:
    """`Type: message` of an exception, or 'nothing' for None."""
    return "nothing" if error is None else f"{type(error).__name__}: {error}"


def same_error(got: BaseException | None, expected: BaseException) -> bool:
    """The same type (not a subclass, not a wrapper) and exactly the same message."""
    return type(got) is type(expected) and str(got) == str(expected)


def call_and_catch(fn, *args, **kwargs) -> tuple[object, BaseException | None]:
    """(result, None), or (None, the exception fn raised); BaseException included."""
    try:
        return fn(*args, **kwargs), None
    except NotImplementedError:
        raise  # the stub: the grader says which task is not done yet
    except BaseException as exc:  # noqa: BLE001 - judged by the check
        return None, exc
