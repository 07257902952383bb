"""Shared fixtures for the project's own tests."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import psutil
import pytest

from grader.engine import proctree, zygote
from grader.manifest import PROJECT_ROOT, discover

WRONG_DIR = Path(__file__).parent / "wrong"


def all_exercises():
    return discover(PROJECT_ROOT)


def make_target(tmp_path: Path, exercise, source: Path) -> Path:
    """A submission folder laid out like exercises/, holding source as the exercise's module."""
    folder = tmp_path / "target" / exercise.folder
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, folder / f"{exercise.slug}.py")
    return tmp_path / "target"


@pytest.fixture
def no_leaked_processes():
    """Fail a test that leaves processes it started running: new descendants of this test
    process reached only through other new processes. A helper that a long-lived process
    started meanwhile (a browser's renderer, the grader's zygote's runs are judged by their
    marker) is not this test's; the grader's zygote is a long-lived helper by design."""
    me = psutil.Process()
    before = {p.pid for p in me.children(recursive=True)}
    yield
    kept = before | set(zygote.pids())
    started = []
    for proc in me.children(recursive=True):
        if proc.pid in kept:
            continue
        try:
            chain = [p.pid for p in proc.parents()]
        except psutil.Error:
            continue
        between = chain[: chain.index(me.pid)] if me.pid in chain else chain
        if not any(pid in kept for pid in between) and not _session_helper(proc):
            started.append(proc)
    gone, alive = psutil.wait_procs(started, timeout=5)
    assert not alive, f"processes left behind: {[p.pid for p in alive]}"


SESSION_HELPERS = ("multiprocessing.resource_tracker", "multiprocessing.forkserver")


def _session_helper(proc: psutil.Process) -> bool:
    """multiprocessing's resource tracker and forkserver live as long as the test process,
    by design, whichever test happened to start them first."""
    try:
        return any(helper in " ".join(proc.cmdline()) for helper in SESSION_HELPERS)
    except psutil.Error:
        return False


TAG = "CONCLAB_TEST_TAG"


def tagged(tag: str) -> list[psutil.Process]:
    """Processes whose environment carries this test's tag (see `process_tag`), but not
    the grader's zygote, which outlives gradings by design."""
    helpers = set(zygote.pids())
    return [p for p in proctree.marked(tag, TAG) if p.pid not in helpers]


@pytest.fixture
def process_tag(monkeypatch) -> str:
    """A tag in the environment that every process this test starts inherits."""
    tag = uuid.uuid4().hex
    monkeypatch.setenv(TAG, tag)
    return tag


@pytest.fixture(params=["zygote", "fresh interpreters", "portable"])
def supervisor_start(request, monkeypatch) -> str:
    """Grade with supervisors forked by the zygote (Linux), with fresh interpreters, and on
    the portable path (what macOS and Windows have: no zygote, no parent-death signal or
    subreaper, the session backend; the runner's stdin pipe is the watchdog). The
    environment variables reach runners in subprocesses."""
    if request.param == "zygote":
        if not zygote.ENABLED:
            pytest.skip("no zygote on this platform")
    else:
        monkeypatch.setattr(zygote, "ENABLED", False)
        monkeypatch.setenv("CONCLAB_GRADER_ZYGOTE", "0")
    if request.param == "portable":
        monkeypatch.setenv("CONCLAB_GRADER_PORTABLE", "1")
    return request.param
