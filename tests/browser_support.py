"""What the browser tests share: starting `streamlit run app.py` against a database, Chromium's settings, and
helpers that wait for Streamlit and take full-page screenshots.

The app runs in a subprocess on a free loopback port and is driven with Playwright (sync API) through
Debian's /usr/bin/chromium (Playwright's own browsers are not downloaded). Without /usr/bin/chromium the
browser tests fail, unless PBI_SKIP_BROWSER=1 is set, in which case they are skipped. The fixtures
(`playwright`, `browser`, `page`) are in conftest.py; each browser test module provides its `app`.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from pages._auth import COOKIE

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = PROJECT_ROOT / "build" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 900}  # wide enough that the sidebar is expanded
TIMEOUT_MS = 30_000
STARTUP_TIMEOUT_S = 60


@dataclass
class App:
    url: str
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} not found: install Debian's chromium package (apt-get install chromium)"
    if os.environ.get("PBI_SKIP_BROWSER") == "1":
        pytest.skip(f"{message}; skipped because PBI_SKIP_BROWSER=1")
    pytest.fail(f"{message}, or set PBI_SKIP_BROWSER=1 to skip the browser tests", pytrace=False)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def health(url: str) -> str | None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
    try:
        with opener.open(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().decode()
    except OSError:
        return None


@contextmanager
def run_app(db_path: Path, env: dict[str, str] | None = None, script: str = "app.py") -> Iterator[App]:
    """`streamlit run app.py` on a free port against `db_path` (closed: DuckDB lets one process open a file),
    logging to `streamlit.log` next to it; stopped when the block ends. `env` adds environment variables;
    `script` (relative to the project) runs another script instead of the app."""
    require_chromium()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = db_path.with_name("streamlit.log")
    env = {**os.environ, "PBI_DB": str(db_path), "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false", **(env or {})}
    command = [sys.executable, "-m", "streamlit", "run", script]
    command += ["--server.port", str(port), "--server.headless", "true"]
    # Listen on loopback only; this also stops Streamlit's headless start-up from asking
    # checkip.amazonaws.com for the machine's external IP (it does unless server.address is set).
    command += ["--server.address", "127.0.0.1"]
    with log.open("w", encoding="utf-8") as log_file:
        process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while health(url) != "ok":
            if process.poll() is not None:
                pytest.fail(f"streamlit exited with {process.returncode}:\n{log.read_text()}", pytrace=False)
            if time.monotonic() > deadline:
                pytest.fail(f"{url} not healthy after {STARTUP_TIMEOUT_S} s:\n{log.read_text()}", pytrace=False)
            time.sleep(0.25)
        yield App(url=url, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def wait_for_app_idle(page) -> None:
    """Streamlit's script run has finished and nothing on the page is left over from a previous run."""
    from playwright.sync_api import expect

    app = page.get_by_test_id("stApp")
    expect(app).to_have_attribute("data-test-connection-state", "CONNECTED", timeout=TIMEOUT_MS)
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=TIMEOUT_MS)
    expect(page.locator("[data-stale='true']")).to_have_count(0, timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("stException")).to_have_count(0)


def save_screenshot(page, name: str) -> Path:
    """The whole page, not just the viewport, at the viewport's width. Streamlit scrolls inside `stMain`, not
    the document, so `full_page=True` alone would stop at the viewport: grow the viewport to the content first
    (and restore it after)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    viewport = page.viewport_size or VIEWPORT
    for _ in range(2):  # the layout can shift once after the resize (charts re-lay out to the new size)
        height = page.get_by_test_id("stMain").evaluate("e => e.scrollHeight")
        page.set_viewport_size({"width": viewport["width"], "height": min(max(height, viewport["height"]), 8000)})
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    page.wait_for_timeout(300)  # plotly re-draws after its resize handler
    page.screenshot(path=path, full_page=True)
    page.set_viewport_size(viewport)
    assert path.stat().st_size > 10_000, f"{path} looks empty"
    return path


def sign_in(page, url: str, name: str, password: str) -> None:
    """Sign in through the app's own form at `url` (its session cookie then keeps the browser signed in
    across reloads and typed addresses), and wait for the page the address names."""
    page.goto(url)
    wait_for_app_idle(page)
    page.get_by_label("用户名").or_(page.get_by_label("User name")).fill(name)
    # exact: "Password" alone would also match the field's "Show password" button
    page.get_by_label("密码", exact=True).or_(page.get_by_label("Password", exact=True)).fill(password)
    page.get_by_test_id("stBaseButton-primaryFormSubmit").click()
    from playwright.sync_api import expect

    expect(page.get_by_test_id("stSidebarNav")).to_be_visible(timeout=TIMEOUT_MS)
    wait_for_app_idle(page)
    # The session cookie is set by a component that mounts after the run; an address opened before it is there
    # would open signed out (as for a reader who types an address within a second of signing in).
    page.wait_for_function("(name) => document.cookie.split('; ').some(c => c.startsWith(name + '='))", arg=COOKIE)
