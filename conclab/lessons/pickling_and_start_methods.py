"""Workers and measuring helpers for notebook 08: what crosses a process boundary, and how.

    parent process                              worker process
    pickle.dumps(square)  ─ b"<module> square" ─▶ import the module, look it up
    pickle.dumps(args)    ─ every byte of every argument   ─▶ a copy (by value)
    pickle.loads(result)  ◀─ every byte of the return value ─ a copy back

Every worker here is module-level, so it pickles by reference under fork, spawn and
forkserver. The failing cases run in a child interpreter (`run_python`) with a timeout.

One module because it is one notebook's helpers (08-pickling-and-start-methods), named
after it.
"""

from __future__ import annotations

import collections
import os
import pickle
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


def square(x):
    """The simplest worker: pickles as its qualified name."""
    return x * x


def power(base, exponent):
    """A two-argument worker; `functools.partial(power, exponent=3)` pickles too."""
    return base**exponent


def pid_of(_=None) -> int:
    """Which process ran this task (for max_tasks_per_child)."""
    return os.getpid()


def size_of(obj) -> int:
    """Receives a (large) argument and sends back only a small number."""
    return len(obj)


def append_and_return(items: list, item) -> list:
    """Mutates its argument: shows that the worker changed a copy, not the caller's list."""
    items.append(item)
    return items


def noop() -> None:
    """A process target that does nothing: what remains is the cost of starting one."""


class Scorer:
    """Holds a table; `scorer.score` is a *bound method*, and pickling it pickles the whole
    scorer with it, once per task. Counts how often that happens in this process."""

    pickled = 0  # how many times an instance was pickled in this process

    def __init__(self, size: int):
        self.table = list(range(size))

    def score(self, x: int) -> int:
        return self.table[x % len(self.table)]

    def __getstate__(self):
        Scorer.pickled += 1  # runs in whichever thread pickles (the pool's own)
        return self.__dict__


def exit_with_lock_result(lock, seconds: float) -> None:
    """Process target: try to take `lock` for `seconds`; exit code 0 if that worked, 1 if
    not. Under fork the lock is the parent's lock as it was at the fork, held or not."""
    sys.exit(0 if lock.acquire(timeout=seconds) else 1)


# Scripts for notebook 08 and the tests, each run in a separate interpreter by run_python.

# A thread of the parent holds a lock at the moment of fork(): the child gets the lock
# held, and no thread that could release it.
FORK_WITH_HELD_LOCK = """
import threading
import multiprocessing as mp
from conclab.lessons.pickling_and_start_methods import exit_with_lock_result

if __name__ == "__main__":
    lock, held, release = threading.Lock(), threading.Event(), threading.Event()

    def holder():
        with lock:  # held while the fork happens
            held.set()
            release.wait(60)

    threading.Thread(target=holder, daemon=True).start()
    held.wait(60)
    child = mp.get_context("fork").Process(target=exit_with_lock_result, args=(lock, 1.0))
    child.start()
    child.join(60)
    print("forked child: lock.acquire(timeout=1) ->", child.exitcode == 0)
    release.set()  # the parent's holder thread lets go...
    print("parent, after its thread let go: lock.acquire(timeout=1) ->", lock.acquire(timeout=1))
"""

# An instance of a class defined in __main__, sent as an argument; START_METHOD is replaced.
MAIN_CLASS_ARGUMENT = """
import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor
from conclab.lessons.pickling_and_start_methods import pid_of

class Settings:  # defined in __main__, like a class in a notebook cell
    retries = 3

if __name__ == "__main__":
    with ProcessPoolExecutor(1, mp_context=mp.get_context("START_METHOD")) as ex:
        try:
            print("the task ran in worker", ex.submit(pid_of, Settings()).result(timeout=60))
        except Exception as exc:
            print("the task raised:", type(exc).__name__)
"""

# gh-115634: more tasks waiting than a worker's max_tasks_per_child.
BACKLOG_WITH_MAX_TASKS = """
import os
from concurrent.futures import ProcessPoolExecutor, wait

if __name__ == "__main__":
    ex = ProcessPoolExecutor(max_workers=1, max_tasks_per_child=2)
    futures = [ex.submit(abs, -i) for i in range(6)]  # a backlog: all six at once
    done, not_done = wait(futures, timeout=10)
    print(f"{len(done)} of 6 tasks done after 10 s, {len(not_done)} stuck", flush=True)
    if not_done:
        os._exit(0)  # a stuck pool would hang the interpreter's exit too
    ex.shutdown()
"""


# -- shipping data once per worker (initializer) versus with every task ----------------

_WORKER_DATA = None  # set once in each worker process by load_data


def load_data(data) -> None:
    """Pool initializer: keep `data` in this worker for every later task."""
    global _WORKER_DATA
    _WORKER_DATA = data


def part_sum(data, part: int, parts: int) -> float:
    """Sum of one of `parts` equal slices of data (data arrives with the task)."""
    step = len(data) // parts
    return float(data[part * step : (part + 1) * step].sum())


def part_sum_of_loaded(part: int, parts: int) -> float:
    """The same sum over the data the initializer loaded into this worker."""
    return part_sum(_WORKER_DATA, part, parts)


def time_process_start(method: str, repeats: int = 3) -> float:
    """Best seconds to start and join a Process running `noop` with this start method."""
    import multiprocessing

    ctx = multiprocessing.get_context(method)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        proc = ctx.Process(target=noop)
        proc.start()
        proc.join()
        best = min(best, time.perf_counter() - start)
    return best


# -- inspecting pickles ---------------------------------------------------------------


def try_pickle(obj) -> str:
    """'ok, N bytes' or 'ExceptionType: message' for pickle.dumps(obj), never raises."""
    try:
        return f"ok, {len(pickle.dumps(obj))} bytes"
    except Exception as exc:  # noqa: BLE001 - which exception it is, is the lesson
        return f"{type(exc).__module__}.{type(exc).__name__}: {exc}"


def _best_seconds(repeats: int, call, *args) -> float:
    """The fastest of `repeats` calls: other programs on the machine only ever add time."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        call(*args)
        best = min(best, time.perf_counter() - start)
    return best


def measure_pickle(make, sizes, repeats: int = 3) -> list[tuple[int, float, int]]:
    """(n, best seconds for pickle.dumps, pickled bytes) for make(n) at each size."""
    rows = []
    for n in sizes:
        obj = make(n)
        best = _best_seconds(repeats, pickle.dumps, obj, pickle.HIGHEST_PROTOCOL)
        rows.append((n, best, len(pickle.dumps(obj, pickle.HIGHEST_PROTOCOL))))
    return rows


def _submit_and_wait(executor, obj) -> None:
    executor.submit(size_of, obj).result()


def measure_round_trip(executor, make, sizes, repeats: int = 3) -> list[tuple[int, float]]:
    """(n, best seconds for executor.submit(size_of, make(n)).result()) at each size."""
    executor.submit(noop).result()  # start the workers before timing anything
    rows = []
    for n in sizes:
        obj = make(n)
        rows.append((n, _best_seconds(repeats, _submit_and_wait, executor, obj)))
    return rows


def plot_pickle_cost(by_kind: dict, round_trip: list | None = None):
    """Log-log plots of pickle time and size against the number of elements."""
    import matplotlib.pyplot as plt

    panels = 3 if round_trip else 2
    fig, axes = plt.subplots(1, panels, figsize=(4.2 * panels, 3.4), layout="constrained")
    for kind, rows in by_kind.items():
        ns = [r[0] for r in rows]
        axes[0].loglog(ns, [r[1] * 1e3 for r in rows], "o-", label=kind)
        axes[1].loglog(ns, [r[2] / 1e6 for r in rows], "o-", label=kind)
    axes[0].set(xlabel="elements", ylabel="pickle.dumps time (ms)", title="Time to pickle")
    axes[1].set(xlabel="elements", ylabel="pickled size (MB)", title="Bytes to send")
    if round_trip:
        axes[2].loglog([r[0] for r in round_trip], [r[1] * 1e3 for r in round_trip], "o-")
        axes[2].set(
            xlabel="float64 elements",
            ylabel="submit(...).result() (ms)",
            title="Round trip to a worker",
        )
    for ax in axes:
        ax.grid(alpha=0.3, which="both")
    axes[0].legend()
    return fig


# -- running a failing example in a separate interpreter, with a timeout ------------------


@dataclass
class Ran:
    """What a child interpreter did: exit code (None if killed), output, time taken."""

    returncode: int | None
    stdout: str
    stderr: str
    timed_out: bool
    seconds: float

    def errors(self) -> collections.Counter:
        """The final line of each traceback in stderr, with how often it appeared."""
        return error_lines(self.stderr)

    def summary(self) -> str:
        state = (
            f"killed after {self.seconds:.1f} s (timed out)"
            if self.timed_out
            else (f"exit code {self.returncode} after {self.seconds:.1f} s")
        )
        lines = [f"child interpreter: {state}"]
        if self.stdout.strip():
            lines.append("stdout:\n  " + self.stdout.strip().replace("\n", "\n  "))
        for line, count in self.errors().items():
            lines.append(f"stderr: {line}" + (f"   (x{count})" if count > 1 else ""))
        return "\n".join(lines)


_ANSI = re.compile(r"\x1b\[[0-9;]*m")  # colour codes: a kernel sets FORCE_COLOR=1
_ERROR_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Pool|Warning)\b:?.*$")


def error_lines(text: str) -> collections.Counter:
    """Lines such as 'AttributeError: ...' (each traceback's last line), counted; when
    the message starts on the next line, its first line is appended."""
    found = collections.Counter()
    lines = _ANSI.sub("", text).splitlines()
    for i, line in enumerate(lines):
        if not _ERROR_LINE.match(line):
            continue
        line = line.strip()
        if line.endswith(":"):
            following = next((n.strip() for n in lines[i + 1 :] if n.strip()), "")
            line = f"{line} {following}"
        found[line] += 1
    return found


def run_python(code: str, timeout: float, as_file: bool = False) -> Ran:
    """Run code in a fresh interpreter (`python -c`, or a script file when as_file), kill
    it and every process it started if it is still running after timeout seconds.

    `python -c` stands for a notebook: its `__main__` has no file a child could re-import.
    """
    with tempfile.TemporaryDirectory() as folder:
        if as_file:
            script = Path(folder) / "script.py"
            script.write_text(code, encoding="utf-8")
            argv = [sys.executable, str(script)]
        else:
            argv = [sys.executable, "-c", code]
        # A new process group (session) so that a timeout kills the pool workers too.
        options = (
            {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
            if os.name == "nt"
            else {"start_new_session": True}
        )
        # Plain tracebacks: a Jupyter kernel sets FORCE_COLOR, which 3.13+ obeys.
        env = {**os.environ, "PYTHON_COLORS": "0", "NO_COLOR": "1"}
        env.pop("FORCE_COLOR", None)
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv,
            cwd=folder,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            **options,
        )
        try:
            out, err = proc.communicate(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            _kill_tree(proc)
            out, err = proc.communicate()
            timed_out = True
        seconds = time.perf_counter() - start
    return Ran(None if timed_out else proc.returncode, out, err, timed_out, seconds)


def _kill_tree(proc: subprocess.Popen) -> None:
    """Kill the child and, on POSIX, every process in its group."""
    if os.name == "nt":
        subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)], capture_output=True)
        proc.kill()
    else:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
