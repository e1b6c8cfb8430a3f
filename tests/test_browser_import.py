"""The import page in headless Chromium: a file with bad rows is rejected with its rows listed, the error list
downloads as CSV with formulas neutralised, then a good file is imported and the Overview counts it.

The server runs against an empty database into which the organisation files (branches, departments) were
imported with the library before the server started (DuckDB lets one process open a file at a time).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from analytics.db import Database
from analytics.i18n import t
from analytics.imports import importer
from analytics.imports.model import ImportOptions, SourceFile
from tests.browser_support import TIMEOUT_MS, App, run_app, save_screenshot, wait_for_app_idle
from tests.conftest import SAMPLES
from tests.import_support import aggregates_xlsx
from tests.page_support import add_test_accounts

pytestmark = pytest.mark.browser

BAD_ROWS = SAMPLES / "bad" / "activities_bad_rows.csv"
GOOD = SAMPLES / "activities_2024_utf8bom.csv"


@pytest.fixture(scope="module")
def import_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("browser-import") / "import.duckdb"
    with Database(path) as db:
        files = [SourceFile.from_path(SAMPLES / n) for n in ("branches_utf8bom.csv", "departments_gbk.csv")]
        assert importer.import_files(db, files, ImportOptions()).ok
        add_test_accounts(db)
    return path


@pytest.fixture(scope="module")
def app(import_db: Path) -> Iterator[App]:
    with run_app(import_db) as running:
        yield running


def open_import_page(page, app: App) -> None:
    from playwright.sync_api import expect

    # Straight to /import on a fresh server: its very first session runs in Streamlit's `pages/` folder mode,
    # where a page's address is its file name, so the file is pages/import.py and no "Page not found" shows.
    page.goto(f"{app.url}/import")
    expect(page.get_by_role("heading", name=t("import.title", "zh"), exact=True, level=1)).to_be_visible(
        timeout=TIMEOUT_MS
    )
    wait_for_app_idle(page)
    expect(page.locator('[role="dialog"]')).to_have_count(0)  # no "Page not found" (in any language)
    expect(page.get_by_test_id("stSidebar").get_by_text("English")).to_be_visible()  # app.py's shell ran


def upload(page, path: Path) -> None:
    from playwright.sync_api import expect

    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
    expect(page.get_by_test_id("stFileChip").filter(has_text=path.name[:7])).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_text(t("import.preview.ready", "zh"))).to_be_visible(timeout=TIMEOUT_MS)
    wait_for_app_idle(page)


def click_import(page) -> None:
    page.get_by_role("button", name=t("import.run", "zh"), exact=True).click()


def error_rows(page) -> list[str]:
    """The row-number column of the error table (st.dataframe keeps an accessible grid of its cells)."""
    cells = page.locator(".st-key-import_errors_table [role=gridcell][aria-colindex='2']")
    return [text.strip() for text in cells.all_inner_texts()]


def test_bad_rows_are_listed_then_a_good_file_is_imported(page, app: App) -> None:
    from playwright.sync_api import expect

    open_import_page(page, app)
    upload(page, BAD_ROWS)
    click_import(page)

    failed = t("import.result.failed", "zh", n=1, total=1, errors=3)
    expect(page.get_by_text(failed, exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    wait_for_app_idle(page)
    expect(page.locator(".st-key-import_errors_table [role=gridcell]").first).to_be_attached(timeout=TIMEOUT_MS)
    assert error_rows(page) == ["5", "9", "13"]
    expect(page.get_by_text(t("import.result.error_rows", "zh", rows="5, 9, 13"), exact=True)).to_be_visible()
    save_screenshot(page, "import-errors-zh.png")

    # The error list as CSV: UTF-8 with BOM, Chinese intact, and the "-5" of row 5 neutralised as text.
    with page.expect_download(timeout=TIMEOUT_MS) as download_info:
        page.get_by_role("button", name=t("import.errors.csv", "zh")).click()
    download = download_info.value
    assert download.suggested_filename == f"{t('import.errors.file_name', 'zh')}.csv"
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    by_row = {r[t("import.errors.row", "zh")]: r for r in rows}
    assert sorted(by_row, key=int) == ["5", "9", "13"]
    assert by_row["5"][t("import.errors.value", "zh")] == "'-5"
    assert by_row["13"][t("import.errors.value", "zh")] == "打篮球"
    assert not any(v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values())

    # Remove the bad file: its errors go with it. Then import the good one.
    # (Streamlit's "Remove …", said in Chinese by the page's chrome script: pages/_ui.py)
    page.get_by_role("button", name=f"移除 {BAD_ROWS.name}", exact=True).click()
    expect(page.get_by_text(failed, exact=True)).to_have_count(0, timeout=TIMEOUT_MS)
    wait_for_app_idle(page)
    upload(page, GOOD)
    click_import(page)
    done = t("import.result.ok", "zh", files=1, rows=120)
    expect(page.get_by_text(done, exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_text(t("import.result.file_ok", "zh", rows=120, batch=3), exact=True)).to_be_visible()
    wait_for_app_idle(page)
    expect(page.get_by_test_id("stFileChip")).to_have_count(0)  # the uploader is fresh again
    save_screenshot(page, "import-success-zh.png")

    # About the data (its counts cached per data version) counts the new activities.
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=t("nav.about", "zh"), exact=True).click()
    label = page.get_by_test_id("stMetricLabel").get_by_text(t("overview.kpi.activities", "zh"), exact=True)
    value = page.get_by_test_id("stMetric").filter(has=label).get_by_test_id("stMetricValue")
    expect(value).to_have_text("120", timeout=TIMEOUT_MS)


def test_a_real_register_a_ledger_with_repeats_and_a_revised_file_resolved_in_one_click(
    page, app: App, tmp_path
) -> None:
    """Acceptance of issue 9 in the browser: a register with nursing and logistics departments and a ledger
    with repeated rows go in without hand edits (the repeats named by both rows); a revised satisfaction
    file shows the stored and the new values side by side, one confirmed click replaces them, and the undo
    control then offers the batch just stored."""
    from playwright.sync_api import expect

    register = tmp_path / "科室名册2025.csv"
    register.write_bytes(
        "科室编码,科室名称,科室类别,职工人数,支部编码\n"
        "D21,心内科护理单元,护理,40,DZB01\nD22,后勤保障部,后勤,25,DZB04\nD23,院办,行政,12,DZB04\n".encode("gbk")
    )
    ledger = tmp_path / "活动台账.csv"
    ledger.write_text(
        "活动日期,支部名称,活动类型,活动主题,参加人数,应到人数,时长(小时)\n"
        "2025-04-10,内科第一党支部,党小组会议,学习,8,9,1小时\n"
        "2025-04-10,内科第一党支部,党小组会议,学习,7,8,1小时\n"
        "2025-04-11,外科党支部,主题党日活动,参观,20,31,3h\n"
        "2025-04-11,外科党支部,主题党日活动,参观,20,31,3h\n",
        encoding="utf-8-sig",
    )
    open_import_page(page, app)
    for path in (register, ledger):
        upload(page, path)
    click_import(page)
    done = t("import.result.ok", "zh", files=2, rows=3 + 3)
    expect(page.get_by_text(done, exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    wait_for_app_idle(page)
    notes = page.locator("[data-testid=stDataFrame]").filter(has_text="5").first
    expect(notes).to_be_visible()
    expect(page.get_by_text("行号=相同的行：3=2", exact=False)).to_be_visible()
    expect(page.get_by_text("5=4", exact=False).first).to_be_visible()
    save_screenshot(page, "import-register-ledger-zh.png")

    first = tmp_path / "2025Q1满意度.xlsx"
    first.write_bytes(aggregates_xlsx([86.0, 88.5, 90.0]))
    revised = tmp_path / "2025Q1满意度（修订）.xlsx"
    revised.write_bytes(aggregates_xlsx([86.0, 89.5, 91.0]))
    upload(page, first)
    click_import(page)
    expect(page.get_by_text(t("import.result.ok", "zh", files=1, rows=3), exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    wait_for_app_idle(page)
    upload(page, revised)
    click_import(page)
    action = t("resolve.conflict", "zh", n=2)
    button = page.get_by_role("button", name=action, exact=True)
    expect(button).to_be_visible(timeout=TIMEOUT_MS)
    wait_for_app_idle(page)
    table = page.locator(".st-key-import_errors_table")
    for text in ("89.5", "88.5", "91", "90", "批次 6 · 2025Q1满意度.xlsx"):
        expect(table.get_by_text(text, exact=True).first).to_be_attached()
    save_screenshot(page, "import-conflict-zh.png")
    button.click()
    page.get_by_role("button", name=t("import.resolve.confirm", "zh"), exact=True).click()
    expect(page.get_by_text(t("import.result.ok", "zh", files=1, rows=2), exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    wait_for_app_idle(page)
    undo = page.get_by_test_id("stSelectbox").filter(has_text=t("import.undo.select", "zh"))
    expect(undo.get_by_role("combobox")).to_have_value(re.compile(r"^批次 7 · 2025Q1满意度（修订）\.xlsx"))
    save_screenshot(page, "import-conflict-resolved-zh.png")
