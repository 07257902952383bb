"""Resource limits for a graded run, set before the learner's code is imported.

CPU time, address space and file size are rlimits of each process. The number of
processes is capped by the sandbox (grader/sandbox.py): a pids cgroup where the grader may
create one, else the runner's count of the tree as it polls.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

try:
    import resource
except ImportError:  # Windows: no rlimits; the parent's timeout and tree kill still apply
    resource = None

MIB = 1024 * 1024

# Defaults for every exercise; a manifest's [limits] table overrides any of them.
DEFAULTS = {
    "cpu_seconds": 120,  # CPU time of each process in the graded tree
    "memory_mib": 8192,  # address space of each process
    "file_mib": 64,  # largest file the learner's code may write
    "output_kib": 256,  # learner output kept for the report; the rest is cut and noted
    "processes": 64,  # processes alive at once in the graded tree
}


UNKNOWN_LIMIT = "unknown limit(s) {names}; known: {known}"
BAD_LIMIT = "limit '{name}' must be a positive whole number, got {value!r}"


def problems(overrides: dict) -> list[str]:
    """What is wrong with a [limits] table: unknown keys, values that are not counts."""
    found = []
    unknown = sorted(set(overrides) - set(DEFAULTS))
    if unknown:
        found.append(UNKNOWN_LIMIT.format(names=", ".join(unknown), known=", ".join(DEFAULTS)))
    for name, value in overrides.items():
        if name in DEFAULTS and (
            isinstance(value, bool) or not isinstance(value, int) or value <= 0
        ):
            found.append(BAD_LIMIT.format(name=name, value=value))
    return found


def merged(overrides: dict | None) -> dict:
    """The defaults with a manifest's overrides applied; a bad table is a ValueError."""
    overrides = dict(overrides or {})
    wrong = problems(overrides)
    if wrong:
        raise ValueError("; ".join(wrong))
    return {**DEFAULTS, **overrides}


def _set(which: int, value: int) -> None:
    soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    try:
        resource.setrlimit(which, (value, hard))
    except (ValueError, OSError):  # e.g. RLIMIT_AS is not supported on macOS
        pass


def apply(settings: dict, cgroup: str | None = None) -> None:
    """Set the rlimits this platform has in this process (inherited by its children)."""
    if resource is None:
        return
    _set(resource.RLIMIT_CORE, 0)  # no core files from a learner's segfault
    _set(resource.RLIMIT_CPU, int(settings["cpu_seconds"]))
    _set(resource.RLIMIT_AS, int(settings["memory_mib"]) * MIB)
    _set(resource.RLIMIT_FSIZE, int(settings["file_mib"]) * MIB)
    if cgroup:
        Path(cgroup, "cgroup.procs").write_text(str(os.getpid()))
    # No RLIMIT_NPROC: Linux counts every thread of the user (a browser beside the grader
    # holds hundreds) against it. The cap is the cgroup, else the runner's count.


def apply_json(text: str, cgroup: str | None = None) -> None:
    apply(merged(json.loads(text)), cgroup)
