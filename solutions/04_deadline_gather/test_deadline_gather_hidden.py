"""Hidden checks for exercise 04: instructor-only, declared in exercise.toml."""

import threading

from conclab.probes import BARRIER_SECONDS
from conclab.probes_futures import HOLD_SECONDS, BackgroundCall


def test_the_deadline_counts_from_the_call(submission):
    # Five stragglers: waiting `timeout` for each in turn would take 5 x timeout.
    timeout = 2.0
    inputs = ["quick"] + [f"slow-{i}" for i in range(5)]
    gate = threading.Event()  # stragglers wait for it

    def func(x):
        if x.startswith("slow"):
            gate.wait(HOLD_SECONDS)
        return x

    call = BackgroundCall(submission.gather_until, func, inputs, timeout, len(inputs))
    try:
        returned = call.wait(timeout + BARRIER_SECONDS)
    finally:
        gate.set()
    call.wait(BARRIER_SECONDS)
    got = call.outcome("gather_until")
    assert returned, (
        f"gather_until(func, {inputs!r}, timeout={timeout:g}, max_workers=6) with five "
        f"stragglers had not returned {BARRIER_SECONDS:g} s after its deadline; it returned "
        f"{got!r} later. The timeout counts once, from the call: use one "
        "wait(futures, timeout=...) or as_completed(futures, timeout=...), not "
        "result(timeout=...) on each future."
    )
