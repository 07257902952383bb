"""conclab.lessons.multiprocessing_primitives (the helpers of notebook
09-multiprocessing-primitives) and the behaviours the notebook states, under spawn (the
strictest start method). Each test pins a claim the notebook corrected (issue 17), so that
the wrong one cannot come back."""

from __future__ import annotations

import multiprocessing
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import shared_memory
from pathlib import Path

import pytest

from conclab.lessons import multiprocessing_primitives as md
from conclab.lessons.pickling_and_start_methods import run_python

SPAWN = multiprocessing.get_context("spawn")
POSIX = sys.platform != "win32"


def run_together(count, target, *args):
    procs = [SPAWN.Process(target=target, args=args) for _ in range(count)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0] * count


# -- shared memory: close() only after every view is gone --------------------------------


def test_an_ndarray_buffer_view_does_not_stop_close_and_reading_it_kills_the_process():
    """The old docstring said such a view makes close() raise BufferError: it does not."""
    ran = run_python(md.CLOSE_UNDER_A_NDARRAY_VIEW, timeout=120)
    assert "close() and unlink() returned with the view still alive" in ran.stdout, ran
    assert "reading the view" not in ran.stdout, ran
    assert ran.returncode not in (0, None), ran  # killed (SIGSEGV on POSIX)


def test_as_array_views_and_their_slices_make_close_raise_until_all_are_gone():
    block = shared_memory.SharedMemory(create=True, size=8 * 100)
    try:
        values = md.as_array(block, (10, 10), "float64")
        assert values.shape == (10, 10) and values.flags.writeable
        values[:] = 7.0
        row = values[3]
        del values
        with pytest.raises(BufferError):
            block.close()
        assert row.sum() == 70.0  # still mapped: the failed close() unmapped nothing
        del row
        block.close()
    finally:
        block.unlink()


@pytest.fixture
def closes(monkeypatch):
    """Every SharedMemory.close() call, recorded as 'ok' or 'BufferError' (a view alive)."""
    seen = []
    original = shared_memory.SharedMemory.close

    def spy(self):
        if self._buf is None:  # closed already (__del__ closes again): nothing to check
            return original(self)
        try:
            original(self)
        except BufferError:
            seen.append("BufferError")
            raise
        seen.append("ok")

    monkeypatch.setattr(shared_memory.SharedMemory, "close", spy)
    return seen


def _filled_block(n=8):
    block = shared_memory.SharedMemory(create=True, size=8 * n)
    values = md.as_array(block, (n,), "float64")
    values[:] = 1.0
    del values
    return block


def test_scale_block_closes_only_after_its_view_is_gone(closes):
    block = _filled_block()
    try:
        md.scale_block(block.name, (8,), "float64", 0, 4, 2.0)
        assert closes == ["ok"]
        values = md.as_array(block, (8,), "float64")
        assert values.tolist() == [2.0] * 4 + [1.0] * 4
        del values
    finally:
        block.close()
        block.unlink()


def test_scale_block_drops_its_view_before_close_on_the_error_path_too(closes):
    block = _filled_block()
    try:
        with pytest.raises(TypeError) as info:  # numpy cannot multiply by a str
            md.scale_block(block.name, (8,), "float64", 0, 4, "two")
        assert not isinstance(info.value, BufferError)
        assert closes == ["ok"], "close() ran while the view was still alive"
    finally:
        block.close()
        block.unlink()


def test_scale_block_in_spawn_workers_and_the_block_survives_them():
    block = _filled_block(1_000)
    try:
        with ProcessPoolExecutor(2, mp_context=SPAWN) as ex:
            list(ex.map(md.scale_block, [block.name] * 2, [(1_000,)] * 2, ["float64"] * 2,
                        [0, 500], [500, 1_000], [2.0, 3.0]))  # fmt: skip
        assert md.block_exists(block.name)
        values = md.as_array(block, (1_000,), "float64")
        assert values.sum() == 500 * 2.0 + 500 * 3.0
        del values
    finally:
        block.close()
        block.unlink()


# -- the resource tracker -----------------------------------------------------------------


@pytest.mark.skipif(not POSIX, reason="POSIX shared memory has a resource tracker")
def test_a_program_that_attaches_and_only_closes_destroys_the_block_at_exit():
    block = shared_memory.SharedMemory(create=True, size=4096)
    ran = run_python(md.attach_and_close_script(block.name), timeout=120)
    assert ran.returncode == 0, ran
    assert "leaked shared_memory" in ran.stderr
    assert not md.block_exists(block.name)
    assert md.unlink_created(block) is False


@pytest.mark.skipif(not POSIX or sys.version_info < (3, 13), reason="track= is new in 3.13")
def test_track_false_keeps_the_block():
    block = shared_memory.SharedMemory(create=True, size=4096)
    ran = run_python(md.attach_and_close_script(block.name, track=False), timeout=120)
    assert ran.returncode == 0, ran
    assert md.block_exists(block.name)
    assert md.unlink_created(block) is True


@pytest.mark.skipif(not POSIX, reason="POSIX shared memory has a resource tracker")
def test_a_block_nobody_unlinks_is_unlinked_by_the_tracker_with_a_warning():
    """The quiz used to say such a block outlives the processes."""
    ran = run_python(md.create_and_forget_script(), timeout=120)
    assert ran.returncode == 0, ran
    assert "leaked shared_memory" in ran.stderr
    assert not md.block_exists(ran.stdout.strip())


# -- races, forced --------------------------------------------------------------------------


def test_value_lost_update_forced():
    v = SPAWN.Value("i", 0)
    run_together(2, md.read_meet_write, v, SPAWN.Barrier(2))
    assert v.value == 1


def test_manager_traps():
    with SPAWN.Manager() as manager:
        d = manager.dict(items=[], count=0)
        run_together(3, md.append_to_entry, d, "items", SPAWN.Barrier(3))
        assert d["items"] == [], "appending to d[key] changes a copy"
        d["items"] = manager.list()
        run_together(3, md.append_to_entry, d, "items", SPAWN.Barrier(3))
        assert len(d["items"]) == 3
        run_together(2, md.read_meet_write_entry, d, "count", SPAWN.Barrier(2))
        assert d["count"] == 1
        d["count"] = 0
        run_together(2, md.increment_entry, d, "count", 200, SPAWN.Barrier(2), manager.Lock())
        assert d["count"] == 400


def test_a_terminated_lock_holder_never_releases_the_lock():
    lock, holding = SPAWN.Lock(), SPAWN.Event()
    holder = SPAWN.Process(target=md.hold_lock, args=(lock, holding))
    holder.start()
    assert holding.wait(120)
    holder.terminate()
    holder.join(60)
    assert not lock.acquire(timeout=0.5)


# -- queues -------------------------------------------------------------------------------------


def test_join_then_empty_snippet_works_small_and_hangs_with_big_results():
    small = run_python(md.JOIN_THEN_EMPTY.replace("NBYTES", "1000"), timeout=120)
    assert small.returncode == 0 and "collected 4 results" in small.stdout, small
    big = run_python(md.JOIN_THEN_EMPTY.replace("NBYTES", "1000000"), timeout=5)
    assert big.timed_out, big  # a deadlock: the timeout only bounds the wait


def test_put_of_an_unpicklable_object_returns_and_the_item_is_dropped(capfd):
    q = SPAWN.Queue()
    q.put(lambda: 1)
    q.put("next")
    assert q.get(timeout=30) == "next"
    err = capfd.readouterr().err
    assert "Traceback" in err and "pickle" in err.lower(), err  # printed by the feeder thread


def test_the_queue_sends_the_object_as_it_is_when_the_feeder_pickles_it():
    q = SPAWN.Queue()
    q.put(b"x" * 1_000_000)  # the feeder blocks on this until we read
    batch = [1, 2, 3]
    q.put(batch)
    batch.append(4)
    q.get(timeout=60)
    assert q.get(timeout=60) == [1, 2, 3, 4]


# -- reading input ahead ------------------------------------------------------------------------


def test_imap_unordered_reads_the_input_far_ahead_of_the_caller():
    inputs = md.CountedInputs(200_000)
    with SPAWN.Pool(2) as pool:
        stream = pool.imap_unordered(md.double, inputs)
        next(stream)
        deadline = time.monotonic() + 120
        while inputs.taken < 1_000 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert inputs.taken >= 1_000, "one result taken, yet the input kept being read"


def test_executor_map_reads_every_input_before_returning():
    inputs = md.CountedInputs(50)
    with ProcessPoolExecutor(1, mp_context=SPAWN) as ex:
        stream = ex.map(md.double, inputs)
        assert inputs.taken == 50
        assert list(stream) == [2 * i for i in range(50)]


@pytest.mark.skipif(sys.version_info < (3, 14), reason="map(buffersize=) is new in 3.14")
def test_executor_map_buffersize_bounds_the_read_ahead():
    inputs = md.CountedInputs(1_000)
    with ProcessPoolExecutor(1, mp_context=SPAWN) as ex:
        stream = ex.map(md.double, inputs, buffersize=4)
        next(stream)
        assert inputs.taken <= 5


# -- the notebooks' own source ------------------------------------------------------------

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def _code_cells(prefix: str) -> list[str]:
    import nbformat

    (path,) = NOTEBOOKS.glob(f"{prefix}-*.ipynb")
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def test_notebook_09_makes_no_ndarray_view_that_can_outlive_close():
    for source in _code_cells("08"):
        assert "buffer=block.buf" not in source and "buffer=shm.buf" not in source, source


@pytest.mark.parametrize("prefix", ["06", "07", "08"])
def test_check_cells_do_not_print_the_result_repr(prefix):
    """A bare `check(...)` as a cell's last line shows the long ExerciseResult(...) repr
    under the panel: end it with `;` or assign it."""
    for source in _code_cells(prefix):
        last = source.strip().splitlines()[-1] if source.strip() else ""
        if last.startswith("check("):
            assert last.split("#")[0].rstrip().endswith(";"), source
