"""What this machine and interpreter offer for concurrency, for the start notebook."""

from __future__ import annotations

import multiprocessing
import os
import platform
import sys
import sysconfig


def gil_enabled() -> bool:
    """False only on a free-threaded build (3.13t+) running with the GIL off."""
    check = getattr(sys, "_is_gil_enabled", None)
    return True if check is None else bool(check())


CPUS_OVERRIDE = "CONCLAB_CPUS"  # tests set it to read every machine-dependent sentence on 2 and 16


def usable_cpus() -> int:
    """CPUs this process may use: `CONCLAB_CPUS` if set, `os.process_cpu_count()` on 3.13+,
    else the affinity mask. Every notebook sentence and limit that depends on the machine
    is computed from this one function, so tests can read the prose as on any machine."""
    override = os.environ.get(CPUS_OVERRIDE, "").strip()
    if override.isdigit() and int(override) > 0:
        return int(override)
    if hasattr(os, "process_cpu_count"):
        return os.process_cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def report() -> dict:
    """Facts a learner should know before timing anything."""
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": f"{platform.system()} {platform.machine()}",
        "cpus (os.cpu_count)": os.cpu_count(),
        "cpus usable by this process": usable_cpus(),
        "default start method": multiprocessing.get_start_method(allow_none=False),
        "free-threaded build": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
        "GIL enabled now": gil_enabled(),
        "ThreadPoolExecutor default workers": min(32, usable_cpus() + 4),
    }
