"""Public checks for exercise 01. Points and task numbers live in exercise.toml."""

import threading

from conclab.probes.common import PoolSpy, call_and_catch, describe_error, meet, same_error
from conclab.probes.gates import FinishingOrder, InFlightGate


def test_one_result_per_url(submission):
    urls = [f"https://example.org/page/{i}" for i in range(6)]
    got = submission.fetch_all(urls, lambda url: f"<html>{url}</html>", max_workers=3)
    expected = [f"<html>{url}</html>" for url in urls]
    # Which order the fetches finish in is up to the pool here, so only the results are
    # judged; the order checks below fix the finishing order by construction.
    assert sorted(got or []) == expected, (
        f"fetch_all(6 urls, fetch, max_workers=3) returned {got!r}; "
        f"expected one result per url: {expected!r}"
    )


def test_empty_input_gives_empty_list(submission):
    got = submission.fetch_all([], lambda url: url, max_workers=2)
    assert got == [], f"fetch_all([], ...) returned {got!r}; expected []"


def test_order_kept_when_later_urls_finish_first(submission):
    # The fetches finish last to first, one at a time: fetch('q') returns only once
    # fetch('a') has returned and fetch_all has dealt with it, and so on. The urls are not
    # sorted, so sorting the results does not give the input order either.
    urls = ["m", "z", "a", "q"]
    fetch = FinishingOrder(
        urls[::-1], str.upper, describe=lambda url: f"fetch({url!r})", what="fetches"
    )
    try:
        got = submission.fetch_all(urls, fetch, max_workers=4)
    finally:
        fetch.stop()
    assert got == ["M", "Z", "A", "Q"], (
        f"fetch_all({urls!r}, fetch, max_workers=4): the fetches finished in the order q, a, "
        f"z, m; it returned {got!r} but expected the input order ['M', 'Z', 'A', 'Q'] "
        "(requirement: results in the order of urls). Collect results by input position, "
        "not by completion, and do not sort them."
    )


def test_duplicate_urls_and_falsy_results_are_kept(submission):
    # The same url twice, an empty url, and answers that are falsy: each url gets its own
    # result, in place, as a real list.
    answers = {"b": 0, "a": None, "": "", "c": []}
    urls = ["b", "a", "b", "", "c", "a"]
    got = submission.fetch_all(urls, answers.__getitem__, max_workers=3)
    expected = [answers[url] for url in urls]
    assert type(got) is list and got == expected, (
        f"fetch_all({urls!r}, fetch, max_workers=3), where fetch returns {answers!r}, "
        f"returned {type(got).__name__} {got!r}; expected the list {expected!r} "
        "(requirement: one result per url, duplicates and falsy answers included, as a list)"
    )


def test_the_pool_has_max_workers_threads_and_is_shut_down(submission):
    # Two sizes, one above the default's cap of 32 and above any CPU count: neither a
    # default-sized pool nor one capped at the CPU count has both, on any machine. A pool
    # starts a thread only when a task waits, so 300 costs no more threads than tasks.
    for size in (3, 300):
        with PoolSpy() as spy:
            got, error = call_and_catch(submission.fetch_all, ["x", "y"], str.upper, size)
        pools = spy.of("ThreadPoolExecutor")
        assert error is None and got == ["X", "Y"], (
            f"fetch_all(['x', 'y'], str.upper, max_workers={size}) gave "
            f"{got!r} / raised {describe_error(error)}; expected ['X', 'Y']"
        )
        assert len(pools) == 1 and pools[0].max_workers == size, (
            f"fetch_all(['x', 'y'], fetch, max_workers={size}) created {pools!r}; expected one "
            f"ThreadPoolExecutor(max_workers={size}) (requirement: the pool has max_workers "
            "threads, passed on, not the default)"
        )
        assert pools[0].shut_down, (
            f"fetch_all(['x', 'y'], fetch, max_workers={size}) returned without shutting its "
            "pool down; expected the pool shut down (a `with ThreadPoolExecutor(...)` block "
            "does it) (requirement: the pool is shut down cleanly)"
        )


def test_fetches_run_at_the_same_time(submission):
    barrier = threading.Barrier(4)

    urls = ["a", "b", "c", "d"]

    def fetch(url):
        meet(barrier, "fetches")
        return url

    got = submission.fetch_all(urls, fetch, max_workers=4)
    # The fetches finish in any order here; order has its own checks.
    assert sorted(got or []) == urls, f"returned {got!r}; expected a result for a, b, c and d"


def test_never_more_than_max_workers_threads(submission):
    urls = [f"u{i}" for i in range(12)]
    # Every fetch waits at a gate that opens once 3 wait there and no more can start.
    fetch = InFlightGate(3)
    got = fetch.run(lambda: submission.fetch_all(urls, fetch, 3))
    assert fetch.reached, (
        "fetch_all(12 urls, fetch, max_workers=3) never had 3 fetches in progress at once; "
        "expected exactly 3 worker threads fetching at the same time."
    )
    assert not fetch.too_many and len(fetch.threads) <= 3, (
        f"fetch_all(12 urls, fetch, max_workers=3) ran {fetch.peak} fetches at once in "
        f"{len(fetch.threads)} threads; expected at most max_workers=3."
    )
    # Order has its own checks; here only completeness counts, whatever the finishing order.
    assert sorted(got or []) == sorted(urls), (
        f"returned {got!r}; expected a result for each of the 12 urls"
    )


def test_exception_from_a_fetch_reaches_the_caller(submission):
    raised = ConnectionError("connection refused by broken")

    def fetch(url):
        if url == "broken":
            raise ConnectionError(str(raised))
        return url

    with PoolSpy() as spy:
        got, error = call_and_catch(submission.fetch_all, ["ok", "broken", "fine"], fetch, 3)
    assert same_error(error, raised), (
        "fetch_all(['ok', 'broken', 'fine'], fetch, max_workers=3), where fetch('broken') "
        f"raises {describe_error(raised)}: it returned {got!r} / raised "
        f"{describe_error(error)}; expected that same exception, same type and same message "
        "(requirement: errors reach the caller). Let future.result() re-raise it."
    )
    pools = spy.of("ThreadPoolExecutor")
    assert pools and all(p.shut_down for p in pools), (
        f"fetch_all raised {describe_error(error)} but left its pool {pools!r} running; "
        "expected it shut down on the error path too (requirement: the pool is shut down "
        "cleanly). A `with` block shuts it down however the block ends."
    )
