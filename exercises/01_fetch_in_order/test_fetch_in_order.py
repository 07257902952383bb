"""Public checks for exercise 01. Points and task numbers live in exercise.toml."""

import threading

import pytest

from conclab.probes import FinishingOrder, InFlightGate, meet


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
    # The fetches finish last to first, one at a time: fetch(u2) returns only once
    # fetch(u3) has returned and fetch_all has dealt with it, and so on.
    urls = [f"u{i}" for i in range(4)]
    fetch = FinishingOrder(
        urls[::-1], str.upper, describe=lambda url: f"fetch({url!r})", what="fetches"
    )
    try:
        got = submission.fetch_all(urls, fetch, max_workers=4)
    finally:
        fetch.stop()
    assert got == ["U0", "U1", "U2", "U3"], (
        "the fetches finished in the order u3, u2, u1, u0; fetch_all returned "
        f"{got!r} but expected the input order ['U0', 'U1', 'U2', 'U3']. "
        "Collect results by input position, not by completion."
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
    def fetch(url):
        if url == "broken":
            raise ConnectionError("connection refused by broken")
        return url

    with pytest.raises(ConnectionError, match="refused by broken"):
        submission.fetch_all(["ok", "broken", "fine"], fetch, max_workers=3)
