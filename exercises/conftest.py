"""Run an exercise's checks with plain pytest (`pytest exercises/01_fetch_in_order`): the
grader's plugin gives them the `submission` fixture, the module beside the checks.

`python -m grader check` does not read this file: it loads the plugin itself, in its own
isolated process, and pytest runs elsewhere never see it (no global pytest11 plugin).
"""

from grader.engine import plugin
from grader.engine.plugin import submission  # noqa: F401


def pytest_addoption(parser):
    try:
        plugin.pytest_addoption(parser)
    except ValueError:  # `-p grader.engine.plugin` was given too, and added the option first
        pass
