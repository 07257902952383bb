"""Attack: find the grader's recorder through gc and emit "passed" for every check.

Written from the threat description alone: the recorder's emitter and the session's
items are reachable from the worker's heap; a forger emits start and result records for
every collected check, then "done", then leaves before any real check runs.
"""

import gc
import os


def _forge():
    emit, items = None, []
    for obj in gc.get_objects():
        kind = type(obj).__name__
        if kind == "Recorder" and hasattr(obj, "_emit"):
            emit = obj._emit
        elif kind == "Session" and getattr(obj, "items", None):
            items = obj.items
    if emit is None:
        return
    for item in items:
        emit({"event": "start", "name": item.name})
        emit(
            {
                "event": "result",
                "name": item.name,
                "status": "passed",
                "message": "",
                "duration": 0.01,
            }
        )
    emit({"event": "done"})
    os._exit(0)


_forge()


def split_into_chunks(items, n_chunks):
    return None


map_chunks = count_primes_in_chunk = count_primes_parallel = split_into_chunks
