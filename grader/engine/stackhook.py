"""In every Python process of a graded run: dump all threads' stacks on request, and keep
the exceptions that nobody saw (threads, done-callbacks, unraisable ones).

    runner ──SIGUSR1──▶ each process of the run ──faulthandler──▶ <stacks dir>/<pid>.txt
    (grader/engine/stacks.py reads the files, trims them to the learner's frames and explains)

faulthandler writes from a C signal handler, so a thread blocked in a lock still shows.
The worker installs this itself; other processes get it from the run's `sitecustomize`
(spawn and forkserver start fresh interpreters), and forks re-register with a file of
their own. Kept to the standard library: it runs at the start of every learner process.
"""

from __future__ import annotations

import faulthandler
import os
import signal
import threading

MARKER = "CONCLAB_GRADING_RUN"  # grader.engine.proctree.MARKER, not imported: this module is light
TEMP_BASE = "CONCLAB_STACKS_BASE"  # the runner's temp folder, set in the run's environment
_installed_in: int | None = None  # the pid that registered the handler
_file = None  # faulthandler writes to its fd: kept open for the life of the process
VANISHED: list[str] = []  # exceptions raised where nobody saw them, in order
LISTENERS: list = []  # called with each new entry of VANISHED (the recorder reports it)
_vanished_lock = threading.Lock()  # guards VANISHED: hooks fire in any thread


def folder(run_id: str) -> str:
    """Where one run's stack dumps go: derived from its marker. The runner passes the temp
    folder as TEMP_BASE (the same for every run, so the zygote's environment holds), and
    processes of the run need not import tempfile (10 ms each)."""
    base = os.environ.get(TEMP_BASE)
    if not base:
        import tempfile

        base = tempfile.gettempdir()
    return os.path.join(base, f"conclab-stacks-{run_id}")


def install() -> None:
    """Register the stack dump for this process, and again in each fork of it."""
    run_id = os.environ.get(MARKER, "")
    if not run_id.strip("-") or not hasattr(signal, "SIGUSR1"):
        return
    where = folder(run_id)
    if os.path.isdir(where) and _installed_in != os.getpid():
        _register(where)
        os.register_at_fork(after_in_child=lambda: _register(where))


def _register(where: str) -> None:
    global _file, _installed_in
    try:
        stream = open(os.path.join(where, f"{os.getpid()}.txt"), "w")  # noqa: SIM115
    except OSError:
        return
    faulthandler.register(signal.SIGUSR1, file=stream, all_threads=True, chain=False)
    _file, _installed_in = stream, os.getpid()


def note(text: str) -> None:
    """Keep one exception nobody saw, and tell whoever listens."""
    with _vanished_lock:
        VANISHED.append(text)
        listeners = list(LISTENERS)
    for listener in listeners:
        try:
            listener(text)
        except Exception:  # noqa: BLE001 - reporting must never break the learner's run
            pass


def _describe(exc: BaseException, learner_folder: str) -> str:
    """The exception in a line, with the last line of the learner's own code it passed."""
    line = ""
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if os.path.abspath(code.co_filename).startswith(learner_folder):
            line = f" (your line {tb.tb_lineno}, in {code.co_name})"
        tb = tb.tb_next
    return f"{type(exc).__name__}: {exc}"[:300] + line


def watch_exceptions(learner_folder: str) -> None:
    """In the worker: note exceptions raised in threads, in done-callbacks, as unraisable,
    and in futures whose exception nobody read, each with the learner's line."""
    import logging
    import sys
    import weakref
    from concurrent.futures import Future

    def describe(exc) -> str:
        return _describe(exc, learner_folder)

    original_excepthook = threading.excepthook

    def excepthook(args) -> None:
        if args.exc_type is not SystemExit:
            name = args.thread.name if args.thread is not None else "a thread"
            note(f"in thread {name}: {describe(args.exc_value)}")
        original_excepthook(args)

    threading.excepthook = excepthook

    class Callbacks(logging.Handler):
        def emit(self, record) -> None:
            if record.exc_info and record.exc_info[1] is not None:
                note(f"in a done-callback: {describe(record.exc_info[1])}")

    logging.getLogger("concurrent.futures").addHandler(Callbacks(logging.ERROR))
    original_unraisable = sys.unraisablehook

    def unraisable(info) -> None:
        if info.exc_value is not None:
            note(f"unraisable ({info.err_msg or 'in a finalizer'}): {describe(info.exc_value)}")
        original_unraisable(info)

    sys.unraisablehook = unraisable
    unread = weakref.WeakSet()  # futures that hold an exception nobody has asked for yet
    set_exception, result, exception = Future.set_exception, Future.result, Future.exception

    def tracked_set_exception(self, exc):
        unread.add(self)
        return set_exception(self, exc)

    def tracked_result(self, timeout=None):
        unread.discard(self)
        return result(self, timeout)

    def tracked_exception(self, timeout=None):
        unread.discard(self)
        return exception(self, timeout)

    Future.set_exception, Future.result = tracked_set_exception, tracked_result
    Future.exception = tracked_exception
    UNREAD.append(unread)


UNREAD: list = []  # the WeakSet of futures with an unread exception (one, once watching)


def forget_unread() -> None:
    """At the start of a check: futures an earlier check left unread are not this one's."""
    for unread in UNREAD:
        unread.clear()


def unread_exceptions() -> list[str]:
    """Futures whose exception nobody read: the error is lost unless someone looks."""
    found = []
    for unread in UNREAD:
        for future in list(unread):
            exc = future._exception  # read without marking it as read
            if exc is not None:
                found.append(f"in a task whose future was never read: {type(exc).__name__}: {exc}")
    return found[:10]
