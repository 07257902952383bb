"""Scenarios of exercise 13 (a bank whose transfers must be safe under every interleaving),
shared by its checks and by the learner, who replays a failing one in the stepper:

    from conclab.interleave import Stepper, bank
    import every_interleaving
    Stepper(bank.overdraft(every_interleaving), schedule="A*5 B*13")
"""

from __future__ import annotations

import types

from .search import Scenario, explore, random_search

BUDGET = 3_000  # runs per check: a few seconds at most on a loaded core
PREEMPTIONS = 1  # CHESS: most bugs need one or two switches away from a thread that could go on


def _scenario(module, balances, transfers, rule, extra=None):
    """Threads A, B, C doing bank.transfer(*args); rule(state) -> None or what broke."""
    if not isinstance(module, types.ModuleType):  # the grader's wrapper of the module
        module = module.module

    def setup():
        state = types.SimpleNamespace(bank=module.Bank(dict(balances)), results={}, seen=[])
        return state

    def thread(args):
        def run(state):
            state.results[args] = state.bank.transfer(*args)

        run.__qualname__ = f"transfer{args}"
        return run

    threads = {name: thread(args) for name, args in zip("ABC", transfers)}
    if extra is not None:
        threads[chr(ord("A") + len(threads))] = extra

    def invariant(state):
        problem = rule(state)
        assert problem is None, problem

    def show(state):
        return {
            "balances": dict(state.bank.balances),
            **({"seen": list(state.seen)} if extra else {}),
        }

    calls = [f"{n}: bank.transfer{args}" for n, args in zip("ABC", transfers)]
    if extra is not None:
        calls.append(f"{chr(ord('A') + len(transfers))}: bank.total()")
    scenario = Scenario(setup, threads, invariant, show, patch=(module,))
    scenario.name = f"Bank({balances}) with " + "; ".join(calls)
    return scenario


def _conserved(total):
    def rule(state):
        balances = state.bank.balances
        if any(v < 0 for v in balances.values()):
            return f"an account went below 0: {balances}"
        if sum(balances.values()) != total:
            found = sum(balances.values())
            return f"money appeared or vanished: {balances} adds up to {found}, not {total}"
        return None

    return rule


def overdraft(module):
    """x has 100; A and B each move 60 out of it: exactly one may succeed."""

    def rule(state):
        return _conserved(100)(state) or (
            None
            if sorted(state.results.values()) == [False, True]
            else f"transfer results {state.results}: exactly one of them should succeed"
        )

    return _scenario(module, {"x": 100, "y": 0, "z": 0}, [("x", "y", 60), ("x", "z", 60)], rule)


def two_deposits(module):
    """A moves 10 from x to z while B moves 10 from y to z: z must end with 20."""
    return _scenario(
        module, {"x": 10, "y": 10, "z": 0}, [("x", "z", 10), ("y", "z", 10)], _conserved(20)
    )


def opposite(module):
    """A moves x -> y while B moves y -> x: both finish, nothing lost."""
    return _scenario(module, {"x": 50, "y": 50}, [("x", "y", 10), ("y", "x", 20)], _conserved(100))


def _lone_transfer(module, balances: dict, transfer: tuple, after: dict, why: str):
    """A scenario of one transfer, alone, that must return True and leave `after`."""

    def rule(state):
        return _conserved(sum(balances.values()))(state) or (
            None
            if state.bank.balances == after and state.results == {transfer: True}
            else f"transfer{transfer!r} returned {state.results.get(transfer)!r} and left "
            f"{state.bank.balances}: expected True and {why}"
        )

    return _scenario(module, balances, [transfer], rule)


def whole_balance(module):
    """A moves all of x (50) to y: it succeeds, since x holds at least the amount."""
    after = {"x": 0, "y": 50}
    why = f"{after} (x = 50 holds at least the amount)"
    return _lone_transfer(module, {"x": 50, "y": 0}, ("x", "y", 50), after, why)


def self_transfer(module):
    """A moves 10 from x to x: it finishes, succeeds and changes nothing."""
    unchanged = {"x": 50, "y": 10}
    return _lone_transfer(module, dict(unchanged), ("x", "x", 10), unchanged, "no change")


def cycle(module):
    """A: x -> y, B: y -> z, C: z -> x at once: all finish, nothing lost."""
    return _scenario(
        module,
        {"x": 10, "y": 10, "z": 10},
        [("x", "y", 5), ("y", "z", 5), ("z", "x", 5)],
        _conserved(30),
    )


def audit(module):
    """A moves 30 from x to y while B reads bank.total(): B must see 100."""

    def total(state):
        state.seen.append(state.bank.total())

    def rule(state):
        return _conserved(100)(state) or (
            None if state.seen == [100] else f"bank.total() returned {state.seen[0]}, not 100"
        )

    return _scenario(module, {"x": 60, "y": 40}, [("x", "y", 30)], rule, extra=total)


def check(
    scenario,
    builder_name: str,
    module_name: str,
    budget=BUDGET,
    preemptions=PREEMPTIONS,
    random_runs=0,
):
    """Explore; on a broken interleaving, fail with the shortest one as a replayable schedule.

    random_runs > 0 adds that many seeded random interleavings when the bounded search found
    nothing: for three threads the search visits late switches first, and a budget that
    keeps a check to a few seconds can end before the early switches a cycle of locks
    needs, which random schedules (switching often) hit at once."""
    result = explore(scenario, budget=budget, preemptions=preemptions)
    plural = "" if preemptions == 1 else "s"
    how = f"up to {preemptions} preemption{plural}, {result.runs} runs"
    if not result.broken and random_runs:
        with scenario.patched():
            more = random_search(scenario, runs=random_runs, seed=0)
        if more.broken:
            result = more
            how = f"{result.tried} random interleavings, seed 0, after {how} found none"
    if not result.broken:
        return result
    worst = result.shortest
    steps = worst.table()
    rows = str(steps).splitlines()
    shown = rows if len(rows) <= 40 else rows[:15] + ["    ..."] + rows[-24:]
    raise AssertionError(
        f"Exploring the interleavings of {scenario.name} ({how}): {result.broken} broke the "
        f"rules. The shortest ({len(worst.schedule)} steps, {worst.switches} switches), "
        f'schedule "{worst.compact()}":\n'
        + "\n".join(shown)
        + "\nReplay it step by step in a notebook (run it from the exercise's folder):\n"
        f"    from conclab.interleave import Stepper, bank\n"
        f"    import {module_name}\n"
        f'    Stepper(bank.{builder_name}({module_name}), schedule="{worst.compact()}")'
    )
