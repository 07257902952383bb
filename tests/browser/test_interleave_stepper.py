"""The interleaving stepper of notebook 03 in a real JupyterLab: run the notebook, then
click through the replay of the lost update and of the two-lock deadlock, and see the
step count, the highlighted lines and the shared state change with every click.
"""

from __future__ import annotations

import pytest

from .conftest import SCREENSHOTS
from .test_notebooks_in_browser import ERRORS, NOTEBOOK, _open_and_run_all

pytestmark = pytest.mark.browser

NAME = "03-coordinating-threads.ipynb"
CLICK_TIMEOUT = 60_000  # ms for the kernel to run one step and the view to update


def _text(stepper, css: str) -> str:
    return stepper.locator(css).first.inner_text()


def _click_and_wait(page, stepper, button: str, css: str) -> str:
    """Click a stepper button; wait until the text of css inside the stepper changes."""
    before = _text(stepper, css)
    stepper.get_by_role("button", name=button).click()
    page.wait_for_function(
        "([el, css, before]) => el.querySelector(css).innerText !== before",
        arg=[stepper.element_handle(), css, before],
        timeout=CLICK_TIMEOUT,
        polling=200,
    )
    return _text(stepper, css)


@pytest.mark.timeout(900)  # may be the first browser test: it starts the server too
def test_replay_the_lost_update_and_the_deadlock_in_the_stepper(lab, page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        _open_and_run_all(page, lab, NAME)
        assert page.evaluate(ERRORS) == []
        steppers = page.locator(".interleave-stepper")
        assert steppers.count() >= 2, "notebook 03 shows a stepper for each replay"

        lost = steppers.nth(0)
        lost.scroll_into_view_if_needed()
        assert _text(lost, ".interleave-count") == "0 steps"
        assert "counter = 0" in _text(lost, ".interleave-state")
        highlighted = _text(lost, ".interleave-current")
        counts = [
            _click_and_wait(page, lost, "next in schedule", ".interleave-count") for _ in range(3)
        ]
        assert counts == ["1 steps", "2 steps", "3 steps"]
        # the schedule runs thread A first: its status shows the next instruction
        assert "next:" in _text(lost, ".interleave-status")
        assert highlighted.strip()
        # replay the rest: the counter ends below 6 and the verdict says what broke
        _click_and_wait(page, lost, "replay all", ".interleave-count")
        lost.locator(".interleave-verdict").wait_for(timeout=CLICK_TIMEOUT)
        assert "invariant broken" in _text(lost, ".interleave-verdict")
        state = _text(lost, ".interleave-state")
        final = int(state.split("counter = ")[1].split()[0].strip(",'\""))
        assert final < 6, state
        lost.screenshot(path=str(SCREENSHOTS / "stepper-lost-update.png"))
        # reset starts over from setup()
        assert _click_and_wait(page, lost, "reset", ".interleave-count") == "0 steps"

        dead = steppers.nth(1)
        dead.scroll_into_view_if_needed()
        assert _text(dead, ".interleave-count") == "0 steps"
        _click_and_wait(page, dead, "replay all", ".interleave-count")
        dead.locator(".interleave-verdict").wait_for(timeout=CLICK_TIMEOUT)
        assert "deadlock" in _text(dead, ".interleave-verdict")
        for name in ("run A", "run B"):  # neither thread can run any more
            assert dead.get_by_role("button", name=name).is_disabled()
        dead.screenshot(path=str(SCREENSHOTS / "stepper-deadlock.png"))
    finally:
        page.evaluate(f"() => {NOTEBOOK} && {NOTEBOOK}.sessionContext.shutdown()")
