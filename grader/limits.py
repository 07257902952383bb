"""The resource limits a graded run gets: the defaults, and a manifest's overrides checked.

grader/engine/rlimits.py sets them in each process of the run.
"""

from __future__ import annotations

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
