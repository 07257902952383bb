"""Resource limits for a graded run, set before the learner's code is imported.

CPU time, address space and file size are rlimits of each process. The number of
processes is capped by a pids cgroup where the grader may create one (Linux as root, as in
CI), else by RLIMIT_NPROC above what the user already runs; the runner also counts the
tree as it polls, and stops a run that goes over.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

try:
    import resource
except ImportError:  # Windows: no rlimits; the parent's timeout and tree kill still apply
    resource = None

MIB = 1024 * 1024
PIDS_CGROUP_ROOT = Path("/sys/fs/cgroup/pids")

# Defaults for every exercise; a manifest's [limits] table overrides any of them.
DEFAULTS = {
    "cpu_seconds": 120,  # CPU time of each process in the graded tree
    "memory_mib": 8192,  # address space of each process
    "file_mib": 64,  # largest file the learner's code may write
    "output_kib": 256,  # learner output kept for the report; the rest is cut and noted
    "processes": 64,  # processes alive at once in the graded tree
}


def merged(overrides: dict | None) -> dict:
    """The defaults with a manifest's overrides applied; unknown keys are an error."""
    overrides = dict(overrides or {})
    unknown = set(overrides) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"unknown limits: {', '.join(sorted(unknown))}")
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
    elif os.geteuid() != 0 and hasattr(resource, "RLIMIT_NPROC"):
        # RLIMIT_NPROC counts every process of the user, so allow what already runs.
        _set(resource.RLIMIT_NPROC, _user_processes() + int(settings["processes"]))


def _user_processes() -> int:
    import psutil

    uid = os.getuid()
    count = 0
    for proc in psutil.process_iter(["uids"]):
        try:
            count += proc.info["uids"].real == uid
        except (AttributeError, psutil.Error):
            continue
    return count


def apply_json(text: str, cgroup: str | None = None) -> None:
    apply(merged(json.loads(text)), cgroup)


class PidsCgroup:
    """A pids cgroup capping how many processes a graded run may have alive at once.

    `path` is None where no cgroup can be made (not root, not Linux, no cgroup v1 pids
    hierarchy); the caller then relies on RLIMIT_NPROC and its own polling.
    """

    def __init__(self, limit: int):
        self.path: Path | None = None
        if not PIDS_CGROUP_ROOT.is_dir() or os.geteuid() != 0:
            return
        path = PIDS_CGROUP_ROOT / f"conclab-{uuid.uuid4().hex[:12]}"
        try:
            path.mkdir()
            (path / "pids.max").write_text(str(limit))
        except OSError:
            try:
                path.rmdir()
            except OSError:
                pass
            return
        self.path = path

    def pids(self) -> list[int]:
        if self.path is None:
            return []
        try:
            return [int(x) for x in (self.path / "cgroup.procs").read_text().split()]
        except (OSError, ValueError):
            return []

    def hit_limit(self) -> bool:
        """True when a fork failed because the cap was reached."""
        if self.path is None:
            return False
        try:
            events = (self.path / "pids.events").read_text()
        except OSError:
            return False
        return any(line.split()[-1] != "0" for line in events.splitlines() if line.strip())

    def remove(self) -> None:
        if self.path is not None:
            try:
                self.path.rmdir()
            except OSError:
                pass
