"""Hidden checks for exercise 06: instructor-only, declared in exercise.toml."""

from conclab.probes.futures import AttemptLog


def test_many_inputs_with_mixed_outcomes(submission):
    log = AttemptLog()
    raised = {}

    def func(x):
        attempt = log.next_attempt(x)
        if attempt <= x % 4:  # input x fails on its first x % 4 attempts
            raised[x] = KeyError(f"attempt {attempt} for {x}")
            raise raised[x]
        return -x

    inputs = list(range(24))
    results, failures = submission.resilient_map(func, inputs, 2, 3)
    expected_results = {x: -x for x in inputs if x % 4 < 3}
    expected_counts = {x: min(x % 4, 2) + 1 for x in inputs}
    assert results == expected_results, (
        "resilient_map(func, range(24), retries=2, max_workers=3), where input x fails its "
        f"first x % 4 attempts, returned results={results!r}; expected {expected_results!r}"
    )
    assert set(failures) == {x for x in inputs if x % 4 == 3} and all(
        failures[x] is raised[x] for x in failures
    ), f"returned failures={failures!r}; expected the inputs 3, 7, ..., 23 with their last error"
    assert dict(log.counts) == expected_counts, (
        f"attempts per input were {dict(log.counts)}; expected {expected_counts}"
    )
