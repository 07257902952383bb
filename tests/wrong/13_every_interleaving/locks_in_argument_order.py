"""Wrong: a lock per account, taken in argument order (src, then dst). Two opposite
transfers can each hold one lock and wait for the other's: a deadlock. A plain threaded
stress run finds this one too, now and then (it hangs): exploration finds it every time."""

import threading

BREAKS = ["no-deadlock"]
CAUGHT_BY = ["test_opposite_transfers_never_deadlock", "test_three_way_cycle_never_deadlocks"]


class Bank:
    def __init__(self, balances):
        self.balances = dict(balances)
        self.locks = {name: threading.Lock() for name in self.balances}

    def transfer(self, src, dst, amount):
        with self.locks[src], self.locks[dst]:
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
            for lock in locks:
                lock.release()
