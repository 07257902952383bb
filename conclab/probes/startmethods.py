"""Run code under each multiprocessing start method a learner's users may have.

Process-based checks use this to run the learner's code under a start method as strict as
spawn (macOS, Windows) as well as under this platform's default (forkserver on Linux from
3.14, fork before).

spawn and forkserver are equally strict about what a process needs: each pickles the
process's target and arguments, and the target's module is imported afresh in the new
process, so a lambda, a nested function or a global set by the caller fails under both. They
differ in cost: spawn starts a new interpreter for every process (about 0.1 s of CPU),
forkserver forks each one from a server started once. So checks use forkserver where the
platform has it, and spawn where it is the only strict method (Windows) or the default.
"""

from __future__ import annotations

import contextlib
import multiprocessing

STRICT_METHODS = ("spawn", "forkserver")  # pickle everything, import modules afresh


def strict_method() -> str:
    """The platform default if it is strict (spawn on macOS and Windows, forkserver on Linux
    from 3.14), else forkserver where it exists, else spawn."""
    default = multiprocessing.get_start_method(allow_none=False)
    if default in STRICT_METHODS:
        return default
    available = multiprocessing.get_all_start_methods()
    return "forkserver" if "forkserver" in available else "spawn"


def methods_to_check() -> list[str]:
    """A strict method first, then the platform default if it differs (fork on Linux up to
    3.13, whose processes inherit the caller's memory instead)."""
    default = multiprocessing.get_start_method(allow_none=False)
    strict = strict_method()
    return [strict] if default == strict else [strict, default]


@contextlib.contextmanager
def start_method(name: str):
    """Make `name` the default start method inside the block, then restore the previous one."""
    previous = multiprocessing.get_start_method(allow_none=True)
    multiprocessing.set_start_method(name, force=True)
    try:
        yield name
    finally:
        multiprocessing.set_start_method(previous, force=True)
