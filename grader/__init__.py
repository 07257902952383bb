"""Concurrency Lab's grader: isolated, timed, partial-credit checking of exercises.

`check` and `progress` are imported on first use, so that the grading processes (which
import this package) do not pay for ipywidgets and the notebook front end.
"""

__all__ = ["check", "progress"]


def __getattr__(name):
    if name in __all__:
        from grader.frontends import notebook

        return getattr(notebook, name)
    raise AttributeError(f"module 'grader' has no attribute {name!r}")
