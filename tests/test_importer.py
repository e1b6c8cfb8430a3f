"""Importing the party office's real files: every sample in, every bad file out with its rows named,
nothing half-loaded. Expected values are computed from the files with pandas/openpyxl, not product code."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import openpyxl
import pandas as pd
import pytest

from analytics.db import Database
from analytics.imports.importer import history, import_files, undo
from analytics.imports.model import ImportOptions, SourceFile
from analytics.queries import RECORD_TABLES
from analytics.schema import RecordKind
from tests.conftest import SAMPLES

ORGANISATION = ["branches_utf8bom.csv", "departments_gbk.csv"]
RECORDS = [
    "activities_2024_utf8bom.csv",
    "satisfaction_responses_gbk.csv",
    "satisfaction_quarterly_2024.xlsx",
    "discipline_2024.xlsx",
]


def sample(name: str) -> SourceFile:
    return SourceFile.from_path(SAMPLES / name)


def data_rows(name: str) -> int:
    """Non-blank data rows of a sample, counted with pandas/openpyxl (title rows above the header skipped)."""
    path = SAMPLES / name
    if path.suffix == ".xlsx":
        rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
        header = next(i for i, r in enumerate(rows) if sum(v is not None for v in r) > 1)
        return sum(any(v is not None for v in r) for r in rows[header + 1 :])
    encoding = "gbk" if "gbk" in name else "utf-8-sig"
    return len(pd.read_csv(path, encoding=encoding, dtype=str).dropna(how="all"))


def dump(db: Database) -> dict[str, pd.DataFrame]:
    return {t: db.reader().execute(f"SELECT * FROM {t}").df() for t in RECORD_TABLES}


def counts(db: Database) -> dict[str, int]:
    return {t: db.reader().execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in RECORD_TABLES}


@pytest.fixture
def db(tmp_path) -> Database:
    with Database(tmp_path / "import.duckdb") as database:
        yield database


@pytest.fixture
def organised(db) -> Database:
    result = import_files(db, [sample(n) for n in ORGANISATION])
    assert result.ok, result
    return db


# --- The samples ---------------------------------------------------------------------------------------


def test_every_sample_imports_in_one_call_whatever_the_order(db):
    files = [sample(n) for n in reversed(ORGANISATION + RECORDS)]  # records first: the importer reorders
    result = import_files(db, files)
    assert result.ok, [e.message for f in result.files for e in f.errors]
    stored = {f.file: f.rows for f in result.files}
    assert stored == {name: data_rows(name) for name in ORGANISATION + RECORDS}
    assert stored["activities_2024_utf8bom.csv"] == 120  # 123 lines: header and two blank trailing rows
    assert counts(db)["satisfaction_responses"] == 600
    batches = history(db).sort_values("batch_id")
    assert list(batches["kind"])[:2] == ["branches", "departments"]
    encodings = {f.file: f.encoding for f in result.files}
    assert encodings["departments_gbk.csv"] == "gbk" and encodings["branches_utf8bom.csv"] == "utf-8-sig"


def test_activity_dates_in_three_styles_and_branches_by_name(organised):
    import_files(organised, [sample("activities_2024_utf8bom.csv")])
    raw = pd.read_csv(SAMPLES / "activities_2024_utf8bom.csv", encoding="utf-8-sig", dtype=str).dropna(how="all")
    expected = pd.to_datetime(
        raw["活动日期"].str.replace(r"[年月/]", "-", regex=True).str.replace("日", ""), format="%Y-%m-%d"
    ).dt.date
    stored = organised.reader().execute("SELECT activity_date, branch_code FROM activities ORDER BY activity_id").df()
    stored["activity_date"] = stored["activity_date"].dt.date
    assert list(stored["activity_date"]) == list(expected)
    branch_of = dict(
        pd.read_csv(SAMPLES / "branches_utf8bom.csv", encoding="utf-8-sig")[["支部名称", "支部编码"]].values
    )
    assert list(stored["branch_code"]) == [branch_of[name] for name in raw["支部名称"]]


def test_likert_responses_are_mapped_to_0_100(organised):
    result = import_files(organised, [sample("satisfaction_responses_gbk.csv")])
    assert any("(x−1)×25" in line for line in result.files[0].info)
    assert set(result.files[0].scales.values()) == {"likert"}
    raw = pd.read_csv(SAMPLES / "satisfaction_responses_gbk.csv", encoding="gbk")
    stored = organised.reader().execute("SELECT score, item_environment FROM satisfaction_responses").df()
    assert sorted(stored["score"]) == sorted((raw["总体满意度"] - 1) * 25)
    assert sorted(stored["item_environment"]) == sorted((raw["就医环境"] - 1) * 25)


def test_quarterly_aggregates_below_a_title_row(organised):
    import_files(organised, [sample("satisfaction_quarterly_2024.xlsx")])
    stored = (
        organised.reader()
        .execute(
            "SELECT period_grain, period_start, count(*) n, sum(respondents) r "
            "FROM satisfaction_aggregates GROUP BY ALL ORDER BY period_start"
        )
        .fetchall()
    )
    sheet = pd.read_excel(SAMPLES / "satisfaction_quarterly_2024.xlsx", header=1)
    by_quarter = sheet.groupby("期间")["样本量"].agg(["size", "sum"])
    assert [(g, str(s), n, r) for g, s, n, r in stored] == [
        ("quarter", f"2024-{3 * q - 2:02d}-01", *map(int, by_quarter.loc[f"2024年第{q}季度"])) for q in (1, 2, 3, 4)
    ]


def test_discipline_dates_statuses_and_no_names_stored(organised):
    import_files(organised, [sample("discipline_2024.xlsx")])
    sheet = pd.read_excel(SAMPLES / "discipline_2024.xlsx")
    stored = organised.reader().execute("SELECT * FROM discipline_records ORDER BY record_id").df()
    assert list(stored["record_date"].astype(str)) == list(sheet["日期"].dt.date.astype(str))
    statuses = {"整改中": "in_progress", "已整改": "completed"}
    expected = [statuses.get(s, "not_required") if isinstance(s, str) else "not_required" for s in sheet["状态"]]
    assert list(stored["status"]) == expected
    names = set(sheet["涉及人员"].dropna())
    text = stored.to_string() + organised.reader().execute("SELECT * FROM discipline_records_replaced").df().to_string()
    assert names and not any(name in text for name in names)
    with_persons = stored[stored["persons_pseudonymised"].map(len) > 0]
    assert len(with_persons) == sheet["涉及人员"].notna().sum()
    assert all(p.startswith("P-") for ps in with_persons["persons_pseudonymised"] for p in ps)


# --- Bad files -----------------------------------------------------------------------------------------

BAD = {
    "activities_missing_type_column.csv": [(None, "活动类型", "missing-column")],
    "activities_bad_rows.csv": [
        (5, "参加人数", "out-of-range"),
        (9, "活动日期", "type-error"),
        (13, "活动类型", "type-error"),
    ],
    "satisfaction_out_of_range_unknown_dept.csv": [
        (4, "满意度得分", "out-of-range"),
        (7, "科室编码", "unknown-reference"),
    ],
    "empty.csv": [(None, None, "no-data")],
    "header_only.csv": [(None, None, "no-data")],
    "not_a_csv.csv": [(None, None, "not-a-table")],
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_bad_file_is_rejected_naming_its_rows_and_changes_nothing(organised, name):
    before = dump(organised)
    result = import_files(organised, [SourceFile.from_path(SAMPLES / "bad" / name)])
    assert not result.ok
    errors = result.files[0].errors
    assert [(e.row, e.column, e.code) for e in errors] == BAD[name]
    assert all(e.message for e in errors)
    after = dump(organised)
    for table in before:
        pd.testing.assert_frame_equal(before[table], after[table], obj=table)


def test_bad_rows_messages_say_what_was_expected(organised):
    result = import_files(organised, [SourceFile.from_path(SAMPLES / "bad" / "activities_bad_rows.csv")])
    messages = {e.row: e.message for e in result.files[0].errors}
    assert "-5" in messages[5] and "0" in messages[5]
    assert "2024-13-45" in messages[9] and "日期" in messages[9]
    assert "打篮球" in messages[13] and "主题党日" in messages[13]
    english = import_files(
        organised, [SourceFile.from_path(SAMPLES / "bad" / "activities_bad_rows.csv")], ImportOptions(lang="en")
    )
    assert "is not a valid date" in english.files[0].errors[1].message


def test_one_bad_file_stores_nothing_of_the_whole_call(db):
    before = dump(db)
    files = [sample(n) for n in ORGANISATION] + [SourceFile.from_path(SAMPLES / "bad" / "activities_bad_rows.csv")]
    result = import_files(db, files)
    assert not result.ok
    assert [f.rows for f in result.files] == [0, 0, 0] and all(f.batch_id is None for f in result.files)
    # The organisation files were valid: the bad file's errors are its own, not unknown branches.
    assert {e.code for e in result.files[2].errors} == {"out-of-range", "type-error"}
    for table, frame in dump(db).items():
        pd.testing.assert_frame_equal(before[table], frame, obj=table)


def test_missing_departments_are_unknown_references(db):
    result = import_files(db, [sample("satisfaction_quarterly_2024.xlsx")])
    assert not result.ok
    assert {e.code for e in result.files[0].errors} == {"unknown-reference"}
    assert result.files[0].error_count == data_rows("satisfaction_quarterly_2024.xlsx")


# --- Batches: re-import, overlap, replace, undo --------------------------------------------------------


def test_the_same_file_again_is_skipped_and_forced_rows_are_not_double_counted(organised):
    first = import_files(organised, [sample("activities_2024_utf8bom.csv")])
    again = import_files(organised, [sample("activities_2024_utf8bom.csv")])
    assert again.ok and again.files[0].skipped and "批次" in again.files[0].skipped
    forced = import_files(organised, [sample("activities_2024_utf8bom.csv")], ImportOptions(force=True))
    assert forced.ok and forced.files[0].rows == 0
    assert any("120" in w for w in forced.files[0].warnings)
    assert counts(organised)["activities"] == first.files[0].rows == 120


def test_a_changed_aggregate_conflicts_unless_replaced_and_undo_restores_it(organised, tmp_path):
    import_files(organised, [sample("satisfaction_quarterly_2024.xlsx")])
    book = openpyxl.load_workbook(SAMPLES / "satisfaction_quarterly_2024.xlsx")
    book.active["D3"] = 70.5  # D01 outpatients 2024Q1 was 85.7
    changed = io.BytesIO()
    book.save(changed)
    source = SourceFile("satisfaction_quarterly_2024_v2.xlsx", changed.getvalue())

    conflict = import_files(organised, [source])
    assert not conflict.ok
    assert [(e.row, e.code) for e in conflict.files[0].errors] == [(3, "conflict")]
    assert any("47" in w for w in conflict.files[0].warnings)  # the other 47 rows are unchanged

    replaced = import_files(organised, [source], ImportOptions(replace=True))
    assert replaced.ok and replaced.files[0].rows == 1
    score = "SELECT score FROM satisfaction_aggregates WHERE department_code = 'D01' AND population = 'outpatient' "
    score += "AND period_start = DATE '2024-01-01'"
    assert organised.reader().execute(score).fetchall() == [(70.5,)]
    assert counts(organised)["satisfaction_aggregates"] == 48

    result = undo(organised, replaced.files[0].batch_id)
    assert result.ok and (result.removed, result.restored) == (1, 1)
    assert organised.reader().execute(score).fetchall() == [(85.7,)]
    assert counts(organised)["satisfaction_aggregates"] == 48


def test_undo_removes_exactly_one_batch_and_refuses_what_others_need(organised):
    before = counts(organised)
    result = import_files(organised, [sample("activities_2024_utf8bom.csv"), sample("discipline_2024.xlsx")])
    activities_batch = result.files[0].batch_id
    assert undo(organised, activities_batch).ok
    after = counts(organised)
    assert after["activities"] == before["activities"] and after["discipline_records"] == 40
    assert not undo(organised, activities_batch).ok  # already undone
    assert not undo(organised, 999).ok
    departments_batch = int(history(organised).query("kind == 'departments'")["batch_id"].iloc[0])
    refused = undo(organised, departments_batch)
    assert not refused.ok and "40" in refused.message
    # Undone: the same file may be imported again.
    assert import_files(organised, [sample("activities_2024_utf8bom.csv")]).files[0].rows == 120


# --- Messy files of our own ----------------------------------------------------------------------------


def test_english_headers_full_width_digits_tsv_and_a_blank_line_keep_row_numbers(organised):
    text = (
        "Date\tBranch\tType\tTopic\tAttended\tExpected\tHours\n"
        "２０２４－０３－０５\tDZB01\tTheme party day\t学习\t２１\t23\t1.5\n"
        "\n"
        "2024.3.6\t内科第一党支部\t支委会\t学习\t9\t9\t1\n"
        "2024/3/7\tDZB99\t党课\t学习\t9\t9\t1\n"
    )
    result = import_files(organised, [SourceFile("activities.tsv", text.encode("utf-8"))])
    assert [(e.row, e.code, e.value) for e in result.files[0].errors] == [(5, "unknown-reference", "DZB99")]
    fixed = import_files(organised, [SourceFile("activities.tsv", text.replace("DZB99", "DZB02").encode("utf-8"))])
    assert fixed.ok and fixed.files[0].rows == 3
    stored = (
        organised.reader()
        .execute(
            "SELECT activity_date::VARCHAR, branch_code, activity_type, attended FROM activities ORDER BY activity_date"
        )
        .fetchall()
    )
    assert stored == [
        ("2024-03-05", "DZB01", "theme_party_day", 21),
        ("2024-03-06", "DZB01", "branch_committee_meeting", 9),
        ("2024-03-07", "DZB02", "party_lecture", 9),
    ]


def test_gb18030_with_a_title_row_excel_serial_dates_and_percent_scores(organised):
    text = (
        "2024年度满意度调查（𠮷祥院区）\n"
        "填写时间,部门,对象类型,得分\n"
        "45292,心血管内科,住院,92\n"
        "45292.75,检验科,门诊,88.5\n"
    )
    result = import_files(organised, [SourceFile("调查.csv", text.encode("gb18030"))])
    assert result.ok, result.files[0].errors
    assert result.files[0].encoding == "gb18030"
    stored = (
        organised.reader()
        .execute(
            "SELECT submitted_at::VARCHAR, department_code, population, score FROM satisfaction_responses ORDER BY 1"
        )
        .fetchall()
    )
    assert stored == [
        ("2024-01-01 00:00:00", "D01", "inpatient", 92.0),
        ("2024-01-01 18:00:00", "D04", "outpatient", 88.5),
    ]


def test_a_likert_override_and_an_out_of_range_likert_answer(organised):
    text = "提交时间,科室编码,调查对象,总体满意度\n2024/1/2 10:00,D01,门诊患者,4\n2024/1/2 11:00,D01,门诊患者,5\n"
    as_percent = import_files(organised, [SourceFile("a.csv", text.encode())], ImportOptions(scale="percent"))
    assert as_percent.ok
    assert organised.reader().execute("SELECT sum(score) FROM satisfaction_responses").fetchone() == (9.0,)
    bad = text.replace(",5\n", ",6\n").replace("2024/1/2", "2024/2/3")  # a later export: no overlap
    rejected = import_files(organised, [SourceFile("b.csv", bad.encode())], ImportOptions(scale="likert"))
    assert [(e.row, e.code) for e in rejected.files[0].errors] == [(3, "out-of-range")]
    assert "1–5" in rejected.files[0].errors[0].message


def test_an_xlsx_with_a_merged_title_a_named_sheet_and_excel_dates(organised):
    book = openpyxl.Workbook()
    book.active.title = "说明"
    sheet = book.create_sheet("台账")
    sheet["A1"] = "2024年纪检台账"
    sheet.merge_cells("A1:D1")
    sheet.append(["日期", "科室名称", "形态", "涉及人员"])
    sheet.append([pd.Timestamp("2024-05-06").to_pydatetime(), "普通外科", "第一种形态", "王五、赵六"])
    out = io.BytesIO()
    book.save(out)
    result = import_files(organised, [SourceFile("台账.xlsx", out.getvalue())], ImportOptions(sheet="台账"))
    assert result.ok, result.files[0].errors
    row = (
        organised.reader()
        .execute(
            "SELECT record_date::VARCHAR, department_code, category, len(persons_pseudonymised) FROM discipline_records"
        )
        .fetchall()
    )
    assert row == [("2024-05-06", "D03", "form_1", 2)]
    missing = import_files(organised, [SourceFile("台账.xlsx", out.getvalue())], ImportOptions(sheet="无此表"))
    assert missing.files[0].errors[0].code == "not-a-table"


def test_a_quoted_cell_may_hold_commas_and_line_breaks_and_a_ragged_row_is_reported(db):
    text = '支部编码,支部名称,党员人数\r\nDZB01,"内科,第一党支部",23\r\nDZB02,"外科\r\n党支部",31\r\n'
    result = import_files(db, [SourceFile("quoted.csv", text.encode())])
    assert result.ok and result.files[0].rows == 2
    names = db.reader().execute("SELECT name FROM branches ORDER BY branch_code").fetchall()
    assert names == [("内科,第一党支部",), ("外科\r\n党支部",)]
    ragged = import_files(db, [SourceFile("ragged.csv", "支部编码,支部名称,党员人数\nDZB09,x,3,4\n".encode())])
    assert [(e.row, e.value, e.code) for e in ragged.files[0].errors] == [(2, "4", "extra-cells")]
    assert counts(db)["branches"] == 2


def test_cells_of_only_spaces_are_empty_not_unreadable(db):
    text = "支部编码,支部名称,党员人数,书记是否双带头人\nDZB01,  ,23, \n   ,x,  ,是\nDZB03,三支部,5,\u3000\n"
    result = import_files(db, [SourceFile("spaces.csv", text.encode())])
    assert [(e.row, e.column, e.code) for e in result.files[0].errors] == [
        (2, "支部名称", "missing-value"),
        (3, "支部编码", "missing-value"),
        (3, "党员人数", "missing-value"),
    ]


def test_duplicate_codes_within_a_file_are_errors(db):
    text = "支部编码,支部名称,党员人数\nDZB01,一支部,10\nDZB02,二支部,12\nDZB01,三支部,8\n"
    result = import_files(db, [SourceFile("b.csv", text.encode())])
    assert [(e.row, e.code) for e in result.files[0].errors] == [(4, "duplicate-row")]
    assert "2" in result.files[0].errors[0].message


def test_headers_that_fit_no_kind_are_reported(db):
    result = import_files(db, [SourceFile("x.csv", "甲,乙,丙\n1,2,3\n".encode())])
    assert result.files[0].errors[0].code == "unknown-kind"


# --- CLI -----------------------------------------------------------------------------------------------


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analytics", *args], capture_output=True, text=True, check=False)


def test_cli_import_json_history_and_undo(tmp_path):
    db_path = str(tmp_path / "cli.duckdb")
    ok = run_cli("import", "--db", db_path, "--json", *(str(SAMPLES / n) for n in RECORDS + ORGANISATION))
    assert ok.returncode == 0, ok.stderr
    report = json.loads(ok.stdout)
    assert report["ok"] is True
    assert set(report["files"][0]) == {
        *("file", "sheet", "kind", "encoding", "rows", "batch_id", "skipped", "scales", "info", "warnings"),
        *("row_warnings", "errors", "resolution"),
    }
    assert {f["file"]: f["rows"] for f in report["files"]} == {n: data_rows(n) for n in RECORDS + ORGANISATION}

    bad = run_cli("import", "--db", db_path, "--json", str(SAMPLES / "bad" / "activities_bad_rows.csv"))
    assert bad.returncode == 1
    errors = json.loads(bad.stdout)["files"][0]["errors"]
    assert [(e["row"], e["column"], e["value"], e["code"]) for e in errors] == [
        (5, "参加人数", "-5", "out-of-range"),
        (9, "活动日期", "2024-13-45", "type-error"),
        (13, "活动类型", "打篮球", "type-error"),
    ]

    batches = json.loads(run_cli("history", "--db", db_path, "--json").stdout)
    assert len(batches) == 6
    activities = next(b["batch_id"] for b in batches if b["kind"] == "activities")
    assert run_cli("undo", "--db", db_path, str(activities)).returncode == 0
    status = json.loads(run_cli("status", "--db", db_path, "--json").stdout)
    assert status["counts"]["activities"] == 0 and status["counts"]["branches"] == 4
    assert run_cli("import", "--db", db_path, "--kind", "nonsense", "x.csv").returncode == 2
    assert run_cli("import", "--db", db_path, str(tmp_path / "missing.csv")).returncode == 2


def test_cli_template_round_trips(tmp_path):
    out = tmp_path / "activities.xlsx"
    assert run_cli("template", "activities", str(out)).returncode == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[1] == "填写说明"
    assert [c.value for c in book.worksheets[0][1]][:3] == ["活动日期", "支部名称", "活动类型"]


def test_the_sample_registers_are_unchanged_in_the_demo_and_its_aggregates_conflict(demo_db_copy):
    with Database(demo_db_copy) as demo_db:
        before = counts(demo_db)
        registers = import_files(demo_db, [sample(n) for n in ORGANISATION])
        assert registers.ok and [f.rows for f in registers.files] == [0, 0]
        assert [w for f in registers.files for w in f.warnings] == [
            "4 行与已存储的记录完全相同，未重复存储",
            "6 行与已存储的记录完全相同，未重复存储",
        ]
        # The sample's 2024 quarters: Q1–Q2 (24 rows) hold other values than the demo's platform aggregates;
        # from Q3 the demo has the hospital's own survey and no aggregates, so those 24 rows are new.
        aggregates = import_files(demo_db, [sample("satisfaction_quarterly_2024.xlsx")])
        assert {e.code for e in aggregates.files[0].errors} == {"conflict"}
        assert len({e.row for e in aggregates.files[0].errors}) == 24
        assert aggregates.files[0].resolution.rows == 24
        replaced = import_files(demo_db, [sample("satisfaction_quarterly_2024.xlsx")], ImportOptions(replace=True))
        assert replaced.ok and replaced.files[0].rows == 48
        after = counts(demo_db)
        assert after["satisfaction_aggregates"] == before["satisfaction_aggregates"] + 24
        kept_aside = demo_db.reader().execute("SELECT count(*) FROM satisfaction_aggregates_replaced").fetchone()
        assert kept_aside == (24,)


# --- Found in review: what hospital files really contain ----------------------------------------------


def test_monthly_yearly_and_dashed_quarter_periods(organised):
    text = (
        "调查期间,科室编码,调查对象,满意度得分,样本量\n"
        "2024-03,D01,门诊,88,100\n2024年4月,D01,门诊,87,90\n2024-Q2,D02,住院,91,50\n"
        "2024年一季度,D02,住院,90,40\n2024,D03,医务人员,80,30\n2024-13,D03,医务人员,80,30\n"
    )
    result = import_files(organised, [SourceFile("periods.csv", text.encode())])
    assert [(e.row, e.code) for e in result.files[0].errors] == [(7, "type-error")]
    fixed = import_files(organised, [SourceFile("periods.csv", text.rsplit("2024-13", 1)[0].encode())])
    assert fixed.ok
    stored = (
        organised.reader()
        .execute("SELECT period_grain, period_start::VARCHAR FROM satisfaction_aggregates ORDER BY respondents DESC")
        .fetchall()
    )
    assert stored == [
        ("month", "2024-03-01"),
        ("month", "2024-04-01"),
        ("quarter", "2024-04-01"),
        ("quarter", "2024-01-01"),
        ("year", "2024-01-01"),
    ]


def test_undo_in_the_middle_of_a_replace_chain_is_refused_until_the_later_batch_is_undone(organised):
    def version(attended: int) -> SourceFile:
        text = f"活动日期,支部编码,活动类型,活动主题,参加人数\n2024-03-05,DZB01,党课,学习,{attended}\n"
        return SourceFile(f"v{attended}.csv", text.encode())

    first = import_files(organised, [version(20)]).files[0].batch_id
    second = import_files(organised, [version(21)], ImportOptions(replace=True)).files[0].batch_id
    third = import_files(organised, [version(22)], ImportOptions(replace=True)).files[0].batch_id
    attended = "SELECT activity_id, attended FROM activities"
    assert organised.reader().execute(attended).fetchall() == [(3, 22)]  # ids are never reused
    refused = undo(organised, second)
    assert not refused.ok and str(third) in refused.message
    assert undo(organised, third).ok and undo(organised, second).ok
    assert organised.reader().execute(attended).fetchall() == [(1, 20)]
    assert undo(organised, first).ok and counts(organised)["activities"] == 0


def test_excel_percent_cells_two_digit_years_and_thousands_separators(organised):
    book = openpyxl.Workbook()
    book.active.append(["期间", "科室编码", "调查对象", "满意度得分", "样本量"])
    book.active.append(["2024Q1", "D01", "门诊患者", 0.952, "1,234"])
    book.active["D2"].number_format = "0.0%"
    out = io.BytesIO()
    book.save(out)
    assert import_files(organised, [SourceFile("pct.xlsx", out.getvalue())]).ok
    row = organised.reader().execute("SELECT score, respondents FROM satisfaction_aggregates").fetchall()
    assert row == [(95.2, 1234)]
    years = import_files(
        organised, [SourceFile("y.csv", "活动日期,支部编码,活动类型,参加人数\n24/3/5,DZB01,党课,3\n".encode())]
    )
    assert [(e.row, e.code, e.value) for e in years.files[0].errors] == [(2, "out-of-range", "24/3/5")]


def test_padded_names_are_one_person_and_several_persons_split_on_commas(organised):
    text = "日期,科室编码,类别,涉及人员\n2024-05-06,D01,第一种形态,王　伟\n2024-05-07,D01,第一种形态,王伟、李四，张三\n"
    assert import_files(organised, [SourceFile("d.csv", text.encode())]).ok
    persons = organised.reader().execute("SELECT persons_pseudonymised FROM discipline_records ORDER BY record_date")
    padded, three = (p for (p,) in persons.fetchall())
    assert len(padded) == 1 and len(three) == 3 and padded[0] in three


def test_a_second_column_for_one_field_is_reported_not_used(organised):
    text = "活动时间,活动日期,支部编码,活动类型,参加人数,参加人数\n14:30-16:00,2024-03-05,DZB01,党课,3,4\n"
    result = import_files(organised, [SourceFile("two.csv", text.encode())])
    assert result.ok
    assert any("活动时间" in w and "参加人数" in w for w in result.files[0].warnings)
    assert organised.reader().execute("SELECT activity_date::VARCHAR, attended FROM activities").fetchall() == [
        ("2024-03-05", 3)
    ]


def test_excels_unicode_text_export_imports_and_an_old_xls_is_told_to_save_as_xlsx(organised):
    text = "活动日期\t支部编码\t活动类型\t参加人数\r\n2024-03-05\tDZB01\t党课\t3\r\n"
    assert import_files(organised, [SourceFile("unicode.txt", text.encode("utf-16"))]).files[0].encoding == "utf-16"
    old = import_files(organised, [SourceFile("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)])
    assert old.files[0].errors[0].code == "not-a-table" and ".xlsx" in old.files[0].errors[0].message


def test_each_file_keeps_its_own_column_mapping_and_kind(db):
    registers = [sample(n) for n in ORGANISATION]
    activities = SourceFile(
        "act.csv",
        "日子,支部编码,活动类型,参加人数,人数\n2024-03-05,DZB01,党课,3,99\n".encode(),
        kind=RecordKind.ACTIVITIES,
        mapping={"日子": "activity_date", "人数": ""},
    )
    departments = SourceFile(
        "dept.csv", "科室编码,科室名称,科室类别,人数,支部编码\nD09,新科室,临床,12,DZB01\n".encode()
    )
    result = import_files(db, [*registers, activities, departments])
    assert result.ok, [e.message for f in result.files for e in f.errors]
    assert db.reader().execute("SELECT staff_count FROM departments WHERE department_code = 'D09'").fetchall() == [
        (12,)
    ]
    assert db.reader().execute("SELECT attended FROM activities").fetchall() == [(3,)]
