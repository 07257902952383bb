"""Wrong: no lock at all. Under the GIL on 3.10 to 3.13 a thread is switched only at a
call or a backward jump, so this straight-line check-then-act never breaks in a plain
threaded run; a switch between the check and the debit overdraws the account."""

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
        if self.balances[src] < amount:
            return False
        self.balances[src] -= amount
        self.balances[dst] += amount
        return True

    def total(self):
        return sum(self.balances.values())
