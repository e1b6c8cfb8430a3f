"""Links in headless Chromium: a relations link with a non-default metric and lag opens exactly that view, and
every page opens at its own address (the Overview too, served at "/"), never Streamlit's "Page not found"."""

from __future__ import annotations

import ast
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from analytics.i18n import t
from tests.browser_support import PROJECT_ROOT, App, run_app, wait_for_app_idle

pytestmark = pytest.mark.browser
# The relations page fits its whole family (seconds) on a server with no warm-up.
FAMILY_TIMEOUT_MS = 120_000


def app_pages() -> list[tuple]:
    """app.py's PAGES (file, url path, title key, icon, default), read without running the app."""
    tree = ast.parse((PROJECT_ROOT / "app.py").read_text(encoding="utf-8"))
    node = next(n for n in tree.body if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "PAGES")
    return list(ast.literal_eval(node.value))


@pytest.fixture(scope="module")
def app(demo_db_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    path = tmp_path_factory.mktemp("links") / "demo.duckdb"
    shutil.copy(demo_db_path, path)
    shutil.copy(f"{demo_db_path}.key", f"{path}.key")
    with run_app(path) as running:
        yield running


def params(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def not_found(page):
    return page.locator('[role="dialog"]').filter(has_text="Page not found")


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
