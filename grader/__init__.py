"""Concurrency Lab's grader: isolated, timed, partial-credit checking of exercises."""

from .notebook import check, progress

# Note: the name `grader.progress` is this function, not the module grader/progress.py;
# import from the module with `from grader.progress import ...`.
__all__ = ["check", "progress"]
