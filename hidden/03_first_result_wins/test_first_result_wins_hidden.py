"""Hidden checks for exercise 03: instructor-only, declared in exercise.toml."""


def test_late_success_after_many_failures(submission):
    replicas = [f"down-{i}" for i in range(1, 6)] + ["last-hope"]

    def request(replica):
        if replica != "last-hope":
            raise ConnectionError(f"{replica} is down")
        return "answer from last-hope"

    try:
        got = submission.first_result(request, replicas, max_workers=2)
        outcome = f"returned {got!r}"
    except ConnectionError as exc:
        got, outcome = None, f"raised ConnectionError: {exc}"
    assert got == "answer from last-hope", (
        f"first_result(request, {replicas!r}, max_workers=2): the first five raised and "
        f"last-hope answered; it {outcome}, expected 'answer from last-hope'"
    )
