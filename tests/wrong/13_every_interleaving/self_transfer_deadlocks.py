"""Wrong: a lock per account, both taken in sorted order, but a transfer from an account
to itself takes the same Lock twice and waits for itself for ever."""

import threading

BREAKS = ["self-transfer"]
CAUGHT_BY = ["test_transfer_to_itself_finishes"]


class Bank:
    def __init__(self, balances):
        self.balances = dict(balances)
        self.locks = {name: threading.Lock() for name in self.balances}

    def transfer(self, src, dst, amount):
        first, second = sorted([src, dst])
        with self.locks[first], self.locks[second]:
            if self.balances[src] < amount:
                return False
            self.balances[src] -= amount
            self.balances[dst] += amount
            return True

    def total(self):
        locks = [self.locks[name] for name in sorted(self.balances)]
        for lock in locks:
            lock.acquire()
        try:
            return sum(self.balances.values())
        finally:
            for lock in reversed(locks):
                lock.release()
