"""Hidden checks for exercise 05: instructor-only, declared in exercise.toml."""

import threading
from concurrent.futures import ThreadPoolExecutor

from conclab.probes.futures import HOLD_SECONDS


def _work(i):
    if i % 3 == 0:
        raise ValueError(f"input {i} is a multiple of 3")
    return i


def test_counts_futures_of_a_real_pool(submission):
    seen = []  # list.append is atomic
    tracker = submission.ProgressTracker(12, seen.append)
    gate = threading.Event()  # holds both workers, so the other tasks stay queued
    pool = ThreadPoolExecutor(max_workers=2)
    try:
        blockers = [pool.submit(gate.wait, HOLD_SECONDS) for _ in range(2)]
        rest = [pool.submit(_work, i) for i in range(10)]
        for future in blockers + rest:
            tracker.track(future)
        cancelled = sum(future.cancel() for future in rest[-3:])  # still queued: cancel works
    finally:
        gate.set()
        pool.shutdown(wait=True)  # every callback has run once the workers are gone
    got = tracker.snapshot()
    expected = (6, 3, 3, 12)
    assert cancelled == 3 and tuple(got) == expected, (
        "a pool of 2 threads ran 9 tasks (3 of them raised) and 3 queued tasks were "
        f"cancelled; snapshot() returned {got!r}, expected Progress(succeeded=6, failed=3, "
        "cancelled=3, total=12)"
    )
    finished = sorted(p.finished for p in seen)
    assert finished == list(range(1, 13)), (
        f"on_change saw finished counts {finished}; expected each of 1..12 exactly once: "
        "take the Progress in the same locked step as the update"
    )
