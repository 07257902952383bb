"""Hidden checks for exercise 10 (instructor only). Points live in exercise.toml."""

import threading

from conclab.probes.common import BARRIER_SECONDS, NeverMet


def test_a_slow_first_item_does_not_hold_back_the_window(submission):
    # Item 1 may only finish once item 3 has started, while item 0 returns at once. With
    # max_in_flight=3, handing back result 0 frees a slot, so item 3 must start while
    # item 1 is still running. Code that waits for a whole batch never starts item 3.
    started = [threading.Event() for _ in range(6)]

    def fn(n):
        started[n].set()
        if n == 1 and not started[3].wait(BARRIER_SECONDS):
            raise NeverMet(
                f"fn(1) waited {BARRIER_SECONDS:g} s for fn(3) to start after result 0 was "
                "handed back, but it never started: keep the window full, taking the next "
                "item as soon as a result is handed back, not after a whole batch."
            )
        return n

    got = list(submission.bounded_map(fn, iter(range(6)), 3))
    # The calls finish in any order here; order has its own checks.
    assert sorted(got) == list(range(6)), f"gave {got!r}; expected a result for 0 to 5"
