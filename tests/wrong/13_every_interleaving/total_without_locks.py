"""Wrong: transfers are right, but total() adds the balances one by one without a lock,
so it can count money that is half-way between two accounts."""

import threading

BREAKS = ["consistent-total"]
CAUGHT_BY = ["test_total_is_consistent_during_a_transfer"]


class Bank:
    def __init__(self, balances):
        self.balances = dict(balances)
        self.lock = threading.Lock()

    def transfer(self, src, dst, amount):
        with self.lock:
            if self.balances[src] < amount:
                return False
            self.balances[src] -= amount
            self.balances[dst] += amount
            return True

    def total(self):
        total = 0
        for name in self.balances:
            total += self.balances[name]
        return total
