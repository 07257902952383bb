"""The pytest plugin behind every check: the `submission` fixture and the grader's record.

It is loaded in two ways. The grader's isolated child (grader/engine/child.py) passes it to
pytest.main with `--conclab-target`, the folder of the module to grade; each check's
outcome then goes to the runner over the events channel (grader/engine/recorder.py), never
stdout. A learner who runs `pytest exercises/01_fetch_in_order` gets it through
exercises/conftest.py, and `submission` is the module beside the checks. No pytest11
entry point: other projects' pytest runs in the same environment never load it.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from grader import messages
from grader.engine import diagnose


def pytest_addoption(parser):
    """Options the grader's child passes; a learner never needs them."""
    group = parser.getgroup("conclab", "Concurrency Lab grader")
    group.addoption("--conclab-target", default=None, help="folder holding the module to grade")


def module_path(config, test_file: Path) -> Path:
    """The learner's module a check file grades: `test_fetch.py` and `test_fetch_hidden.py`
    both grade `fetch.py`, in --conclab-target's folder (or beside the checks without it)."""
    slug = test_file.stem.removeprefix("test_").removesuffix("_hidden")
    target = config.getoption("conclab_target")
    return (Path(target) if target else test_file.parent) / f"{slug}.py"


class Submission:
    """The learner's module, loaded once per run; a missing name fails with a clear message."""

    def __init__(self, module, path: Path):
        self._module = module
        self._path = path

    def __getattr__(self, name):
        try:
            return getattr(self._module, name)
        except AttributeError:
            pytest.fail(
                messages.MISSING_FUNCTION.format(path=self._path.name, name=name), pytrace=False
            )

    @property
    def module(self):
        """The module itself, for helpers that need a real module (conclab.interleave.bank)."""
        return self._module


IMPORT_LISTENERS: list = []  # called with the module name once the learner's file imported
_loaded: dict[Path, object] = {}  # module path -> Submission or the message of its import error


def load_submission(path: Path):
    """Import the learner's file by path under its plain name, so worker processes find it."""
    path = path.resolve()
    if path in _loaded:
        return _loaded[path]
    if not path.exists():
        _loaded[path] = messages.MISSING_FILE.format(path=path)
        return _loaded[path]
    name = path.stem
    folder = str(path.parent)
    if folder not in sys.path:
        # Worker processes started by spawn or forkserver inherit sys.path, and need it to
        # import the learner's worker functions by name.
        sys.path.insert(0, folder)
    sys.modules.pop(name, None)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException as exc:  # noqa: BLE001 - any failure of the learner's import is reported
        sys.modules.pop(name, None)
        _loaded[path] = messages.IMPORT_FAILED.format(
            path=path.name, error=diagnose.describe_exception(exc, path)
        )
        if isinstance(exc, KeyboardInterrupt):
            raise
        return _loaded[path]
    _loaded[path] = Submission(module, path)
    for listener in IMPORT_LISTENERS:
        listener(name)
    return _loaded[path]


@pytest.fixture
def submission(request):
    """The learner's module for the exercise whose checks are running."""
    loaded = load_submission(module_path(request.config, Path(str(request.node.fspath))))
    if isinstance(loaded, str):
        pytest.fail(loaded, pytrace=False)
    return loaded
