"""Hidden checks for exercise 13."""

import conclab.interleave.bank as bank

MODULE = "every_interleaving"


def test_three_way_cycle_never_deadlocks(submission):
    # A three-lock cycle needs two preemptions, early in the run: 150 runs of the bounded
    # search, then 100 seeded random interleavings, keep the check to a few seconds.
    bank.check(bank.cycle(submission), "cycle", MODULE, budget=150, preemptions=2, random_runs=100)
