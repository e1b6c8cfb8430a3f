"""Every record counted once, history kept (issue 10): corrected ledgers (`replaces`, source ids), the
organisation's history (registers valid from a day) and meetings that did not take place. Each test plants
files whose right figures are worked out by hand in the test, and checks what is stored and what `metrics`
shows."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys

import openpyxl
import pytest

from analytics import metrics, risk
from analytics.db import Database
from analytics.imports.importer import history, import_files, undo
from analytics.imports.model import ImportOptions, SourceFile

TODAY = dt.date(2025, 12, 31)
BRANCHES = "支部编码,支部名称,党员人数\nB1,内科党支部,10\nB2,外科党支部,20\n"
DEPARTMENTS = "科室编码,科室名称,科室类别,职工人数,支部编码\nD1,心内科,临床,40,B1\nD2,普外科,临床,50,B2\n"


def csv(name: str, text: str) -> SourceFile:
    return SourceFile(name, text.encode("utf-8"))


def load(db: Database, *files: SourceFile, **options) -> list:
    result = import_files(db, list(files), ImportOptions(today=TODAY, **options))
    assert result.ok, [e.message for f in result.files for e in f.errors]
    return result.files


def cell(frame, column: str, **where) -> float:
    rows = frame
    for key, value in where.items():
        rows = rows[rows[key] == value]
    assert len(rows) == 1, rows
    return rows.iloc[0][column]


@pytest.fixture
def db(tmp_path) -> Database:
    with Database(tmp_path / "history.duckdb") as database:
        load(
            database, csv("branches.csv", BRANCHES), csv("departments.csv", DEPARTMENTS), valid_from=dt.date(2024, 1, 1)
        )
        yield database


# --- Corrected ledgers ------------------------------------------------------------------------------------

LEDGER = (
    "日期,科室,类别,摘要,状态,整改期限,完成日期\n"
    "2025-01-10,D1,第一种形态,收受患者礼品,整改中,2025-04-05,\n"
    "2025-02-11,D2,第二种形态,违规收费,无需整改,,\n"
)
# The clerk's corrected ledger: one summary edited, its rectification now completed.
CORRECTED = (
    "日期,科室,类别,摘要,状态,整改期限,完成日期\n"
    "2025-01-10,D1,第一种形态,收受患者礼品（已退还）,已整改,2025-04-05,2025-03-20\n"
    "2025-02-11,D2,第二种形态,违规收费,无需整改,,\n"
)


def test_corrected_discipline_ledger_replaces_its_batch(db):
    first = load(db, csv("ledger.csv", LEDGER))[0].batch_id
    report = load(db, csv("ledger-corrected.csv", CORRECTED), replaces=first)[0]
    assert report.rows == 2
    panel = metrics.build_panel(db, "year", as_of=TODAY)
    year = metrics.rollup(panel, "hospital")
    # Two cases (the first and second forms), not three; nothing overdue (hand count of the corrected file).
    assert cell(year, "discipline_cases", period="2025") == 2
    assert cell(year, "rectification_overdue", period="2025") == 0
    assert cell(year, "rectification_on_time", period="2025") == 1
    assert risk.overdue_ledger(db, TODAY).empty
    stored = db.reader().execute("SELECT summary, status FROM discipline_records ORDER BY record_date").fetchall()
    assert stored == [("收受患者礼品（已退还）", "completed"), ("违规收费", "not_required")]
    # Undoing the correction puts the first ledger back, with its overdue case.
    assert undo(db, report.batch_id).ok
    assert db.reader().execute("SELECT count(*), max(summary) FROM discipline_records").fetchone() == (2, "违规收费")
    assert len(risk.overdue_ledger(db, TODAY)) == 1
    batches = history(db).set_index("batch_id")
    assert batches.loc[report.batch_id, "replaces"] == first


def test_corrected_ledger_with_case_ids_is_matched_by_id(db):
    with_ids = "案件编号," + LEDGER.replace("\n2025", "\nJ-001,2025", 1).replace("\n2025-02", "\nJ-002,2025-02")
    corrected = "案件编号," + CORRECTED.replace("\n2025", "\nJ-001,2025", 1).replace("\n2025-02", "\nJ-002,2025-02")
    load(db, csv("ledger.csv", with_ids))
    refused = import_files(db, [csv("ledger-corrected.csv", corrected)], ImportOptions(today=TODAY))
    assert not refused.ok
    conflicts = {(e.row, e.column, e.stored, e.value) for e in refused.files[0].errors}
    assert (2, "摘要", "收受患者礼品", "收受患者礼品（已退还）") in conflicts
    assert (2, "状态", "整改中", "已整改") in conflicts
    load(db, csv("ledger-corrected.csv", corrected), replace=True)
    assert db.reader().execute("SELECT count(*) FROM discipline_records").fetchone()[0] == 2
    panel = metrics.build_panel(db, "year", as_of=TODAY)
    assert cell(metrics.rollup(panel, "hospital"), "discipline_cases", period="2025") == 2
    # The same id twice in one file with other values is an error naming both rows.
    twice = with_ids + "J-001,2025-03-01,D1,第一种形态,另一件事,无需整改,,\n"
    result = import_files(db, [csv("twice.csv", twice)], ImportOptions(today=TODAY))
    assert not result.ok
    duplicates = [(e.row, e.other_row) for e in result.files[0].errors if e.code == "duplicate-row"]
    assert duplicates == [(4, 2)]


ACTIVITIES = (
    "活动日期,支部编码,活动类型,活动主题,参加人数,应到人数,时长\n"
    "2025-03-02,B1,志愿服务,社区义诊,8,10,3\n"
    "2025-03-15,B1,志愿服务,健康讲座,6,10,2\n"
)
# The date and topic of the second activity fixed.
ACTIVITIES_FIXED = ACTIVITIES.replace("2025-03-15,B1,志愿服务,健康讲座", "2025-03-16,B1,志愿服务,健康科普讲座")


def test_corrected_activity_ledger_counts_once(db):
    first = load(db, csv("activities.csv", ACTIVITIES))[0].batch_id
    load(db, csv("activities-fixed.csv", ACTIVITIES_FIXED), replaces=first)
    panel = metrics.build_panel(db, "quarter", as_of=TODAY)
    # (8 × 3 + 6 × 2) person-hours ÷ 10 members of B1.
    assert cell(panel.frame, "service_hours_per_member", period="2025Q1", department_code="D1") == pytest.approx(3.6)
    topics = db.reader().execute("SELECT topic FROM activities ORDER BY activity_date").fetchall()
    assert topics == [("社区义诊",), ("健康科普讲座",)]


def test_a_correction_must_be_of_the_same_kind_and_standing(db):
    batch = load(db, csv("activities.csv", ACTIVITIES))[0].batch_id
    wrong_kind = import_files(db, [csv("ledger.csv", LEDGER)], ImportOptions(today=TODAY, replaces=batch))
    assert [e.code for e in wrong_kind.files[0].errors] == ["replaces-kind"]
    unknown = import_files(db, [csv("ledger.csv", LEDGER)], ImportOptions(today=TODAY, replaces=99))
    assert [e.code for e in unknown.files[0].errors] == ["replaces-unknown"]
    assert undo(db, batch).ok
    undone = import_files(db, [csv("a.csv", ACTIVITIES_FIXED)], ImportOptions(today=TODAY, replaces=batch))
    assert [e.code for e in undone.files[0].errors] == ["replaces-undone"]
    assert db.reader().execute("SELECT count(*) FROM activities").fetchone()[0] == 0


# --- The organisation's history ---------------------------------------------------------------------------

AGGREGATES = (
    "期间,科室编码,调查对象,满意度得分,样本量\n"
    "2024年第1季度,D1,门诊患者,90,40\n"
    "2024年第1季度,D2,门诊患者,75,60\n"
    "2025年第1季度,D1,门诊患者,80,40\n"
    "2025年第1季度,D2,门诊患者,70,60\n"
)


def test_moving_a_department_keeps_past_periods_with_the_old_branch(db):
    load(db, csv("aggregates.csv", AGGREGATES))
    moved = DEPARTMENTS.replace("D1,心内科,临床,40,B1", "D1,心内科,临床,40,B2")
    report = load(db, csv("departments-2025.csv", moved), valid_from=dt.date(2025, 1, 1))[0]
    assert report.rows == 1 and "2025-01-01" in " ".join(report.warnings)
    branches = metrics.rollup(metrics.build_panel(db, "quarter", as_of=TODAY), "branch")
    # 2024Q1: B2 is D2 alone (75.0), as it was then; 2025Q1: B2 is D1 + D2, (80×40 + 70×60) ÷ 100 = 74.0.
    assert cell(branches, "satisfaction_outpatient", unit="B2", period="2024Q1") == pytest.approx(75.0)
    assert cell(branches, "satisfaction_outpatient", unit="B1", period="2024Q1") == pytest.approx(90.0)
    assert cell(branches, "satisfaction_outpatient", unit="B2", period="2025Q1") == pytest.approx(74.0)
    # B1 has no department left in 2025: it has no satisfaction figure then.
    assert branches.query("unit == 'B1' and period == '2025Q1'").empty
    # Today's register shows the department where it is now.
    assert db.reader().execute("SELECT branch_code FROM departments_now WHERE department_code = 'D1'").fetchone() == (
        "B2",
    )


def test_more_party_members_do_not_rewrite_past_per_member_hours(db):
    load(db, csv("activities.csv", ACTIVITIES.replace("2025-03", "2024-03")))
    load(db, csv("activities-2025.csv", ACTIVITIES))
    load(
        db,
        csv("branches-2025.csv", BRANCHES.replace("B1,内科党支部,10", "B1,内科党支部,20")),
        valid_from=dt.date(2025, 1, 1),
    )
    panel = metrics.build_panel(db, "quarter", as_of=TODAY)
    frame = panel.frame
    # 36 person-hours: ÷ 10 members in 2024, ÷ 20 from 2025.
    assert cell(frame, "service_hours_per_member", period="2024Q1", department_code="D1") == pytest.approx(3.6)
    assert cell(frame, "service_hours_per_member", period="2025Q1", department_code="D1") == pytest.approx(1.8)
    assert cell(frame, "member_count", period="2024Q1", department_code="D1") == 10


def test_a_register_for_the_same_day_with_other_values_conflicts_and_a_correction_keeps_the_day(db):
    changed = BRANCHES.replace("B1,内科党支部,10", "B1,内科党支部,12")
    result = import_files(db, [csv("b.csv", changed)], ImportOptions(today=TODAY, valid_from=dt.date(2024, 1, 1)))
    assert [(e.code, e.stored, e.value) for e in result.files[0].errors] == [("conflict", "10", "12")]
    first = int(history(db).query("kind == 'branches'")["batch_id"].min())
    load(db, csv("b.csv", changed), replaces=first)
    versions = db.reader().execute("SELECT branch_code, valid_from, member_count FROM branches ORDER BY 1").fetchall()
    assert versions == [("B1", dt.date(2024, 1, 1), 12), ("B2", dt.date(2024, 1, 1), 20)]


def test_a_register_without_a_day_holds_from_the_import_day(db):
    load(db, csv("b.csv", BRANCHES.replace("B2,外科党支部,20", "B2,外科党支部,25")))
    versions = db.reader().execute("SELECT valid_from, member_count FROM branches WHERE branch_code = 'B2'").fetchall()
    assert sorted(versions) == [(dt.date(2024, 1, 1), 20), (TODAY, 25)]  # TODAY: the import day


# --- Meetings that did not take place ---------------------------------------------------------------------

COMMITTEE = (
    "活动日期,支部编码,活动类型,活动主题,参加人数,应到人数,召开情况\n"
    "2025-01-08,B1,支部委员会会议,一月支委会,0,5,未召开\n"
    "2025-02-08,B1,支部委员会会议,二月支委会,0,5,\n"
    "2025-03-08,B1,支部委员会会议,三月支委会,5,5,取消\n"
    "2025-01-09,B2,支部委员会会议,一月支委会,5,5,已召开\n"
)


def test_meetings_not_held_count_for_nothing(db):
    report = load(db, csv("committee.csv", COMMITTEE))[0]
    assert report.rows == 4
    # Rows 2 and 3 have 0 attendees of 5 (row 3 without a status): taken as not held; row 4 is cancelled.
    assert any("0 而应到人数大于 0（第 2, 3 行）" in w for w in report.warnings), report.warnings
    assert any("未召开或取消（第 4 行）" in w for w in report.warnings), report.warnings
    panel = metrics.build_panel(db, "quarter", as_of=TODAY)
    frame = panel.frame
    kind = "branch_committee_meeting"
    # B1 held none of the three monthly meetings; B2 held one of three.
    assert cell(frame, f"compliance_{kind}", period="2025Q1", department_code="D1") == 0
    assert cell(frame, f"compliance_{kind}", period="2025Q1", department_code="D2") == pytest.approx(100 / 3)
    assert cell(frame, "attendance_rate", period="2025Q1", department_code="D2") == pytest.approx(100.0)
    statuses = db.reader().execute("SELECT status FROM activities ORDER BY activity_date, branch_code").fetchall()
    assert [s for (s,) in statuses] == ["not_held", "held", "not_held", "cancelled"]


# --- The command line -------------------------------------------------------------------------------------


def test_cli_replaces_and_valid_from(tmp_path):
    path = tmp_path / "cli.duckdb"
    files = {}
    for name, text in (("b.csv", BRANCHES), ("d.csv", DEPARTMENTS), ("d2.csv", DEPARTMENTS.replace(",40,", ",45,"))):
        files[name] = tmp_path / name
        files[name].write_text(text, encoding="utf-8")

    def run(*args: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "analytics", "import", "--db", str(path), "--lang", "en", *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=120)

    assert run(str(files["b.csv"]), str(files["d.csv"]), "--valid-from", "2024-01-01").returncode == 0
    done = run(str(files["d2.csv"]), "--valid-from", "2025-07-01", "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2025-07-01" in " ".join(json.loads(done.stdout)["files"][0]["warnings"])
    bad = run(str(files["d2.csv"]), "--valid-from", "1.7.2025")
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr and "Traceback" not in bad.stderr
    fix = run(str(files["d.csv"]), "--replaces", "3", "--force")
    assert fix.returncode == 0, fix.stdout + fix.stderr
    with Database(path) as db:
        staff = db.reader().execute("SELECT valid_from, staff_count FROM departments WHERE department_code = 'D1'")
        # The correction of batch 3 says nothing changed in July 2025: only the 2024 version is left.
        assert staff.fetchall() == [(dt.date(2024, 1, 1), 40)]


# --- Workbooks: every sheet, hidden rows ------------------------------------------------------------------


def two_quarters_workbook() -> bytes:
    """Outpatient aggregates of D1 for 2025 Q1 and Q2 on two sheets, a notes sheet, and on Q2's sheet a row
    hidden by an AutoFilter."""
    book = openpyxl.Workbook()
    header = ["期间", "科室编码", "调查对象", "满意度得分", "样本量"]
    first = book.active
    first.title = "2025Q1"
    first.append(header)
    first.append(["2025年第1季度", "D1", "门诊患者", 90, 40])
    second = book.create_sheet("2025Q2")
    second.append(header)
    second.append(["2025年第2季度", "D1", "门诊患者", 80, 40])
    second.append(["2025年第2季度", "D2", "门诊患者", 60, 40])
    second.auto_filter.ref = "A1:E3"
    second.row_dimensions[3].hidden = True
    book.create_sheet("说明").append(["由满意度平台导出"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_every_sheet_with_a_table_is_imported_and_hidden_rows_are_said(db):
    reports = load(db, SourceFile("满意度.xlsx", two_quarters_workbook()))
    assert [(r.file, r.sheet, r.rows) for r in reports] == [
        ("满意度.xlsx › 2025Q1", "2025Q1", 1),
        ("满意度.xlsx › 2025Q2", "2025Q2", 1),
    ]
    assert "说明" in reports[0].warnings[0]
    assert any("第 3 行" in w for w in reports[1].warnings)
    panel = metrics.build_panel(db, "quarter", as_of=TODAY)
    latest = panel.frame.query("period == '2025Q2'").set_index("department_code")
    assert latest.loc["D1", "satisfaction_outpatient"] == 80 and latest.loc["D2", "n_outpatient"] == 0
    # Imported again with the hidden rows included: only the hidden row is new.
    again = load(db, SourceFile("满意度.xlsx", two_quarters_workbook()), include_hidden=True, force=True)
    assert [r.rows for r in again] == [0, 1]
    assert db.reader().execute("SELECT count(*) FROM satisfaction_aggregates").fetchone()[0] == 3


def test_a_hidden_cancelled_lecture_does_not_count(db):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["活动日期", "支部编码", "活动类型", "活动主题", "参加人数", "应到人数"])
    sheet.append(["2025-01-20", "B1", "党课", "书记讲党课", 9, 10])
    sheet.append(["2025-02-20", "B1", "党课", "专题党课（取消）", 9, 10])
    sheet.row_dimensions[3].hidden = True
    out = io.BytesIO()
    book.save(out)
    report = load(db, SourceFile("党课.xlsx", out.getvalue()))[0]
    assert report.rows == 1 and any("第 3 行" in w for w in report.warnings)
    frame = metrics.build_panel(db, "quarter", as_of=TODAY).frame
    assert cell(frame, "held_party_lecture", period="2025Q1", department_code="D1") == 1


def test_cli_names_the_sheets_it_read(tmp_path):
    path = tmp_path / "cli.duckdb"
    for name, text in (("b.csv", BRANCHES), ("d.csv", DEPARTMENTS)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "agg.xlsx").write_bytes(two_quarters_workbook())
    files = [str(tmp_path / n) for n in ("b.csv", "d.csv", "agg.xlsx")]
    command = [sys.executable, "-m", "analytics", "import", "--db", str(path), "--lang", "en", *files]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "agg.xlsx › 2025Q1 [Satisfaction (aggregates), sheet “2025Q1”]: 1 rows stored" in done.stdout
    assert "agg.xlsx › 2025Q2 [Satisfaction (aggregates), sheet “2025Q2”]" in done.stdout
    assert "--include-hidden" in done.stdout


# --- A survey export re-saved by Excel, then the raw export ------------------------------------------------


def answers(seconds: bool, months: tuple[int, ...], ids: bool = False) -> str:
    """Outpatient answers of D1, three a month (scores 60, 80, 100), as the platform exports them (with
    seconds) or as Excel re-saves them (seconds dropped)."""
    lines = [("答卷编号," if ids else "") + "提交时间,科室编码,调查对象,满意度得分"]
    for month in months:
        for day, score in ((3, 60), (12, 80), (21, 100)):
            when = f"2025-{month:02d}-{day:02d} 09:15" + (":37" if seconds else "")
            lines.append((f"R{month}{day}," if ids else "") + f"{when},D1,门诊患者,{score}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("ids", [False, True])
def test_a_resaved_january_export_and_the_raw_export_count_january_once(db, ids):
    load(db, csv("一月（另存）.csv", answers(seconds=False, months=(1,), ids=ids)))
    raw = csv("一至二月.csv", answers(seconds=True, months=(1, 2), ids=ids))
    if ids:  # the same ids, populations and minutes: January's answers are unchanged
        report = load(db, raw)[0]
        assert report.rows == 3 and any("3 行与已存储的记录完全相同" in w for w in report.warnings)
    else:  # no ids: an overlapping export is refused until the clerk says which holds
        refused = import_files(db, [raw], ImportOptions(today=TODAY))
        assert [e.code for e in refused.files[0].errors] == ["overlapping-responses"]
        load(db, raw, replace=True)
    frame = metrics.build_panel(db, "month", as_of=TODAY).frame.set_index(["department_code", "period"])
    assert frame.loc[("D1", "2025-01"), "n_outpatient"] == 3
    assert frame.loc[("D1", "2025-02"), "n_outpatient"] == 3
    assert frame.loc[("D1", "2025-01"), "sum_outpatient"] == pytest.approx(60 + 80 + 100)


# --- A corrected ledger re-imported without saying so ------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "corrected", "kind", "edited"),
    [(LEDGER, CORRECTED, "discipline", 2), (ACTIVITIES, ACTIVITIES_FIXED, "activities", 3)],
    ids=["discipline", "activities"],
)
def test_a_corrected_ledger_without_replaces_is_refused_and_replace_counts_it_once(db, first, corrected, kind, edited):
    batch = load(db, csv("ledger.csv", first))[0].batch_id
    refused = import_files(db, [csv("ledger-corrected.csv", corrected)], ImportOptions(today=TODAY))
    assert not refused.ok
    (error,) = refused.files[0].errors
    assert error.code == "looks-corrected" and f"批次 {batch}" in error.message
    assert f"第 {edited} 行" in error.message  # the edited row, new to the database
    assert refused.files[0].resolution.batch == batch and refused.files[0].resolution.rows == 1
    # --replace (the resolution) sets aside the record the corrected file no longer holds: counted once.
    load(db, csv("ledger-corrected.csv", corrected), replace=True)
    table = "discipline_records" if kind == "discipline" else "activities"
    assert db.reader().execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 2
    panel = metrics.build_panel(db, "year", as_of=TODAY)
    year = metrics.rollup(panel, "hospital")
    if kind == "discipline":
        assert cell(year, "discipline_cases", period="2025") == 2
        assert risk.overdue_ledger(db, TODAY).empty
    else:  # (8 × 3 + 6 × 2) person-hours ÷ 10 members, not (8 × 3 + 6 × 2 × 2) ÷ 10
        assert cell(panel.frame, "service_hours_per_member", period="2025", department_code="D1") == pytest.approx(3.6)


def test_a_ledger_adding_records_to_a_stored_one_is_not_taken_for_a_correction(db):
    load(db, csv("activities.csv", ACTIVITIES))
    more = ACTIVITIES + "2025-03-20,B1,志愿服务,义诊,5,10,2\n"
    report = load(db, csv("activities-more.csv", more))[0]
    assert report.rows == 1 and db.reader().execute("SELECT count(*) FROM activities").fetchone()[0] == 3
    # A file that leaves out a stored record and brings a new one is asked about; kept when the clerk says so.
    assert not import_files(db, [csv("other.csv", ACTIVITIES_FIXED)], ImportOptions(today=TODAY)).ok
    kept = load(db, csv("other.csv", ACTIVITIES_FIXED), keep_repeats=True)[0]
    assert kept.rows == 1 and any("仍保留" in w for w in kept.warnings)
    assert db.reader().execute("SELECT count(*) FROM activities").fetchone()[0] == 4


# --- Found in review: ids arriving or leaving, persons, a branch's own ledger -----------------------------


def test_a_ledger_that_gains_case_ids_and_an_edit_is_asked_about(db):
    load(db, csv("ledger.csv", LEDGER))
    with_ids = "案件编号," + CORRECTED.replace("\n2025", "\nJ1,2025", 1).replace("\n2025-02", "\nJ2,2025-02")
    refused = import_files(db, [csv("ledger-ids.csv", with_ids)], ImportOptions(today=TODAY))
    assert [e.code for e in refused.files[0].errors] == ["looks-corrected"]
    load(db, csv("ledger-ids.csv", with_ids), replace=True)
    year = metrics.rollup(metrics.build_panel(db, "year", as_of=TODAY), "hospital")
    assert cell(year, "discipline_cases", period="2025") == 2
    assert cell(year, "rectification_overdue", period="2025") == 0


def test_activities_stored_with_ids_and_exported_again_without_them_are_unchanged(db):
    with_ids = "活动编号," + ACTIVITIES.replace("\n2025-03-02", "\nH1,2025-03-02").replace(
        "\n2025-03-15", "\nH2,2025-03-15"
    )
    load(db, csv("with-ids.csv", with_ids))
    report = load(db, csv("without-ids.csv", ACTIVITIES))[0]
    assert report.rows == 0 and any("2 行与已存储的记录完全相同" in w for w in report.warnings)
    assert db.reader().execute("SELECT count(*) FROM activities").fetchone()[0] == 2


def test_the_same_case_id_with_other_persons_is_a_conflict_that_shows_no_name(db):
    header = "案件编号,日期,科室,类别,摘要,涉及人员\n"
    load(db, csv("one.csv", header + "J1,2025-01-10,D1,第一种形态,谈话提醒,张三\n"))
    result = import_files(
        db, [csv("two.csv", header + "J1,2025-01-10,D1,第一种形态,谈话提醒,张三、李四\n")], ImportOptions(today=TODAY)
    )
    (error,) = result.files[0].errors
    assert (error.code, error.column) == ("conflict", "涉及人员")
    assert "张三" not in error.message and "李四" not in error.message and "、" in error.value
    assert db.reader().execute("SELECT count(*) FROM discipline_records").fetchone()[0] == 1


def test_a_branchs_own_ledger_is_not_taken_for_a_correction_of_the_hospitals(db):
    hospital = (
        "活动日期,支部编码,活动类型,活动主题,参加人数\n"
        "2025-01-05,B1,主题党日,一月,8\n2025-02-05,B1,主题党日,二月,8\n2025-03-05,B1,主题党日,三月,8\n"
        "2025-01-06,B2,主题党日,一月,9\n2025-02-06,B2,主题党日,二月,9\n"
    )
    load(db, csv("hospital-q1.csv", hospital))
    own = "活动日期,支部编码,活动类型,活动主题,参加人数\n" + "".join(
        f"2025-0{m}-05,B1,主题党日,{t},8\n" for m, t in ((1, "一月"), (2, "二月"), (3, "三月"), (4, "四月"))
    )
    assert load(db, csv("b1-h1.csv", own))[0].rows == 1
    assert db.reader().execute("SELECT count(*) FROM activities").fetchone()[0] == 6


def test_a_branch_founded_later_is_not_projected_into_earlier_periods(db):
    load(
        db,
        csv("b3.csv", "支部编码,支部名称,党员人数\nB3,新院区党支部,30\n"),
        csv("d3.csv", "科室编码,科室名称,科室类别,职工人数,支部编码\nD3,新院区门诊,临床,60,B3\n"),
        valid_from=dt.date(2025, 7, 1),
    )
    lectures = "活动日期,支部编码,活动类型,活动主题,参加人数\n2024-05-10,B1,党课,甲,9\n2025-08-10,B3,党课,乙,20\n"
    load(db, csv("lectures.csv", lectures))
    frame = metrics.rollup(metrics.build_panel(db, "year", as_of=TODAY), "hospital")
    # 2024: B1 and B2 (30 members); the one ledger lists B1 (1 of 4 lectures held) and B3, not B2, so B2 is
    # not reported (未上报) and left out rather than counted as 0: 25 × 10 ÷ 10.
    assert cell(frame, "member_count", period="2024") == 30
    assert cell(frame, "compliance_party_lecture", period="2024") == pytest.approx(25.0)
    # 2025: B3 founded in July counts in its founding year, B1 listed with nothing held, B2 again not reported:
    # (0 × 10 + 25 × 30) ÷ 40.
    assert cell(frame, "member_count", period="2025") == 60
    assert cell(frame, "compliance_party_lecture", period="2025") == pytest.approx(750 / 40)
    # A record dated before the branch was registered cannot be attributed: refused, naming the row.
    early = "活动日期,支部编码,活动类型,活动主题,参加人数\n2025-03-01,B3,党课,丙,20\n"
    result = import_files(db, [csv("early.csv", early)], ImportOptions(today=TODAY))
    assert [(e.row, e.code) for e in result.files[0].errors] == [(2, "not-yet-registered")]


def test_a_corrected_register_must_keep_the_codes_records_use(db):
    load(db, csv("aggregates.csv", AGGREGATES))
    batch = int(history(db).query("kind == 'departments'")["batch_id"].min())
    only_d2 = "科室编码,科室名称,科室类别,职工人数,支部编码\nD2,普外科,临床,50,B2\n"
    result = import_files(db, [csv("d.csv", only_d2)], ImportOptions(today=TODAY, replaces=batch))
    assert [e.code for e in result.files[0].errors] == ["replaces-orphans"] and "D1" in result.files[0].errors[
        0
    ].message
    assert db.reader().execute("SELECT count(*) FROM departments").fetchone()[0] == 2


def test_a_batch_corrected_already_is_not_corrected_twice(db):
    first = load(db, csv("activities.csv", ACTIVITIES))[0].batch_id
    second = load(db, csv("fixed.csv", ACTIVITIES_FIXED), replaces=first)[0].batch_id
    again = import_files(
        db, [csv("fixed-2.csv", ACTIVITIES_FIXED.replace("03-16", "03-17"))], ImportOptions(today=TODAY, replaces=first)
    )
    (error,) = again.files[0].errors
    assert error.code == "replaces-replaced" and f"批次 {second}" in error.message


def test_a_back_dated_version_of_one_branch_does_not_found_the_others_later(db):
    load(db, csv("activities.csv", ACTIVITIES.replace("2025-03", "2023-03")))
    load(db, csv("b1-2022.csv", "支部编码,支部名称,党员人数\nB1,内科党支部,8\n"), valid_from=dt.date(2022, 1, 1))
    frame = metrics.build_panel(db, "year", as_of=TODAY).frame
    # D2 (B2) of the first register import still stands for 2023; B1 had 8 members from 2022 to 2023.
    assert cell(frame, "member_count", period="2023", department_code="D2") == 20
    assert cell(frame, "service_hours_per_member", period="2023", department_code="D1") == pytest.approx(36 / 8)
    late = "活动日期,支部编码,活动类型,活动主题,参加人数\n2023-06-01,B2,党课,丁,9\n"
    assert import_files(db, [csv("late.csv", late)], ImportOptions(today=TODAY)).ok
