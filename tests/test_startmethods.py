"""The start methods process-based checks use: the strict one must be as strict as spawn.

Checks run the learner's code under `strict_method()` to catch code that works only under
fork. These tests show that it rejects what spawn rejects, with real processes.
"""

from __future__ import annotations

import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor

import pytest

from conclab.probes.startmethods import STRICT_METHODS, methods_to_check, strict_method

MARKER = "as imported"  # a module-level variable; the tests change it in this process only


def read_marker(_=None) -> str:
    return MARKER


def test_strict_method_is_spawn_or_forkserver():
    assert strict_method() in STRICT_METHODS
    assert strict_method() in multiprocessing.get_all_start_methods()


def test_methods_to_check_are_the_strict_one_then_the_default():
    methods = methods_to_check()
    default = multiprocessing.get_start_method(allow_none=False)
    assert methods[0] == strict_method()
    assert methods[-1] == default
    assert len(methods) == len(set(methods))


def test_the_strict_method_cannot_send_a_lambda():
    ctx = multiprocessing.get_context(strict_method())
    with ProcessPoolExecutor(1, mp_context=ctx) as pool:
        future = pool.submit(lambda: 1)
        with pytest.raises(Exception, match="pickle|lambda"):
            future.result(timeout=60)


def test_the_strict_method_imports_the_callers_module_afresh(monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "MARKER", "set by caller")
    assert read_marker() == "set by caller"
    ctx = multiprocessing.get_context(strict_method())
    with ProcessPoolExecutor(1, mp_context=ctx) as pool:
        assert pool.submit(read_marker).result(timeout=60) == "as imported"


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork")
@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_fork_by_contrast_keeps_the_callers_change(monkeypatch):
    """What the strict method exists to catch: under fork the change reaches the worker."""
    monkeypatch.setattr(sys.modules[__name__], "MARKER", "set by caller")
    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(1, mp_context=ctx) as pool:
        assert pool.submit(read_marker).result(timeout=60) == "set by caller"
