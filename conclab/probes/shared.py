"""Stand-ins for a shared `Value` and `Array` that make a lost update certain, not likely.

`counter.value += 1` reads under the object's lock, lets go of it, then writes under it
again; another process that reads in between writes the same number, and one update is
lost. Whether that happens in a given run is luck. These stand-ins take the luck out: the
first time a process reads without holding the object's lock, it waits until one other
process has done the same, so two of them read the same number and one update is lost on
every run. A process that holds the lock (`with counter.get_lock():`) never waits, so a
correct solution runs at full speed.

Pass them to processes when they are created, like the real thing (they pickle only
then). They offer what the exercises' code may use: `.value`, indexing, `get_lock()`,
`get_obj()`, `acquire()`, `release()` and `with`.
"""

from __future__ import annotations

import threading

from conclab.probes.common import PROCESS_BARRIER_SECONDS


class _RacingShared:
    """What the Value and Array stand-ins share: the lock, and the first unlocked read."""

    def __init__(self, ctx, raw):
        self._raw = raw
        self._lock = ctx.RLock()  # guards _raw, as a real Value's or Array's lock does
        # Pairs up processes at their first unlocked read; a lone one gives up after
        # PROCESS_BARRIER_SECONDS (its update is then lost to no one, and the check says so).
        self._pair = ctx.Barrier(2, timeout=PROCESS_BARRIER_SECONDS)
        self._raced = False  # per process: each gets its own copy when it starts

    def _read(self, read):
        with self._lock:
            holds_lock = self._lock._semlock._count() > 1  # the caller held it already
            got = read()
        if not holds_lock and not self._raced:
            self._raced = True
            try:
                self._pair.wait()  # another process reads the same before either writes
            except threading.BrokenBarrierError:
                pass
        return got

    def get_lock(self):
        return self._lock

    def get_obj(self):
        """The raw object behind the lock, as a real Value's or Array's get_obj() gives;
        its reads race like the wrapper's own, so going around the lock cannot hide."""
        return _RacingView(self)

    def acquire(self, *args, **kwargs):
        return self._lock.acquire(*args, **kwargs)

    def release(self):
        self._lock.release()

    def __enter__(self):
        return self._lock.__enter__()

    def __exit__(self, *exc):
        return self._lock.__exit__(*exc)


class _RacingView:
    """What get_obj() returns: reads and writes of the raw memory, without the lock (like
    the real raw object), where a read without the lock held races as in _RacingShared."""

    def __init__(self, owner: _RacingShared):
        self._owner = owner

    @property
    def value(self):
        return self._owner._read(lambda: self._owner._raw.value)

    @value.setter
    def value(self, new):
        self._owner._raw.value = new

    def __len__(self) -> int:
        return len(self._owner._raw)

    def __getitem__(self, index):
        return self._owner._read(lambda: self._owner._raw[index])

    def __setitem__(self, index, new):
        self._owner._raw[index] = new


class RacingValue(_RacingShared):
    """Like `ctx.Value(typecode, 0)`; see the module's docstring."""

    def __init__(self, ctx, typecode: str = "i"):
        super().__init__(ctx, ctx.RawValue(typecode, 0))

    @property
    def value(self):
        return self._read(lambda: self._raw.value)

    @value.setter
    def value(self, new):
        with self._lock:
            self._raw.value = new

    def snapshot(self):
        """The value now, for the check (never waits)."""
        return self._raw.value


class RacingArray(_RacingShared):
    """Like `ctx.Array(typecode, size)` (zeros); see the module's docstring."""

    def __init__(self, ctx, typecode: str, size: int):
        super().__init__(ctx, ctx.RawArray(typecode, size))

    def __len__(self) -> int:
        return len(self._raw)

    def __getitem__(self, index):
        return self._read(lambda: self._raw[index])

    def __setitem__(self, index, new):
        with self._lock:
            self._raw[index] = new

    def snapshot(self) -> list:
        """The elements now, for the check (never waits)."""
        return list(self._raw)
