"""Public checks for exercise 13. Points and task numbers live in exercise.toml.

Each check builds a small scenario (two or three threads calling your Bank) and explores
its interleavings with conclab.interleave: your threading locks are swapped for ones the
explorer controls, the threads run one at a time, and a switch is tried before every
instruction that touches shared memory (up to 2 preemptions each run). A failure shows
the shortest interleaving that broke a rule, as a schedule you can replay in the stepper.
"""

import conclab.interleave.bank as bank

MODULE = "every_interleaving"


def test_transfer_moves_money(submission):
    b = submission.Bank({"x": 100, "y": 0})
    moved = b.transfer("x", "y", 30)
    assert moved is True and b.balances == {"x": 70, "y": 30}, (
        f"Bank({{'x': 100, 'y': 0}}).transfer('x', 'y', 30) returned {moved!r} and left "
        f"{b.balances}; expected True and {{'x': 70, 'y': 30}}"
    )
    refused = b.transfer("y", "x", 31)
    assert refused is False and b.balances == {"x": 70, "y": 30}, (
        f"transfer('y', 'x', 31) with y = 30 returned {refused!r} and left {b.balances}; "
        "expected False and no change"
    )
    assert b.total() == 100, f"total() returned {b.total()!r}; expected 100"
    # All of an account's money can go: run in the explorer, so a failure can be replayed.
    bank.check(bank.whole_balance(submission), "whole_balance", MODULE)


def test_no_overdraft_under_every_interleaving(submission):
    bank.check(bank.overdraft(submission), "overdraft", MODULE)


def test_no_lost_deposit_under_every_interleaving(submission):
    bank.check(bank.two_deposits(submission), "two_deposits", MODULE)


def test_opposite_transfers_never_deadlock(submission):
    bank.check(bank.opposite(submission), "opposite", MODULE)


def test_transfer_to_itself_finishes(submission):
    bank.check(bank.self_transfer(submission), "self_transfer", MODULE)


def test_total_is_consistent_during_a_transfer(submission):
    bank.check(bank.audit(submission), "audit", MODULE)
