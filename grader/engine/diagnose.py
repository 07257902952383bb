"""Turn a failed check into a message for a learner, recognising common concurrency mistakes."""

from __future__ import annotations

import linecache
import traceback
from pathlib import Path

from grader import messages

# Mistakes a concurrency learner makes often: (exception type name or text fragment, advice).
# The first entry that matches the exception's type name or its text wins.
KNOWN_MISTAKES = (
    (
        "BrokenProcessPool",
        "a worker process died, so the pool is broken. Usual causes: the worker function is "
        "defined in a notebook or script that worker processes cannot import (spawn and "
        "forkserver re-import it by name), or a worker crashed. "
        "See notebook 08-pickling-and-start-methods.",
    ),
    (
        "PicklingError",
        "your worker function or its data could not be pickled: lambdas, nested functions, "
        "local classes and open files cannot cross a process boundary. Define workers at "
        "module level. See notebook 08-pickling-and-start-methods.",
    ),
    (
        "Can't pickle",
        "something you sent to a worker process could not be pickled: lambdas, nested "
        "functions, local classes and open files cannot cross a process boundary. Define "
        "workers at module level. See notebook 08-pickling-and-start-methods.",
    ),
    (
        "cannot pickle",
        "something you sent to or from a worker process could not be pickled (locks, open "
        "files, generators and lambdas cannot cross a process boundary). Send plain data. "
        "See notebook 08-pickling-and-start-methods.",
    ),
    (
        "Resource temporarily unavailable",
        "your code tried to start more processes than the grader allows. Use a pool with a "
        "fixed number of workers instead of a process per item.",
    ),
    (
        "Can't get local object",
        "a nested function or local class cannot be pickled by reference: move it to module "
        "level. See notebook 08-pickling-and-start-methods.",
    ),
    (
        "BrokenBarrierError",
        "the tasks never met at the barrier: they did not run at the same time. Submit them "
        "all to a pool before waiting for any result. See notebook 01-threads-vs-processes.",
    ),
    (
        "RecursionError",
        "a function calls itself without end.",
    ),
    (
        "MemoryError",
        "your code used more memory than the grader allows.",
    ),
)


def advice_for(exc: BaseException) -> str:
    """The advice for a known mistake, or '' when the exception is not one we recognise."""
    text = f"{type(exc).__name__}: {exc}"
    for chain in _chain(exc):
        text = f"{type(chain).__name__} {chain}"
        for needle, advice in KNOWN_MISTAKES:
            if needle in text:
                return advice
    return ""


def _chain(exc: BaseException):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _location_in(exc: BaseException, path: Path | None) -> str:
    """Where in the learner's file the exception was raised, as ' (your file X, line N: code)'."""
    if path is None:
        return ""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename) == path]
    if not frames:
        return ""
    last = frames[-1]
    code = (last.line or linecache.getline(last.filename, last.lineno)).strip()
    return f" (in {path.name}, line {last.lineno}: `{code}`)"


def describe_exception(exc: BaseException, path: Path | None) -> str:
    """`TypeError: message (in file, line N: code)` plus advice for a known mistake."""
    if isinstance(exc, SyntaxError) and exc.lineno:
        return f"SyntaxError: {exc.msg} (line {exc.lineno}: `{(exc.text or '').strip()}`)"
    if isinstance(exc, SystemExit):
        return f"it called sys.exit({exc.code!r}) while being imported"
    text = f"{type(exc).__name__}: {exc}".rstrip(": ")
    text += _location_in(exc, path)
    advice = advice_for(exc)
    return f"{text}. {advice}" if advice else text


def learner_message(excinfo, path: Path | None) -> str:
    """The message a learner reads for a failed check."""
    if excinfo is None:
        return ""
    exc = excinfo.value
    name = type(exc).__name__
    if name in ("Failed", "Skipped", "XFailed"):  # pytest.fail(...) from a check or fixture
        return str(getattr(exc, "msg", exc))
    if isinstance(exc, AssertionError):
        text = str(exc)
        # pytest's assertion rewriting appends "assert <expr>"; the check's own text comes first.
        head = text.split("\nassert ")[0].strip()
        return head or text.strip() or "a check failed without a message"
    if isinstance(exc, NotImplementedError) and path is not None:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename) == path]
        if frames:
            return messages.STUB_UNSOLVED.format(name=frames[-1].name, path=path.name)
    if isinstance(exc, SystemExit):
        return f"your code called sys.exit({exc.code!r}); a function should return, not exit."
    return "your code raised " + describe_exception(exc, path)
