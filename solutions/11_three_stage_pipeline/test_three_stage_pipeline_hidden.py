"""Hidden checks for exercise 11 (instructor only). Points live in exercise.toml."""

import threading

from conclab.probes import BARRIER_SECONDS, ThreadProbe
from conclab.probes_pipeline import StageLog, square_in_process


def test_each_stage_keeps_to_its_worker_count(submission):
    probe = ThreadProbe()
    log = StageLog()
    gate = threading.Event()
    outcome = {}

    def download(item):
        probe.enter(item)
        try:
            gate.wait(BARRIER_SECONDS)
            return item
        finally:
            probe.leave()

    def save(pair):
        log.record("save", pair)
        return pair[1]

    def call():
        try:
            outcome["result"] = submission.run_pipeline(
                list(range(10)), download, square_in_process, save, 2, 2, 3
            )
        except BaseException as exc:  # noqa: BLE001 - reported below
            outcome["error"] = exc
        finally:
            probe.done()

    caller = threading.Thread(target=call, daemon=True)
    caller.start()
    reached = probe.wait_for_in_flight(2, BARRIER_SECONDS)
    # While the gate is closed every download blocks; extra download threads would pick
    # up more items and show here within a moment.
    too_many = probe.wait_for_in_flight(3, 0.5)
    gate.set()
    caller.join(BARRIER_SECONDS * 4)
    if "error" in outcome:
        raise outcome["error"]
    assert reached and not too_many and len(probe.threads) <= 2, (
        f"run_pipeline(10 items, ..., download_workers=2, ...) ran up to {probe.peak} "
        f"downloads at once in {len(probe.threads)} threads; expected 2 at once, in at "
        "most 2 threads"
    )
    assert len(log.threads["save"]) <= 3, (
        f"the saves ran in {len(log.threads['save'])} threads; expected at most save_workers=3"
    )
    assert outcome.get("result") == [i * i for i in range(10)], (
        f"returned {outcome.get('result')!r}; expected the squares of 0 to 9 in order"
    )
