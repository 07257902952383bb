"""What this machine and interpreter offer for concurrency, for the start notebook."""

from __future__ import annotations

import multiprocessing
import os
import platform
import sys
import sysconfig
import threading


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


# Windows' WaitForMultipleObjects limit, which ProcessPoolExecutor's default respects.
WINDOWS_MAX_PROCESS_WORKERS = 61


def executor_cpus() -> tuple[int, str]:
    """The CPU count the executors start from on this interpreter, and where it comes from:
    `os.process_cpu_count()` on 3.13+ (the affinity mask, or `PYTHON_CPU_COUNT`), but
    `os.cpu_count()` on 3.8 to 3.12, which ignores the affinity mask (under `taskset -c 0`
    on a 2-CPU machine it says 2). Not `usable_cpus()`: this is what the executor does."""
    if hasattr(os, "process_cpu_count"):  # 3.13+
        return os.process_cpu_count() or 1, "os.process_cpu_count()"
    return os.cpu_count() or 1, "os.cpu_count()"


def default_workers() -> dict:
    """Default `max_workers` of ThreadPoolExecutor and ProcessPoolExecutor on this
    interpreter, by the rules in concurrent/futures/thread.py and process.py:
    threads min(32, cpus + 4), processes cpus (at most 61 on Windows), where cpus is
    `executor_cpus()`. The one place this rule lives; notebooks 00 and 04 show it."""
    cpus, source = executor_cpus()
    processes = cpus
    if sys.platform == "win32":
        processes = min(processes, WINDOWS_MAX_PROCESS_WORKERS)
    return {
        "cpus": cpus,
        "source": source,
        "ThreadPoolExecutor": min(32, cpus + 4),
        "ProcessPoolExecutor": processes,
    }


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
        **_default_workers_lines(),
    }


def _default_workers_lines() -> dict:
    workers = default_workers()
    source = f"(from {workers['source']} = {workers['cpus']})"
    return {
        "ThreadPoolExecutor default workers": f"{workers['ThreadPoolExecutor']} {source}",
        "ProcessPoolExecutor default workers": f"{workers['ProcessPoolExecutor']} {source}",
    }


def thread_names() -> list[str]:
    """Names of the threads alive in this process (a Jupyter kernel always has several)."""
    return sorted(t.name for t in threading.enumerate())
