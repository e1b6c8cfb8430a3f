"""Printing a page (Ctrl+P) in headless Chromium: A4 pages of what the page says, without the app around it.

The Overview and the party page are printed to PDF with the print stylesheet in force (`page.emulate_media`,
then `page.pdf(format="A4")`), and the PDF's text is read back (pypdf): none of the sidebar (page names,
filter labels, language switch), no download buttons or table hints, and every row of a table the screen's grid
shows only ten of, down to its last. On paper the app's chrome and controls are hidden (checked in the page
itself) and the grids give way to whole tables. The PDFs go to build/screenshots/ (print-*.pdf) to look at.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from analytics import party
from analytics.db import Database
from analytics.i18n import t
from analytics.metrics import Filters, build_panel, rollup
from analytics.overview import overview
from analytics.schema import DepartmentCategory
from tests.browser_support import SCREENSHOTS, TIMEOUT_MS, App, run_app, wait_for_app_idle
from tests.conftest import copy_database

pytestmark = pytest.mark.browser

# Texts of the controls in the page, none of which belongs on paper (each is on the screen: checked).
CONTROLS = [t(k, "zh") for k in ("download.csv", "download.xlsx")]
# Each page's own controls besides: the Overview's buttons to a warning's branch, the party page's hint.
PAGE_CONTROLS = {"": [t("overview.warnings.open_branch", "zh")], "party": [t("table.click_hint", "zh")]}
# Sidebar texts that no page's own content holds: page names, the filters' labels, the language switch.
SIDEBAR = [t(k, "zh") for k in ("nav.import", "nav.accounts", "nav.audit", "nav.about", "app.language")]
SIDEBAR += [t(k, "zh") for k in ("filters.title", "filters.periods")]
# What only the screen shows: the app's header and toolbars, the chart modebar, buttons and scrolling grids.
CHROME = ("stSidebar", "stHeader", "stToolbar", "stElementToolbar", "stDownloadButton", "stDataFrame")


@pytest.fixture(scope="module")
def expected(demo_db_path: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The app's database (a private copy) and what two pages show, read before the app starts: the Overview's
    index card and branch warnings, the party page's departments (each row's name, category and branch)."""
    path = copy_database(demo_db_path, tmp_path_factory.mktemp("print"))
    with Database(path) as db:
        panel = build_panel(db, "quarter", dt.date.today())
        chosen = Filters(grain="quarter", start=panel.periods[0], end=panel.periods[-1])
        view = overview(db, "quarter", dt.date.today(), chosen)
    warnings = view.warnings[view.warnings["unit_level"] == "branch"]
    departments = party.departments(panel, chosen, party.latest(rollup(panel, "branch", chosen)))
    return {
        "path": path,
        "index": f"{view.current['party_index']:.1f} 分",
        "warnings": list(warnings["explanation_zh"]),
        "departments": [
            f"{name}{DepartmentCategory(category).label('zh')}{branch}"
            for name, category, branch in departments[["department_name", "category", "branch_name"]].itertuples(
                index=False
            )
        ],
    }


@pytest.fixture(scope="module")
def app(expected: dict[str, object]) -> Iterator[App]:
    with run_app(expected["path"]) as running:
        yield running


# A PDF's text gives some characters as the radical that looks the same (its font's glyph names them so):
# the Kangxi radicals NFKC folds (⼀ → 一), these supplementary ones it does not.
RADICALS = str.maketrans("⺠⻓⻚⻛⻩⻅⻆⻋⻔⻢⻥⻬⻮⻰⻳⻉⻜⻄⻝", "民长页风黄见角车门马鱼齐齿龙龟贝飞西食")


def squeezed(text: str) -> str:
    """`text` as compared: radicals folded to their characters and no spaces or line breaks (a printed cell
    wraps where the page needs)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).translate(RADICALS))


def open_page(page, app: App, path: str) -> None:
    page.goto(f"{app.url}/{path}")
    wait_for_app_idle(page)
    expect(page.locator(".js-plotly-plot").first).to_be_attached()  # plotly draws after the script run


def sidebar_lines(page) -> list[str]:
    """Each line of the sidebar on the screen (page names, filters and their values, the account, the
    hospital's name …), squeezed."""
    return [squeezed(line) for line in page.get_by_test_id("stSidebar").inner_text().splitlines() if squeezed(line)]


def print_page(page, name: str) -> str:
    """The page printed on A4 (print media): the PDF's text, squeezed; the PDF kept in build/screenshots/."""
    page.emulate_media(media="print")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"print-{name}.pdf"
    page.pdf(path=str(path), format="A4")
    pages = PdfReader(path).pages
    assert len(pages) >= 2, f"{path}: {len(pages)} page(s)"
    return squeezed("\n".join(p.extract_text() for p in pages))


def assert_printed_without_the_app(page, text: str, sidebar: list[str], path: str) -> None:
    """Nothing of the sidebar (what of it the page's own content does not also say) or of the controls in the
    printed text, and the app's chrome hidden in print media."""
    content = squeezed(page.get_by_test_id("stMain").inner_text())  # as printed: the tables whole, no buttons
    only_sidebar = [line for line in sidebar if line not in content]
    assert {squeezed(words) for words in SIDEBAR} <= set(only_sidebar)
    for words in [*only_sidebar, *CONTROLS, *PAGE_CONTROLS[path]]:
        assert squeezed(words) not in text, words
    for test_id in CHROME:
        found = page.get_by_test_id(test_id)
        for i in range(found.count()):
            expect(found.nth(i)).to_be_hidden()
    expect(page.locator(".modebar-container").first).to_be_hidden()


def assert_on_screen(page, path: str) -> list[str]:
    """What the print must leave out is there on the screen (so its absence on paper means something); the
    sidebar's lines."""
    # Wait for the page's controls first: under load the page can look idle, half drawn, between its first run
    # and the rerun that its address's view sets off.
    for words in [*CONTROLS, *PAGE_CONTROLS[path]]:
        spaced = re.compile(r"\s*".join(map(re.escape, squeezed(words))))
        expect(page.get_by_test_id("stMain")).to_contain_text(spaced, timeout=TIMEOUT_MS)
    wait_for_app_idle(page)
    sidebar = sidebar_lines(page)
    screen = squeezed(page.get_by_test_id("stApp").inner_text())
    for words in [*SIDEBAR, *CONTROLS, *PAGE_CONTROLS[path]]:
        assert squeezed(words) in screen, words
    for test_id in ("stSidebar", "stDownloadButton", "stDataFrame"):
        expect(page.get_by_test_id(test_id).first).to_be_visible()
    expect(page.locator(".js-plotly-plot").first).to_be_visible()
    expect(page.locator(".modebar-btn")).to_have_count(0)  # charts have no toolbar on screen either (chart_config)
    expect(page.locator(".pbi-print-table").first).to_be_hidden()  # the whole tables are for paper only
    return sidebar


def test_the_overview_prints_its_figures_and_whole_tables_without_the_app(page, app: App, expected) -> None:
    open_page(page, app, "")
    sidebar = assert_on_screen(page, "")
    text = print_page(page, "overview")
    assert_printed_without_the_app(page, text, sidebar, "")
    assert squeezed(t("overview.title", "zh")) in text
    assert squeezed(expected["index"]) in text  # the party-building index card, with its unit
    # The branch warnings, every one on paper (without the buttons beside them on the screen).
    warnings = expected["warnings"]
    assert len(warnings) > 10
    assert [w for w in warnings if squeezed(w) not in text] == []


def test_the_party_page_prints_every_department(page, app: App, expected) -> None:
    open_page(page, app, "party")
    sidebar = assert_on_screen(page, "party")
    text = print_page(page, "party")
    assert_printed_without_the_app(page, text, sidebar, "party")
    # The departments with their branch's index: the grid shows ten of the forty; paper, each row in full.
    departments = expected["departments"]
    assert len(departments) == 40
    assert [row for row in departments if squeezed(row) not in text] == []
