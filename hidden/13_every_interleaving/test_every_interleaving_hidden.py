"""Hidden checks for exercise 13."""

import conclab.interleave.bank as bank

MODULE = "every_interleaving"


def test_three_way_cycle_never_deadlocks(submission):
    # A three-lock cycle needs two preemptions; 250 runs keep the check to a few seconds.
    bank.check(bank.cycle(submission), "cycle", MODULE, budget=250, preemptions=2)
