"""Notebooks 04 to 06 as files: what every one of them must have (issue 16 item 18)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


@pytest.mark.parametrize("name", ["04-futures", "05-as-completed-and-wait", "06-callbacks"])
def test_setup_cell_asks_for_inline_plots(name):
    # With MPLBACKEND set (as the tests set it), plots would otherwise show as "<Figure>".
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    first_code = next(cell for cell in nb.cells if cell.cell_type == "code")
    assert first_code.source.splitlines()[0] == "%matplotlib inline"
