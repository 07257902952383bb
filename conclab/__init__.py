"""Helpers that Concurrency Lab's notebooks and checks share.

Everything a worker process must run lives in importable modules here, so it works under
every start method (fork, spawn, forkserver). The names below are imported on first use:
a worker process that needs one probe does not pay for the tracer's imports.
"""

import importlib as _importlib
import multiprocessing as _mp
import os as _os

_HOMES = {
    "Span": "tracer",
    "Tracer": "tracer",
    "traced": "tracer",
    "cpu_work": "workloads",
    "gil_releasing_work": "workloads",
    "io_wait": "workloads",
}
__all__ = list(_HOMES)


def __getattr__(name):
    if name in _HOMES:
        return getattr(_importlib.import_module(f".{_HOMES[name]}", __name__), name)
    raise AttributeError(f"module 'conclab' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *__all__])


# Lets the test suite run every notebook under another start method (e.g. spawn, which
# macOS and Windows use): notebooks import conclab in their first cell.
if _os.environ.get("CONCLAB_START_METHOD"):
    _mp.set_start_method(_os.environ["CONCLAB_START_METHOD"], force=True)
