"""Exercise 13, reference solution: one lock per account, always taken in name order."""

import threading


class Bank:
    def __init__(self, balances):
        self.balances = dict(balances)
        # One lock per account: transfers between unrelated accounts do not wait on
        # each other. locks[name] guards balances[name]; hold it to read or write it.
        self.locks = {name: threading.Lock() for name in self.balances}

    def _ordered(self, *names):
        # Every thread takes locks in the same (sorted) order, so no two threads can each
        # hold one lock and wait for the other's: no cycle, no deadlock.
        return [self.locks[name] for name in sorted(set(names))]

    def transfer(self, src, dst, amount):
        first, *rest = self._ordered(src, dst)
        with first:
            second = rest[0] if rest else None
            if second is not None:
                second.acquire()
            try:
                # The check and the move happen under both locks: no other transfer can
                # run between "src has enough" and "take it from src" (check-then-act).
                if self.balances[src] < amount:
                    return False
                self.balances[src] -= amount
                self.balances[dst] += amount
                return True
            finally:
                if second is not None:
                    second.release()

    def total(self):
        # Hold every lock (in the same order) so no transfer is half done while we add.
        locks = self._ordered(*self.balances)
        for lock in locks:
            lock.acquire()
        try:
            return sum(self.balances.values())
        finally:
            for lock in reversed(locks):
                lock.release()
