"""The 投屏模式 page in headless Chromium: it fills the screen (no sidebar, header or chart toolbar), the keys step
through it (→ twice is step 3, ← back, Esc leaves for the meeting material), a reload keeps the step, and at
1440×900 and 1920×1080 the large type fits: nothing is cut off the screen. Screenshots go to build/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from analytics import presentation, report
from analytics.db import Database
from pages._ui import today
from tests.browser_support import SCREENSHOTS, App, run_app, wait_for_app_idle
from tests.conftest import copy_database
from tests.page_support import add_test_accounts

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def deck(demo_db_path: Path) -> list[presentation.Step]:
    with Database(demo_db_path) as db:
        material = report.build(db, "2025Q4", "hospital", "zh", as_of=today(), sections=presentation.SECTIONS)
    return presentation.steps(material)


@pytest.fixture(scope="module")
def app(demo_db_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    path = copy_database(demo_db_path, tmp_path_factory.mktemp("present"))
    add_test_accounts(path)
    with run_app(path) as running:
        yield running


def counter(page) -> str:
    return page.locator(".st-key-present_counter").inner_text().strip()


def heading(page) -> str:
    return page.locator(".st-key-present_step h1").first.inner_text().strip()


def press(page, key: str) -> None:
    page.keyboard.press(key)
    page.wait_for_timeout(150)  # the click's rerun starts
    wait_for_app_idle(page)


def fits(page) -> None:
    """Nothing of the step is cut: the main area does not scroll, no text overflows its box sideways."""
    main = page.get_by_test_id("stMain")
    scroll, client = main.evaluate("e => [e.scrollHeight, e.clientHeight]")
    assert scroll <= client + 2, f"the step is taller than the screen ({scroll} > {client})"
    cut = page.evaluate(
        """() => [...document.querySelectorAll('.st-key-present_step *')]
            .filter(e => e.children.length === 0 && e.scrollWidth > e.clientWidth + 1
                     && getComputedStyle(e).overflow !== 'visible')
            .map(e => e.textContent)"""
    )
    assert not cut, cut


def test_the_keys_step_through_full_screen_and_a_reload_keeps_the_place(page, app: App, deck) -> None:
    total = len(deck)
    page.goto(f"{app.url}/present")
    wait_for_app_idle(page)
    expect(page.locator(".st-key-present_step h1")).to_have_text(deck[0].title)
    assert counter(page) == f"1 / {total}"
    expect(page.get_by_test_id("stSidebar")).to_be_hidden()
    expect(page.get_by_test_id("stHeader")).to_be_hidden()
    assert page.locator("h1").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)") >= 36
    press(page, "ArrowRight")
    press(page, "ArrowRight")
    assert counter(page) == f"3 / {total}"
    assert heading(page) == deck[2].title
    assert "step=3" in page.url
    value = page.get_by_test_id("stMetricValue").first
    assert value.evaluate("e => parseFloat(getComputedStyle(e).fontSize)") >= 64  # 4rem and more
    press(page, "ArrowLeft")
    assert counter(page) == f"2 / {total}"
    press(page, "PageDown")
    press(page, "Space")
    assert counter(page) == f"4 / {total}"
    page.reload()
    wait_for_app_idle(page)
    assert counter(page) == f"4 / {total}"
    ranking = next(i for i, s in enumerate(deck, start=1) if s.key == "party_index")
    page.goto(f"{app.url}/present?step={ranking}")
    wait_for_app_idle(page)
    expect(page.locator(".js-plotly-plot")).to_have_count(1)
    expect(page.locator(".modebar-container")).to_be_hidden()
    press(page, "Escape")
    expect(page.locator("h1").first).to_have_text("会议材料")
    expect(page.get_by_test_id("stSidebar")).to_be_visible()


@pytest.mark.parametrize("size", [(1440, 900), (1920, 1080)], ids=["1440x900", "1920x1080"])
def test_every_step_fits_the_screen_in_large_type(page, app: App, deck, size) -> None:
    width, height = size
    page.set_viewport_size({"width": width, "height": height})
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for number, step in enumerate(deck, start=1):
        page.goto(f"{app.url}/present?step={number}")
        wait_for_app_idle(page)
        expect(page.locator(".st-key-present_step h1")).to_have_text(step.title)
        if step.chart is not None:  # drawn, every bar with its value and RAG word, before the picture is taken
            expect(page.locator(".js-plotly-plot .bartext")).to_have_count(len(step.chart.categories))
        page.wait_for_timeout(300)  # charts settle at their size
        page.screenshot(path=SCREENSHOTS / f"present_{width}x{height}_{number:02d}_{step.key}.png")
        fits(page)
        expect(page.locator(".st-key-present_controls")).to_be_in_viewport()
