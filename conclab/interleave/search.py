"""Scenarios and the three schedulers: replay a schedule, explore every interleaving, random.

explore() is a stateless depth-first search (as in CHESS and loom): every interleaving
is a fresh run from setup(), driven by a prefix of choices and then by a default (keep
running the same thread). After each run it backtracks to the deepest step with a
thread not yet tried there. With prune=True a run stops early when it reaches a state
(shared state, every thread's position, locals and what it read since its line began)
already seen after the same thread: everything after it has been or will be explored.

One module, about 340 lines: the three schedulers share the scenario, the replay and
the pruning state, and are read together.
"""

from __future__ import annotations

import random
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from . import primitives
from .run import Abort, Run, Step
from .run import session as run_session

LETTERS = "ABCD"


def fingerprint(value, depth=0):
    """A hashable summary of a value's contents (not its identity), for pruning."""
    if depth > 6:
        return "..."
    if isinstance(value, (int, float, str, bytes, bool, type(None))):
        return value
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(fingerprint(v, depth + 1) for v in value))
    if isinstance(value, (set, frozenset)):
        return ("set", tuple(sorted(repr(v) for v in value)))
    if isinstance(value, dict):
        return ("dict", tuple((repr(k), fingerprint(v, depth + 1)) for k, v in value.items()))
    if isinstance(value, primitives.Queue):
        return ("Queue", fingerprint(list(value.items), depth + 1), value.unfinished)
    if hasattr(value, "__dict__") and not callable(value):
        items = sorted(vars(value).items())
        return (type(value).__name__, tuple((k, fingerprint(v, depth + 1)) for k, v in items))
    return repr(value)


def default_show(state) -> dict:
    """The shared state as {name: short text}: public attributes (or keys) of the state."""
    items = state.items() if isinstance(state, dict) else vars(state).items()
    return {str(k): _brief(v) for k, v in items if not str(k).startswith("_")}


def _brief(value):
    if (
        hasattr(value, "__dict__")
        and not isinstance(value, type)
        and "__repr__" not in type(value).__dict__
    ):
        return {k: _brief(v) for k, v in vars(value).items() if not k.startswith("_")}
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


@dataclass
class Scenario:
    """setup() -> fresh shared state; threads: {name: fn(state)} (or a list: A, B, ...);
    invariant(state) -> True/None when all is well, False or AssertionError when not;
    show(state) -> dict for the step table; patch: modules whose threading/queue names
    are swapped for the explorer's primitives while a run lasts."""

    setup: object
    threads: object
    invariant: object = None
    show: object = default_show
    patch: tuple = ()
    name: str = "scenario"

    def __post_init__(self):
        if not isinstance(self.threads, dict):
            self.threads = dict(zip(LETTERS, self.threads))
        if not 1 <= len(self.threads) <= 4:
            raise ValueError("a scenario has 1 to 4 threads")

    @contextmanager
    def patched(self):
        saved = []
        for module in self.patch:
            for key, value in list(vars(module).items()):
                new = primitives.REPLACEMENTS.get(id(value))
                if new is not None:
                    saved.append((module, key, value))
                    setattr(module, key, new)
        try:
            yield
        finally:
            for module, key, value in saved:
                setattr(module, key, value)

    def start(self, granularity="bytecode", track=False) -> Run:
        with self.patched():
            state = self.setup()
        return Run(state, self.threads, granularity, self.show, track)

    def verdict(self, run: Run) -> str | None:
        """Why the finished run is broken, or None."""
        if run.deadlocked():
            lines = [
                f"{n} blocked in {w.blocked.what} at line {w.blocked.line}: {w.blocked.code}"
                for n, w in run.workers.items()
                if w.status == "blocked"
            ]
            return "deadlock: no thread can run. " + "; ".join(lines)
        for name, worker in run.workers.items():
            if worker.error is not None:
                return f"thread {name} raised {type(worker.error).__name__}: {worker.error}"
        if self.invariant is None:
            return None
        try:
            with self.patched():
                ok = self.invariant(run.state)
        except AssertionError as exc:
            return f"invariant broken: {exc}" if str(exc) else "invariant broken"
        except Exception as exc:  # noqa: BLE001 - the invariant's error is the verdict
            return f"the invariant raised {type(exc).__name__}: {exc}"
        return "invariant broken" if ok is False else None


@dataclass
class Interleaving:
    """One finished run: the schedule that drove it, its steps, and what went wrong."""

    schedule: list[str]
    steps: list[Step]
    failure: str | None
    state: object = None

    @property
    def switches(self) -> int:
        return sum(a != b for a, b in zip(self.schedule, self.schedule[1:]))

    def compact(self) -> str:
        """'A*4 B*9 A*2': each thread name with how many steps it runs in a row."""
        out, prev, count = [], None, 0
        for name in [*self.schedule, None]:
            if name == prev:
                count += 1
                continue
            if prev is not None:
                out.append(f"{prev}*{count}" if count > 1 else prev)
            prev, count = name, 1
        return " ".join(out)

    def table(self):
        from .show import StepTable

        return StepTable(self)

    def timeline(self, title=None):
        from .show import timeline

        return timeline(self, title)


def parse_schedule(schedule) -> list[str]:
    """A list of names, a string of one-letter names, or the compact form 'A*4 B*9'."""
    if not isinstance(schedule, str):
        return list(schedule)
    if "*" in schedule or " " in schedule:
        names = []
        for part in schedule.split():
            name, _, count = part.partition("*")
            names += [name] * int(count or 1)
        return names
    return list(schedule)


def _finish(scenario, run, schedule) -> Interleaving:
    failure = scenario.verdict(run)
    run.abort()
    return Interleaving(schedule, run.steps, failure, run.state)


def replay(scenario: Scenario, schedule, granularity="bytecode") -> Interleaving:
    """Run the scenario following schedule; after it, each thread runs to its end in turn."""
    names = parse_schedule(schedule)
    with scenario.patched(), run_session():
        return _replay(scenario, names, granularity)


def _replay(scenario, names, granularity):
    run = scenario.start(granularity)
    taken = []
    try:
        for name in names:
            if run.finished() or run.deadlocked():
                break
            run.step(name)
            taken.append(name)
        while run.runnable():
            options = run.runnable()
            name = taken[-1] if taken and taken[-1] in options else options[0]
            run.step(name)
            taken.append(name)
    except BaseException:
        run.abort()
        raise
    return _finish(scenario, run, taken)


@dataclass
class Result:
    tried: int = 0  # complete interleavings run to the end
    pruned: int = 0  # runs stopped at a state already explored
    broken: int = 0  # interleavings that broke the invariant, raised or deadlocked
    complete: bool = False  # every interleaving was covered within the budget
    seconds: float = 0.0
    outcomes: dict = field(default_factory=dict)  # show(state) text -> count
    shortest: Interleaving | None = None  # the shortest broken one (fewest steps, switches)
    first: Interleaving | None = None

    @property
    def runs(self):
        return self.tried + self.pruned

    def summary(self) -> str:
        scope = "every interleaving" if self.complete else "stopped at the budget"
        return (
            f"{self.tried:,} interleavings run to the end, {self.pruned:,} cut at a state "
            f"already explored ({scope}), {self.broken:,} broken, in {self.seconds:.2f} s"
        )

    def _record(self, found: Interleaving):
        key = repr(found.steps[-1].state) if found.steps else ""
        self.outcomes[key] = self.outcomes.get(key, 0) + 1
        if found.failure is None:
            return
        self.broken += 1
        self.first = self.first or found
        rank = (len(found.schedule), found.switches)
        if self.shortest is None or rank < (len(self.shortest.schedule), self.shortest.switches):
            self.shortest = found


def explore(
    scenario: Scenario,
    budget: int = 10_000,
    prune: bool = True,
    preemptions: int | None = None,
    granularity: str = "bytecode",
    stop_at_first: bool = False,
) -> Result:
    """Every interleaving (up to budget runs), depth first; preemptions bounds how often a
    thread that could go on is switched away from (CHESS's context bounding)."""
    with scenario.patched(), run_session():
        return _explore(scenario, budget, prune, preemptions, granularity, stop_at_first)


def _explore(scenario, budget, prune, preemptions, granularity, stop_at_first):
    result, started = Result(), time.perf_counter()
    visited: dict = {}
    prefix: list[int] = []
    while result.runs < budget:
        run = scenario.start(granularity, track=prune)
        path: list = []  # per step: (options, chosen index, preemptions before, kept first)
        schedule, used, cut = [], 0, False
        try:
            while not run.finished():
                options = run.runnable()
                if not options:
                    break
                last = schedule[-1] if schedule else None
                if last in options:  # the default first: keep the running thread going
                    options.remove(last)
                    options.insert(0, last)
                depth = len(path)
                if depth >= len(prefix) and prune:
                    key = (
                        fingerprint(run.state),
                        tuple(w.key() for w in run.workers.values()),
                        last if preemptions is not None else None,  # bounding counts switches
                    )
                    if visited.get(key, 1 << 30) <= used:
                        cut = True
                        break
                    visited[key] = used
                index = prefix[depth] if depth < len(prefix) else 0
                name = options[index]
                last_first = last is not None and options[0] == last
                path.append((options, index, used, last_first))
                if last_first and index > 0:
                    used += 1
                schedule.append(name)
                run.step(name)
        except Abort:
            cut = True
        if cut:
            run.abort()
            result.pruned += 1
        else:
            result.tried += 1
            result._record(_finish(scenario, run, schedule))
            if stop_at_first and result.broken:
                break
        prefix = _next_prefix(path, preemptions)
        if prefix is None:
            result.complete = True
            break
    result.seconds = time.perf_counter() - started
    return result


def _next_prefix(path, preemptions):
    """Choices for the next run: the deepest step with an untried thread, or None."""
    for depth in range(len(path) - 1, -1, -1):
        options, index, before, last_first = path[depth]
        if index + 1 < len(options):
            cost = before + (1 if last_first else 0)  # leaving a thread that could go on
            if preemptions is None or cost <= preemptions:
                return [step[1] for step in path[:depth]] + [index + 1]
    return None


def random_search(
    scenario: Scenario, runs: int = 100, seed: int = 0, granularity: str = "bytecode"
) -> Result:
    """runs interleavings, each choosing uniformly among the runnable threads (seeded)."""
    with run_session():
        return _random_search(scenario, runs, seed, granularity)


def _random_search(scenario, runs, seed, granularity):
    rng, result, started = random.Random(seed), Result(), time.perf_counter()
    for _ in range(runs):
        run = scenario.start(granularity)
        schedule = []
        while run.runnable():
            name = rng.choice(run.runnable())
            run.step(name)
            schedule.append(name)
        result.tried += 1
        result._record(_finish(scenario, run, schedule))
    result.seconds = time.perf_counter() - started
    return result
