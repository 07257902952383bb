"""A failed concurrency or order check draws the learner's own run in the notebook panel:
exercises 01, 02, 10 and 11 graded from a notebook in a real JupyterLab, each panel
screenshot to artifacts/screenshots/your-run-<slug>.png."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.manifest import select

from ..test_feedback import SORTS_RESULTS, TOO_MANY_IN_FLIGHT, WRONG
from .conftest import SCREENSHOTS
from .test_notebooks_in_browser import KERNEL_READY, RUN_DONE

pytestmark = pytest.mark.browser

SUBMISSIONS = {  # slug: a wrong implementation that fails a concurrency or order check
    "fetch_in_order": SORTS_RESULTS,
    "prime_chunks": WRONG / "02_prime_chunks" / "one_chunk_at_a_time.py",
    "bounded_map": TOO_MANY_IN_FLIGHT,
    "three_stage_pipeline": WRONG / "11_three_stage_pipeline" / "one_item_at_a_time.py",
}
GRADE_TIMEOUT = 600_000  # ms: four exercises graded with failing barriers, on 2 busy cores
IMAGE_SIZES = """panel => [...panel.querySelectorAll("img[alt='your run']")]
    .map(img => [img.naturalWidth, img.naturalHeight])"""


def _notebook(slugs: list[str]) -> dict:
    source = (
        "from pathlib import Path\n"
        "from grader.frontends.notebook import check\n"
        f"for slug in {slugs!r}:\n"
        "    check(slug, target=Path('your-run-target').resolve())"
    )
    cell = {"cell_type": "code", "metadata": {}, "source": source, "outputs": []}
    cell["execution_count"] = None
    kernel = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return {"cells": [cell], "metadata": {"kernelspec": kernel}, "nbformat": 4, "nbformat_minor": 5}


@pytest.mark.timeout(1200)
def test_failed_checks_draw_the_learners_run_in_the_panel(lab, page):
    for slug, source in SUBMISSIONS.items():
        (exercise,) = select([slug])
        folder = lab.root / "your-run-target" / exercise.folder
        folder.mkdir(parents=True, exist_ok=True)
        text = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
        (folder / f"{slug}.py").write_text(text, encoding="utf-8")
    notebook = _notebook(list(SUBMISSIONS))
    (lab.root / "your-run.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 2400})  # a whole panel in one picture
    page.goto(f"{lab.url}/lab/tree/your-run.ipynb?reset&token={lab.token}")
    try:
        page.wait_for_function(KERNEL_READY, timeout=120_000, polling=250)
        page.evaluate("window.jupyterapp.commands.execute('runmenu:run-all')")
        page.wait_for_function(RUN_DONE, timeout=GRADE_TIMEOUT, polling=500)
        panels = page.locator(".conclab-check")
        panels.nth(len(SUBMISSIONS) - 1).wait_for(state="visible", timeout=30_000)
        assert panels.count() == len(SUBMISSIONS)
        for i, slug in enumerate(SUBMISSIONS):
            panel = panels.nth(i)
            panel.scroll_into_view_if_needed()
            assert "points" in panel.inner_text(), slug
            sizes = panel.evaluate(IMAGE_SIZES)
            assert sizes, f"{slug}: no picture of the learner's run in the panel"
            assert all(w > 200 and h > 50 for w, h in sizes), f"{slug}: images {sizes}"
            panel.screenshot(path=str(SCREENSHOTS / f"your-run-{slug}.png"))
            toggle = panel.get_by_role("button", name="Show every run")
            toggle.click()
            page.wait_for_timeout(300)  # the table is redrawn by the kernel's reply
            assert len(panel.evaluate(IMAGE_SIZES)) >= len(sizes), slug
    finally:
        page.evaluate(
            "() => window.jupyterapp.shell.currentWidget"
            " && window.jupyterapp.shell.currentWidget.sessionContext.shutdown()"
        )
