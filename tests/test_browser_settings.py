"""The Settings page in headless Chromium: a value typed outside its range is refused on Save in Chinese, never
with Streamlit's own English range message (what AppTest cannot see: that check lives in the browser)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from analytics.i18n import t
from tests.browser_support import App, run_app, wait_for_app_idle

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app(demo_db_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    path = tmp_path_factory.mktemp("settings") / "demo.duckdb"
    shutil.copy(demo_db_path, path)
    with run_app(path) as running:
        yield running


def test_a_negative_weight_typed_in_is_refused_in_chinese_on_save(page, app: App) -> None:
    page.goto(f"{app.url}/settings")
    wait_for_app_idle(page)
    field = page.get_by_label("志愿服务（默认 15）", exact=True)
    field.fill("-5")
    field.press("Tab")
    expect(page.get_by_text("Number is", exact=False)).to_have_count(0)  # Streamlit's English range message
    form = page.get_by_test_id("stForm").filter(has=field)  # the metric settings (the sign-in rules have their own)
    form.get_by_role("button", name=t("settings.save", "zh")).click()
    wait_for_app_idle(page)
    error = page.get_by_test_id("stAlertContentError")
    expect(error).to_contain_text(t("settings.invalid", "zh"))
    expect(error).to_contain_text("志愿服务权重：须不小于 0。")
    expect(page.get_by_text("Number is", exact=False)).to_have_count(0)
    expect(page.get_by_text(t("settings.status.default", "zh"))).to_be_visible()  # nothing was saved
    expect(field).to_have_value("-5")  # left in the form to be corrected
