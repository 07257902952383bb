"""Concurrency Lab's grader: isolated, timed, partial-credit checking of exercises."""

from .notebook import check

__all__ = ["check"]
