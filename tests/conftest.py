"""Shared fixtures: a demo database built once per test run, and fresh copies of it; how `make test` spreads
the test files over its two worker processes."""

from __future__ import annotations

import functools
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.components.v2 import manifest_scanner

from analytics import demo
from analytics.accounts import Role
from analytics.db import Database
from tests.browser_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PROJECT_ROOT,
    TIMEOUT_MS,
    VIEWPORT,
    App,
    require_chromium,
    sign_in,
)
from tests.page_support import TEST_ACCOUNTS, TEST_PASSWORD, add_test_accounts

# No warm-up thread (pages/_ui.py, warm_up) in the servers the browser tests start: it would only compete with
# the tests for the machine (AppTest runs never start one).
os.environ.setdefault("PBI_WARM_UP", "0")
DEMO_SEED = 1
# A copy of ../shared/samples (files shaped like a hospital party office's real exports), kept with the
# tests so that a fresh clone's suite needs nothing beside it.
SAMPLES = Path(__file__).resolve().parent / "samples"
# Organisational life (三会一课, 主题党日, 组织生活会) as codes, written here independently of the product:
# the meetings attendance is measured over.
ORGANISATIONAL_LIFE_CODES = (
    "branch_general_meeting",
    "branch_committee_meeting",
    "party_group_meeting",
    "party_lecture",
    "theme_party_day",
    "organizational_life_meeting",
)


@pytest.fixture(scope="session", autouse=True)
def installed_components_scanned_once() -> Iterator[None]:
    """Each AppTest scans every installed package's metadata for Streamlit components on its first run (the
    server does it once at start-up): a few hundred AppTests per worker spent minutes of CPU on it. The
    packages do not change during the run, so the scan is done once and its answer reused."""
    with pytest.MonkeyPatch.context() as patch:
        scan = functools.cache(manifest_scanner.scan_component_manifests)
        patch.setattr(manifest_scanner, "scan_component_manifests", scan)
        yield


@pytest.fixture(scope="session")
def demo_db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed demo database file (seed 1, scale 1). Treat as read-only; copy it to change it."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    with Database(path) as db:
        demo.build(db, seed=DEMO_SEED)
        add_test_accounts(db)  # one per role, password TEST_PASSWORD (tests/page_support.py)
    return path


def copy_database(source: Path, folder: Path) -> Path:
    """A copy of the database `source` as `folder/demo.duckdb`, its pseudonym key beside it."""
    path = folder / "demo.duckdb"
    shutil.copy(source, path)
    shutil.copy(f"{source}.key", f"{path}.key")  # its pseudonym key travels beside it
    return path


@pytest.fixture
def demo_db_copy(demo_db_path: Path, tmp_path: Path) -> Path:
    """A private copy of the demo database, free for a test (or a subprocess) to open and change."""
    return copy_database(demo_db_path, tmp_path)


# --- Two workers (`make test`: pytest -n 2 --dist loadfile) -------------------------------------------------
# Each file stays whole on one worker, so its module fixtures are built once (--dist loadfile). The files that
# drive Chromium are one unit more: they run one after another on one worker, handed out first. Each needs a
# Streamlit server, Chromium and the test process at once, so two of them at a time on two cores made each
# other (and the CPU-bound files beside them) crawl, and a sign-in timed out. The other worker meanwhile takes
# the rest, largest file first; when the browser files are done, their worker joins it.
# (xdist_group marks cannot do this: pytest-xdist 3.8 names a test's group by rewriting `item._nodeid`, which
# pytest 9 no longer reads, so under --dist loadgroup every test is scheduled on its own.)
BROWSER_UNIT = "browser files"
_DRIVES_CHROMIUM = re.compile(r"\bpytest\.mark\.browser\b|\brun_app\(")


@functools.cache
def drives_chromium(test_file: str) -> bool:
    """Whether the test file (a path relative to the project) marks tests `browser` or serves the app."""
    return bool(_DRIVES_CHROMIUM.search((PROJECT_ROOT / test_file).read_text(encoding="utf-8")))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that uses the browser is in a file the scheduler knows as a browser file."""
    for item in items:
        if "browser" in item.fixturenames and not drives_chromium(item.nodeid.split("::")[0]):
            raise pytest.UsageError(f"{item.nodeid} uses the browser: mark it @pytest.mark.browser")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """--dist loadfile, with the browser files as one unit, handed out first."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class BrowserFilesFirst(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            test_file = super()._split_scope(nodeid)
            return BROWSER_UNIT if drives_chromium(test_file) else test_file

        def _assign_work_unit(self, node) -> None:
            if BROWSER_UNIT in self.workqueue:
                self.workqueue.move_to_end(BROWSER_UNIT, last=False)
            super()._assign_work_unit(node)

    return BrowserFilesFirst(config, log)


# --- Browser tests (see tests/browser_support.py); each browser test module provides an `app` fixture ------


@pytest.fixture(scope="module")
def playwright() -> Iterator[object]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="module")
def browser(playwright):
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser, app: App, request):
    """A fresh browser context (so a fresh Streamlit session, in the default language) per test, signed in as
    the test administrator (the app's database must hold the test accounts); a test marked
    `@pytest.mark.signed_out` starts signed out, one marked `@pytest.mark.role("viewer")` as that role."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    if request.node.get_closest_marker("signed_out") is None:
        marker = request.node.get_closest_marker("role")
        role = Role(marker.args[0]) if marker else Role.ADMIN
        sign_in(page, app.url, TEST_ACCOUNTS[role], TEST_PASSWORD)
    yield page
    context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"
    assert "Traceback" not in app.log_text(), f"the server logged an error:\n{app.log_text()}"
