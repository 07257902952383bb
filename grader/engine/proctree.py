"""Find and kill every process a graded run started, however it tried to get away."""

from __future__ import annotations

import os

import psutil

# Set in the child's environment; every descendant inherits it, including processes that
# left the process group or were re-parented to init, so a scan finds them all.
MARKER = "CONCLAB_GRADING_RUN"
JOB_MARKER = "CONCLAB_BATCH_JOB"  # likewise, for every run of one batch submission
UNSET = "-" * 32  # a marker's value in the grader's zygote, which belongs to no run


def descendants(pid: int) -> list[psutil.Process]:
    """The process and everything below it, as far as the OS still links them."""
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def marked(run_id: str, marker: str = MARKER) -> list[psutil.Process]:
    """Processes whose environment carries this run's marker (escaped ones included), or
    this value of another marker (JOB_MARKER: a batch job's)."""
    found = []
    me = os.getpid()
    for proc in psutil.process_iter():
        if proc.pid == me:
            continue
        try:
            if proc.environ().get(marker) == run_id:
                found.append(proc)
        except (psutil.Error, OSError):
            continue
    return found


def by_pid(pids) -> list[psutil.Process]:
    found = []
    for pid in pids:
        try:
            found.append(psutil.Process(pid))
        except psutil.Error:
            continue
    return found


def kill(procs: list[psutil.Process], timeout: float = 5.0) -> None:
    """SIGKILL these processes and wait until they are gone (or reaped by their parent)."""
    for proc in procs:
        try:
            proc.kill()
        except psutil.Error:
            continue
    psutil.wait_procs(procs, timeout=timeout)


def kill_marked(run_id: str, procs: list[psutil.Process], timeout: float = 5.0) -> None:
    """Kill these and keep killing the run's marked processes until none is left (a fork
    bomb may make more while we kill)."""
    for _ in range(20):
        if not procs:
            return
        kill(procs, timeout)
        procs = marked(run_id)


def count_tree(pid: int) -> int:
    """How many processes are alive in the tree under pid (zombies excluded)."""
    alive = 0
    for proc in descendants(pid):
        try:
            if proc.status() != psutil.STATUS_ZOMBIE:
                alive += 1
        except psutil.Error:
            continue
    return alive
