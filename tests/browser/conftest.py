"""A throwaway JupyterLab and a headless Chromium for the browser tests.

    pytest ──copytree──▶ temp copy of the project (notebooks autosave there, never here)
       │ ──Popen──▶ jupyter lab (own session; config, data, runtime, IPython, matplotlib
       │            and settings dirs all temporary) serving the copy on 127.0.0.1
       └── playwright ──▶ /usr/bin/chromium (Debian's, never a downloaded one)

The kernel imports `grader` and `conclab` from the copy (PYTHONPATH), so in-notebook checks
grade the copy's unsolved stubs and remember progress in the copy.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from grader.manifest import PROJECT_ROOT

CHROMIUM = Path(os.environ.get("CONCLAB_CHROMIUM", "/usr/bin/chromium"))  # Debian's package
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
NO_CHROMIUM = (
    f"the browser tests need Debian's Chromium at {CHROMIUM}: "
    "install it with `sudo apt-get install chromium` (never `playwright install`)"
)
SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
NOT_COPIED = shutil.ignore_patterns(
    ".venv*",
    ".git",
    "artifacts",
    ".grader",
    "__pycache__",
    ".*_cache",
    "*.egg-info",
    ".ipynb_checkpoints",
    "benchmarks",
)
# Settings for the throwaway lab: no news or update pop-ups; every cell kept in the DOM,
# so that outputs of cells scrolled out of view can be observed.
USER_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "checkForUpdates": False,
        "fetchNews": "false",
    },
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}
START_TIMEOUT = 90.0  # seconds for the server to answer /api/status on a busy machine


@dataclass
class Lab:
    """A running JupyterLab: where it listens and which folder it serves."""

    url: str
    token: str
    root: Path

    def notebook_url(self, name: str) -> str:
        return f"{self.url}/lab/tree/notebooks/{name}?reset&token={self.token}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _stop(proc: subprocess.Popen) -> None:
    """Stop the server we started (its own process group), politely first."""
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGINT, 5), (signal.SIGINT, 10), (signal.SIGTERM, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """JupyterLab serving a temporary copy of the project; stopped at the end."""
    if not CHROMIUM.exists():
        pytest.skip(NO_CHROMIUM)
    base = tmp_path_factory.mktemp("lab")
    root = base / "project"
    shutil.copytree(PROJECT_ROOT, root, ignore=NOT_COPIED)
    for name, values in USER_SETTINGS.items():
        path = base / "settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")
    env = dict(os.environ)
    for key in ("MPLBACKEND", "CONCLAB_START_METHOD", "CONCLAB_PROGRESS_FILE", "PYTEST_ADDOPTS"):
        env.pop(key, None)  # the kernel should behave as it does for a learner
    for key, sub in (
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_DATA_DIR", "data"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("IPYTHONDIR", "ipython"),
        ("MPLCONFIGDIR", "matplotlib"),
    ):
        env[key] = str(base / sub)
    env["PYTHONPATH"] = str(root)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    port, token = _free_port(), secrets.token_hex(16)
    cmd = [
        sys.executable, "-m", "jupyterlab", "--no-browser",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}", f"--LabApp.workspaces_dir={base / 'workspaces'}",
        f"--LabApp.user_settings_dir={base / 'settings'}",
        "--LabApp.expose_app_in_browser=True",
    ]  # fmt: skip
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = (base / "server.log").open("wb")
    proc = subprocess.Popen(
        cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while not _answers(f"{url}/api/status?token={token}"):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"JupyterLab did not start: {(base / 'server.log').read_text()[-3000:]}"
                )
            time.sleep(0.3)
        yield Lab(url=url, token=token, root=root)
    finally:
        _stop(proc)
        log.close()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by playwright."""
    if not CHROMIUM.exists():
        pytest.skip(NO_CHROMIUM)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()
