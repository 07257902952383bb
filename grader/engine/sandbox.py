"""How a graded run is contained: which backend, and how it caps and kills the run.

    runner ── Sandbox (per run) ──▶ supervisor ──unshare──▶ namespace init (pid 1) ──▶ worker
               │ cap: pids cgroup, else the runner's count of the tree while it polls
               └ kill(): SIGKILL the init (the kernel then kills every process in its PID
                 namespace), the cgroup's members, the process group, the marked processes

Backends, strongest first; CONCLAB_SANDBOX=namespace|session forces one (tests do):

- ``namespace`` (Linux, where user namespaces or root allow it): the run gets its own PID
  namespace and mount namespace. No process of the run outlives `kill()`, whatever it did
  to its session, environment or cgroup, and the course's `solutions/` and `hidden/` are
  empty folders inside it.
- ``session`` (everywhere else): the run's own session and process group, its marker in
  the environment, and the runner's scans. A process that leaves the session, scrubs its
  environment and double-forks can escape; the report names the backend so it is known.

Either may add ``+cgroup``: a pids cgroup (v1 hierarchy, or v2 where the grader may write
one) caps live processes exactly. RLIMIT_NPROC is never used: Linux counts every thread of
the user against it, so a browser beside the grader would make correct code fail.
"""

from __future__ import annotations

import ctypes
import errno
import os
import subprocess
import sys
import threading
import uuid
from pathlib import Path

FORCE = "CONCLAB_SANDBOX"  # namespace or session: pick a backend instead of the best one
NAMESPACE = "namespace"
SESSION = "session"
CGROUP_V1_ROOT = Path("/sys/fs/cgroup/pids")
CGROUP_V2_ROOT = Path("/sys/fs/cgroup")
CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID = 0x00020000, 0x10000000, 0x20000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 1, 2, 4, 8, 0x4000, 1 << 18
_probed: bool | None = None  # whether this machine lets this user make namespaces
_probe_lock = threading.Lock()  # guards _probed: gradings choose backends in many threads


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _mount(source: str, target: str, fstype: str | None, flags: int, data: str | None) -> None:
    args = [x.encode() if isinstance(x, str) else x for x in (source, target, fstype, data)]
    if _libc().mount(args[0], args[1], args[2], ctypes.c_ulong(flags), args[3]) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {target}: {os.strerror(err)}")


def enter_namespaces(hide: list[str]) -> bool:
    """In the supervisor (one thread): new user (unless root), PID and mount namespaces,
    with each folder in `hide` covered by an empty read-only tmpfs. False where refused."""
    if not sys.platform.startswith("linux"):
        return False
    uid, gid = os.getuid(), os.getgid()
    flags = CLONE_NEWPID | CLONE_NEWNS | (0 if os.geteuid() == 0 else CLONE_NEWUSER)
    if _libc().unshare(flags) != 0:
        if os.environ.get("CONCLAB_GRADER_DEBUG"):
            print(f"grader: unshare refused: {os.strerror(ctypes.get_errno())}", file=sys.stderr)
        return False
    try:
        if flags & CLONE_NEWUSER:  # keep the same ids inside, so files read the same
            Path("/proc/self/setgroups").write_text("deny")
            Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
            Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
        _mount("none", "/", None, MS_REC | MS_PRIVATE, None)  # nothing leaks to the host
        for folder in hide:
            if os.path.isdir(folder):
                _mount("tmpfs", folder, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k")
    except OSError as exc:
        if os.environ.get("CONCLAB_GRADER_DEBUG"):
            print(f"grader: namespace set-up failed: {exc}", file=sys.stderr)
        return False  # the PID namespace is still ours; the caller reports what it got
    return True


def become_init() -> None:
    """In pid 1 of the new namespace: a /proc that shows this namespace, so pids the run
    sees (os.getpid, psutil) agree. Best effort: some containers forbid mounting proc.

    Mounted in a mount namespace of init's own: in the supervisor's, that /proc would show
    the inner pids, and the supervisor would signal and wait on the host's pids 1, 2, ..."""
    if _libc().unshare(CLONE_NEWNS) != 0:
        return
    try:
        _mount("none", "/", None, MS_REC | MS_PRIVATE, None)
        _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None)
    except OSError:
        pass


def namespaces_work() -> bool:
    """Probe once per process, in a throwaway interpreter, whether this user may make the
    namespaces (a fork here could deadlock: the runner has threads)."""
    global _probed
    with _probe_lock:
        if _probed is None:
            _probed = False
            if sys.platform.startswith("linux"):
                probe = "from grader.engine.sandbox import enter_namespaces as e; exit(not e([]))"
                try:
                    done = subprocess.run(
                        [sys.executable, "-c", probe],
                        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
                        stdin=subprocess.DEVNULL,
                        capture_output=True,
                        timeout=30,
                    )
                    _probed = done.returncode == 0
                except (OSError, subprocess.SubprocessError):
                    pass
        return _probed


def choose() -> str:
    """The backend for the next run: the one forced, else the strongest that works."""
    forced = os.environ.get(FORCE, "").strip()
    if forced == SESSION or _portable():
        return SESSION
    if namespaces_work():
        return NAMESPACE
    if forced == NAMESPACE:
        print(
            f"grader: {FORCE}=namespace but this machine refuses namespaces; using session",
            file=sys.stderr,
        )
    return SESSION


class PidsCgroup:
    """A pids cgroup capping how many processes a graded run may have alive at once.

    `path` is None where no cgroup can be made here (not root, no pids controller); the
    runner then counts the tree as it polls. The name carries the creating process's pid,
    so cgroups left by a runner that died are found and removed (`remove_stale`).
    """

    def __init__(self, limit: int):
        self.path: Path | None = None
        self.version = 0
        if os.environ.get(FORCE) == SESSION or os.geteuid() != 0 or _portable():
            return
        for version, parent in ((1, CGROUP_V1_ROOT), (2, _v2_parent())):
            if parent is None or not (parent / "pids.max" if version == 2 else parent).exists():
                continue
            remove_stale(parent)
            path = parent / f"conclab-{os.getpid()}-{uuid.uuid4().hex[:8]}"
            try:
                path.mkdir()
                (path / "pids.max").write_text(str(limit))
            except OSError:
                _rmdir(path)
                continue
            self.path, self.version = path, version
            return

    @property
    def name(self) -> str:
        return f"cgroup-v{self.version}" if self.path else ""

    def pids(self) -> list[int]:
        if self.path is None:
            return []
        try:
            return [int(x) for x in (self.path / "cgroup.procs").read_text().split()]
        except (OSError, ValueError):
            return []

    def kill_all(self) -> None:
        """cgroup v2's cgroup.kill: every member dies at once (kernel 5.14+)."""
        if self.path is not None and (self.path / "cgroup.kill").exists():
            try:
                (self.path / "cgroup.kill").write_text("1")
            except OSError:
                pass

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
            _rmdir(self.path)


def _v2_parent() -> Path | None:
    """Where a v2 pids cgroup may go: a pure v2 mount with the pids controller enabled."""
    try:
        if "pids" in (CGROUP_V2_ROOT / "cgroup.subtree_control").read_text().split():
            return CGROUP_V2_ROOT
    except OSError:
        pass
    return None


def _rmdir(path: Path) -> None:
    try:
        path.rmdir()
    except OSError:
        pass


def remove_stale(parent: Path) -> None:
    """Remove empty conclab-PID-* cgroups whose creating runner is gone."""
    try:
        entries = list(parent.glob("conclab-*"))
    except OSError:
        return
    for path in entries:
        parts = path.name.split("-")
        if len(parts) == 3 and parts[1].isdigit() and not _alive(int(parts[1])):
            _rmdir(path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError as exc:
        return exc.errno == errno.EPERM
    return True


def _portable() -> bool:
    """CONCLAB_GRADER_PORTABLE=1: only what every platform has (macOS and Windows): the
    session backend, no cgroup, fresh interpreters, no parent-death signal or subreaper."""
    return os.environ.get("CONCLAB_GRADER_PORTABLE") == "1"
