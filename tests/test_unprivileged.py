"""The engine as an ordinary user beside a program holding 500 threads, as on CI runners
and learners' laptops (Linux counts every thread of a user against RLIMIT_NPROC).

Runs when the suite runs as root (as CI does): it creates the user, lets it traverse to the
checkout and the interpreter, and runs the grader and the engine's own tests as that user,
with the zygote on and off and with each sandbox backend.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from grader.manifest import PROJECT_ROOT, discover

USER = "conclab-learner"
THREADS = 500

pytestmark = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("setpriv"),
    reason="needs root (to create the user) and setpriv",
)


def _traversable(paths) -> list[tuple[Path, int]]:
    """Give others search (x) permission on every folder above these paths, and read (r)
    on the paths themselves (imports list the folders on sys.path); return what to restore.
    Above them listing stays forbidden: x on a folder only lets a known path be opened. (A
    checkout in a 0700 folder, as `mktemp -d` makes, needs this; a CI runner's does not.)"""
    changed = []
    for path in paths:
        for folder in [Path(path), *Path(path).parents]:
            if folder.is_dir():
                mode = folder.stat().st_mode
                wanted = stat.S_IXOTH | (stat.S_IROTH if folder == Path(path) else 0)
                if mode & wanted != wanted:
                    os.chmod(folder, mode | wanted)
                    changed.append((folder, mode))
    return changed


@pytest.fixture(scope="module")
def learner():
    """The ordinary user, and a process of theirs holding THREADS threads while tests run."""
    try:
        entry = pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(["useradd", "--no-create-home", "--shell", "/bin/sh", USER], check=True)
        entry = pwd.getpwnam(USER)
    home = Path(tempfile.mkdtemp(prefix="conclab-learner-"))  # outside root's 0700 tmp
    os.chown(home, entry.pw_uid, entry.pw_gid)
    roots = [PROJECT_ROOT, Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()]
    roots.append(Path(os.path.realpath(sys.executable)).parent)
    restore = _traversable(roots)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LANG": "C.UTF-8"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    busy = subprocess.Popen(
        as_user(entry)
        + [
            sys.executable,
            "-c",
            "import threading, time\n"
            "stop = threading.Event()\n"
            f"for _ in range({THREADS}):\n"
            "    threading.Thread(target=stop.wait, daemon=True).start()\n"
            "print('ready', flush=True)\n"
            "time.sleep(3600)\n",
        ],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert busy.stdout.readline().strip() == "ready"
    try:
        yield entry, env
    finally:
        busy.kill()
        busy.wait()
        for folder, mode in reversed(restore):
            os.chmod(folder, mode)
        shutil.rmtree(home, ignore_errors=True)


def as_user(entry) -> list[str]:
    return ["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--clear-groups"]


def grade_as(learner, target: str, extra_env: dict) -> dict:
    entry, env = learner
    out = Path(tempfile.mkdtemp(dir=env["HOME"]))
    os.chown(out, entry.pw_uid, entry.pw_gid)
    report = out / "run.json"
    done = subprocess.run(
        as_user(entry)
        + [sys.executable, "-m", "grader", "check", "--target", target, "--json", str(report)],
        cwd=PROJECT_ROOT,
        env={**env, **extra_env, "CONCLAB_PROGRESS_FILE": str(out / "progress.json")},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return json.loads(report.read_text())


LAUNCHERS = {"zygote": {}, "fresh interpreters": {"CONCLAB_GRADER_ZYGOTE": "0"}}
BACKENDS = {"best": {}, "session": {"CONCLAB_SANDBOX": "session"}}


@pytest.mark.slow
@pytest.mark.parametrize("launcher", LAUNCHERS)
@pytest.mark.parametrize("backend", BACKENDS)
def test_reference_solutions_full_and_stubs_zero_as_a_user(learner, launcher, backend):
    extra = {**LAUNCHERS[launcher], **BACKENDS[backend]}
    solved = grade_as(learner, "solutions", extra)
    short = [(e["slug"], e["score"], e["max_score"]) for e in solved["exercises"]]
    assert all(e["score"] == e["max_score"] for e in solved["exercises"]), short
    assert len(solved["exercises"]) == len(discover(PROJECT_ROOT))
    used = {e["sandbox"] for e in solved["exercises"]}
    assert all("cgroup" not in name for name in used), used  # an ordinary user makes none
    if backend == "session":
        assert used == {"session"}
    stubs = grade_as(learner, "exercises", extra)
    assert [e["score"] for e in stubs["exercises"]] == [0] * len(stubs["exercises"])


@pytest.mark.slow
@pytest.mark.timeout(2400)
def test_engine_tests_pass_as_a_user(learner):
    """The hostile corpus and the sandbox tests (both launchers, both backends) as the user."""
    entry, env = learner
    base = Path(tempfile.mkdtemp(dir=env["HOME"]))
    os.chown(base, entry.pw_uid, entry.pw_gid)
    done = subprocess.run(
        as_user(entry)
        + [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly"]
        + ["--basetemp", str(base / "t"), "tests/test_hostile.py", "tests/test_sandbox.py"],
        cwd=PROJECT_ROOT,
        env={**env, "PYTEST_ADDOPTS": "", "MPLBACKEND": "Agg"},
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-3000:]
