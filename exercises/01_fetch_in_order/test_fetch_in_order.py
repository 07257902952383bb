"""Public checks for exercise 01. Points and task numbers live in exercise.toml."""

import threading

import pytest

from conclab.probes import BARRIER_SECONDS, NeverMet, ThreadProbe, meet


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
    # Fetch i may only finish after fetch i+1 has finished, so they finish last to first.
    urls = [f"u{i}" for i in range(4)]
    finished = {url: threading.Event() for url in urls}

    def fetch(url):
        i = urls.index(url)
        if i + 1 < len(urls) and not finished[urls[i + 1]].wait(BARRIER_SECONDS):
            raise NeverMet(
                f"fetch({url!r}) waited {BARRIER_SECONDS:g} s for fetch({urls[i + 1]!r}) to "
                "finish, but it never ran: the fetches did not run at the same time."
            )
        finished[url].set()
        return url.upper()

    got = submission.fetch_all(urls, fetch, max_workers=4)
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
    probe = ThreadProbe()
    gate = threading.Event()
    outcome = {}

    def fetch(url):
        probe.enter(url)
        try:
            gate.wait(BARRIER_SECONDS)
            return url
        finally:
            probe.leave()

    def call():
        try:
            outcome["result"] = submission.fetch_all([f"u{i}" for i in range(12)], fetch, 3)
        except BaseException as exc:  # noqa: BLE001 - reported below
            outcome["error"] = exc
        finally:
            probe.done()

    caller = threading.Thread(target=call, daemon=True)
    caller.start()
    reached = probe.wait_for_in_flight(3, BARRIER_SECONDS)
    # While the gate is closed, every extra thread a wrong implementation started would
    # pick up a fetch and block here too; give them a moment to show up.
    too_many = probe.wait_for_in_flight(4, 0.5)
    gate.set()
    caller.join(BARRIER_SECONDS * 2)
    if "error" in outcome:
        raise outcome["error"]
    assert reached, (
        "fetch_all(12 urls, fetch, max_workers=3) never had 3 fetches in progress at once; "
        "expected exactly 3 worker threads fetching at the same time."
    )
    assert not too_many and len(probe.threads) <= 3, (
        f"fetch_all(12 urls, fetch, max_workers=3) ran {probe.peak} fetches at once in "
        f"{len(probe.threads)} threads; expected at most max_workers=3."
    )
    # Order has its own checks; here only completeness counts, whatever the finishing order.
    assert sorted(outcome.get("result") or []) == sorted(f"u{i}" for i in range(12)), (
        f"returned {outcome.get('result')!r}; expected a result for each of the 12 urls"
    )


def test_exception_from_a_fetch_reaches_the_caller(submission):
    def fetch(url):
        if url == "broken":
            raise ConnectionError("connection refused by broken")
        return url

    with pytest.raises(ConnectionError, match="refused by broken"):
        submission.fetch_all(["ok", "broken", "fine"], fetch, max_workers=3)
