"""The import page (数据导入) through Streamlit's AppTest: upload, preview, column mapping, import (all or
nothing), the error list and its filters, history and undo, templates; and the modules behind it
(analytics.exports, analytics.settings, analytics.imports.report)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics import exports, settings, summary
from analytics.accounts import Role
from analytics.db import Database
from analytics.i18n import STRINGS, t
from analytics.imports import importer
from analytics.imports.model import ImportOptions, SourceFile
from analytics.queries import RECORD_TABLES
from analytics.schema import RecordKind
from pages._ui import md_escape
from tests.conftest import SAMPLES
from tests.import_support import aggregates_xlsx
from tests.page_support import TEST_ACCOUNTS, add_test_accounts, signed_in

TIMEOUT = 30
ORGANISATION = ("branches_utf8bom.csv", "departments_gbk.csv")
ACTIVITIES = "activities_2024_utf8bom.csv"
BAD_ROWS = SAMPLES / "bad" / "activities_bad_rows.csv"
PAGE = "pages/import.py"


# --- helpers --------------------------------------------------------------------------------------------


@pytest.fixture
def db_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh database per test, empty but for the test accounts (a distinct path: the app caches one Database
    per path)."""
    path = tmp_path / "import.duckdb"
    add_test_accounts(path)
    monkeypatch.setenv("PBI_DB", str(path))
    return path


def import_directly(path: Path, *names: str) -> None:
    """Store sample files with the library (not the page), for tests that need data to start with."""
    with Database(path) as db:
        result = importer.import_files(db, [SourceFile.from_path(SAMPLES / n) for n in names], ImportOptions())
    assert result.ok, result


def table_counts(path: Path) -> dict[str, int]:
    with Database(path) as db:
        return {table: db.reader().execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in RECORD_TABLES}


def open_page(lang: str = "zh") -> AppTest:
    at = signed_in(AppTest.from_file("../app.py", default_timeout=TIMEOUT))
    if lang != "zh":
        at.query_params["lang"] = lang
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert at.title[0].value == t("import.title", lang)
    return at


def upload(at: AppTest, *files: Path | tuple[str, bytes]) -> AppTest:
    for item in files:
        name, content = (item.name, item.read_bytes()) if isinstance(item, Path) else item
        at.file_uploader[0].upload(name, content, "text/csv")
    at.run()
    assert not at.exception, at.exception
    return at


def click_import(at: AppTest) -> AppTest:
    at.button(key="import_run").click().run()
    assert not at.exception, at.exception
    return at


def frame_with_column(at: AppTest, column: str) -> pd.DataFrame:
    """The one dataframe on the page that has `column`."""
    frames = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(frames) == 1, [list(d.value.columns) for d in at.dataframe]
    return frames[0]


def texts(elements) -> list[str]:
    return [e.value for e in elements]


# --- importing ------------------------------------------------------------------------------------------


def test_samples_import_organisation_first_and_the_counts_follow(db_path: Path) -> None:
    at = open_page("zh")
    assert at.button(key="import_run").disabled  # nothing uploaded yet
    upload(at, *(SAMPLES / n for n in ORGANISATION))

    # The preview of each file: kind, encoding, header row and row count, the header mapping, the first rows.
    captions = " ".join(texts(at.caption))
    assert "党支部" in captions and "UTF\\-8（带 BOM）" in captions and "数据行数：**4**" in captions
    assert "科室" in captions and "GBK" in captions and "数据行数：**6**" in captions
    # Neutral, not green: the rows are checked on import.
    assert texts(at.info).count(t("import.preview.ready", "zh")) == 2
    assert not at.success
    mappings = [d.value for d in at.dataframe if t("import.preview.header", "zh") in d.value.columns]
    assert dict(mappings[0].itertuples(index=False)) == {
        "支部编码": "支部编码",
        "支部名称": "支部名称",
        "党员人数": "党员人数",
        "书记是否双带头人": "书记是否“双带头人”",
    }
    samples = [d.value for d in at.dataframe if "科室编码" in d.value.columns and len(d.value) == 6]
    assert samples and samples[0]["科室名称"].iloc[0] == "心血管内科"  # GBK decoded

    click_import(at)
    assert t("import.result.ok", "zh", files=2, rows=10) in texts(at.success)
    assert t("import.result.file_ok", "zh", rows=4, batch=1) in texts(at.success)
    assert t("import.result.file_ok", "zh", rows=6, batch=2) in texts(at.success)
    assert table_counts(db_path)["branches"] == 4
    assert table_counts(db_path)["departments"] == 6
    assert not at.file_uploader[0].value  # a fresh uploader after a successful import

    upload(at, SAMPLES / ACTIVITIES)
    click_import(at)
    assert t("import.result.ok", "zh", files=1, rows=120) in texts(at.success)
    assert table_counts(db_path)["activities"] == 120
    history = frame_with_column(at, t("import.history.batch_id", "zh"))
    assert list(history[t("import.history.batch_id", "zh")]) == [3, 2, 1]
    assert list(history[t("import.history.kind", "zh")]) == ["党建活动", "科室", "党支部"]
    assert list(history[t("import.history.rows", "zh")]) == [120, 6, 4]
    assert set(history[t("import.history.imported_by", "zh")]) == {TEST_ACCOUNTS[Role.ADMIN]}  # the signed-in user
    assert list(history[t("import.history.encoding", "zh")]) == ["UTF-8（带 BOM）", "GBK", "UTF-8（带 BOM）"]
    assert at.selectbox(key="import_undo_batch").value == 3  # the newest batch is the one offered for undo

    # The cached counts (About the data) follow the new data (they are keyed on the database's data version).
    at.switch_page("pages/about.py").run()
    shown = {m.label: m.value for m in at.metric}
    assert shown["党支部"] == "4" and shown["科室"] == "6" and shown["党建活动"] == "120"
    assert shown["导入批次"] == "3"

    # The same file again is skipped (and says so), unless forced.
    at.switch_page(PAGE).run()
    upload(at, SAMPLES / ACTIVITIES)
    click_import(at)
    assert any("已跳过" in m for m in texts(at.info))
    assert table_counts(db_path)["import_batches"] == 3


def test_bad_rows_are_listed_by_spreadsheet_row_and_nothing_is_stored(db_path: Path) -> None:
    import_directly(db_path, *ORGANISATION)
    before = table_counts(db_path)
    at = upload(open_page("zh"), BAD_ROWS)
    click_import(at)

    summary_line = at.error[0].value
    assert summary_line == t("import.result.failed", "zh", n=1, total=1, errors=3)
    assert "未存储任何数据" in summary_line
    errors = frame_with_column(at, t("import.errors.row", "zh"))
    columns = ("file", "row", "column", "value", "code", "message")
    assert list(errors.columns) == [t(f"import.errors.{c}", "zh") for c in columns]
    assert list(errors[t("import.errors.row", "zh")]) == [5, 9, 13]
    assert list(errors[t("import.errors.value", "zh")]) == ["-5", "2024-13-45", "打篮球"]
    assert list(errors[t("import.errors.code", "zh")]) == ["out-of-range", "type-error", "type-error"]
    assert set(errors[t("import.errors.file", "zh")]) == {BAD_ROWS.name}
    assert t("import.result.error_rows", "zh", rows="5, 9, 13") in texts(at.caption)
    assert table_counts(db_path) == before
    # The error list can be downloaded, as CSV and as Excel.
    labels = [b.label for b in at.get("download_button")]
    assert t("import.errors.csv", "zh") in labels and t("import.errors.xlsx", "zh") in labels


def test_english_errors_can_be_filtered_and_good_files_wait_for_the_bad(db_path: Path) -> None:
    """All four files at once: the two good registers are not stored either, and each file says why."""
    bad_satisfaction = SAMPLES / "bad" / "satisfaction_out_of_range_unknown_dept.csv"
    before = table_counts(db_path)
    at = upload(open_page("en"), *(SAMPLES / n for n in ORGANISATION), BAD_ROWS, bad_satisfaction)
    click_import(at)

    assert at.error[0].value.startswith("Nothing was stored: 2 of 4 file(s) have errors")
    assert texts(at.warning).count(t("import.result.file_not_stored", "en")) == 2
    assert table_counts(db_path) == before

    row, file, code = (t(f"import.errors.{c}", "en") for c in ("row", "file", "code"))
    errors = frame_with_column(at, row)
    assert set(errors[file]) == {BAD_ROWS.name, bad_satisfaction.name}
    at.multiselect[0].set_value([bad_satisfaction.name]).run()
    assert list(frame_with_column(at, row)[row]) == [4, 7]
    assert t("import.errors.shown", "en", shown=2, total=len(errors)) in texts(at.caption)
    at.multiselect[0].set_value([]).run()
    at.multiselect[1].set_value(["out-of-range"]).run()
    filtered = frame_with_column(at, row)
    assert list(zip(filtered[file], filtered[row], strict=True)) == [(BAD_ROWS.name, 5), (bad_satisfaction.name, 4)]
    assert set(filtered[code]) == {"out-of-range"}


def test_unreadable_files_are_rejected_in_the_preview_and_on_import(db_path: Path) -> None:
    at = upload(open_page("en"), SAMPLES / "bad" / "not_a_csv.csv", SAMPLES / "bad" / "header_only.csv")
    assert any("Cannot be read as a table" in e for e in texts(at.error))
    assert any("No data" in e for e in texts(at.error))
    click_import(at)
    assert any(e.startswith("Nothing was stored: 2 of 2 file(s) have errors") for e in texts(at.error))
    assert table_counts(db_path)["import_batches"] == 0


# --- column mapping -------------------------------------------------------------------------------------


def renamed_activities() -> tuple[str, bytes]:
    """The activity sample with its type column under a header no alias knows."""
    text = (SAMPLES / ACTIVITIES).read_text(encoding="utf-8-sig").replace("活动类型", "形式名目", 1)
    return "activities_renamed.csv", text.encode("utf-8")


def test_unknown_headers_are_mapped_and_the_mapping_is_remembered(db_path: Path) -> None:
    import_directly(db_path, *ORGANISATION)
    at = upload(open_page("zh"), renamed_activities())
    assert any("缺少必需的列“活动类型”" in e for e in texts(at.error))
    # One drop-down per field without a column, the required one first; the unrecognised column is an option.
    mapping_box = at.selectbox(key=next(k for k in keys(at) if k.startswith("import_map_") and "kind" not in k))
    assert mapping_box.key.endswith("_activity_type")
    assert mapping_box.label == t("import.mapping.required", "zh", label="活动类型")
    assert "形式名目" in mapping_box.options
    assert mapping_box.value == ""  # "not in the file" until chosen
    assert at.button(key="import_run").disabled is False

    mapping_box.set_value("形式名目").run()
    assert not any("缺少必需的列" in e for e in texts(at.error))
    assert t("import.preview.ready", "zh") in texts(at.info)
    click_import(at)
    assert t("import.result.ok", "zh", files=1, rows=120) in texts(at.success)
    assert table_counts(db_path)["activities"] == 120

    headers = renamed_activities()[1].decode().splitlines()[0].split(",")
    with Database(db_path) as db:
        assert settings.saved_mapping(db, headers) == {"kind": "activities", "mapping": {"形式名目": "activity_type"}}

    # A new session uploading a file with the same headers gets the mapping without asking.
    again = upload(open_page("zh"), renamed_activities())
    assert t("import.mapping.saved", "zh") in texts(again.info)
    assert t("import.preview.ready", "zh") in texts(again.info)


def test_file_names_and_headers_are_shown_as_typed_never_as_markdown_or_html(db_path: Path) -> None:
    name = "**粗体**_<b>x</b>.csv"
    content = "活动日期,支部名称,<img src=x onerror=alert(1)>,参加人数\n2024-03-05,DZB01,x,3\n".encode()
    at = upload(open_page("zh"), (name, content))
    shown = [m.value for m in at.markdown if "粗体" in m.value]
    assert shown and all("\\*\\*粗体\\*\\*" in m and "\\<b\\>" in m for m in shown)
    # The header is an option of the mapping step's drop-downs, which show options as plain text, never markdown.
    mapping = [s for s in at.selectbox if s.key and s.key.startswith("import_map_") and "kind" not in s.key]
    assert mapping and all("<img src=x onerror=alert(1)>" in s.options for s in mapping)
    assert not [s.label for s in at.selectbox if "img" in s.label]
    source = (Path(__file__).parent.parent / PAGE).read_text(encoding="utf-8")
    assert "unsafe_allow_html" not in source and "st.html" not in source


def keys(at: AppTest) -> list[str]:
    return [s.key for s in at.selectbox if s.key]


# --- history and undo -----------------------------------------------------------------------------------


def test_undo_asks_for_confirmation_then_removes_exactly_the_batch(db_path: Path) -> None:
    import_directly(db_path, *ORGANISATION)
    import_directly(db_path, ACTIVITIES)
    at = open_page("zh")
    assert at.selectbox(key="import_undo_batch").options[0].startswith("批次 3 · activities_2024_utf8bom.csv")

    at.selectbox(key="import_undo_batch").set_value(3).run()
    at.button(key="import_undo").click().run()
    assert any("确定撤销批次 3" in w for w in texts(at.warning))
    assert table_counts(db_path)["activities"] == 120  # not yet

    at.button(key="import_undo_cancel").click().run()
    assert not any("确定撤销" in w for w in texts(at.warning))
    at.button(key="import_undo").click().run()
    at.button(key="import_undo_confirm").click().run()
    assert not at.exception
    assert t("undo.done", "zh", batch=3, rows=120, restored=0) in texts(at.success)
    assert table_counts(db_path)["activities"] == 0
    history = frame_with_column(at, t("import.history.undone_at", "zh"))
    assert history[t("import.history.undone_at", "zh")].iloc[0] != ""
    assert all(not o.startswith("批次 3 ") for o in at.selectbox(key="import_undo_batch").options)

    # Branches still used by departments cannot be undone: the refusal is an error, nothing changes.
    before = table_counts(db_path)
    at.selectbox(key="import_undo_batch").set_value(1).run()
    at.button(key="import_undo").click().run()
    at.button(key="import_undo_confirm").click().run()
    assert any("不能撤销批次 1" in e for e in texts(at.error))
    assert table_counts(db_path) == before


def test_undo_in_english_and_the_counts_follow(db_path: Path) -> None:
    import_directly(db_path, *ORGANISATION)
    at = open_page("en")
    at.selectbox(key="import_undo_batch").set_value(2).run()
    at.button(key="import_undo").click().run()
    at.button(key="import_undo_confirm").click().run()
    assert md_escape(t("undo.done", "en", batch=2, rows=6, restored=0)) in texts(at.success)  # shown escaped
    at.switch_page("pages/about.py").run()
    shown = {m.label: m.value for m in at.metric}
    assert shown["Departments"] == "0" and shown["Party branches"] == "4"


def test_an_empty_database_has_no_history_and_offers_templates(db_path: Path) -> None:
    at = open_page("zh")
    assert t("import.history.empty", "zh") in texts(at.info)
    assert at.selectbox(key="import_template_kind").value == "branches"
    at.selectbox(key="import_template_kind").set_value(RecordKind.DISCIPLINE).run()
    assert not at.exception
    assert [b.label for b in at.get("download_button")] == [t("import.templates.download", "zh")]


# --- the modules behind the page ------------------------------------------------------------------------

FORMULAS = ["=1+1", "+x", "-x", "@x"]


def formula_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {"value": [*FORMULAS, "正常文本", None], "row": [1, 2, 3, 4, 5, -6], "=header": ["a", "b", "c", "d", "e", "f"]}
    )


def test_csv_export_neutralises_formulas_and_keeps_chinese() -> None:
    data = exports.to_csv_bytes(formula_frame())
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the Chinese right
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["value", "row", "'=header"]
    assert [r[0] for r in rows[1:]] == ["'=1+1", "'+x", "'-x", "'@x", "正常文本", ""]
    assert [r[1] for r in rows[1:]] == ["1", "2", "3", "4", "5", "-6"]  # numbers are not formulas
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r if cell != "-6")


def test_excel_export_neutralises_formulas() -> None:
    book = openpyxl.load_workbook(io.BytesIO(exports.to_excel_bytes(formula_frame(), sheet="错误清单")))
    sheet = book["错误清单"]
    values = [c.value for c in sheet["A"][1:5]]
    assert values == ["'=1+1", "'+x", "'-x", "'@x"]
    assert all(c.data_type == "s" for c in sheet["A"][1:5])  # text, not formulas
    assert sheet["C1"].value == "'=header"
    assert sheet["B7"].value == -6


def test_settings_remember_mappings_per_header_signature(tmp_path: Path) -> None:
    with Database(tmp_path / "settings.duckdb") as db:
        assert settings.get(db, "missing", default={}) == {}
        settings.put(db, "x", {"a": [1, "二"]})
        assert settings.get(db, "x") == {"a": [1, "二"]}
        headers = ["活动日期", "形式名目", "时长（小时）"]
        assert settings.header_signature(headers) == settings.header_signature(["活动日期", "形式名目", "时长(小时)"])
        assert settings.header_signature(headers) != settings.header_signature(list(reversed(headers)))
        assert settings.saved_mapping(db, headers) is None
        version = db.data_version()
        assert settings.save_mapping(db, headers, "activities", {"形式名目": "activity_type"})
        assert not settings.save_mapping(db, headers, "activities", {"形式名目": "activity_type"})  # unchanged
        assert db.data_version() == version + 1
        key = settings.mapping_key(headers)
        assert key.startswith("header_mapping:") and len(key) == len("header_mapping:") + 64
        assert settings.saved_mapping(db, headers)["mapping"] == {"形式名目": "activity_type"}


def test_every_import_string_exists_in_both_languages() -> None:
    keys_ = [k for k in STRINGS if k.startswith("import.")]
    assert len(keys_) > 50
    assert all(zh and en for zh, en in (STRINGS[k] for k in keys_))


def test_summary_of_a_database_is_unchanged_by_previews(db_path: Path) -> None:
    """Previewing files never writes: the data version stays where it was."""
    with Database(db_path) as db:
        version = db.data_version()
    upload(open_page("zh"), BAD_ROWS, SAMPLES / ACTIVITIES)
    with Database(db_path) as db:
        assert db.data_version() == version
        assert summary.record_counts(db)["batches"] == 0


# --- Revised files, overlapping exports, undo after an import ---------------------------------------------


def test_a_revised_file_is_resolved_on_the_page_in_the_errors_own_words(db_path: Path) -> None:
    import_directly(db_path, *ORGANISATION)
    with Database(db_path) as db:
        first = importer.import_files(db, [SourceFile("q1.xlsx", aggregates_xlsx([86.0, 88.5, 90.0]))])
    assert first.ok
    at = upload(open_page("zh"), ("q1 revised.xlsx", aggregates_xlsx([86.0, 89.5, 91.0])))
    click_import(at)
    errors = frame_with_column(at, t("import.errors.stored", "zh"))
    shown = errors[[t(f"import.errors.{c}", "zh") for c in ("row", "value", "stored", "stored_in")]]
    assert shown.values.tolist() == [[4, "89.5", "88.5", "批次 3 · q1.xlsx"], [5, "91", "90", "批次 3 · q1.xlsx"]]
    assert at.error[0].value == t("import.result.resolvable", "zh", n=1, total=1, errors=2)
    action = t("resolve.conflict", "zh", n=2)
    assert action == "用新文件中的值替换已存储的 2 行"
    assert any(action in w for w in texts(at.warning))  # the words of the error …
    assert at.button(key="import_resolve_replace").label == action  # … are the button's
    at.button(key="import_resolve_replace").click().run()
    assert any(action in w and "撤销" in w for w in texts(at.warning))  # asks first
    assert table_counts(db_path)["satisfaction_aggregates"] == 3
    at.button(key="import_resolve_confirm").click().run()
    assert not at.exception, at.exception
    with Database(db_path) as db:
        stored = db.reader().execute("SELECT department_code, score FROM satisfaction_aggregates ORDER BY 1").fetchall()
    assert stored == [("D01", 86.0), ("D02", 89.5), ("D03", 91.0)]
    assert at.selectbox(key="import_undo_batch").value == 4  # the batch just stored is the one offered


def test_after_an_import_undo_offers_the_new_batch_not_the_one_chosen_before(db_path: Path) -> None:
    import_directly(db_path, *ORGANISATION)
    at = open_page("zh")
    at.selectbox(key="import_undo_batch").set_value(1).run()
    upload(at, SAMPLES / ACTIVITIES)
    click_import(at)
    assert at.selectbox(key="import_undo_batch").value == 3


def test_an_overlapping_export_offers_to_replace_its_range_or_keep_both(db_path: Path) -> None:
    import_directly(db_path, *ORGANISATION)
    lines = ["提交时间,科室编码,调查对象,总体满意度"] + [
        f"2025-01-0{1 + i % 3} 10:{i % 60:02d},D01,门诊患者,{1 + i % 5}" for i in range(60)
    ]
    with Database(db_path) as db:
        assert importer.import_files(db, [SourceFile("jan.csv", "\n".join(lines).encode())]).ok
    again = "\n".join([*lines, "2025-01-04 09:00,D01,门诊患者,4"]).encode()
    at = upload(open_page("en"), ("jan again.csv", again))
    click_import(at)
    assert at.button(key="import_resolve_keep").label == t("resolve.keep", "en")
    replace = at.button(key="import_resolve_replace")
    assert replace.label.startswith("Replace the 60 answers stored between 2025-01-01 10:00")
    replace.click().run()
    at.button(key="import_resolve_confirm").click().run()
    assert not at.exception, at.exception
    assert table_counts(db_path)["satisfaction_responses"] == 61


def test_the_preview_says_the_rows_are_checked_on_import_and_names_the_scale(db_path: Path) -> None:
    import_directly(db_path, *ORGANISATION)
    at = upload(open_page("zh"), SAMPLES / "satisfaction_responses_gbk.csv")
    assert t("import.preview.ready", "zh") in texts(at.info) and not at.success
    assert "导入时逐行检查" in t("import.preview.ready", "zh") and "可以导入" not in t("import.preview.ready", "zh")
    assert any("总体满意度" in i and "1–5" in i for i in texts(at.info))
    ambiguous = "提交时间,科室编码,调查对象,总体满意度\n" + "\n".join(
        f"2025-01-02 10:{i:02d},D01,门诊患者,{1 + i % 10}" for i in range(40)
    )
    at = upload(open_page("zh"), ("ten.csv", ambiguous.encode()))
    assert any("总体满意度" in w and "满意度分值" in w for w in texts(at.warning))


# --- Registers valid from a day, corrections, workbooks (issue 10) ------------------------------------------


def test_a_register_upload_asks_from_which_day_it_holds(db_path):
    at = upload(open_page(), *(SAMPLES / n for n in ORGANISATION))
    day = at.date_input(key="import_valid_from")
    assert day.label == t("import.valid_from", "zh")
    day.set_value(dt.date(2024, 1, 1)).run()
    click_import(at)
    with Database(db_path) as db:
        days = db.reader().execute(
            "SELECT DISTINCT valid_from FROM departments UNION SELECT DISTINCT valid_from FROM branches"
        )
        assert days.fetchall() == [(dt.date(2024, 1, 1),)]
    # Records ask nothing of the kind.
    at = upload(open_page(), SAMPLES / ACTIVITIES)
    assert not [d for d in at.date_input if d.key == "import_valid_from"]


def test_a_corrected_ledger_names_the_batch_it_corrects(db_path):
    import_directly(db_path, *ORGANISATION, ACTIVITIES)
    with Database(db_path) as db:
        stored = db.reader().execute("SELECT count(*), max(batch_id) FROM activities").fetchone()
    at = open_page()
    choice = at.selectbox(key="import_option_replaces")
    assert choice.value is None
    choice.set_value(stored[1]).run()
    content = (SAMPLES / ACTIVITIES).read_bytes()
    upload(at, ("activities-corrected.csv", content.replace(b"2024-01", b"2024-02", 1)))
    click_import(at)
    assert not at.error, [e.value for e in at.error]
    with Database(db_path) as db:
        after = db.reader().execute("SELECT count(*), count(DISTINCT batch_id) FROM activities").fetchone()
        corrects = db.reader().execute("SELECT replaces FROM import_batches ORDER BY batch_id DESC LIMIT 1").fetchone()
    assert after == (stored[0], 1) and corrects == (stored[1],)


def test_a_workbook_with_two_sheets_previews_both_names(db_path):
    import_directly(db_path, *ORGANISATION)
    book = openpyxl.Workbook()
    for title, period in (("一季度", "2025年第1季度"), ("二季度", "2025年第2季度")):
        sheet = book.active if title == "一季度" else book.create_sheet(title)
        sheet.title = title
        sheet.append(["期间", "科室编码", "调查对象", "满意度得分", "样本量"])
        sheet.append([period, "D01", "门诊患者", 90, 100])
    out = io.BytesIO()
    book.save(out)
    at = upload(open_page(), ("满意度.xlsx", out.getvalue()))
    assert any("一季度、二季度" in c.value for c in at.caption), [c.value for c in at.caption]
    click_import(at)
    with Database(db_path) as db:
        files = db.reader().execute("SELECT file_name FROM import_batches WHERE kind = 'satisfaction_aggregates'")
        assert sorted(f for (f,) in files.fetchall()) == ["满意度.xlsx › 一季度", "满意度.xlsx › 二季度"]


def test_a_ledger_that_looks_corrected_offers_to_replace_its_batch_or_keep_both(db_path: Path) -> None:
    import_directly(db_path, *ORGANISATION, ACTIVITIES)
    with Database(db_path) as db:
        stored, batch = db.reader().execute("SELECT count(*), max(batch_id) FROM activities").fetchone()
    rows = (SAMPLES / ACTIVITIES).read_text(encoding="utf-8-sig").splitlines()
    fixed = [*rows[:2], "2023" + rows[2].removeprefix("2024"), *rows[3:]]  # row 3's year corrected
    at = upload(open_page("zh"), ("activities fixed.csv", ("\n".join(fixed) + "\n").encode("utf-8")))
    click_import(at)
    action = t("resolve.looks-corrected", "zh", n=1, batch=batch)
    assert at.button(key="import_resolve_replace").label == action
    assert at.button(key="import_resolve_keep").label == t("resolve.keep-ledger", "zh")
    at.button(key="import_resolve_replace").click().run()
    at.button(key="import_resolve_confirm").click().run()
    assert not at.exception, at.exception
    with Database(db_path) as db:
        after = db.reader().execute("SELECT count(*), min(activity_date) FROM activities").fetchone()
    assert after[0] == stored and after[1].year == 2023
