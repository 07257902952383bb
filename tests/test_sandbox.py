"""The engine under every launcher and sandbox backend: true grades, nothing lost, nothing left.

Each test runs with supervisors forked by the zygote and with fresh interpreters, and with
the namespace backend (where the machine allows it) and the portable session backend.
`tests/test_unprivileged.py` runs this file again as an ordinary user.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from grader import messages
from grader.engine import events, proctree, runner, sandbox, scratch
from grader.engine.assignment import grade
from grader.engine.runner import grade_exercise
from grader.manifest import PROJECT_ROOT, SOLUTIONS_DIR, select

from .conftest import tagged

ATTACKS = Path(__file__).parent / "attacks"
TIMEOUT = 8.0  # seconds per check for the hanging submissions below


@pytest.fixture(params=[sandbox.NAMESPACE, sandbox.SESSION])
def backend(request, monkeypatch, supervisor_start) -> str:
    """Force one sandbox backend for this test (and for runners in subprocesses)."""
    if request.param == sandbox.NAMESPACE and not sandbox.namespaces_work():
        pytest.skip("this machine refuses namespaces to this user")
    if request.param == sandbox.NAMESPACE and supervisor_start == "portable":
        pytest.skip("the portable path is the session backend by definition")
    monkeypatch.setenv(sandbox.FORCE, request.param)
    return request.param


def submission(tmp_path: Path, slug: str, source: str) -> Path:
    exercise = select([slug])[0]
    folder = tmp_path / "target" / exercise.folder
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{exercise.slug}.py").write_text(source, encoding="utf-8")
    return tmp_path / "target"


def course_copy(tmp_path: Path) -> Path:
    """The course's exercises, solutions and hidden checks, to change without harm."""
    root = tmp_path / "course"
    for name in ("exercises", "solutions", "hidden"):
        shutil.copytree(PROJECT_ROOT / name, root / name)
    return root


def solution_text(slug: str) -> str:
    return select([slug])[0].module_in(SOLUTIONS_DIR).read_text(encoding="utf-8")


def no_leftovers(tag: str) -> None:
    gone, alive = psutil.wait_procs(tagged(tag), timeout=5)
    assert not alive, f"left behind: {[p.pid for p in alive]}"


def test_solutions_full_and_stubs_zero(tmp_path, backend, supervisor_start, process_tag):
    names = ["fetch_in_order", "prime_chunks", "queue_pipeline"]
    solved = grade(names, SOLUTIONS_DIR, include_hidden=True)
    for result in solved.exercises:
        failing = [(c.name, c.message) for c in result.checks if not c.passed]
        assert result.score == result.max_score, failing
        assert result.sandbox.split("+")[0] == backend
    stubs = grade(names, PROJECT_ROOT / "exercises", include_hidden=True)
    assert [r.score for r in stubs.exercises] == [0, 0, 0]
    no_leftovers(process_tag)


def test_unnamed_signal_fails_its_exercise_only(tmp_path, backend, supervisor_start):
    """SIGRTMIN+6 has no name in `signal.Signals`: it is named, and nothing else suffers."""
    killer = "import os, signal\nos.kill(os.getpid(), signal.SIGRTMIN + 6)\n"
    target = submission(tmp_path, "prime_chunks", killer)
    shutil.copytree(SOLUTIONS_DIR / "01_fetch_in_order", target / "01_fetch_in_order")
    out = tmp_path / "run.json"
    done = subprocess.run(
        [sys.executable, "-m", "grader", "check", "01", "02", "--target", str(target)]
        + ["--json", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    first, second = json.loads(out.read_text())["exercises"]
    assert first["score"] == first["max_score"]
    assert second["score"] == 0
    rt = signal.SIGRTMIN + 6
    assert all(f"signal {rt} (" in c["message"] for c in second["checks"]), second["checks"]


def test_checks_after_a_stopped_session_run_again(tmp_path, backend, supervisor_start):
    """Learner code that raises KeyboardInterrupt once ends pytest's session; the checks
    not reached are run again in a fresh process and graded on their merits."""
    marker = tmp_path / "interrupted-once"
    source = solution_text("fetch_in_order") + (
        "\n\n_real = fetch_all\n\n\n"
        "def fetch_all(*args, **kwargs):\n"
        "    import os\n"
        f"    if not os.path.exists({str(marker)!r}):\n"
        f"        open({str(marker)!r}, 'w').close()\n"
        "        raise KeyboardInterrupt\n"
        "    return _real(*args, **kwargs)\n"
    )
    exercise = select(["fetch_in_order"])[0]
    result = grade_exercise(exercise, submission(tmp_path, exercise.slug, source))
    failed = [c for c in result.checks if not c.passed]
    assert len(failed) == 1, [(c.name, c.message) for c in failed]
    assert failed[0].message == messages.SESSION_STOPPED
    assert len(result.checks) >= 6


def test_ctrl_c_stops_within_seconds_and_writes_what_was_graded(tmp_path, process_tag):
    """Ctrl-C 3 s into a grading of hanging code: back within 3 s, no traceback, JSON
    written and marked interrupted, no process left."""
    hang = "import time\n\ndef split_into_chunks(items, n):\n    time.sleep(600)\n"
    target = submission(tmp_path, "prime_chunks", hang)
    out = tmp_path / "run.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "grader", "check", "02", "--target", str(target)]
        + ["--json", str(out), "--timeout", "120"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # so that the SIGINT below reaches it alone, as a terminal's
    )
    time.sleep(3)
    sent = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=30)
    took = time.monotonic() - sent
    assert took < 3, f"took {took:.1f} s after Ctrl-C"
    assert proc.returncode == 130
    assert "Traceback" not in stderr, stderr
    data = json.loads(out.read_text())
    assert data["interrupted"] is True
    no_leftovers(process_tag)


def test_a_closed_stdout_is_no_traceback(tmp_path):
    done = subprocess.run(
        f"{sys.executable} -m grader check 01 02 --target solutions | head -1",
        shell=True,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.stdout.startswith("Grading"), done.stdout
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr


def test_a_long_line_on_the_events_pipe_costs_linear_time_and_loses_nothing():
    attempt = events.Attempt()
    reader = events.Reader(None, None, "s3cret", attempt, 10.0, events.OutputBuffer(10))
    started = time.process_time()
    for _ in range(64):
        reader._events(b"x" * (1 << 20))  # 64 MiB without a newline
    reader._events(b'\n{"event": "imported", "secret": "s3cret"}\n')
    assert attempt.imported
    assert time.process_time() - started < 5  # quadratic re-splitting took 12 s here


def test_bad_limits_refused_by_validate_and_fail_only_their_exercise(tmp_path):
    root = course_copy(tmp_path)
    manifest = root / "exercises" / "02_prime_chunks" / "exercise.toml"
    manifest.write_text(manifest.read_text() + "\n[limits]\nprocesess = 8\n")
    errors: list[str] = []
    run = grade(["01", "02"], root / "solutions", root=root, errors=errors)
    assert [r.slug for r in run.exercises] == ["fetch_in_order"]
    assert run.exercises[0].score == run.exercises[0].max_score
    assert len(errors) == 1 and "processes" in errors[0] and "processes" in errors[0]
    assert run.manifest_errors == errors


def test_relative_target_is_resolved(monkeypatch):
    monkeypatch.chdir(PROJECT_ROOT)
    exercise = select(["fetch_in_order"])[0]
    result = grade_exercise(exercise, Path("solutions"))
    assert result.score == result.max_score


def test_learner_sees_an_allowlisted_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_not_for_learners")
    env = scratch.run_env("run")
    assert "GITHUB_TOKEN" not in env
    assert env["PYTHONPATH"] != str(PROJECT_ROOT)
    assert sorted(os.listdir(env["PYTHONPATH"])) == ["conclab", "grader", "sitecustomize.py"]


# -- attacks (issue "No false full scores") ----------------------------------------------


def attack_target(tmp_path: Path, name: str, text: str | None = None) -> Path:
    source = text if text is not None else (ATTACKS / name).read_text(encoding="utf-8")
    return submission(tmp_path, "prime_chunks", source)


def test_the_answer_key_is_out_of_reach(tmp_path, backend, supervisor_start):
    exercise = select(["prime_chunks"])[0]
    result = grade_exercise(exercise, attack_target(tmp_path, "answer_key.py"), True)
    if backend == sandbox.NAMESPACE:
        assert result.score == 0, "the run could read solutions/"
    assert result.score == 0 or result.flags, "a full score from the answer key, unflagged"
    assert any("solutions" in flag for flag in result.flags)


def test_solutions_and_hidden_cannot_be_imported_or_read(tmp_path, backend, supervisor_start):
    probe = (
        "import importlib, os, sys\n"
        f"ROOT = {str(PROJECT_ROOT)!r}\n"
        "SEEN = []\n"
        "for name in ('solutions', 'hidden'):\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "        SEEN.append('import ' + name)\n"
        "    except ImportError:\n"
        "        pass\n"
        "    if os.listdir(os.path.join(ROOT, name)):\n"
        "        SEEN.append('list ' + name)\n"
        "def split_into_chunks(items, n):\n"
        "    raise AssertionError('SEEN=' + repr(SEEN))\n"
    )
    exercise = select(["prime_chunks"])[0]
    result = grade_exercise(exercise, attack_target(tmp_path, "", probe))
    text = "\n".join(c.message for c in result.checks)
    assert "SEEN=" in text, text
    seen = text.split("SEEN=")[1].splitlines()[0]
    assert "import" not in seen, seen
    if backend == sandbox.NAMESPACE:
        assert seen.startswith("[]"), seen


def test_forged_records_are_flagged(tmp_path, backend, supervisor_start):
    exercise = select(["prime_chunks"])[0]
    result = grade_exercise(exercise, attack_target(tmp_path, "forge_records.py"), True)
    assert result.score == 0 or result.flags, "forged records gave points without a flag"
    assert any("gc.get_objects" in flag for flag in result.flags)


def test_an_escaping_helper_dies_with_the_run(tmp_path, backend, supervisor_start, process_tag):
    survivor = tmp_path / "survivor"
    text = (
        (ATTACKS / "escape.py").read_text().replace("/tmp/conclab-escape-survivor", str(survivor))
    )
    exercise = select(["prime_chunks"])[0]
    result = grade_exercise(exercise, attack_target(tmp_path, "", text), timeout=TIMEOUT)
    assert result.score == 0
    assert result.flags, "an escape attempt was not flagged"
    if backend != sandbox.NAMESPACE:  # it cannot promise this; the report names the backend
        time.sleep(1.0)
        proctree.kill(escaped(survivor))  # tidy up after the test, not the grader's claim
        return
    survivor.unlink(missing_ok=True)
    time.sleep(1.0)  # the helper writes every 0.2 s while it lives
    assert not survivor.exists(), "a process of the run outlived it"
    assert not escaped(survivor)


def escaped(survivor: Path) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        if proc.info["cmdline"] and str(survivor) in " ".join(proc.info["cmdline"]):
            found.append(proc)
    return found


PARAMETRIZED = """
import pytest


@pytest.mark.parametrize("n", [0, 1, 3])
def test_parametrized_sizes(submission, n):
    urls = [f"u{i}" for i in range(n)]
    assert submission.fetch_all(urls, str.upper) == [u.upper() for u in urls]
"""


def test_a_parametrized_check_passes_only_when_every_case_passes(tmp_path):
    root = course_copy(tmp_path)
    folder = root / "exercises" / "01_fetch_in_order"
    checks = folder / "test_fetch_in_order.py"
    checks.write_text(checks.read_text() + PARAMETRIZED)
    manifest = folder / "exercise.toml"
    manifest.write_text(
        manifest.read_text()
        + '\n[[checks]]\nname = "test_parametrized_sizes"\ntask = 1\npoints = 1\n'
    )
    (exercise,) = select(["fetch_in_order"], root)
    solved = grade_exercise(exercise, root / "solutions", root=root)
    assert solved.score == solved.max_score, [c.message for c in solved.checks if not c.passed]
    wrong = "def fetch_all(urls, fetch, max_workers=8):\n    return [fetch(u) for u in urls][:2]\n"
    result = grade_exercise(exercise, submission(tmp_path, "fetch_in_order", wrong), root=root)
    (case,) = [c for c in result.checks if c.name == "test_parametrized_sizes"]
    assert case.status == messages.FAILED


def test_a_check_file_that_does_not_import_is_an_internal_error(tmp_path):
    root = course_copy(tmp_path)
    checks = root / "exercises" / "01_fetch_in_order" / "test_fetch_in_order.py"
    checks.write_text(checks.read_text() + "\nraise ImportError('a broken check file')\n")
    (exercise,) = select(["fetch_in_order"], root)
    result = grade_exercise(exercise, root / "solutions", root=root)
    assert result.internal_error
    assert all("a broken check file" in c.message for c in result.checks)


def test_exit_descriptions_name_the_signal_and_fill_in_the_limits():
    settings = {"cpu_seconds": 120, "memory_mib": 512, "file_mib": 64, "processes": 64}
    cpu = runner.describe_exit(-signal.SIGXCPU, settings)
    assert "SIGXCPU" in cpu and "120 s of CPU" in cpu and "{" not in cpu
    term = runner.describe_exit(-signal.SIGTERM, settings)
    assert term.endswith(messages.SIGNAL_REASONS["SIGTERM"])
    odd = runner.describe_exit(-(signal.SIGRTMIN + 6), settings)
    assert f"signal {signal.SIGRTMIN + 6} (" in odd and odd.endswith(messages.SIGNAL_OTHER)
    assert messages.TOO_MANY_PROCESSES != messages.TOO_MANY_PROCESSES_CAPPED
    assert "stopped" in messages.TOO_MANY_PROCESSES and "refused" not in messages.TOO_MANY_PROCESSES


def test_the_portable_path_reports_over_a_loopback_socket(monkeypatch):
    from grader.engine import channel

    monkeypatch.setenv("CONCLAB_GRADER_PORTABLE", "1")
    chan = channel.make()
    try:
        assert isinstance(chan, channel.SocketChannel)
        assert chan.pass_fds == () and chan.child_args()[0] == "--events-port"
    finally:
        chan.close()


SUPERVISOR_PROC = """
import os, sys
from grader.engine import sandbox
assert sandbox.enter_namespaces([])
ready_r, ready_w = os.pipe()  # init writes a byte once its /proc is mounted
init = os.fork()
if init == 0:
    sandbox.become_init()
    os.write(ready_w, str(os.getpid()).encode())
    os._exit(0)
inner = os.read(ready_r, 16).decode()
os.waitpid(init, 0)
print(inner, os.readlink("/proc/self") == str(os.getpid()))
"""


def test_the_supervisor_keeps_the_hosts_proc_when_init_mounts_its_own():
    """The supervisor signals and waits on pids it reads in /proc: were init's /proc its
    too, it would signal the host's pids 1, 2, ... (and wait two seconds on each run)."""
    if not sandbox.namespaces_work():
        pytest.skip("this machine refuses namespaces to this user")
    done = subprocess.run(
        [sys.executable, "-c", SUPERVISOR_PROC],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=PROJECT_ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1", "True"]
