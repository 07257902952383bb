"""Hidden checks for exercise 04: instructor-only, declared in exercise.toml."""

import threading

from conclab.probes.common import BARRIER_SECONDS
from conclab.probes.futures import HOLD_SECONDS, BackgroundCall

TIMEOUT = 0.1  # seconds; the check waits TIMEOUT + BARRIER_SECONDS for the call to return
# Waiting `timeout` for each straggler in turn takes at least STRAGGLERS x TIMEOUT (24 s),
# and waiting once per batch of WORKERS futures STRAGGLERS / WORKERS x TIMEOUT (12 s): both
# more than twice that wait, however loaded the machine. Only one shared deadline returns.
STRAGGLERS = 240
WORKERS = 2  # 1 straggler runs and blocks next to quick, the others wait in the queue


def test_the_deadline_counts_from_the_call(submission):
    inputs = ["quick"] + [f"slow-{i}" for i in range(STRAGGLERS)]
    gate = threading.Event()  # stragglers wait for it

    def func(x):
        if x.startswith("slow"):
            gate.wait(HOLD_SECONDS)
        return x

    call = BackgroundCall(submission.gather_until, func, inputs, TIMEOUT, WORKERS)
    try:
        returned = call.wait(TIMEOUT + BARRIER_SECONDS)
    finally:
        gate.set()
    call.wait(BARRIER_SECONDS)
    call.outcome("gather_until")  # re-raises what the call raised
    called = (
        f"gather_until(func, ['quick', 'slow-0', ..., 'slow-{STRAGGLERS - 1}'], "
        f"timeout={TIMEOUT:g}, max_workers={WORKERS})"
    )
    assert returned, (
        f"{called}, whose {STRAGGLERS} stragglers never finish before the deadline, had not "
        f"returned {BARRIER_SECONDS:g} s after its deadline; it returned only once the check "
        "released them. The timeout counts once, from the call: use one "
        "wait(futures, timeout=...) or "
        "as_completed(futures, timeout=...), not result(timeout=...) on each future nor a "
        "wait per batch (requirement: wait at most timeout seconds in total)."
    )
