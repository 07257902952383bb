"""Set a graded run's resource limits (grader.limits) before the learner's code is imported.

CPU time, address space and file size are rlimits of each process. The number of
processes is capped by the sandbox (grader/engine/sandbox.py): a pids cgroup where the grader may
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
    apply(json.loads(text), cgroup)  # the runner sends them merged (grader.limits.merged)
