"""Helpers that Concurrency Lab's notebooks and checks share.

Everything a worker process must run lives in importable modules here, so it works under
every start method (fork, spawn, forkserver).
"""

import multiprocessing as _mp
import os as _os

from .tracer import Span, Tracer, traced
from .workloads import cpu_work, gil_releasing_work, io_wait

__all__ = ["Span", "Tracer", "traced", "cpu_work", "gil_releasing_work", "io_wait"]

# Lets the test suite run every notebook under another start method (e.g. spawn, which
# macOS and Windows use): notebooks import conclab in their first cell.
if _os.environ.get("CONCLAB_START_METHOD"):
    _mp.set_start_method(_os.environ["CONCLAB_START_METHOD"], force=True)
