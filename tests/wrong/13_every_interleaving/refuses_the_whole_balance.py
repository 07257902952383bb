"""Wrong: `<=` for `<`, so a transfer of exactly the balance is refused. Safe under every
interleaving, and wrong in a single thread: src "holds at least amount" includes equal."""

import threading

BREAKS = ["transfer-result"]
CAUGHT_BY = ["test_transfer_moves_money"]


class Bank:
    def __init__(self, balances):
        self.balances = dict(balances)
        self.lock = threading.Lock()

    def transfer(self, src, dst, amount):
        with self.lock:
            if self.balances[src] <= amount:
                return False
            self.balances[src] -= amount
            self.balances[dst] += amount
            return True

    def total(self):
        with self.lock:
            return sum(self.balances.values())
