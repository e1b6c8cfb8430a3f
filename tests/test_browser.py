"""The running app in headless Chromium: KPIs match the database, Chinese renders, the language switch works.

Starts `streamlit run app.py` on a free port against a private copy of the demo database and drives it
with Playwright (sync API) through Debian's /usr/bin/chromium (Playwright's own browsers are not
downloaded). Screenshots go to build/screenshots/. Without /usr/bin/chromium these tests fail, unless
PBI_SKIP_BROWSER=1 is set, in which case they are skipped.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from analytics import queries
from analytics.i18n import t
from tests.browser_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    TIMEOUT_MS,
    VIEWPORT,
    App,
    run_app,
    save_screenshot,
    wait_for_app_idle,
)

pytestmark = pytest.mark.browser

# The Overview's cards (see pages/overview.py).
OVERVIEW_CARDS = (
    "metric.party_index",
    "overview.card.compliance",
    "overview.card.theme_day",
    "overview.card.overdue",
    "overview.card.forms",
    "overview.card.form1",
    "overview.card.filed",
    "metric.satisfaction_outpatient",
    "metric.satisfaction_inpatient",
    "metric.satisfaction_staff",
)
# The counts at the top of About the data, in page order: label key -> count key (see pages/about.py).
KPIS = {
    "overview.kpi.branches": "branches",
    "overview.kpi.departments": "departments",
    "overview.kpi.activities": "activities",
    "overview.kpi.discipline": "discipline",
    "overview.kpi.responses": "satisfaction_responses",
    "overview.kpi.aggregates": "satisfaction_aggregates",
    "overview.kpi.respondents": "respondents",
    "overview.kpi.batches": "batches",
}

# Draws each character alone on a canvas in the font family the page uses for its <h1> and returns the
# alpha channel. A character no font covers is drawn as the primary font's .notdef glyph (a "tofu"
# box), the same box for every such character, and the private-use U+E000 is one of those. So if the
# CJK characters come out pairwise different and different from U+E000, a real CJK font drew them.
# Verified to fail: with Chromium started under FONTCONFIG_FILE pointing at a font set without CJK
# (an empty folder, or only DejaVu), all five characters give the identical box and the page's Chinese
# shows as boxes; test_glyph_check_detects_missing_cjk_font below keeps that proof running.
GLYPHS_JS = """
async ([chars, size]) => {
  await document.fonts.ready;
  const family = getComputedStyle(document.querySelector('h1')).fontFamily;
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = size;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  const glyphs = {};
  for (const ch of chars) {
    ctx.clearRect(0, 0, size, size);
    ctx.fillStyle = '#000';
    ctx.font = `${Math.round(size * 0.75)}px ${family}`;
    ctx.textBaseline = 'top';
    ctx.fillText(ch, size / 8, size / 8);
    const data = ctx.getImageData(0, 0, size, size).data;
    glyphs[ch] = Array.from(data.filter((_, i) => i % 4 === 3));
  }
  return {family, glyphs};
}
"""
CJK_CHARS = ("党", "建", "洞", "察")
PRIVATE_USE = "\ue000"


@pytest.fixture(scope="module")
def browser_db(demo_db_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A module-wide private copy of the demo database, for the one server the module starts."""
    path = tmp_path_factory.mktemp("browser") / "demo.duckdb"
    shutil.copy(demo_db_path, path)
    return path


@pytest.fixture(scope="module")
def expected_counts(browser_db: Path) -> dict[str, int]:
    """The counts About the data should show, read before the server starts (it then locks the file)."""
    con = duckdb.connect(str(browser_db), read_only=True)
    try:
        cursor = con.execute(queries.RECORD_COUNTS)
        names = [d[0] for d in cursor.description]
        counts = dict(zip(names, (int(v) for v in cursor.fetchone()), strict=True))
        counts["respondents"] = int(con.execute(queries.RESPONDENTS).fetchone()[0])
    finally:
        con.close()
    return counts


@pytest.fixture(scope="module")
def app(browser_db: Path, expected_counts: dict[str, int]) -> Iterator[App]:
    """`streamlit run app.py` on a free port against `browser_db`; stopped at module teardown."""
    with run_app(browser_db) as running:
        yield running


# --- helpers ----------------------------------------------------------------------------------------


def wait_for_overview(page, lang: str) -> None:
    from playwright.sync_api import expect

    expect(page.locator("h1", has_text=t("overview.title", lang))).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("stMetric")).to_have_count(len(OVERVIEW_CARDS), timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("stPlotlyChart").locator(".main-svg").first).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible(timeout=TIMEOUT_MS)
    wait_for_app_idle(page)


def metric_value(page, label: str):
    """The value element of the metric whose label is exactly `label`."""
    label_locator = page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    return page.get_by_test_id("stMetric").filter(has=label_locator).get_by_test_id("stMetricValue")


def h1_texts(page) -> list[str]:
    return [text.strip() for text in page.locator("h1").all_inner_texts()]


def rendered_glyphs(page) -> tuple[str, dict[str, list[int]]]:
    result = page.evaluate(GLYPHS_JS, [[*CJK_CHARS, PRIVATE_USE], 64])
    return result["family"], result["glyphs"]


def glyph_problems(glyphs: dict[str, list[int]]) -> list[str]:
    """Why the CJK characters are not really rendered, or [] when each has its own non-tofu glyph."""
    problems = []
    for i, ch in enumerate(CJK_CHARS):
        if not any(glyphs[ch]):
            problems.append(f"{ch!r} drew nothing")
        if glyphs[ch] == glyphs[PRIVATE_USE]:
            problems.append(f"{ch!r} drew the missing-glyph box (same pixels as U+E000)")
        problems += [
            f"{ch!r} and {other!r} drew the same pixels" for other in CJK_CHARS[:i] if glyphs[ch] == glyphs[other]
        ]
    return problems


# --- tests ------------------------------------------------------------------------------------------


def test_overview_chinese_then_english(page, app: App) -> None:
    from playwright.sync_api import expect

    page.goto(f"{app.url}/")

    # Chinese, the default.
    wait_for_overview(page, "zh")
    expect(page.get_by_role("heading", name="总览", exact=True, level=1)).to_be_visible()
    for key in OVERVIEW_CARDS:
        expect(page.get_by_test_id("stMetricLabel").get_by_text(t(key, "zh"), exact=True)).to_be_visible()
    expect(metric_value(page, "党建指数")).to_have_text(re.compile(r"^\d+\.\d 分$"))

    family, glyphs = rendered_glyphs(page)
    assert not glyph_problems(glyphs), f"CJK text does not render in {family}: {glyph_problems(glyphs)}"
    save_screenshot(page, "overview-zh.png")

    # English, through the sidebar's language radio.
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_role("radiogroup", name="语言 / Language").get_by_text("English", exact=True).click()
    expect(page.get_by_role("heading", name="Overview", exact=True, level=1)).to_be_visible(timeout=TIMEOUT_MS)
    wait_for_overview(page, "en")
    for key in OVERVIEW_CARDS:
        expect(page.get_by_test_id("stMetricLabel").get_by_text(t(key, "en"), exact=True)).to_be_visible()
    assert "总览" not in h1_texts(page)
    assert h1_texts(page) == ["Overview"]
    expect(sidebar.get_by_role("link", name="About the data", exact=True)).to_be_visible()
    assert "lang=en" in page.url
    save_screenshot(page, "overview-en.png")


def test_about_page(page, app: App, expected_counts: dict[str, int]) -> None:
    from playwright.sync_api import expect

    assert expected_counts["activities"] >= 1000, "demo data too small to check thousands separators"
    page.goto(f"{app.url}/")
    wait_for_overview(page, "zh")

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="关于数据", exact=True).click()
    expect(page.get_by_role("heading", name="关于数据", exact=True, level=1)).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_role("heading", name="数据概况", exact=True, level=2)).to_be_visible(timeout=TIMEOUT_MS)
    for label_key, count_key in KPIS.items():
        expect(metric_value(page, t(label_key, "zh"))).to_have_text(f"{expected_counts[count_key]:,}")
    for kind in ("branches", "departments", "activities", "satisfaction", "discipline"):
        heading = t(f"kind.{kind}.title", "zh")
        expect(page.get_by_role("heading", name=heading, exact=True, level=2)).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_role("heading", name="党建活动", exact=True)).to_be_visible()
    expect(page.get_by_text(t("about.stored", "zh", n=expected_counts["activities"]), exact=True)).to_be_visible()
    # Departments by category, then the fields of each of the five kinds, then what each role may do.
    expect(page.get_by_test_id("stDataFrame").filter(visible=True)).to_have_count(7, timeout=TIMEOUT_MS)
    wait_for_app_idle(page)
    assert page.url.split("?")[0].endswith("/about")
    save_screenshot(page, "about-zh.png")


def test_glyph_check_detects_missing_cjk_font(playwright, app: App, tmp_path: Path) -> None:
    """The tofu check is not vacuous: in a Chromium whose fontconfig knows no fonts at all (the page
    still has its Latin web font), the CJK characters draw as the same missing-glyph box and the check
    reports it."""
    from playwright.sync_api import expect

    fonts, cache = tmp_path / "no-fonts", tmp_path / "fc-cache"
    fonts.mkdir()
    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
        f"<fontconfig><dir>{fonts}</dir><cachedir>{cache}</cachedir></fontconfig>\n",
        encoding="utf-8",
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(config)}
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, env=env)
    try:
        page = browser.new_page(viewport=VIEWPORT)
        page.goto(f"{app.url}/")  # signed out: the sign-in form, under the app's Chinese title
        expect(page.locator("h1", has_text=t("app.title", "zh"))).to_be_visible(timeout=TIMEOUT_MS)
        _, glyphs = rendered_glyphs(page)
    finally:
        browser.close()
    problems = glyph_problems(glyphs)
    assert any("missing-glyph box" in p for p in problems), problems
