"""The interleaving explorer (conclab.interleave): known-racy and known-safe scenarios,
deadlocks, combinatorial counts, replay, primitives and timeouts, the pictures, the
stepper, the same results on every installed CPython 3.10 to 3.13, and exercise 13's
wrong implementations passing a plain threaded stress run that exploration sees through.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import math
import subprocess
import sys
import threading
import types
from pathlib import Path

import pytest

from conclab import interleave as il

ROOT = Path(__file__).resolve().parent.parent
WRONG = ROOT / "tests" / "wrong" / "13_every_interleaving"
SOLUTION = ROOT / "solutions" / "13_every_interleaving" / "every_interleaving.py"


def counter_scenario(times, locked=False):
    def setup():
        return types.SimpleNamespace(counter=0, lock=il.Lock())

    def bump(s):
        for _ in range(times):
            if locked:
                with s.lock:
                    s.counter += 1
            else:
                s.counter += 1

    return il.Scenario(setup, [bump, bump], lambda s: s.counter == 2 * times)


def one_bump():
    """Two threads, one `s.counter += 1` each (no loop): three shared-memory steps each."""

    def bump(s):
        s.counter += 1

    return il.Scenario(
        lambda: types.SimpleNamespace(counter=0), [bump, bump], lambda s: s.counter == 2
    )


def two_locks(ordered):
    def setup():
        return types.SimpleNamespace(a=il.Lock(), b=il.Lock(), done=0)

    def ab(s):
        with s.a, s.b:
            s.done += 1

    def ba(s):
        first, second = (s.a, s.b) if ordered else (s.b, s.a)
        with first, second:
            s.done += 1

    return il.Scenario(setup, {"A": ab, "B": ba}, lambda s: s.done == 2)


def test_lost_update_is_found_and_replayed():
    result = il.explore(counter_scenario(2), budget=5_000)
    assert result.complete and result.broken, result.summary()
    worst = result.shortest
    assert "invariant broken" in worst.failure
    again = il.replay(counter_scenario(2), worst.schedule)
    assert again.failure == worst.failure
    assert [(s.thread, s.line, s.instruction, s.state) for s in again.steps] == [
        (s.thread, s.line, s.instruction, s.state) for s in worst.steps
    ]
    assert again.state.counter == worst.state.counter < 4
    assert il.replay(counter_scenario(2), worst.compact()).state.counter == worst.state.counter


def test_every_outcome_of_two_unlocked_increments():
    """Without pruning or bounds, 2 x 1 increment: final counter is 1 or 2, nothing else."""
    result = il.explore(one_bump(), prune=False, budget=100_000)
    assert result.complete and result.tried == math.comb(6, 3)
    assert set(result.outcomes) == {"{'counter': '1'}", "{'counter': '2'}"}
    assert result.outcomes["{'counter': '1'}"] == 18  # all but A-all-then-B and B-all-then-A


def test_a_lock_makes_every_interleaving_safe():
    result = il.explore(counter_scenario(1, locked=True), budget=20_000)
    assert result.complete and result.broken == 0 and result.tried, result.summary()
    bounded = il.explore(counter_scenario(3, locked=True), budget=20_000, preemptions=2)
    assert bounded.complete and bounded.broken == 0, bounded.summary()


def test_pruning_finds_the_same_outcomes_as_the_full_search():
    full = il.explore(one_bump(), prune=False, budget=100_000)
    pruned = il.explore(one_bump(), budget=100_000)
    assert full.complete and pruned.complete
    assert set(full.outcomes) == set(pruned.outcomes)
    assert pruned.tried < full.tried


def test_opposite_lock_order_deadlocks_with_each_blocking_line():
    result = il.explore(two_locks(ordered=False), budget=5_000, preemptions=1)
    assert result.broken, result.summary()
    failure = result.shortest.failure
    assert failure.startswith("deadlock")
    assert "A blocked in Lock.acquire() at line" in failure and "with s.a, s.b:" in failure
    assert "B blocked in Lock.acquire() at line" in failure and "with first, second:" in failure
    fixed = il.explore(two_locks(ordered=True), budget=20_000, preemptions=2)
    assert fixed.complete and fixed.broken == 0, fixed.summary()


@pytest.mark.parametrize("sizes", [(1, 1), (2, 1), (3, 2), (2, 2, 2), (1, 1, 1, 1)])
def test_interleaving_count_is_the_multinomial(sizes):
    """One assignment per line: the runs are the ways to interleave the lines."""

    def thread(n):
        source = "def t(s):\n" + "".join(f"    s.x = {i}\n" for i in range(n))
        space = {}
        exec(compile(source, f"<thread of {n}>", "exec"), space)
        return space["t"]

    scenario = il.Scenario(lambda: types.SimpleNamespace(x=None), [thread(n) for n in sizes])
    result = il.explore(scenario, prune=False, granularity="line", budget=100_000)
    expected = math.factorial(sum(sizes)) // math.prod(math.factorial(n) for n in sizes)
    assert result.complete and result.tried == expected


def test_bytecode_count_is_the_binomial_of_the_steps():
    scenario = one_bump()
    steps = len(il.replay(scenario, "").steps) // 2  # each thread's steps, run one after other
    assert steps == 3  # load counter, add in place, store counter
    result = il.explore(scenario, prune=False, budget=100_000)
    assert result.complete and result.tried == math.comb(2 * steps, steps)


def test_seeded_random_search_is_reproducible():
    first = il.random_search(counter_scenario(3), runs=30, seed=7)
    second = il.random_search(counter_scenario(3), runs=30, seed=7)
    assert first.outcomes == second.outcomes and first.tried == 30
    assert first.broken  # random schedules switch often: lost updates are common


def buffer_scenario(use_while):
    """Two consumers, one producer, a Condition: `if` instead of `while` breaks."""

    def setup():
        s = types.SimpleNamespace(items=[], cond=il.Condition(), got=[])
        return s

    def consumer(s):
        with s.cond:
            if use_while:
                while not s.items:
                    s.cond.wait()
            elif not s.items:
                s.cond.wait()
            s.got.append(s.items.pop())

    def producer(s):
        for item in (1, 2):
            with s.cond:
                s.items.append(item)
                s.cond.notify()

    return il.Scenario(setup, {"P": producer, "C1": consumer, "C2": consumer})


def test_condition_with_if_breaks_and_with_while_holds():
    broken = il.explore(buffer_scenario(False), budget=3_000, preemptions=1)
    assert broken.broken and "IndexError" in broken.shortest.failure, broken.summary()
    safe = il.explore(buffer_scenario(True), budget=3_000, preemptions=1)
    assert safe.broken == 0, safe.shortest and safe.shortest.failure


def test_timeouts_are_modelled():
    def setup():
        return types.SimpleNamespace(lock=il.Lock(), event=il.Event(), got=[])

    def holder(s):
        with s.lock:
            s.event.wait(timeout=1)

    def waiter(s):
        s.got.append(s.lock.acquire(timeout=1))
        if s.got[-1]:
            s.lock.release()
        s.event.set()

    result = il.explore(il.Scenario(setup, [holder, waiter]), budget=5_000, preemptions=2)
    assert result.complete and result.broken == 0
    assert any("'got': '[False]'" in o for o in result.outcomes)  # the acquire timed out
    assert any("'got': '[True]'" in o for o in result.outcomes)


def test_semaphore_barrier_queue_rlock():
    def setup():
        s = types.SimpleNamespace(sem=il.Semaphore(1), bar=il.Barrier(2), q=il.Queue(1))
        s.rlock, s.inside, s.most, s.out = il.RLock(), 0, 0, []
        return s

    def worker(s):
        with s.sem:
            s.inside += 1
            s.most = max(s.most, s.inside)
            s.inside -= 1
        s.bar.wait()
        with s.rlock, s.rlock:  # an RLock can be taken again by its owner
            s.q.put(1)
        s.out.append(s.q.get())

    def invariant(s):
        return s.most == 1 and s.out == [1, 1]

    result = il.explore(il.Scenario(setup, [worker, worker], invariant), preemptions=2)
    assert result.tried and result.broken == 0, result.shortest and result.shortest.failure


def test_a_real_lock_is_reported_not_hung(monkeypatch):
    monkeypatch.setattr(il.run, "WATCHDOG_SECONDS", 0.5)
    real = threading.Lock()

    def setup():
        real.acquire()
        return types.SimpleNamespace()

    def t(s):
        with real:
            pass

    with pytest.raises(il.StuckError, match="does not control"):
        il.explore(il.Scenario(setup, [t]))
    real.release()


def test_step_table_timeline_and_stepper():
    worst = il.explore(counter_scenario(1)).shortest
    text = str(worst.table())
    assert "LOAD_ATTR counter" in text or "LOAD_ATTR" in text
    assert "STORE_ATTR counter" in text and "counter=1" in text and "invariant" in text
    assert "<table" in worst.table()._repr_html_()
    fig = worst.timeline()
    ax = fig.axes[0]
    assert ax.get_title() and ax.get_xlabel().startswith("step") and ax.get_ylabel() == "thread"
    stepper = il.Stepper(counter_scenario(1), schedule=worst.schedule)
    assert "interleave-current" in stepper.code.value  # each thread's next line highlighted
    stepper.next()
    assert len(stepper.steps) == 1
    stepper.replay_all()
    assert "counter = 1" in stepper.state.value and "invariant broken" in stepper.state.value
    stepper.reset()
    assert not stepper.steps
    stepper.step("A")
    assert stepper.steps[0].thread == "A"


VERSIONS_SCRIPT = r"""
import json, math, sys, types
sys.path.insert(0, sys.argv[1])
# Only the standard library on the other interpreters: this module's scenario builders
# need pytest's decorators at import, nothing more.
fake = types.ModuleType("pytest")
fake.param = lambda *a, **k: a
fake.mark = types.SimpleNamespace(parametrize=lambda *a, **k: (lambda f: f),
                                  skipif=lambda *a, **k: (lambda f: f))
sys.modules["pytest"] = fake
from tests.test_interleave import counter_scenario, two_locks, buffer_scenario
from conclab import interleave as il
from conclab.interleave import run
racy = il.explore(counter_scenario(3), budget=3000, preemptions=1)
again = il.replay(counter_scenario(3), racy.shortest.schedule)
found = {"racy": racy.broken > 0, "lost": racy.shortest.state.counter,
         "replayed": again.state.counter, "blocking_crashes": bool(run.BLOCKING_CRASHES)}
try:
    safe = il.explore(counter_scenario(2, locked=True), budget=3000, preemptions=2)
    dead = il.explore(two_locks(False), budget=3000, preemptions=1)
    buf = il.explore(buffer_scenario(False), budget=3000, preemptions=1)
    found.update(safe=safe.complete and safe.broken == 0,
                 deadlock=dead.shortest.failure.startswith("deadlock"),
                 buffer="IndexError" in buf.shortest.failure)
except RuntimeError as exc:
    found["refused"] = str(exc)
print(json.dumps(found))
"""


def installed_pythons():
    found = []
    for minor in (10, 11, 12, 13):
        paths = sorted(Path.home().glob(f".pyenv/versions/3.{minor}.*/bin/python"))
        if paths:
            found.append(pytest.param(paths[-1], id=f"3.{minor}"))
    return found or [pytest.param(Path(sys.executable), id="this")]


@pytest.mark.parametrize("python", installed_pythons())
def test_same_results_on_every_python(python, tmp_path):
    """conclab.interleave needs only the standard library: run it on each interpreter."""
    script = tmp_path / "versions.py"
    script.write_text(VERSIONS_SCRIPT, encoding="utf-8")
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [str(python), str(script), str(ROOT)], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["racy"] and found["lost"] < 6 and found["replayed"] == found["lost"]
    if found["blocking_crashes"]:  # 3.12.0, 3.12.1: refused with a message, not a segfault
        assert "interpreter bug" in found["refused"], found
        return
    assert found["safe"] and found["deadlock"] and found["buffer"]


# -- exercise 13: the wrong implementations a plain threaded run cannot catch ----------


def load(path: Path):
    spec = importlib.util.spec_from_file_location(f"bank_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def stress_passing():
    out = []
    for path in sorted(WRONG.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(
            getattr(n, "targets", [None])[0].__dict__.get("id") == "STRESS_PASSES"
            for n in tree.body
            if isinstance(n, ast.Assign)
        ):
            out.append(pytest.param(path, id=path.stem))
    return out


def test_at_least_three_wrong_banks_pass_the_stress_run():
    assert len(stress_passing()) >= 3


OPERATIONS, THREADS = 10_000, 4
PAIRS = [("x", "y"), ("y", "x"), ("y", "z"), ("z", "y"), ("z", "x"), ("x", "z")]


def stress(module):
    """10,000 transfers from 4 threads released together, switching as often as CPython
    allows (switch interval 1 microsecond); the totals and balances must come out right."""
    bank = module.Bank({"x": 1_000, "y": 1_000, "z": 1_000})
    start = threading.Barrier(THREADS)

    def work(k):
        start.wait()
        for i in range(OPERATIONS // THREADS):
            src, dst = PAIRS[(i + k) % len(PAIRS)]
            bank.transfer(src, dst, 1 + (i % 3))

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=work, args=(k,), daemon=True) for k in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        sys.setswitchinterval(old)
    assert not any(t.is_alive() for t in threads), "the stress run deadlocked"
    assert sum(bank.balances.values()) == 3_000 == bank.total(), bank.balances
    assert min(bank.balances.values()) >= 0, bank.balances


@pytest.mark.skipif(
    not getattr(sys, "_is_gil_enabled", lambda: True)(), reason="free-threaded: races show"
)
@pytest.mark.parametrize("path", stress_passing() + [pytest.param(SOLUTION, id="solution")])
def test_wrong_bank_passes_a_plain_threaded_stress_run(path):
    stress(load(path))


@pytest.mark.parametrize("path", stress_passing())
def test_exploration_catches_what_the_stress_run_missed(path):
    from conclab.interleave import bank

    module = load(path)
    names = ("overdraft", "two_deposits", "opposite", "audit")
    caught = []
    for name in names:
        try:
            bank.check(getattr(bank, name)(module), name, module.__name__)
        except AssertionError as exc:
            caught.append(name)
            assert "Stepper(bank." in str(exc) and "schedule=" in str(exc)
            schedule = str(exc).split('schedule="')[1].split('"')[0]
            replayed = il.replay(getattr(bank, name)(module), schedule)
            assert replayed.failure, f"{name}: replaying {schedule} did not break the rules"
    assert caught, f"{path.stem} passed every exploration"
