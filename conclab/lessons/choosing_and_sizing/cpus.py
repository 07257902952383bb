"""How many CPUs each count sees (affinity, cgroup quota, an override), for notebook 10."""

from __future__ import annotations

import os


def parse_cgroup_v2_cpu_max(text: str) -> float | None:
    """CPUs allowed by a cgroup v2 `cpu.max` line ('quota period', or 'max period')."""
    fields = text.split()
    if not fields or fields[0] == "max":
        return None
    period = int(fields[1]) if len(fields) > 1 else 100_000
    return int(fields[0]) / period


def parse_cgroup_v1_quota(quota_us: str, period_us: str) -> float | None:
    """CPUs allowed by cgroup v1's cpu.cfs_quota_us / cpu.cfs_period_us (-1: no quota)."""
    quota = int(quota_us)
    return None if quota < 0 else quota / int(period_us)


def cgroup_cpu_quota(root: str = "/sys/fs/cgroup") -> float | None:
    """The CPU quota of this process's container (`docker --cpus`, Kubernetes CPU limits),
    in CPUs, or None when there is none or it cannot be read (not Linux, no cgroups)."""
    try:
        with open(os.path.join(root, "cpu.max")) as f:
            return parse_cgroup_v2_cpu_max(f.read())
    except (OSError, ValueError):
        pass
    try:
        with (
            open(os.path.join(root, "cpu", "cpu.cfs_quota_us")) as quota,
            open(os.path.join(root, "cpu", "cpu.cfs_period_us")) as period,
        ):
            return parse_cgroup_v1_quota(quota.read(), period.read())
    except (OSError, ValueError):
        return None


def cpu_counts() -> dict[str, object]:
    """Each way of counting CPUs, as this process sees it right now."""
    from conclab.core.env import usable_cpus

    counts: dict[str, object] = {"os.cpu_count() (the machine)": os.cpu_count()}
    if hasattr(os, "sched_getaffinity"):
        counts["len(os.sched_getaffinity(0)) (affinity mask)"] = len(os.sched_getaffinity(0))
    if hasattr(os, "process_cpu_count"):
        counts["os.process_cpu_count() (3.13+)"] = os.process_cpu_count()
    quota = cgroup_cpu_quota()
    counts["cgroup CPU quota (docker --cpus)"] = "none" if quota is None else f"{quota:g} CPUs"
    counts["conclab.core.env.usable_cpus()"] = usable_cpus()
    return counts


def cpu_count_override(count: int = 1) -> str | None:
    """What a new interpreter started with `-X cpu_count=count` reports (3.13+), or None
    before 3.13, where the option does not exist."""
    import subprocess
    import sys

    if sys.version_info < (3, 13):
        return None
    code = "import os; print(os.cpu_count(), os.process_cpu_count())"
    done = subprocess.run(
        [sys.executable, "-X", f"cpu_count={count}", "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    machine, usable = done.stdout.split()
    return f"os.cpu_count() = {machine}, os.process_cpu_count() = {usable}"


def load_note(cores: int) -> str:
    """A sentence when other programs keep the machine busy (a 1-minute load average above
    1.5 x the usable CPUs), else ''. Timings on such a machine include their work."""
    if not hasattr(os, "getloadavg"):
        return ""
    load = os.getloadavg()[0]
    if load <= 1.5 * cores:
        return ""
    return (
        f"(The 1-minute load average is {load:.1f} on {cores} usable CPUs: other programs "
        "compete for them, so these times include their work. Run the cell again when the "
        "machine is quieter.)"
    )
