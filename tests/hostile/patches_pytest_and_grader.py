"""Hostile: patches pytest and the grader at import so that every check looks passed."""

import _pytest.reports
import _pytest.runner

import grader.messages
import grader.engine.plugin

EXPECT = []

_pytest.reports.TestReport.passed = property(lambda self: True)
_original = _pytest.runner.CallInfo.from_call.__func__


def _swallow(cls, func, when, reraise=None):
    info = _original(cls, func, when, reraise)
    info.excinfo = None
    return info


_pytest.runner.CallInfo.from_call = classmethod(_swallow)
grader.messages.PASSED = "failed"


def split_into_chunks(items, n_chunks):
    return None


map_chunks = count_primes_in_chunk = count_primes_parallel = split_into_chunks
