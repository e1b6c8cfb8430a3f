"""The import page's upload limit (上传上限, issue 11): a file over it is refused in the user's language, unread,
and nothing is imported; the limit and the ways round it (split the file, or the command line, which has no
limit) are said beside the uploader.

Streamlit refuses a file over `server.maxUploadSize` in the browser with its own English sentence, so
.streamlit/config.toml lets the browser send up to 1,024 MB and the page holds files to its own limit
($PBI_UPLOAD_LIMIT_MB, default 200 MB). The tests lower that limit to a few kilobytes.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from analytics.db import Database
from analytics.i18n import t
from analytics.imports import importer
from analytics.queries import RECORD_TABLES
from pages._ui import md_escape
from tests.browser_support import PROJECT_ROOT, TIMEOUT_MS, App, run_app, save_screenshot, wait_for_app_idle
from tests.conftest import SAMPLES
from tests.page_support import add_test_accounts, signed_in

LIMIT_ENV = "PBI_UPLOAD_LIMIT_MB"
ORGANISATION = ("branches_utf8bom.csv", "departments_gbk.csv")
BIG = "activities_2024_utf8bom.csv"  # 10,767 bytes: over a limit of 0.01 MB (10,485 bytes)


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "upload.duckdb"
    add_test_accounts(path)
    monkeypatch.setenv("PBI_DB", str(path))
    return path


def stored(path: Path) -> dict[str, int]:
    with Database(path) as db:
        con = db.reader()
        counts = {table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in RECORD_TABLES}
        counts["import_batches"] = con.execute("SELECT count(*) FROM import_batches").fetchone()[0]
    return counts


def open_import_page(lang: str = "zh") -> AppTest:
    at = signed_in(AppTest.from_file("../app.py", default_timeout=60))
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("pages/import.py").run()
    assert not at.exception, at.exception
    return at


def test_a_file_over_the_limit_is_refused_in_chinese_unread_and_nothing_is_imported(db_path, monkeypatch) -> None:
    monkeypatch.setenv(LIMIT_ENV, "0.01")
    read: list[str] = []
    preview = importer.preview

    def recording(source, *args, **kwargs):
        read.append(source.name)
        return preview(source, *args, **kwargs)

    monkeypatch.setattr(importer, "preview", recording)
    at = open_import_page()
    assert t("import.upload.limit", "zh", limit="0.01 MB", db=db_path) in [c.value for c in at.caption]
    for name in (*ORGANISATION, BIG):
        at.file_uploader[0].upload(name, (SAMPLES / name).read_bytes(), "text/csv")
    at.run()
    assert not at.exception, at.exception

    refusal = t("import.upload.too_large", "zh", file=md_escape(BIG), size="0.1 MB", limit="0.01 MB")
    assert [e.value for e in at.error] == [refusal]
    assert "超过网页上传的上限 0.01 MB" in refusal and "python -m analytics import" in refusal
    assert BIG not in read  # refused before it is parsed
    assert t("import.preview.ready", "zh") in [i.value for i in at.info]  # the registers are still previewed
    run = at.button(key="import_run")
    # All files or none: not the registers without the file refused.
    assert run.disabled and run.help == t("import.run.too_large", "zh", limit="0.01 MB")
    assert set(stored(db_path).values()) == {0}


def test_the_limit_is_said_in_english_and_a_bad_setting_falls_back_to_200_mb(db_path, monkeypatch) -> None:
    monkeypatch.setenv(LIMIT_ENV, "lots")
    at = open_import_page("en")
    caption = t("import.upload.limit", "en", limit="200 MB", db=db_path)
    assert caption in [c.value for c in at.caption] and "no size limit" in caption
    at.file_uploader[0].upload(BIG, (SAMPLES / BIG).read_bytes(), "text/csv")
    at.run()
    assert not at.error and not at.button(key="import_run").disabled


def test_streamlit_lets_the_browser_send_more_than_the_page_takes() -> None:
    """Over `server.maxUploadSize` the browser refuses a file in English, before the page can say a word."""
    config = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] >= 5 * 200


# --- In the browser: a real file over the limit -----------------------------------------------------------


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    path = tmp_path_factory.mktemp("upload-limit") / "upload.duckdb"
    add_test_accounts(path)
    with run_app(path, env={LIMIT_ENV: "1"}) as running:
        yield running


@pytest.mark.browser
def test_in_the_browser_a_file_over_the_limit_is_refused_in_chinese(page, app: App, tmp_path) -> None:
    from playwright.sync_api import expect

    big = tmp_path / "满意度答卷2025.csv"
    row = "2025-03-05 10:00,D01,门诊患者,5\n"
    big.write_text("提交时间,科室编码,调查对象,总体满意度\n" + row * (1_600_000 // len(row.encode())), encoding="utf-8")
    size = big.stat().st_size
    assert 1 << 20 < size < 2 << 20
    page.goto(f"{app.url}/import")
    wait_for_app_idle(page)
    expect(page.get_by_text(t("import.upload.limit", "zh", limit="1 MB", db="X").split("`")[0])).to_be_visible()

    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(big))
    refusal = page.get_by_test_id("stAlertContentError")
    shown = f"{math.ceil(size / (1 << 20) * 10) / 10:g} MB"  # rounded up, as the page says it
    expect(refusal).to_contain_text(f"文件“{big.name}”有 {shown}，超过网页上传的上限 1 MB", timeout=TIMEOUT_MS)
    wait_for_app_idle(page)
    expect(refusal).to_contain_text("python -m analytics import")
    expect(page.get_by_role("button", name=t("import.run", "zh"), exact=True)).to_be_disabled()
    expect(page.get_by_text("File must be")).to_have_count(0)  # not Streamlit's English refusal
    save_screenshot(page, "import-upload-limit-zh.png")

    # Removed from the uploader, the refusal goes with it.
    page.get_by_role("button", name=f"移除 {big.name}", exact=True).click()  # Streamlit's "Remove …", in Chinese
    expect(refusal).to_have_count(0, timeout=TIMEOUT_MS)
