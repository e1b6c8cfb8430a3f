"""The leadership pages in headless Chromium: every page in both languages, a click from a department table
into its profile, a shared link that restores the filters, and a CSV download with a formula neutralised.

Runs `streamlit run app.py` against a private copy of the demo database in which one department's name
starts with `=` (as a hostile or careless upload could make it). Screenshots go to build/screenshots/.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from playwright.sync_api import expect

from analytics.accounts import Role
from analytics.db import Database
from analytics.i18n import t
from tests.browser_support import VIEWPORT, App, run_app, save_screenshot, sign_in, wait_for_app_idle
from tests.page_support import TEST_ACCOUNTS, TEST_PASSWORD

pytestmark = pytest.mark.browser

# url path -> title key
PAGES = {
    "": "overview.title",
    "party": "party.title",
    "satisfaction": "sat.title",
    "discipline": "discipline.title",
    "relations": "relations.title",
    "profile": "profile.title",
    "settings": "settings.title",
}
FORMULA_NAME = '=HYPERLINK("http://example.invalid","眼科")'
FORMULA_CODE = "D22"


@pytest.fixture(scope="module")
def names(demo_db_path: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The app's database (a private copy, one name planted) and its department names by code, read before
    the app starts (DuckDB lets one process open a file)."""
    path = tmp_path_factory.mktemp("pages") / "demo.duckdb"
    shutil.copy(demo_db_path, path)
    with Database(path) as db:
        with db.writer() as cur:
            cur.execute("UPDATE departments SET name = ? WHERE department_code = ?", [FORMULA_NAME, FORMULA_CODE])
        by_code = dict(db.reader().execute("SELECT department_code, name FROM departments").fetchall())
    return {"path": path, "departments": by_code}


@pytest.fixture(scope="module")
def app(names: dict[str, object]) -> Iterator[App]:
    with run_app(names["path"]) as running:
        yield running


def open_page(page, app: App, path: str, **params: str) -> None:
    query = urlencode(params)
    page.goto(f"{app.url}/{path}" + (f"?{query}" if query else ""))
    wait_for_app_idle(page)
    expect(page.locator("h1").first).to_be_visible()


def title(page) -> str:
    return page.locator("h1").first.inner_text().strip()


def params(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def shown_filters(page) -> tuple[str, ...]:
    """The period range's two ends and the category and branch the sidebar's filters show."""
    sidebar = page.get_by_test_id("stSidebar")
    ends = sidebar.get_by_test_id("stSliderThumbValue").all_inner_texts()
    boxes = sidebar.get_by_role("combobox")
    return (*ends, boxes.nth(0).input_value(), boxes.nth(1).input_value())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_renders_on_the_demo_data(page, app: App, lang: str) -> None:
    for path, key in PAGES.items():
        open_page(page, app, path, lang=lang)
        assert title(page) == t(key, lang), path
        if path != "settings":
            expect(page.locator(".js-plotly-plot").first).to_be_attached()  # plotly draws after the script run
        save_screenshot(page, f"page-{path or 'overview'}-{lang}.png")


def test_clicking_a_department_row_opens_its_profile(page, app: App, names) -> None:
    open_page(page, app, "satisfaction")
    grid = page.get_by_test_id("stDataFrame").first
    expect(grid).to_be_visible()
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    # The first data row's selection box: the grid's left edge, just below the header row.
    page.mouse.click(box["x"] + 16, box["y"] + 35 + 18)
    page.wait_for_url("**/profile?**")
    wait_for_app_idle(page)
    assert title(page) == t("profile.title", "zh")
    dept = params(page)["dept"]
    assert page.get_by_text(names["departments"][dept], exact=True).first.is_visible()
    save_screenshot(page, "page-profile-clicked.png")


def test_a_shared_link_restores_the_view(page, browser, app: App) -> None:
    shared = {"grain": "month", "from": "2024-01", "to": "2024-06", "cat": "clinical", "branch": "DZB01"}
    open_page(page, app, "party", lang="en", **shared)
    assert title(page) == t("party.title", "en")
    # The slider says the months; the link keeps their codes.
    assert shown_filters(page) == ("Jan 2024", "Jun 2024", "Clinical", "内科第一党支部")
    assert {k: params(page).get(k) for k in shared} == shared and params(page)["lang"] == "en"
    # The URL the page shows is a link someone else can open: a new browser, once signed in, the same view.
    other = browser.new_context(viewport=VIEWPORT)
    try:
        again = other.new_page()
        sign_in(again, page.url, TEST_ACCOUNTS[Role.VIEWER], TEST_PASSWORD)
        assert title(again) == t("party.title", "en")
        assert {k: params(again).get(k) for k in shared} == shared
        assert shown_filters(again) == ("Jan 2024", "Jun 2024", "Clinical", "内科第一党支部")
    finally:
        other.close()
    # Moving to another page keeps the filters.
    page.get_by_test_id("stSidebarNav").get_by_text(t("nav.satisfaction", "en")).click()
    page.wait_for_url("**/satisfaction?**")
    wait_for_app_idle(page)
    assert {k: params(page).get(k) for k in shared} == shared


def test_a_downloaded_csv_neutralises_formulas(page, app: App) -> None:
    open_page(page, app, "satisfaction")
    buttons = page.get_by_test_id("stDownloadButton").filter(has_text=t("download.csv", "zh"))
    expect(buttons.first).to_be_visible()  # a session's first page can rerun once (see _ui.ensure_navigation)
    found = False
    for _attempt in range(3):  # on a busy machine the lower tables may still be arriving: look again
        wait_for_app_idle(page)
        for i in range(buttons.count()):
            with page.expect_download() as download:
                buttons.nth(i).click()
            text = Path(download.value.path()).read_text(encoding="utf-8-sig")
            if "HYPERLINK" in text:
                found = True
                assert "'" + FORMULA_NAME.replace('"', '""') in text or "'" + FORMULA_NAME in text
                assert not any(cell.startswith("=") for line in text.splitlines() for cell in line.split(","))
        if found:
            break
        page.wait_for_timeout(2000)
    assert found, "no table on the satisfaction page lists department names"
