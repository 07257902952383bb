"""Exercise 13: a bank whose transfers are safe under every interleaving of its threads.

Read README.md first. Use the primitives of notebook 03 (threading.Lock, RLock, ...):
the checks swap them for conclab.interleave's versions and explore every interleaving.
"""

import threading  # noqa: F401  (you will need it)


class Bank:
    def __init__(self, balances):
        """balances: {account name: amount}. Keep them in self.balances (a dict)."""
        self.balances = dict(balances)
        # TODO 1: the lock(s) that guard self.balances (one for the bank, or one per account)
        raise NotImplementedError("Bank.__init__")

    def transfer(self, src, dst, amount):
        """Move amount from src to dst if src has at least amount; return True if it did.

        Never leaves an account below 0, never loses or creates money, whatever the
        other threads do at the same time, and never deadlocks.
        """
        # TODO 1: check and move the money while holding the lock(s), as one step
        # TODO 2: with a lock per account, take the two locks in one global order
        raise NotImplementedError("Bank.transfer")

    def total(self):
        """The sum of all balances, as it was at one moment (never mid-transfer)."""
        # TODO 3: add up the balances while no transfer can be half done
        raise NotImplementedError("Bank.total")
