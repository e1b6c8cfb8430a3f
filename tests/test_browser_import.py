"""The import page in headless Chromium: a file with bad rows is rejected with its rows listed, the error list
downloads as CSV with formulas neutralised, then a good file is imported and the Overview counts it.

The server runs against an empty database into which the organisation files (branches, departments) were
imported with the library before the server started (DuckDB lets one process open a file at a time).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from analytics import importer
from analytics.db import Database
from analytics.i18n import t
from analytics.importer import ImportOptions, SourceFile
from tests.browser_support import TIMEOUT_MS, App, run_app, save_screenshot, wait_for_app_idle
from tests.conftest import SAMPLES

pytestmark = pytest.mark.browser

BAD_ROWS = SAMPLES / "bad" / "activities_bad_rows.csv"
GOOD = SAMPLES / "activities_2024_utf8bom.csv"


@pytest.fixture(scope="module")
def import_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("browser-import") / "import.duckdb"
    with Database(path) as db:
        files = [SourceFile.from_path(SAMPLES / n) for n in ("branches_utf8bom.csv", "departments_gbk.csv")]
        assert importer.import_files(db, files, ImportOptions()).ok
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
    expect(page.get_by_text("Page not found")).to_have_count(0)
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
    page.get_by_role("button", name=f"Remove {BAD_ROWS.name}").click()
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
