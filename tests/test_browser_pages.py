"""The pages in headless Chromium: every page in both languages on a phone, a tablet and a desktop (nothing cut,
nothing wider than the screen, no English from the libraries in Chinese, no "page not found"), a click from a
department table into its profile, a shared link that restores the filters, and a CSV download with a formula
neutralised.

Runs `streamlit run app.py` against a private copy of the demo database in which one department's name
starts with `=` (as a hostile or careless upload could make it). Screenshots go to build/screenshots/.
"""

from __future__ import annotations

import ast
import re
import shutil
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
from playwright.sync_api import expect

from analytics.accounts import Role
from analytics.db import Database
from analytics.i18n import ENGLISH_CHROME, t
from tests.browser_support import (
    PROJECT_ROOT,
    VIEWPORT,
    App,
    run_app,
    save_screenshot,
    sign_in,
    wait_for_app_idle,
)
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


# Every page at its own address (the overview's too), and the title it shows.
EVERY_PAGE = {
    "overview": "overview.title",
    **{path: key for path, key in PAGES.items() if path},
    "report": "report.page.title",
    "present": None,  # its heading is the step's (the material's title first)
    "import": "import.title",
    "accounts": "accounts.title",
    "audit": "audit.title",
    "account": "account.title",
    "about": "about.title",
}
CHARTED = {"overview", "party", "satisfaction", "discipline", "relations", "profile", "about"}
# A phone, a tablet in portrait, a desktop.
SCREENS = {390: 844, 768: 1024, 1440: 1000}
# What a reader would see of each page: on the page, nothing wider than the screen (the page scrolls sideways);
# text cut with "…" (a card's figure, label or change, a button, a heading); in Chinese, the libraries' English
# (`ENGLISH_CHROME`, and their patterns) in the text or the tooltips and accessible names of controls, outside
# the app's own content; and any dialog open (Streamlit's "Page not found").
READ = """(english) => {
  const main = document.querySelector('[data-testid=stMain]');
  const own = '[data-testid=stMarkdownContainer],[data-testid=stCaptionContainer],[data-testid=stCode],' +
    '[data-testid=stText],[data-testid=stIconMaterial],[role=option],code,pre,svg,script,style,noscript';
  const chrome = new Set(english);
  const isEnglish = (text) => chrome.has(text) || /^(Help for |Remove )|\bper file$|^Selected Date/.test(text);
  const cut = [];
  for (const element of main.querySelectorAll('*')) {
    if (getComputedStyle(element).textOverflow !== 'ellipsis' || !element.checkVisibility()) continue;
    const text = element.textContent.trim();  // (an empty box can overflow: nothing of it is cut)
    if (text && element.scrollWidth > element.clientWidth + 1) cut.push(text.slice(0, 40));
  }
  const found = [];
  if (english.length) {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.nodeValue.trim(), parent = node.parentElement;
      if (text && parent && !parent.closest(own) && parent.checkVisibility() && isEnglish(text)) found.push(text);
    }
    for (const element of document.querySelectorAll('[title],[aria-label],[placeholder]')) {
      if (element.closest('svg')) continue;
      for (const name of ['title', 'aria-label', 'placeholder']) {
        const value = (element.getAttribute(name) || '').trim();
        if (value && isEnglish(value)) found.push(`${name}=${value}`);
      }
    }
  }
  return {
    wider: main.scrollWidth > main.clientWidth + 1 ? [main.scrollWidth, main.clientWidth] : null,
    cut, english: found, dialogs: document.querySelectorAll('[role=dialog]').length,
  };
}"""


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("width", list(SCREENS))
def test_every_page_reads_well_on_every_screen(page, app: App, width: int, lang: str) -> None:
    """Each page at its own address, on a phone, a tablet and a desktop, in both languages; the leadership pages'
    screenshots go to build/screenshots/ (read-{page}-{lang}-{width}.png)."""
    page.set_viewport_size({"width": width, "height": SCREENS[width]})
    problems = {}
    for path, key in EVERY_PAGE.items():
        open_page(page, app, path, lang=lang)
        if key is not None:
            assert title(page) == t(key, lang), path
        if path in CHARTED:
            expect(page.locator(".js-plotly-plot").first).to_be_attached()  # plotly draws after the script run
        seen = page.evaluate(READ, list(ENGLISH_CHROME) if lang == "zh" else [])
        wrong = {what: found for what, found in seen.items() if found}
        if wrong:
            problems[path] = wrong
        if path in ("overview", "party", "relations") or width == 1440:
            save_screenshot(page, f"read-{path}-{lang}-{width}.png")
    assert not problems, problems


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


# --- Links: a relations link opens that view; every page at its own address ------------------------------------
# The relations page fits its whole family (seconds) on a server with no warm-up.
FAMILY_TIMEOUT_MS = 120_000
WARM_TIMEOUT_S = 180  # the warm-up computes the relations family too


def app_pages() -> list[tuple]:
    """app.py's PAGES (file, url path, title key, icon, default), read without running the app."""
    tree = ast.parse((PROJECT_ROOT / "app.py").read_text(encoding="utf-8"))
    node = next(n for n in tree.body if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "PAGES")
    return list(ast.literal_eval(node.value))


def not_found(page):
    """Streamlit's "Page not found" dialog (or any other), in whichever language the chrome script left it."""
    return page.locator('[role="dialog"]')


def test_a_relations_link_opens_that_metric_and_lag(page, app: App) -> None:
    page.goto(f"{app.url}/relations?lang=en&metric=attendance_rate&outcome=outpatient&lag=2")
    heatmap = page.get_by_role("heading", name=t("relations.heatmap.title", "en", lag=2))
    expect(heatmap).to_be_visible(timeout=FAMILY_TIMEOUT_MS)
    wait_for_app_idle(page)
    main = page.get_by_test_id("stMain")
    boxes = main.get_by_role("combobox")
    assert boxes.nth(0).input_value() == t("metric.attendance_rate", "en")
    assert boxes.nth(1).input_value() == t("metric.satisfaction_outpatient", "en")
    lag = t("relations.lag_option", "en", lag=2, grain=t("relations.grain.quarter", "en"))
    assert boxes.nth(2).input_value() == lag
    # The scatter is of that metric two quarters earlier.
    earlier = t("relations.chart.earlier", "en", lag=2, grain=t("relations.grain.quarter", "en")).strip()
    axis = page.locator(".xtitle").filter(has_text=t("relations.metric.attendance_rate", "en")).first
    expect(axis).to_contain_text(earlier)
    assert {k: params(page)[k] for k in ("metric", "outcome", "lag")} == {
        "metric": "attendance_rate",
        "outcome": "outpatient",
        "lag": "2",
    }
    expect(not_found(page)).to_have_count(0)


def test_every_page_opens_at_its_own_address(page, app: App) -> None:
    for _file, url, title_key, _icon, default in app_pages():
        page.goto(f"{app.url}/{url}?lang=en")
        wait_for_app_idle(page)
        expect(page.locator("h1").first).to_be_visible()
        expect(not_found(page)).to_have_count(0)
        current = page.get_by_test_id("stSidebarNav").locator('a[aria-current="page"]')
        expect(current).to_contain_text(t(title_key, "en"))
        if default:
            assert page.locator("h1").first.inner_text().strip() == t("overview.title", "en")
            assert params(page).get("lang") == "en"  # the link's parameters kept


def test_make_run_warms_the_caches_before_anyone_visits(page, names) -> None:
    """`make run` serves serve.py: the pages' caches are computed from the server's start (its log says so), before
    any browser connects; its page asks for the chart code as soon as the browser is idle (`ChartsEarly`), once,
    and the charts draw from it."""
    with run_app(names["path"], env={"PBI_WARM_UP": "1"}, script="serve.py") as running:
        deadline = time.monotonic() + WARM_TIMEOUT_S
        while "Warmed the pages' caches" not in running.log_text():
            assert time.monotonic() < deadline, running.log_text()
            time.sleep(0.5)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        asked = urllib.request.Request(f"{running.url}/party", headers={"Accept-Encoding": "gzip"})
        with opener.open(asked) as answer:
            found = re.search(r'import\("\./static/js/(PlotlyChart\.[\w-]+\.js)"\)', answer.read().decode())
        assert found, "the page does not load the chart code early"
        chunk = found.group(1)
        with opener.open(f"{running.url}/static/js/{chunk}") as answer:
            assert answer.status == 200 and len(answer.read()) > 1_000_000
        sign_in(page, running.url, TEST_ACCOUNTS[Role.VIEWER], TEST_PASSWORD)
        requested = []
        page.on("request", lambda request: requested.append(request.url))
        open_page(page, running, "party")  # a new document: its own early request, and the app's own import
        expect(page.locator("[data-testid=stPlotlyChart] .main-svg").first).to_be_visible()
        assert sum(url.endswith(f"/static/js/{chunk}") for url in requested) == 1, requested
        assert "Traceback" not in running.log_text()
