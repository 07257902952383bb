"""Checks of conclab.pickling_demo that nbval cannot make: the timeout really kills the
child's whole process tree, and stderr summaries survive colour codes and long messages."""

from __future__ import annotations

import os
import textwrap
import time

import pytest

from conclab import pickling_demo as pd

HANGS_WITH_A_GRANDCHILD = textwrap.dedent(
    """
    import subprocess, sys, time
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    print(child.pid, flush=True)
    time.sleep(600)
    """
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a killed child that nobody reaped yet is a zombie: gone for our purposes
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except OSError:
        return True


@pytest.mark.skipif(os.name == "nt", reason="process groups are a POSIX notion")
def test_timeout_kills_the_child_and_its_children():
    ran = pd.run_python(HANGS_WITH_A_GRANDCHILD, timeout=3)
    assert ran.timed_out, f"run_python returned {ran}, expected a timeout"
    assert ran.returncode is None
    # A surviving grandchild keeps the output pipe open, and run_python would wait for it.
    assert ran.seconds < 120, f"run_python took {ran.seconds:.0f} s: it waited for a grandchild"
    grandchild = int(ran.stdout.split()[0])
    deadline = time.monotonic() + 10
    while _alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(grandchild), f"pid {grandchild}, started by the child, outlived the timeout"


def test_finished_child_reports_exit_code_and_output():
    ran = pd.run_python("import sys; print('hi'); sys.exit(3)", timeout=60)
    assert (ran.returncode, ran.stdout.strip(), ran.timed_out) == (3, "hi", False)


def test_script_file_has_a_main_module_path():
    ran = pd.run_python("import __main__; print(__main__.__file__)", timeout=60, as_file=True)
    assert ran.stdout.strip().endswith("script.py"), ran


def test_error_lines_strip_colour_and_join_multiline_messages():
    text = (
        "Traceback (most recent call last):\n"
        '  File "x.py", line 1\n'
        "\x1b[1;35mAttributeError\x1b[0m: \x1b[35mCan't get attribute 'f'\x1b[0m\n"
        "AttributeError: Can't get attribute 'f'\n"
        "RuntimeError: \n"
        "        An attempt has been made\n"
        "    raise self._exception\n"
    )
    assert pd.error_lines(text) == {
        "AttributeError: Can't get attribute 'f'": 2,
        "RuntimeError: An attempt has been made": 1,
    }


def test_try_pickle_names_the_exception_for_a_lambda():
    result = pd.try_pickle(lambda x: x)
    assert "PicklingError" in result or "AttributeError" in result, result
    assert pd.try_pickle(pd.square).startswith("ok, ")


def test_kernel_colour_settings_do_not_reach_the_child(monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")
    ran = pd.run_python("raise ValueError('plain')", timeout=60)
    assert "\x1b[" not in ran.stderr, ran.stderr
    assert pd.error_lines(ran.stderr) == {"ValueError: plain": 1}
