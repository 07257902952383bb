"""Helpers that Concurrency Lab's notebooks and checks share.

Everything a worker process must run lives in importable modules here, so it works under
every start method (fork, spawn, forkserver).
"""

from .tracer import Span, Tracer, traced
from .workloads import cpu_work, gil_releasing_work, io_wait

__all__ = ["Span", "Tracer", "traced", "cpu_work", "gil_releasing_work", "io_wait"]
