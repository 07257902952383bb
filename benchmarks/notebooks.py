"""Notebook run time: each notebook under nbval, as `make test` runs it, and all together."""

from __future__ import annotations

from grader.manifest import NOTEBOOKS_DIR

from .stats import Figure, run_pytest, timed


def run_notebook(path) -> None:
    """One nbval run of path: a notebook, or the notebooks folder as `make test` runs it."""
    run_pytest(["--nbval-lax", "--nbval-current-env", str(path)], timeout=1200)


def run(repeats: int) -> list[Figure]:
    figures = []
    totals = [0.0] * repeats
    for path in sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]-*.ipynb")):
        times = [timed(run_notebook, path) for _ in range(repeats)]
        for i, t in enumerate(times):
            totals[i] += t
        figures.append(Figure("notebooks", path.stem, "s", times))
    figures.append(Figure("notebooks", "sum of the separate runs", "s", totals))
    whole = [timed(run_notebook, NOTEBOOKS_DIR) for _ in range(repeats)]
    figures.append(
        Figure(
            "notebooks", "all notebooks in one nbval run", "s", whole,
            target=120.0, higher_is_better=False,
        )
    )  # fmt: skip
    return figures
