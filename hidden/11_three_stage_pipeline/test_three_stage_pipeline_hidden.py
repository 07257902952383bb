"""Hidden checks for exercise 11 (instructor only). Points live in exercise.toml."""

from conclab.probes.common import BARRIER_SECONDS
from conclab.probes.gates import InFlightGate
from conclab.probes.pipeline import StageLog, square_in_process


def test_each_stage_keeps_to_its_worker_count(submission):
    log = StageLog()
    # Every download waits at a gate that opens once 2 wait there and no more can start.
    download = InFlightGate(2)

    def save(pair):
        log.record("save", pair)
        return pair[1]

    got = download.run(
        lambda: submission.run_pipeline(
            list(range(10)), download, square_in_process, save, 2, 2, 3
        ),
        timeout=BARRIER_SECONDS * 4,
    )
    assert download.reached and not download.too_many and len(download.threads) <= 2, (
        f"run_pipeline(10 items, ..., download_workers=2, ...) ran up to {download.peak} "
        f"downloads at once in {len(download.threads)} threads; expected 2 at once, in at "
        "most 2 threads"
    )
    assert len(log.threads["save"]) <= 3, (
        f"the saves ran in {len(log.threads['save'])} threads; expected at most save_workers=3"
    )
    # The saves finish in any order here; order has its own check.
    assert sorted(got or []) == [i * i for i in range(10)], (
        f"returned {got!r}; expected the squares of 0 to 9"
    )
