"""conclab.core.env, the helpers of notebook 00-start-here: what the executors default to."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import pytest

from conclab.core import env
from conclab.lessons import futures as futures_demo

ROOT = Path(__file__).resolve().parents[1]
PYENV = Path.home() / ".pyenv" / "versions"
# The interpreters the course supports that this machine has, beside the one running.
OTHER_PYTHONS = sorted(
    str(p)
    for p in PYENV.glob("3.1[0-9]*/bin/python3")
    if p.resolve() != Path(sys.executable).resolve()
)
# Runs on any of them with only the repository on sys.path: env.py needs the stdlib only.
PROBE = """
import json, sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
sys.path.insert(0, sys.argv[1])
from conclab.core import env
print(json.dumps({
    "computed": env.default_workers(),
    "threads": ThreadPoolExecutor()._max_workers,
    "processes": ProcessPoolExecutor()._max_workers,
}))
"""


def test_default_workers_is_what_both_executors_use():
    workers = env.default_workers()
    assert workers["ThreadPoolExecutor"] == ThreadPoolExecutor()._max_workers
    assert workers["ProcessPoolExecutor"] == ProcessPoolExecutor()._max_workers


def test_notebook_04_and_the_report_use_the_same_function():
    assert (
        futures_demo.default_workers()["ThreadPoolExecutor"]
        == (env.default_workers()["ThreadPoolExecutor"])
    )
    report = env.report()
    assert report["ThreadPoolExecutor default workers"].startswith(
        f"{ThreadPoolExecutor()._max_workers} "
    )


def test_the_override_for_prose_does_not_change_the_executor_facts(monkeypatch):
    # CONCLAB_CPUS makes the prose read as on another machine; the executor ignores it.
    monkeypatch.setenv(env.CPUS_OVERRIDE, "16")
    assert env.usable_cpus() == 16
    assert env.default_workers()["ThreadPoolExecutor"] == ThreadPoolExecutor()._max_workers


@pytest.mark.skipif(not shutil.which("taskset"), reason="needs taskset (Linux util-linux)")
@pytest.mark.parametrize("python", [sys.executable, *OTHER_PYTHONS])
def test_default_workers_under_taskset_one_cpu(python):
    # On 3.10 to 3.12 the executors count os.cpu_count(), which ignores the affinity mask;
    # from 3.13 os.process_cpu_count(), which honours it. The rule must follow the version.
    done = subprocess.run(
        ["taskset", "-c", "0", python, "-c", PROBE, str(ROOT)],
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if k not in ("PYTHON_CPU_COUNT", "PYTHONPATH")},
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["computed"]["ThreadPoolExecutor"] == seen["threads"]
    assert seen["computed"]["ProcessPoolExecutor"] == seen["processes"]
    if seen["computed"]["source"] == "os.process_cpu_count()":
        assert seen["threads"] == 5  # one usable CPU + 4
    else:
        assert seen["threads"] == min(32, os.cpu_count() + 4)


def test_a_jupyter_style_process_has_several_threads():
    # What notebook 00 shows before it names fork's risk: kernel_threads lists live threads.
    stop = threading.Event()
    helper = threading.Thread(target=stop.wait, name="helper")
    helper.start()
    try:
        assert "helper" in env.thread_names()
    finally:
        stop.set()
        helper.join()


def test_notebook_00_names_the_risk_of_forking_a_kernel_and_shows_its_threads():
    import nbformat

    from grader.manifest import NOTEBOOKS_DIR

    nb = nbformat.read(NOTEBOOKS_DIR / "00-start-here.ipynb", as_version=4)
    markdown = " ".join(" ".join(c.source.split()) for c in nb.cells if c.cell_type == "markdown")
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "DeprecationWarning" in markdown and "forkserver" in markdown
    assert "thread_names()" in code and "report()" in code
