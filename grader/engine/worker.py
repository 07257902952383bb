"""The worker: the one process of a run that imports the learner's code, under pytest with
the grader's recorder (the supervisor in child.py starts it and reaps what it leaves).

    worker: stdin (the secret, then /dev/null) ─▶ pytest.main(checks, plugins=[plugin,
            Recorder]) ─▶ one JSON line per event on the events channel's write end,
            which it shares only with the supervisor and its own descendants
"""

from __future__ import annotations

import os
import sys
import types

# The modules the course's checks import (its exercises/course.toml), set by the runner.
# Processes the learner's code starts under forkserver fork from a server that has them
# imported, rather than each importing them; the zygote imports them too.
PRELOAD_ENV = "GRADER_PRELOAD"


def preloaded() -> list[str]:
    """The course's preload list, as the runner put it in this process's environment."""
    return [name for name in os.environ.get(PRELOAD_ENV, "").split(",") if name]


def work(args, secret: str | None = None) -> int:
    """Run the selected checks under pytest with the grader's recorder."""
    if secret is None:
        secret = sys.stdin.readline().strip()
    sys.stdin.close()
    sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    # The learner's spawn and forkserver children re-import the parent's __main__ by name;
    # here it is the grader's (or the zygote's), which they do not need: as after an
    # interactive session, they import none.
    sys.modules["__main__"] = types.ModuleType("__main__")
    os.environ.setdefault("MPLBACKEND", "Agg")
    if args.events_fd is not None:
        os.set_inheritable(args.events_fd, False)  # the learner's subprocesses do not get it
    _forget_the_course_root()
    import multiprocessing

    if "forkserver" in multiprocessing.get_all_start_methods():
        multiprocessing.set_forkserver_preload(preloaded())  # ImportError: skipped
    if os.environ.get("CONCLAB_START_METHOD"):  # the grader's own tests try each method
        multiprocessing.set_start_method(os.environ["CONCLAB_START_METHOD"], force=True)

    import pytest

    from grader.engine import channel, plugin, stackhook
    from grader.engine.recorder import Recorder

    stackhook.install()  # stacks on request when a check times out (grader/engine/stacks.py)
    stackhook.watch_exceptions(os.path.abspath(args.target))

    scratch = os.getcwd()
    ini = os.path.join(scratch, "pytest.ini")
    with open(ini, "w", encoding="utf-8") as fh:
        fh.write("[pytest]\n")
    # Without pytest's terminal reporter, the output pipe carries only what the learner's
    # code printed; CONCLAB_GRADER_DEBUG=1 keeps pytest's own report for debugging checks.
    quiet = [] if os.environ.get("CONCLAB_GRADER_DEBUG") else ["-p", "no:terminal"]
    return int(
        pytest.main(
            [
                *quiet,
                "-s",  # learner output goes straight to the runner, which bounds what it keeps
                "-c",
                ini,
                "--rootdir",
                scratch,
                "--import-mode=importlib",
                "-p",
                "no:cacheprovider",
                "-p",  # its gc.collect() at the end costs more than the warnings it shows
                "no:unraisableexception",
                "--conclab-target",
                args.target,
                *args.nodeids,
            ],
            plugins=[plugin, Recorder(channel.open_in_child(args), secret)],
        )
    )


def _forget_the_course_root() -> None:
    """Take the course repository (an editable install puts it on sys.path) off the path, so
    `solutions` and `hidden` cannot be imported; the grader and conclab stay importable
    from the runner's package folder on PYTHONPATH. Spawned children inherit this path."""
    from grader.manifest import PROJECT_ROOT

    if not (PROJECT_ROOT / "pyproject.toml").is_file():
        return  # installed as a package: its folder holds no answers, and is site-packages
    root = os.path.normcase(str(PROJECT_ROOT))
    sys.path[:] = [p for p in sys.path if os.path.normcase(os.path.abspath(p or ".")) != root]
