"""Shared fixtures for the project's own tests."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import psutil
import pytest

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
    """Fail a test that leaves child processes of this test process running."""
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    yield
    gone, alive = psutil.wait_procs(
        [p for p in psutil.Process().children(recursive=True) if p.pid not in before], timeout=5
    )
    assert not alive, f"processes left behind: {[p.pid for p in alive]}"


TAG = "CONCLAB_TEST_TAG"


def tagged(tag: str) -> list[psutil.Process]:
    """Processes whose environment carries this test's tag (see `process_tag`)."""
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.environ().get(TAG) == tag:
                found.append(proc)
        except (psutil.Error, OSError):
            continue
    return found


@pytest.fixture
def process_tag(monkeypatch) -> str:
    """A tag in the environment that every process this test starts inherits."""
    tag = uuid.uuid4().hex
    monkeypatch.setenv(TAG, tag)
    return tag
