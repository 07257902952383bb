"""Resource limits for a graded run, applied in the child before the learner's code loads."""

from __future__ import annotations

import json

try:
    import resource
except ImportError:  # Windows: no rlimits; the parent's timeout and tree kill still apply
    resource = None

MIB = 1024 * 1024

# Defaults for every exercise; a manifest's [limits] table overrides any of them.
DEFAULTS = {
    "cpu_seconds": 120,  # CPU time of the child process (its workers count on their own)
    "memory_mib": 4096,  # address space of each process
    "file_mib": 64,  # largest file the learner's code may write
    "output_kib": 256,  # learner output kept for the report; the rest is cut and noted
    "processes": 64,  # live processes in the graded tree; enforced by the parent
}


def merged(overrides: dict | None) -> dict:
    """The defaults with a manifest's overrides applied; unknown keys are an error."""
    overrides = dict(overrides or {})
    unknown = set(overrides) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"unknown limits: {', '.join(sorted(unknown))}")
    return {**DEFAULTS, **overrides}


def apply(settings: dict) -> None:
    """Set the rlimits this platform has; no core dumps from a learner's segfault."""
    if resource is None:
        return
    wanted = {
        resource.RLIMIT_CORE: 0,
        resource.RLIMIT_CPU: int(settings["cpu_seconds"]),
        resource.RLIMIT_AS: int(settings["memory_mib"]) * MIB,
        resource.RLIMIT_FSIZE: int(settings["file_mib"]) * MIB,
    }
    for which, value in wanted.items():
        soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        try:
            resource.setrlimit(which, (value, hard))
        except (ValueError, OSError):  # e.g. RLIMIT_AS is not supported on macOS
            pass


def apply_json(text: str) -> None:
    apply(merged(json.loads(text)))
