"""Hidden checks for exercise 08: instructor-only, declared in exercise.toml."""

import pytest

from conclab.probes.mp import call_with_deadline, record_item
from conclab.probes.startmethods import methods_to_check, start_method

PIPELINE_SECONDS = 10.0  # as in the public checks: only a lost sentinel comes near it


def test_producers_without_items(submission):
    call = "run_pipeline([[], [], []], work, n_consumers=2)"
    # The default start method only: whether spawn works is for the public checks.
    for method in methods_to_check()[-1:]:
        with start_method(method):
            outcome = call_with_deadline(
                submission.run_pipeline, [[], [], []], record_item, 2, seconds=PIPELINE_SECONDS
            )
        if outcome.error is not None:
            raise outcome.error
        if not outcome.finished:
            pytest.fail(
                f"[{method}] {call} did not return within {PIPELINE_SECONDS:g} s; with no "
                "items at all, every consumer should still get its STOP and exit",
                False,
            )
        results, processes = outcome.value
        states = [(p.exitcode, p.is_alive()) for p in processes]
        assert list(results) == [] and len(processes) == 5, (
            f"[{method}] {call} returned {list(results)!r} and {len(processes)} processes; "
            "expected no results and all 5 processes"
        )
        assert all(code == 0 and not alive for code, alive in states), (
            f"[{method}] {call}: (exitcode, still alive) = {states!r}; expected exit code 0"
        )
