"""Every notebook in a real JupyterLab: Run All without errors, live plots re-render,
controls change their output, in-notebook checks show their panel and reveal hints.

One test per notebook in notebooks/ (the directory listing), so new notebooks are covered
without editing this file. Screenshots go to artifacts/screenshots/.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from grader.frontends.hints import load_hints
from grader.manifest import NOTEBOOKS_DIR, discover

from .conftest import SCREENSHOTS

pytestmark = pytest.mark.browser

NOTEBOOKS = sorted(p.name for p in NOTEBOOKS_DIR.glob("[0-9][0-9]-*.ipynb"))
RUN_TIMEOUT = 240_000  # ms for Run All of one notebook in a browser on 2 busy cores
# A cell shows a live plot when it calls run_traced (live by default) or keeps a Live...
# plot object to update (`plot = LiveSpeedup(...)`, `with LiveTimeline(...)`).
LIVE_CALL = re.compile(r"(=|\bwith)\s*Live[A-Z]\w*\(|\brun_traced\((?![^\n]*live=False)")
USES = r"^from grader import .*\b{name}\b"

# JavaScript run in the page; `jupyterapp` is exposed by --LabApp.expose_app_in_browser.
NOTEBOOK = "window.jupyterapp && window.jupyterapp.shell.currentWidget"
KERNEL_READY = f"""() => {{
    const w = {NOTEBOOK};
    const kernel = w && w.sessionContext && w.sessionContext.session
        && w.sessionContext.session.kernel;
    const name = document.querySelector('.jp-Toolbar-kernelName');
    return !!(kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle'
        && name && /python|ipykernel/i.test(name.textContent) && w.content.widgets.length);
}}"""
# Done: the kernel is idle and every non-empty code cell has an execution count (or an
# error stopped Run All, which aborts the cells after it).
RUN_DONE = f"""() => {{
    const w = {NOTEBOOK};
    const kernel = w.sessionContext.session.kernel;
    const code = w.content.widgets.filter(
        c => c.model.type === 'code' && c.model.sharedModel.getSource().trim());
    const ran = code.every(c => c.model.executionCount !== null);
    const failed = code.some(c => c.model.outputs.toJSON().some(o => o.output_type === 'error'));
    return kernel.status === 'idle' && (ran || failed);
}}"""
ERRORS = f"""() => {NOTEBOOK}.content.widgets.flatMap((c, i) => c.model.type !== 'code' ? [] :
    c.model.outputs.toJSON().filter(o => o.output_type === 'error')
        .map(o => `cell ${{i}}: ${{o.ename}}: ${{o.evalue}}`))"""
# Count the distinct images shown by each output (cell index : output index): a live plot
# re-renders its output several times while its cell runs.
OBSERVE_FRAMES = """() => {
    window.__frames = {};
    const cells = () => [...document.querySelectorAll('.jp-Notebook .jp-Cell')];
    const note = img => {
        const cell = img.closest('.jp-Cell');
        const out = img.closest('.jp-OutputArea-child');
        if (!cell || !out || !img.src) return;
        const key = cells().indexOf(cell) + ':'
            + [...cell.querySelectorAll('.jp-OutputArea-child')].indexOf(out);
        (window.__frames[key] = window.__frames[key] || new Set()).add(img.src);
    };
    new MutationObserver(records => {
        for (const r of records) {
            if (r.type === 'attributes' && r.target.tagName === 'IMG') note(r.target);
            for (const n of r.addedNodes || []) {
                if (n.nodeType !== 1) continue;
                if (n.tagName === 'IMG') note(n);
                n.querySelectorAll('img').forEach(note);
            }
        }
    }).observe(document.body, {subtree: true, childList: true, attributes: true,
                               attributeFilter: ['src']});
}"""
# The output ("cell:output") that showed the most distinct images, and how many.
MOST_FRAMES = """() => Object.entries(window.__frames)
    .map(([key, srcs]) => [key, srcs.size]).sort((a, b) => b[1] - a[1])[0] || ['', 0]"""
# What a control's cell shows, minus the controls themselves (a slider's readout changes
# whether or not anything reacts to it).
OUTPUT_SIGNATURE = """cell => {
    const area = cell.querySelector('.jp-Cell-outputWrapper').cloneNode(true);
    area.querySelectorAll('.widget-slider, .widget-dropdown, .widget-toggle-buttons, button')
        .forEach(n => n.remove());
    return area.innerText + [...area.querySelectorAll('img')].map(i => i.src).join('|');
}"""


def _source(name: str) -> list[str]:
    nb = json.loads((NOTEBOOKS_DIR / name).read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def _open_and_run_all(page, lab, name: str) -> None:
    page.goto(lab.notebook_url(name))
    page.wait_for_function(KERNEL_READY, timeout=120_000, polling=250)
    page.evaluate(OBSERVE_FRAMES)
    page.evaluate("window.jupyterapp.commands.execute('runmenu:run-all')")
    page.wait_for_function(RUN_DONE, timeout=RUN_TIMEOUT, polling=500)
    page.wait_for_timeout(500)  # let the last outputs and widget views render
    page.wait_for_function(RUN_DONE, timeout=RUN_TIMEOUT, polling=500)


def _move_a_slider(page, name: str) -> None:
    """Press ArrowRight on the first slider whose cell has an Output widget; see it change."""
    cells = page.locator(".jp-Cell").filter(has=page.locator(".widget-slider .noUi-handle"))
    cells = cells.filter(has=page.locator(".widget-output"))
    if name.startswith("01-"):
        assert cells.count(), "notebook 01 should have a slider that redraws an output"
    if not cells.count():
        return
    cell = cells.first
    before = cell.evaluate(OUTPUT_SIGNATURE)
    handle = cell.locator(".widget-slider .noUi-handle").first
    handle.scroll_into_view_if_needed()
    handle.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        f"([cell, before]) => ({OUTPUT_SIGNATURE})(cell) !== before",
        arg=[cell.element_handle(), before],
        timeout=120_000,
        polling=250,
    )
    page.wait_for_function(RUN_DONE, timeout=RUN_TIMEOUT, polling=500)


def _reveal_a_hint(page, name: str) -> None:
    """The check panel is shown; its first hint button reveals exactly the first hint."""
    panel = page.locator(".conclab-check").first
    panel.scroll_into_view_if_needed()
    header = panel.locator("h4").first.inner_text()
    order = int(header.split()[0])
    exercise = next(e for e in discover(NOTEBOOKS_DIR.parent) if e.order == order)
    button = panel.locator(".conclab-hint-button").first
    label = button.inner_text()
    task = int(re.search(r"for task (\d+)", label).group(1))
    assert re.search(r"hint 1 of \d+", label), label
    button.click()
    hint = panel.locator(".conclab-hints li").first
    hint.wait_for(timeout=30_000)
    expected = load_hints(exercise)[task].hints[0].replace("`", "")
    assert " ".join(hint.inner_text().split()) == " ".join(expected.split())
    assert panel.locator(".conclab-hints li").count() == 1
    assert "hint 2 of" in button.inner_text()
    panel.screenshot(path=str(SCREENSHOTS / f"check-{Path(name).stem}.png"))


@pytest.mark.timeout(900)  # first test also starts the server; a busy machine is slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_in_jupyterlab(lab, page, name):
    code = _source(name)
    assert any(c.strip() for c in code), f"{name} has no code cells"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        _open_and_run_all(page, lab, name)
        page.locator(".jp-Notebook .jp-Cell").first.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / f"{Path(name).stem}.png"))
        assert page.evaluate(ERRORS) == []
        if any(LIVE_CALL.search(c) for c in code):
            key, frames = page.evaluate(MOST_FRAMES)
            # Two different images in one output: it was redrawn in place. (How many
            # redraws depends on how fast the tasks finish, so no more is required.)
            assert frames >= 2, f"a live plot should re-render while it runs; saw {frames} frames"
            cell, output = (int(i) for i in key.split(":"))
            live = page.locator(".jp-Notebook .jp-Cell").nth(cell)
            live = live.locator(".jp-OutputArea-child").nth(output)
            live.scroll_into_view_if_needed()
            live.screenshot(path=str(SCREENSHOTS / f"timeline-{Path(name).stem}.png"))
        if any(re.search(USES.format(name="check"), c, re.M) for c in code):
            _reveal_a_hint(page, name)
        if any(re.search(USES.format(name="progress"), c, re.M) for c in code):
            overview = page.locator(".conclab-progress-panel").first
            overview.scroll_into_view_if_needed()
            rows = overview.locator("tbody tr")
            assert rows.count() == len(discover(NOTEBOOKS_DIR.parent))
            overview.get_by_role("button", name="Check all exercises").click()
            overview.locator(".widget-hprogress").wait_for(state="visible", timeout=30_000)
            overview.locator(".widget-hprogress").wait_for(state="hidden", timeout=RUN_TIMEOUT)
            assert "not checked" not in overview.inner_text()
            overview.screenshot(path=str(SCREENSHOTS / f"progress-{Path(name).stem}.png"))
        _move_a_slider(page, name)
    finally:
        page.evaluate(f"() => {NOTEBOOK} && {NOTEBOOK}.sessionContext.shutdown()")
