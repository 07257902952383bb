"""The live timelines of notebooks 01 and 02 are live in a real JupyterLab: every cell that
draws one shows at least MIN_FRAMES distinct images while it runs (issue 16, item 16).

Before, bars appeared only when a task finished and frames came at most every 0.25 s, so
most runs showed 2 to 4 frames. Frames are counted in the browser, as the learner sees
them: distinct image sources of the cell's outputs (see OBSERVE_FRAMES).
"""

from __future__ import annotations

import json
import re

import pytest

from grader.manifest import NOTEBOOKS_DIR

from .test_notebooks_in_browser import (
    ERRORS,
    KERNEL_READY,
    NOTEBOOK,
    OBSERVE_FRAMES,
    RUN_DONE,
    RUN_TIMEOUT,
)

pytestmark = pytest.mark.browser

# The first (empty) frame, the last, and at least one while the tasks run: that is what
# makes a timeline live. How many more a run shows depends on how many CPUs are free (the
# frames are drawn in another process, which competes with the tasks for them): 4 were
# seen on a loaded 2-CPU runner where an idle one shows 19, so a higher floor would flake.
MIN_FRAMES = 3
NOTEBOOKS = ["01-threads-vs-processes.ipynb", "02-the-gil.ipynb"]
# A cell draws a live timeline when it calls one of these without live=False.
LIVE = re.compile(r"\b(run_traced|run_threads_traced)\((?![^\n]*live=False)")
# {"cell:output": number of distinct images} for every output that showed an image.
FRAMES_BY_OUTPUT = """() => Object.fromEntries(
    Object.entries(window.__frames).map(([key, srcs]) => [key, srcs.size]))"""


def live_cells(name: str) -> list[int]:
    """Indexes (among all cells, as in the page) of the cells that draw a live timeline."""
    nb = json.loads((NOTEBOOKS_DIR / name).read_text(encoding="utf-8"))
    return [
        i
        for i, cell in enumerate(nb["cells"])
        if cell["cell_type"] == "code" and LIVE.search("".join(cell["source"]))
    ]


def test_the_notebooks_have_live_cells_to_count():
    assert all(live_cells(name) for name in NOTEBOOKS)


@pytest.mark.timeout(900)
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_live_timeline_shows_enough_frames(lab, page, name):
    cells = live_cells(name)
    try:
        page.goto(lab.notebook_url(name))
        page.wait_for_function(KERNEL_READY, timeout=120_000, polling=250)
        page.evaluate(OBSERVE_FRAMES)
        page.evaluate("window.jupyterapp.commands.execute('runmenu:run-all')")
        page.wait_for_function(RUN_DONE, timeout=RUN_TIMEOUT, polling=500)
        page.wait_for_timeout(500)  # let the last outputs render
        assert page.evaluate(ERRORS) == []
        frames: dict[int, int] = {}
        for key, count in page.evaluate(FRAMES_BY_OUTPUT).items():
            cell = int(key.split(":")[0])
            frames[cell] = max(frames.get(cell, 0), count)
        seen = {cell: frames.get(cell, 0) for cell in cells}
        print(f"{name}: frames per live cell {seen}")
        few = {cell: count for cell, count in seen.items() if count < MIN_FRAMES}
        assert not few, (
            f"{name}: live timelines should show at least {MIN_FRAMES} frames each; "
            f"frames seen per cell: {seen}"
        )
    finally:
        page.evaluate(f"() => {NOTEBOOK} && {NOTEBOOK}.sessionContext.shutdown()")
