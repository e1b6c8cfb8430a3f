"""Sign-in and roles in headless Chromium: while signed out every address shows the sign-in form and nothing
else; a signed-in role's menu lists exactly the pages it may open and a typed address of another page shows
无权限; the session cookie keeps a reload signed in and sign-out ends it; repeated wrong passwords lock the
name. Screenshots of the viewer's and the administrator's menus go to build/screenshots/."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from analytics import accounts, audit
from analytics.accounts import Role
from analytics.db import Database
from analytics.i18n import t
from tests.browser_support import TIMEOUT_MS, App, run_app, save_screenshot, wait_for_app_idle
from tests.page_support import TEST_ACCOUNTS, TEST_PASSWORD

pytestmark = pytest.mark.browser

# The pages in the app's menu order (app.PAGES), by url path.
MENU = ("overview", "party", "satisfaction", "discipline", "relations", "profile", "report", "present", "import")
MENU += ("settings",)
MENU += ("accounts", "audit", "account", "about")
ADMIN_ONLY = ("settings", "accounts", "audit")


@pytest.fixture(scope="module")
def accounts_db(demo_db_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("accounts") / "demo.duckdb"
    shutil.copy(demo_db_path, path)
    shutil.copy(f"{demo_db_path}.key", f"{path}.key")
    return path


@pytest.fixture(scope="module")
def app(accounts_db: Path) -> Iterator[App]:
    with run_app(accounts_db) as running:
        yield running


def open_address(page, app: App, address: str) -> None:
    page.goto(f"{app.url}/{address}")
    wait_for_app_idle(page)


def heading(page, text: str):
    return page.get_by_role("heading", name=text, exact=True, level=1)


def expect_sign_in_form(page) -> None:
    """The sign-in form and nothing of the app: no menu, no figures, tables or charts, no upload."""
    expect(page.get_by_role("heading", name=t("auth.title", "zh"), exact=True)).to_be_visible()
    expect(page.get_by_label(t("auth.name", "zh"), exact=True)).to_be_visible()
    expect(page.get_by_label(t("auth.password", "zh"), exact=True)).to_be_visible()
    for test_id in ("stSidebarNav", "stMetric", "stDataFrame", "stPlotlyChart", "stFileUploader"):
        expect(page.get_by_test_id(test_id)).to_have_count(0)
    expect(page.get_by_role("button", name=t("auth.sign_out", "zh"))).to_have_count(0)


def submit_sign_in(page, name: str, password: str) -> None:
    page.get_by_label(t("auth.name", "zh"), exact=True).fill(name)
    page.get_by_label(t("auth.password", "zh"), exact=True).fill(password)
    page.get_by_test_id("stBaseButton-primaryFormSubmit").click()
    wait_for_app_idle(page)


def expect_error(page, text: str, exact: bool = True) -> None:
    """An error alert saying `text` (all of it, or, not `exact`, among other words)."""
    alert = page.get_by_test_id("stAlertContentError")
    # 20 s, not Playwright's 5: with the suite on two processes a sign-in's Argon2 check can wait for the CPU.
    expect(alert.get_by_text(text, exact=exact)).to_be_visible(timeout=20_000)


def menu(page) -> list[str]:
    """The page names in the sidebar menu, all of them (expanded when Streamlit folds a long menu)."""
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav).to_be_visible()
    more = page.get_by_test_id("stSidebarNavViewButton")
    if more.count() and "more" in (more.inner_text() or "").lower():
        more.click()
    # A link's text is its icon's name (a ligature, "dashboard") and the page name, on separate lines.
    return [text.split()[-1] for text in nav.get_by_role("link").all_inner_texts()]


def titles(pages) -> list[str]:
    return [t(f"nav.{p}", "zh") for p in pages]


# --- Signed out ---------------------------------------------------------------------------------------------


@pytest.mark.signed_out
def test_signed_out_every_address_shows_only_the_sign_in_form(page, app: App) -> None:
    for address in ("", "import", "settings", "audit"):
        open_address(page, app, address)
        expect_sign_in_form(page)
        expect(page.get_by_role("heading", name=t("auth.denied.title", "zh"))).to_have_count(0)


@pytest.mark.signed_out
def test_a_wrong_password_is_refused_and_signing_in_keeps_the_typed_address(page, app: App) -> None:
    open_address(page, app, "party")
    submit_sign_in(page, TEST_ACCOUNTS[Role.VIEWER], "not-the-password")
    expect_error(page, t("auth.failed", "zh"))
    expect_sign_in_form(page)

    submit_sign_in(page, TEST_ACCOUNTS[Role.VIEWER], TEST_PASSWORD)
    expect(page.get_by_test_id("stSidebarNav")).to_be_visible(timeout=TIMEOUT_MS)
    wait_for_app_idle(page)
    expect(heading(page, t("party.title", "zh"))).to_be_visible()
    assert re.search(r"/party(\?|$)", page.url), page.url
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)  # the page drew whole


# --- The viewer --------------------------------------------------------------------------------------------


@pytest.mark.role("viewer")
def test_the_viewer_sees_only_its_pages_and_no_permission_elsewhere(page, app: App) -> None:
    allowed = [p for p in MENU if accounts.may_open(Role.VIEWER, p)]
    assert menu(page) == titles(allowed)
    for hidden in ("import", *ADMIN_ONLY):
        assert t(f"nav.{hidden}", "zh") not in menu(page)
    save_screenshot(page, "roles_viewer_nav.png")

    # Pages that link to the settings for the roles that may open them: whole, with no link for the viewer.
    for address, title in (("party", "party.title"), ("satisfaction", "sat.title")):
        open_address(page, app, address)
        expect(heading(page, t(title, "zh"))).to_be_visible()
        expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
        expect(page.get_by_test_id("stMain").locator("a[href$='/settings']")).to_have_count(0)

    for address in ("import", "settings", "audit", "accounts"):
        open_address(page, app, address)
        expect(heading(page, t("auth.denied.title", "zh"))).to_be_visible()
        body = t("auth.denied.body", "zh", role=Role.VIEWER.label("zh"), page=t(f"nav.{address}", "zh"))
        expect_error(page, body)
        for test_id in ("stFileUploader", "stDataFrame", "stForm"):
            expect(page.get_by_test_id(test_id)).to_have_count(0)
        assert menu(page) == titles(allowed)  # still signed in, the same menu


@pytest.mark.role("viewer")
def test_a_reload_keeps_the_session_and_sign_out_ends_it(page, app: App) -> None:
    open_address(page, app, "discipline")
    expect(heading(page, t("discipline.title", "zh"))).to_be_visible()
    page.reload()
    wait_for_app_idle(page)
    expect(heading(page, t("discipline.title", "zh"))).to_be_visible()  # the cookie brought the session back
    expect(page.get_by_test_id("stSidebarNav")).to_be_visible()

    page.get_by_role("button", name=t("auth.sign_out", "zh")).click()
    wait_for_app_idle(page)
    expect_sign_in_form(page)
    expect(page.get_by_text(t("auth.signed_out", "zh"))).to_be_visible()
    page.reload()
    wait_for_app_idle(page)
    expect_sign_in_form(page)  # signed out for good: the cookie's session has ended
    open_address(page, app, "overview")
    expect_sign_in_form(page)


# --- The administrator ---------------------------------------------------------------------------------------


def test_the_admin_sees_every_page_and_its_own_sign_in_in_the_audit_trail(page, app: App) -> None:
    assert menu(page) == titles(MENU)
    save_screenshot(page, "roles_admin_nav.png")

    open_address(page, app, "audit")
    expect(heading(page, t("audit.title", "zh"))).to_be_visible()
    grid = page.get_by_test_id("stDataFrame")
    expect(grid).to_have_count(1)

    # The grid draws on a canvas; its cells are also in an offscreen table (attached, not visible).
    def cell(text: str):
        return page.locator("[role=gridcell]", has_text=re.compile(f"^{re.escape(text)}$"))

    own = (
        grid.locator("[role=row]")
        .filter(has=cell(TEST_ACCOUNTS[Role.ADMIN]))
        .filter(has=cell(t("audit.action.sign_in", "zh")))
    )
    expect(own.first).to_be_attached(timeout=TIMEOUT_MS)


# --- Lockout -------------------------------------------------------------------------------------------------


def sign_in_attempts(path: Path, name: str) -> int:
    """How many sign-in attempts under `name` the audit trail holds (signed in, failed or refused as locked)."""
    with Database(path) as db:
        trail = audit.rows(db, user=name)
    return int(trail["action"].isin(["sign_in", "sign_in_failed", "sign_in_locked"]).sum())


def wait_until(done, timeout_s: float = TIMEOUT_MS / 1000) -> None:
    deadline = time.monotonic() + timeout_s
    while not done():
        assert time.monotonic() < deadline, "the app did not record the sign-in attempt"
        time.sleep(0.2)


@pytest.mark.signed_out
def test_six_wrong_passwords_lock_the_name(page, app: App, accounts_db: Path) -> None:
    viewer = TEST_ACCOUNTS[Role.VIEWER]
    locked = t("auth.locked", "zh", until="HH:MM").split("HH:MM")[0]  # 登录失败次数过多，…请于
    open_address(page, app, "")
    try:
        for attempt in range(6):
            # Each attempt waits until the app has recorded it: a second click while the first one's run is
            # still going would interrupt that run (Streamlit reruns at once), and the alert on the page, the
            # same words for every failure, cannot tell one attempt's answer from the last one's.
            before = sign_in_attempts(accounts_db, viewer)
            submit_sign_in(page, viewer, f"wrong-password-{attempt}")
            wait_until(lambda before=before: sign_in_attempts(accounts_db, viewer) > before)
            if attempt < 4:
                expect_error(page, t("auth.failed", "zh"))
            else:
                expect_error(page, locked, exact=False)
                expect_error(page, "登录失败次数过多", exact=False)
        submit_sign_in(page, viewer, TEST_PASSWORD)  # the right password, while locked
        expect_error(page, "登录失败次数过多", exact=False)
        expect_sign_in_form(page)
    finally:
        with Database(accounts_db) as db:  # as an administrator would, so the other tests' viewer can sign in
            accounts.unlock(db, viewer)
    submit_sign_in(page, viewer, TEST_PASSWORD)
    expect(page.get_by_test_id("stSidebarNav")).to_be_visible(timeout=TIMEOUT_MS)
