"""Run code under each multiprocessing start method a learner's users may have.

Process-based checks use this to run the learner's code under spawn (macOS, Windows)
as well as this platform's default (forkserver on Linux from 3.14, fork before).
"""

from __future__ import annotations

import contextlib
import multiprocessing


def methods_to_check() -> list[str]:
    """spawn first (the strictest), then the platform default if it differs."""
    default = multiprocessing.get_start_method(allow_none=False)
    available = multiprocessing.get_all_start_methods()
    chosen = ["spawn"] if "spawn" in available else []
    if default not in chosen:
        chosen.append(default)
    return chosen


@contextlib.contextmanager
def start_method(name: str):
    """Make `name` the default start method inside the block, then restore the previous one."""
    previous = multiprocessing.get_start_method(allow_none=True)
    multiprocessing.set_start_method(name, force=True)
    try:
        yield name
    finally:
        multiprocessing.set_start_method(previous, force=True)
