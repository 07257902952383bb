"""The grader's own record of each check, written by the worker to a private pipe.

A check counts as passed only when its test function returned normally (seen by a
wrapper put around it before the learner's module is imported) and pytest's report says
it passed. Each record carries a per-run secret the runner gave on stdin; records without
it are ignored, so a learner's stray writes cannot fake a result.
"""

from __future__ import annotations

import functools
import json
import os
import sys
import threading
import time
import traceback
from pathlib import Path

import pytest

from grader import messages
from grader.engine import diagnose, plugin, stackhook


def _make_emitter(stream, secret: str):
    write, flush, dumps = stream.write, stream.flush, json.dumps
    lock = threading.Lock()  # one line at a time: hooks emit from the learner's threads

    def emit(record: dict) -> None:
        line = dumps({**record, "secret": secret}) + "\n"
        with lock:
            write(line)
            flush()

    return emit


class Recorder:
    """A pytest plugin object registered by grader.engine.child; one per worker process."""

    def __init__(self, stream, secret: str):
        self._emit = _make_emitter(stream, secret)
        self._returned: set[str] = set()  # nodeids whose test function returned normally
        self._started: dict[str, float] = {}
        plugin.IMPORT_LISTENERS.append(lambda name: self._emit({"event": "imported"}))
        stackhook.LISTENERS.append(lambda text: self._emit({"event": "vanished", "text": text}))
        self._vanished_at = 0  # VANISHED entries before the current check

    def pytest_configure(self, config):
        """Without pytest's terminal reporter nobody reads its failure reports: skip their
        traceback formatting, most of what a failed check costs. (The learner's message
        comes from grader.engine.diagnose.)"""
        if config.pluginmanager.is_blocked("terminal"):
            config.option.tbstyle = "no"

    def pytest_sessionstart(self, session):
        """Spans of the run's worker processes reach the report too (conclab.probes.runspans)."""
        module = sys.modules.get("conclab.probes.runspans")
        if module is not None:
            module.collect_from_processes(os.getcwd())

    def pytest_collection_modifyitems(self, items):
        """Wrap each check before any learner code runs, to see it return normally."""
        returned = self._returned
        for item in items:
            original = getattr(item, "obj", None)
            if not callable(original):
                continue

            def guarded(*args, __original=original, __nodeid=item.nodeid, **kwargs):
                result = __original(*args, **kwargs)
                returned.add(__nodeid)
                return result

            functools.update_wrapper(guarded, original)
            item.obj = guarded

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logstart(self, nodeid, location):
        self._started[nodeid] = time.monotonic()
        self._vanished_at = len(stackhook.VANISHED)
        stackhook.forget_unread()
        _take_spans()  # what an earlier check's stragglers recorded is not this check's
        self._emit({"event": "start", "name": _check_name(nodeid.rpartition("::")[2])})

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        if report.when == "call" or (report.when == "setup" and call.excinfo is not None):
            if call.when == "call" and call.excinfo is None and item.nodeid in self._returned:
                status, message = messages.PASSED, ""
            else:
                status = messages.FAILED if call.when == "call" else messages.ERROR
                message = diagnose.learner_message(
                    call.excinfo, plugin.module_path(item.config, Path(str(item.fspath))).resolve()
                )
                if call.excinfo is None:  # reported as passed, but never returned: tampering
                    message = messages.NOT_RECORDED
                elif isinstance(call.excinfo.value, MemoryError):
                    # Free what the learner's frames hold, so that reporting can go on.
                    traceback.clear_frames(call.excinfo.value.__traceback__)
                unseen = stackhook.VANISHED[self._vanished_at :] + stackhook.unread_exceptions()
                if unseen:
                    listed = "\n".join(f"  {text}" for text in unseen[:10])
                    message = f"{message}\n{messages.VANISHED_HEADER}\n{listed}"
            spans = _take_spans()  # passing checks carry theirs too, drawn on demand
            self._emit(
                {
                    "event": "result",
                    "name": _check_name(item.name),
                    "status": status,
                    "message": message,
                    "duration": time.monotonic() - self._started.get(item.nodeid, 0.0),
                    "spans": spans,
                }
            )

    def pytest_collectreport(self, report):
        """A check file that does not import is the course's fault, never the learner's."""
        if report.failed:
            self._emit({"event": "collect_error", "message": str(report.longrepr)[-4000:]})

    def pytest_sessionfinish(self, session, exitstatus):
        self._emit({"event": "done"})


def _take_spans() -> list[dict]:
    """The learner's run as the probes recorded it (conclab.probes.runspans), if recorded."""
    module = sys.modules.get("conclab.probes.runspans")
    return module.take()[0] if module is not None else []


def _check_name(name: str) -> str:
    """A parametrized check's cases (`test_x[3]`) all report as the check `test_x`; the
    runner keeps the first failure, so the check passes only when every case passes."""
    return name.partition("[")[0]
