"""Checks of conclab.lessons.pickling_and_start_methods that nbval cannot make: the timeout
really kills the child's whole process tree, and stderr summaries survive colour codes and
long messages."""

from __future__ import annotations

import os
import pickle
import sys
import textwrap
import time

import pytest

from conclab.lessons import pickling_and_start_methods as pd

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


# -- issue 17: claims notebook 08 corrected or added, pinned -------------------------------

MODULE_LAMBDA = lambda: None  # noqa: E731 - a lambda at module level: still `<lambda>`


def test_os_resources_do_not_pickle(tmp_path):
    import socket
    import threading

    with open(tmp_path / "f.txt", "w") as file, socket.socket() as sock:
        for obj in (file, threading.Lock(), sock, (x for x in range(3))):
            assert not pd.try_pickle(obj).startswith("ok"), obj


def test_a_bound_method_pickles_its_object_with_every_task():
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    scorer = pd.Scorer(1_000)
    assert len(pickle.dumps(scorer.score)) > 1_000
    pd.Scorer.pickled = 0
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=ctx) as ex:
        assert list(ex.map(scorer.score, range(20))) == list(range(20))
    assert pd.Scorer.pickled == 20


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_an_instance_of_a_main_class_breaks_a_strict_pool(method):
    import multiprocessing

    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"{method} is not available here")
    ran = pd.run_python(pd.MAIN_CLASS_ARGUMENT.replace("START_METHOD", method), timeout=120)
    assert "the task raised: BrokenProcessPool" in ran.stdout, ran
    assert "Settings" in ran.stderr, ran


def test_process_with_a_lambda_target_fails_to_start_under_spawn():
    """The notebook used to say lambdas fail under every start method: for a bare
    Process that is only true of spawn and forkserver."""
    import multiprocessing

    proc = multiprocessing.get_context("spawn").Process(target=MODULE_LAMBDA)
    with pytest.raises((pickle.PicklingError, AttributeError)):
        proc.start()


@pytest.mark.skipif(os.name == "nt", reason="fork is POSIX only")
def test_process_with_a_lambda_target_runs_under_fork():
    import multiprocessing
    import warnings

    proc = multiprocessing.get_context("fork").Process(target=MODULE_LAMBDA)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # 3.12+: forking with threads
        proc.start()
    proc.join(60)
    assert proc.exitcode == 0


@pytest.mark.skipif(os.name == "nt", reason="fork is POSIX only")
def test_a_forked_child_inherits_a_held_lock():
    ran = pd.run_python(pd.FORK_WITH_HELD_LOCK, timeout=120)
    assert ran.stdout.splitlines() == [
        "forked child: lock.acquire(timeout=1) -> False",
        "parent, after its thread let go: lock.acquire(timeout=1) -> True",
    ], ran


@pytest.mark.skipif(sys.version_info < (3, 11), reason="max_tasks_per_child is new in 3.11")
def test_a_backlog_with_max_tasks_per_child_reports_instead_of_hanging():
    """gh-115634 is not only `map`: any backlog hangs, and 3.11 and 3.12 keep the bug."""
    ran = pd.run_python(pd.BACKLOG_WITH_MAX_TASKS, timeout=120)
    assert not ran.timed_out and "of 6 tasks done after 10 s" in ran.stdout, ran
    if sys.version_info[:2] in ((3, 11), (3, 12)):
        assert "0 stuck" not in ran.stdout, ran


def test_writefile_accepts_a_quoted_path_with_a_space(tmp_path):
    from IPython.core.interactiveshell import InteractiveShell

    folder = tmp_path / "a folder"
    folder.mkdir()
    shell = InteractiveShell.instance()
    shell.run_cell_magic("writefile", f'"{folder}/nb07_workers.py"', "def cube(x):\n    return x\n")
    assert (folder / "nb07_workers.py").read_text().startswith("def cube")


@pytest.mark.skipif(os.name == "nt", reason="on Windows a child's stderr goes to the console")
def test_the_kernel_forwards_a_childs_stderr_into_the_cell():
    """The notebook used to say the child's stderr shows in the server's console or not at
    all: ipykernel 6+ forwards it into the running cell on Linux and macOS."""
    import nbformat
    from nbclient import NotebookClient

    cell = (
        "import subprocess, sys\n"
        "subprocess.run([sys.executable, '-c', "
        "'import os; os.write(2, b\"written by a child process\\\\n\")'])\n"
        "import time; time.sleep(2)"
    )
    # The forwarding thread may deliver late: to this cell, or to the one after it.
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(cell), nbformat.v4.new_code_cell("time.sleep(2)")]
    )
    client = NotebookClient(nb, timeout=120, kernel_name="python3")
    # ipykernel turns the forwarding off under pytest (PYTEST_CURRENT_TEST): a kernel
    # started from Jupyter never has that variable.
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    with client.setup_kernel(env=env):
        client.execute_cell(nb.cells[0], 0)
        client.execute_cell(nb.cells[1], 1)
    text = "".join(o.get("text", "") for cell in nb.cells for o in cell.outputs)
    assert "written by a child process" in text, [cell.outputs for cell in nb.cells]
