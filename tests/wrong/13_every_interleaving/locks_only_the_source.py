"""Wrong: holds only the source account's lock. Two transfers into the same account from
different sources both read its balance, and one deposit is lost."""

import threading

BREAKS = ["no-lost-deposit"]
CAUGHT_BY = ["test_no_lost_deposit_under_every_interleaving"]
STRESS_PASSES = True


class Bank:
    def __init__(self, balances):
        self.balances = dict(balances)
        self.locks = {name: threading.Lock() for name in self.balances}

    def transfer(self, src, dst, amount):
        with self.locks[src]:
            if self.balances[src] < amount:
                return False
            self.balances[src] -= amount
            self.balances[dst] += amount
            return True

    def total(self):
        return sum(self.balances.values())
