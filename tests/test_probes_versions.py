"""Probes recognise a blocking Thread.join on every interpreter here (3.13 removed the
private frame they used to look for), without falling back to a timer."""

from __future__ import annotations

import glob
import os
import subprocess
import sys

import pytest

from grader.manifest import PROJECT_ROOT

SCRIPT = """
import threading, time
from conclab.probes.gates import parked
stop = threading.Event()
target = threading.Thread(target=stop.wait)
target.start()
joiner = threading.Thread(target=target.join)
joiner.start()
deadline = time.monotonic() + 30
while not parked(joiner) and time.monotonic() < deadline:
    time.sleep(0.01)
print(parked(joiner))
stop.set()
joiner.join()
print(parked(joiner))
"""

INTERPRETERS = sorted(
    {sys.executable, *glob.glob(os.path.expanduser("~/.pyenv/versions/3.1[0-4]*/bin/python"))}
)


@pytest.mark.parametrize("python", INTERPRETERS)
def test_a_blocking_join_is_parked_and_a_finished_one_is_not(python):
    done = subprocess.run(
        [python, "-c", SCRIPT],
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "False"], done.stdout + done.stderr
