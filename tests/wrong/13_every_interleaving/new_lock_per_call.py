"""Wrong: a fresh lock in every call. Nobody else ever holds it, so it excludes nothing."""

import threading

BREAKS = ["no-overdraft", "no-lost-deposit"]
CAUGHT_BY = [
    "test_no_overdraft_under_every_interleaving",
    "test_no_lost_deposit_under_every_interleaving",
]
STRESS_PASSES = True


class Bank:
    def __init__(self, balances):
        self.balances = dict(balances)

    def transfer(self, src, dst, amount):
        with threading.Lock():
            if self.balances[src] < amount:
                return False
            self.balances[src] -= amount
            self.balances[dst] += amount
            return True

    def total(self):
        return sum(self.balances.values())
