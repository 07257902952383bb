"""The finish every sweep plot shares: a log2 x axis ticked at the values swept, labels with
units, a title, a y axis from zero, a light grid and a small legend.

No matplotlib import here: it works on an `Axes` it is given, so modules that pool workers
import can use it without paying for matplotlib.
"""

from __future__ import annotations


def finish_sweep_axes(ax, xs, xlabel: str, ylabel: str, title: str) -> None:
    """Log2 x axis ticked at xs, the labels and title, y from 0, grid and legend."""
    ax.set_xscale("log", base=2)
    ax.set_xticks(xs, [str(x) for x in xs])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
