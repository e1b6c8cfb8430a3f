"""What a hospital's real registers and ledgers mean, and what gets stored: department categories and the
clerks' spellings, repeated and same-key activities, satisfaction scales, future dates, response ids and
overlapping exports, conflicts with stored records and their resolution. Expected values are written
down here from the files' content, not computed by the product."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys

import openpyxl
import pytest

from analytics.db import Database
from analytics.imports.importer import history, import_files, preview, undo
from analytics.imports.model import ImportOptions, SourceFile
from analytics.imports.parse import ScaleStats, detect_scale
from analytics.schema import DepartmentCategory
from tests.conftest import SAMPLES
from tests.import_support import aggregates_xlsx

ORGANISATION = ["branches_utf8bom.csv", "departments_gbk.csv"]
TODAY = dt.date(2026, 6, 30)
OPTIONS = ImportOptions(today=TODAY)


def csv_file(name: str, text: str, encoding: str = "utf-8") -> SourceFile:
    return SourceFile(name, text.encode(encoding))


def rows(db: Database, sql: str) -> list[tuple]:
    return db.reader().execute(sql).fetchall()


@pytest.fixture
def db(tmp_path) -> Database:
    with Database(tmp_path / "rules.duckdb") as database:
        yield database


@pytest.fixture
def organised(db) -> Database:
    result = import_files(db, [SourceFile.from_path(SAMPLES / n) for n in ORGANISATION], OPTIONS)
    assert result.ok, result
    return db


# --- Department categories ------------------------------------------------------------------------------

REGISTER_HEADER = "科室编码,科室名称,科室类别,职工人数,支部编码\n"
CATEGORY_SPELLINGS = {
    "临床": "clinical",
    "临床科室": "clinical",
    "医技": "medical_technical",
    "医技科室": "medical_technical",
    "医辅": "medical_support",
    "医疗辅助": "medical_support",
    "护理": "nursing",
    "护理单元": "nursing",
    "行政": "administrative",
    "管理": "administrative",
    "职能": "administrative",
    "职能科室": "administrative",
    "机关": "administrative",
    "后勤": "logistics",
    "后勤保障": "logistics",
    "科研": "research",
    "教学": "teaching",
    "Nursing": "nursing",
    "logistics": "logistics",
}


def test_a_register_with_every_category_hospitals_use_imports(organised):
    lines = [f"K{i:02d},科室{i},{spelling},10,DZB01" for i, spelling in enumerate(CATEGORY_SPELLINGS)]
    result = import_files(organised, [csv_file("register.csv", REGISTER_HEADER + "\n".join(lines), "gbk")], OPTIONS)
    assert result.ok, result.files[0].errors
    stored = dict(rows(organised, "SELECT name, category FROM departments WHERE department_code LIKE 'K%'"))
    assert stored == {f"科室{i}": code for i, code in enumerate(CATEGORY_SPELLINGS.values())}
    assert {m.value for m in DepartmentCategory} == set(CATEGORY_SPELLINGS.values())


def test_a_category_that_is_none_of_them_is_an_error_listing_the_categories(organised):
    text = REGISTER_HEADER + "K01,心理科,心理,10,DZB01\n"
    result = import_files(organised, [csv_file("register.csv", text)], OPTIONS)
    [error] = result.files[0].errors
    assert (error.row, error.column, error.value, error.code) == (2, "科室类别", "心理", "type-error")
    for label in ("临床", "医技", "医辅", "护理", "职能", "后勤", "科研", "教学"):
        assert label in error.message


# --- Activity ledgers: spellings, repeats, same-key rows, re-imports -------------------------------------

LEDGER_HEADER = "活动日期,支部名称,活动类型,活动主题,参加人数,应到人数,时长(小时)\n"


def test_clerks_spellings_whose_meaning_is_certain_are_accepted(organised):
    text = LEDGER_HEADER + (
        "2025-03-05,内科第一党支部,主题党日活动,学习,20,23,3小时\n"
        "2025-03-06,内科第一党支部,党小组会议,学习,8,9,3h\n"
        "2025-03-07,内科第一党支部,支委会,学习,5,5,3 小时\n"
        "2025-03-08,内科第一党支部,党课,学习,20,23,90分钟\n"
        "2025-03-09,内科第一党支部,义诊,学习,6,6,1小时30分钟\n"
    )
    result = import_files(organised, [csv_file("ledger.csv", text)], OPTIONS)
    assert result.ok, result.files[0].errors
    assert rows(organised, "SELECT activity_type, hours FROM activities ORDER BY activity_date") == [
        ("theme_party_day", 3.0),
        ("party_group_meeting", 3.0),
        ("branch_committee_meeting", 3.0),
        ("party_lecture", 1.5),
        ("free_clinic", 1.5),
    ]


def test_a_name_that_is_only_similar_is_not_guessed_but_the_closest_is_named(organised):
    text = (
        LEDGER_HEADER + "2025-03-05,内科一支部,主题党日,学习,20,23,1\n2025-03-06,内科第一党支部,主题党课,学习,20,23,1\n"
    )
    result = import_files(organised, [csv_file("ledger.csv", text)], OPTIONS)
    errors = {(e.row, e.column, e.code): e.message for e in result.files[0].errors}
    assert set(errors) == {(2, "支部名称", "unknown-reference"), (3, "活动类型", "type-error")}
    assert "是否指：内科第一党支部？" in errors[(2, "支部名称", "unknown-reference")]
    assert "是否指：" in errors[(3, "活动类型", "type-error")]
    assert rows(organised, "SELECT count(*) FROM activities") == [(0,)]


SAME_AFTERNOON = LEDGER_HEADER + (
    "2025-04-10,内科第一党支部,党小组会,学习,8,9,1\n"  # row 2: first party group
    "2025-04-10,内科第一党支部,党小组会,学习,7,8,1\n"  # row 3: second party group, same afternoon
    "2025-04-10,内科第一党支部,义诊,社区义诊,6,6,2\n"  # row 4: a free clinic in the morning
    "2025-04-10,内科第一党支部,义诊,社区义诊,5,6,2\n"  # row 5: and one in the afternoon
    "2025-04-11,外科党支部,主题党日,参观,20,31,3\n"  # row 6
    "2025-04-11,外科党支部,主题党日,参观,20,31,3\n"  # row 7: identical in every cell
)


def test_same_key_rows_are_two_activities_and_exact_repeats_are_stored_once_with_both_rows_named(organised):
    result = import_files(organised, [csv_file("ledger.csv", SAME_AFTERNOON)], OPTIONS)
    report = result.files[0]
    assert result.ok and report.rows == 5
    assert {(w.row, w.other_row, w.code) for w in report.row_warnings} == {
        (3, 2, "same-key"),
        (5, 4, "same-key"),
        (7, 6, "repeated-row"),
    }
    assert any("7=6" in w for w in report.warnings)
    assert rows(organised, "SELECT sum(attended) FROM activities") == [(8 + 7 + 6 + 5 + 20,)]


def test_keeping_repeats_stores_both_identical_rows(organised):
    result = import_files(
        organised, [csv_file("ledger.csv", SAME_AFTERNOON)], ImportOptions(today=TODAY, keep_repeats=True)
    )
    assert result.ok and result.files[0].rows == 6
    assert rows(organised, "SELECT count(*) FROM activities WHERE activity_type = 'theme_party_day'") == [(2,)]


def test_a_re_imported_ledger_never_counts_twice_and_a_longer_one_adds_only_its_new_rows(organised):
    assert import_files(organised, [csv_file("q2.csv", SAME_AFTERNOON)], OPTIONS).ok
    again = import_files(organised, [csv_file("q2 copy.csv", SAME_AFTERNOON + "\n")], OPTIONS)
    assert again.ok and again.files[0].rows == 0
    longer = SAME_AFTERNOON + "2025-04-10,内科第一党支部,党小组会,学习,6,7,1\n"  # a third party group
    more = import_files(organised, [csv_file("q2 full.csv", longer)], OPTIONS)
    assert more.ok and more.files[0].rows == 1, more.files[0].errors
    assert rows(organised, "SELECT count(*), sum(attended) FROM activities") == [(6, 8 + 7 + 6 + 5 + 20 + 6)]


def test_a_corrected_activity_is_a_conflict_showing_both_values_until_the_clerk_replaces_it(organised):
    first = import_files(organised, [csv_file("q2.csv", SAME_AFTERNOON)], OPTIONS)
    # Row 2's attendance corrected from 8 to 9; row 3 (the other party group, 7) unchanged.
    corrected = SAME_AFTERNOON.replace("党小组会,学习,8,9,1", "党小组会,学习,9,9,1")
    result = import_files(organised, [csv_file("q2 corrected.csv", corrected)], OPTIONS)
    report = result.files[0]
    conflicts = [e for e in report.errors if e.code == "conflict"]
    assert [(e.row, e.column, e.value, e.stored, e.batch_id, e.batch_file) for e in conflicts] == [
        (2, "参加人数", "9", "8", first.files[0].batch_id, "q2.csv")
    ]
    assert "“8”" in conflicts[0].message and "“9”" in conflicts[0].message and "q2.csv" in conflicts[0].message
    assert report.resolution.rows == 1 and result.resolvable
    replaced = import_files(
        organised, [csv_file("q2 corrected.csv", corrected)], ImportOptions(today=TODAY, replace=True)
    )
    assert replaced.ok
    party_groups = "SELECT attended FROM activities WHERE activity_type = 'party_group_meeting' ORDER BY attended"
    assert rows(organised, party_groups) == [(7,), (9,)]
    assert undo(organised, replaced.files[0].batch_id).ok
    assert rows(organised, party_groups) == [(7,), (8,)]


def test_a_session_added_under_a_key_already_stored_is_not_a_conflict(organised):
    assert import_files(organised, [csv_file("q2.csv", SAME_AFTERNOON)], OPTIONS).ok
    # The free clinic of row 4 had a third session; the file keeps the two stored ones.
    more = SAME_AFTERNOON + "2025-04-10,内科第一党支部,义诊,社区义诊,4,6,2\n"
    result = import_files(organised, [csv_file("q2 more.csv", more)], OPTIONS)
    assert result.ok and result.files[0].rows == 1


# --- Satisfaction scales ------------------------------------------------------------------------------

RESPONSE_HEADER = "提交时间,科室编码,调查对象,总体满意度\n"


def responses_text(scores: list[str], start: str = "2025-01-01") -> str:
    day = dt.date.fromisoformat(start)
    lines = [
        f"{day + dt.timedelta(days=i // 100)} {10 + i % 10}:{i % 60:02d},D01,门诊患者,{score}"
        for i, score in enumerate(scores)
    ]
    return RESPONSE_HEADER + "\n".join(lines) + "\n"


def test_one_stray_value_in_a_1_to_5_file_is_an_error_at_its_row_not_a_reason_to_read_it_as_0_100(organised):
    scores = [str(1 + i % 5) for i in range(1500)]
    scores[700] = "6.5"
    result = import_files(organised, [csv_file("likert.csv", responses_text(scores))], OPTIONS)
    report = result.files[0]
    assert report.scales == {"总体满意度": "likert"}
    assert [(e.row, e.value, e.code) for e in report.errors] == [(702, "6.5", "out-of-range")]
    assert "1–5" in report.errors[0].message


@pytest.mark.parametrize(
    ("scores", "scale", "stored"),
    [
        (["4", "5", "3", "5"], "likert", [75.0, 100.0, 50.0, 100.0]),
        (["0", "10", "8", "9", "7"], "ten", [0.0, 100.0, 80.0, 90.0, 70.0]),
        (["0.853", "0.9", "0.75"], "proportion", [85.3, 90.0, 75.0]),
        (["85.3", "92", "70"], "percent", [85.3, 92.0, 70.0]),
        (["85.3%", "92%", "70%"], "percent", [85.3, 92.0, 70.0]),
    ],
)
def test_each_scale_is_detected_said_and_mapped_to_0_100(organised, scores, scale, stored):
    result = import_files(organised, [csv_file("s.csv", responses_text(scores))], OPTIONS)
    assert result.ok, result.files[0].errors
    assert result.files[0].scales == {"总体满意度": scale}
    assert result.files[0].info and "总体满意度" in result.files[0].info[0]
    got = [round(s, 6) for (s,) in rows(organised, "SELECT score FROM satisfaction_responses ORDER BY source_row")]
    assert got == stored


@pytest.mark.parametrize(
    "scores",
    [
        [str(1 + i % 10) for i in range(400)],  # 1–10 without a 0: 0–10 or 1–10?
        ["0", "1", "1", "0", "1"],  # only 0 and 1
        ["4", "5", "3", "4", "5", "4", "80", "90", "5", "4"],  # a mixture
        ["4", "5"] * 20 + ["80", "90", "100"] * 20,  # 40 % Likert among 0–100 scores
        ["5"] * 97 + ["0"] * 3,  # 1–5 with some zeros: not a 0–10 survey
        ["0.9"] * 96 + ["0", "1.5", "1.5", "2"],  # proportions with a few values above 1
    ],
)
def test_a_file_whose_scale_cannot_be_told_is_refused_with_the_choices(organised, scores):
    result = import_files(organised, [csv_file("s.csv", responses_text(scores))], OPTIONS)
    [error] = result.files[0].errors
    assert error.code == "ambiguous-scale" and error.column == "总体满意度"
    assert "--scale" in error.message
    assert rows(organised, "SELECT count(*) FROM satisfaction_responses") == [(0,)]
    assert preview(csv_file("s.csv", responses_text(scores)), OPTIONS).scales == {"总体满意度": None}


def test_a_1_to_10_survey_imports_once_its_scale_is_chosen(organised):
    scores = [str(1 + i % 10) for i in range(400)]
    result = import_files(
        organised, [csv_file("s.csv", responses_text(scores))], ImportOptions(today=TODAY, scale="ten1")
    )
    assert result.ok
    [(low, high)] = rows(organised, "SELECT min(score), max(score) FROM satisfaction_responses")
    assert (low, high) == (0.0, 100.0)


def test_aggregates_given_as_proportions_are_read_as_per_cent():
    text = "期间,科室编码,调查对象,满意度,样本量\n2025Q1,D01,门诊患者,0.853,120\n2025Q1,D02,门诊患者,0.9,80\n"
    assert preview(csv_file("agg.csv", text), OPTIONS).scales == {"满意度": "proportion"}


@pytest.mark.parametrize(
    ("stats", "scale"),
    [
        (
            ScaleStats(n=1500, in_01=300, in_15=1499, in_010=1500, above_5=1, zeros=0, fractions_01=0, low=1, high=6.5),
            "likert",
        ),
        (
            ScaleStats(n=100, in_01=100, in_15=40, in_010=100, above_5=0, zeros=20, fractions_01=60, low=0, high=1),
            "proportion",
        ),
        (ScaleStats(n=100, in_01=100, in_15=60, in_010=100, above_5=0, zeros=40, fractions_01=0, low=0, high=1), None),
        (
            ScaleStats(n=400, in_01=40, in_15=200, in_010=400, above_5=200, zeros=0, fractions_01=0, low=1, high=10),
            None,
        ),
        (
            ScaleStats(n=400, in_01=80, in_15=200, in_010=400, above_5=160, zeros=40, fractions_01=0, low=0, high=10),
            "ten",
        ),
        (ScaleStats(n=100, in_01=3, in_15=97, in_010=100, above_5=0, zeros=3, fractions_01=0, low=0, high=5), None),
        (
            ScaleStats(n=1000, in_01=0, in_15=3, in_010=5, above_5=2, zeros=0, fractions_01=0, low=2, high=100),
            "percent",
        ),
        (ScaleStats(n=100, in_01=0, in_15=40, in_010=40, above_5=0, zeros=0, fractions_01=0, low=4, high=100), None),
        (ScaleStats(n=10, in_01=0, in_15=8, in_010=8, above_5=0, zeros=0, fractions_01=0, low=3, high=90), None),
        (
            ScaleStats(n=0, in_01=0, in_15=0, in_010=0, above_5=0, zeros=0, fractions_01=0, low=None, high=None),
            "percent",
        ),
    ],
)
def test_the_scale_rule(stats, scale):
    assert detect_scale(stats) == scale


# --- Dates after today ------------------------------------------------------------------------------------


def test_dates_after_today_are_errors_not_stored(organised):
    ledger = (
        LEDGER_HEADER + "2025-03-05,内科第一党支部,党课,学习,20,23,1\n2027-03-05,内科第一党支部,党课,学习,20,23,1\n"
    )
    answers = responses_text(["4", "5"], start="2027-01-02")
    discipline = "日期,科室编码,类别\n2026-07-01,D01,第一种形态\n"
    aggregates = "期间,科室编码,调查对象,满意度,样本量\n2026Q3,D01,门诊患者,90,100\n2026Q2,D01,门诊患者,91,100\n"
    result = import_files(
        organised,
        [
            csv_file("ledger.csv", ledger),
            csv_file("answers.csv", answers),
            csv_file("discipline.csv", discipline),
            csv_file("agg.csv", aggregates),
        ],
        OPTIONS,
    )
    found = {(f.file, e.row, e.column, e.code) for f in result.files for e in f.errors}
    assert found == {
        ("ledger.csv", 3, "活动日期", "future-date"),
        ("answers.csv", 2, "提交时间", "future-date"),
        ("answers.csv", 3, "提交时间", "future-date"),
        ("discipline.csv", 2, "日期", "future-date"),
        ("agg.csv", 2, "期间", "future-date"),
    }
    assert "2026-06-30" in result.files[0].errors[0].message


# --- Survey responses: ids and overlapping exports -----------------------------------------------------


def test_answers_are_matched_by_their_response_id_not_cell_by_cell(organised):
    text = (
        "答卷编号,提交时间,科室编码,调查对象,总体满意度\n"
        "A1,2025-01-05 10:00,D01,门诊患者,4\n"
        "A2,2025-01-05 10:00,D01,门诊患者,4\n"
    )
    first = import_files(organised, [csv_file("jan.csv", text)], OPTIONS)
    assert first.ok and first.files[0].rows == 2  # identical answers, two ids: two patients
    more = text + "A3,2025-01-05 10:00,D01,门诊患者,4\n"
    second = import_files(organised, [csv_file("jan full.csv", more)], OPTIONS)
    assert second.ok and second.files[0].rows == 1
    edited = more.replace("A2,2025-01-05 10:00,D01,门诊患者,4", "A2,2025-01-05 10:00,D01,门诊患者,5")
    third = import_files(organised, [csv_file("jan edited.csv", edited)], OPTIONS)
    [error] = third.files[0].errors
    assert (error.row, error.column, error.value, error.stored, error.batch_file) == (
        3,
        "总体满意度",
        "100",
        "75",
        "jan.csv",
    )


def test_an_overlapping_export_without_ids_is_refused_then_replaced_or_kept(organised):
    january = responses_text([str(1 + i % 5) for i in range(300)], start="2025-01-01")  # Jan 1–3
    first = import_files(organised, [csv_file("jan.csv", january)], OPTIONS)
    assert first.ok and first.files[0].rows == 300
    # The same answers re-exported with two more days (Excel dropped nothing here; the range overlaps).
    longer = responses_text([str(1 + i % 5) for i in range(500)], start="2025-01-01")
    refused = import_files(organised, [csv_file("jan-feb.csv", longer)], OPTIONS)
    [error] = refused.files[0].errors
    assert error.code == "overlapping-responses" and "jan.csv" in error.message
    assert refused.files[0].resolution.rows == 300 and refused.resolvable
    replaced = import_files(organised, [csv_file("jan-feb.csv", longer)], ImportOptions(today=TODAY, replace=True))
    assert replaced.ok and replaced.files[0].rows == 500
    assert rows(organised, "SELECT count(*) FROM satisfaction_responses") == [(500,)]
    assert undo(organised, replaced.files[0].batch_id).ok
    assert rows(organised, "SELECT count(*) FROM satisfaction_responses") == [(300,)]
    kept = import_files(organised, [csv_file("kiosk.csv", longer)], ImportOptions(today=TODAY, keep_repeats=True))
    assert kept.ok and rows(organised, "SELECT count(*) FROM satisfaction_responses") == [(800,)]


def test_exports_of_other_departments_or_times_do_not_overlap(organised):
    assert import_files(organised, [csv_file("d01.csv", responses_text(["4"] * 50))], OPTIONS).ok
    other = responses_text(["4"] * 50).replace(",D01,", ",D02,")
    later = responses_text(["4"] * 50, start="2025-02-01")
    result = import_files(organised, [csv_file("d02.csv", other), csv_file("feb.csv", later)], OPTIONS)
    assert result.ok, [e.message for f in result.files for e in f.errors]


# --- Conflicts: a revised satisfaction file ---------------------------------------------------------------


def test_a_revised_satisfaction_file_shows_stored_and_new_values_and_replace_resolves_it(organised):
    first = import_files(organised, [SourceFile("q1.xlsx", aggregates_xlsx([86.0, 88.5, 90.0]))], OPTIONS)
    assert first.ok
    revised = SourceFile("q1 revised.xlsx", aggregates_xlsx([86.0, 89.5, 91.0]))
    result = import_files(organised, [revised], OPTIONS)
    assert [(e.row, e.column, e.value, e.stored, e.batch_id, e.batch_file) for e in result.files[0].errors] == [
        (4, "满意度得分", "89.5", "88.5", first.files[0].batch_id, "q1.xlsx"),
        (5, "满意度得分", "91", "90", first.files[0].batch_id, "q1.xlsx"),
    ]
    report = result.files[0]
    assert report.resolution.rows == 2 and "用新文件中的值替换已存储的 2 行" in report.warnings[0]
    replaced = import_files(organised, [revised], ImportOptions(today=TODAY, replace=True))
    assert replaced.ok and replaced.files[0].rows == 2  # the unchanged row is not stored again
    assert rows(organised, "SELECT department_code, score FROM satisfaction_aggregates ORDER BY 1") == [
        ("D01", 86.0),
        ("D02", 89.5),
        ("D03", 91.0),
    ]
    assert history(organised)["batch_id"].iloc[0] == replaced.files[0].batch_id


def test_the_cli_names_replace_for_a_conflict(organised, tmp_path):
    path = tmp_path / "q1.xlsx"
    path.write_bytes(aggregates_xlsx([86.0, 88.5]))
    organised.close()
    db_path = str(organised.path)

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "analytics", *args], capture_output=True, text=True, check=False)

    assert cli("import", "--db", db_path, str(path)).returncode == 0
    path.write_bytes(aggregates_xlsx([86.0, 80.0]))
    refused = cli("import", "--db", db_path, str(path))
    assert refused.returncode == 1
    assert "--replace" in refused.stdout and "已存储的值为“88.5”" in refused.stdout and "“80”" in refused.stdout
    as_json = json.loads(cli("import", "--db", db_path, "--json", str(path)).stdout)
    assert as_json["files"][0]["errors"][0]["stored"] == "88.5"
    assert cli("import", "--db", db_path, "--replace", str(path)).returncode == 0


# --- Registers and sheets: a name that is taken, notes beside a table ------------------------------------


def test_a_new_code_may_not_take_a_stored_name(organised):
    text = "支部编码,支部名称,党员人数\nDZB09,外科党支部,30\n"
    result = import_files(organised, [csv_file("branches 2026.csv", text)], OPTIONS)
    [error] = result.files[0].errors
    assert (error.row, error.column, error.value, error.code, error.stored) == (
        2,
        "支部名称",
        "外科党支部",
        "name-taken",
        "DZB02",
    )
    assert error.batch_file == "branches_utf8bom.csv" and "DZB02" in error.message


def test_notes_in_a_column_without_a_header_are_named_not_imported(organised):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["日期", "科室编码", "类别"])
    sheet.append(["2025-05-06", "D01", "第一种形态"])
    sheet.append(["2025-05-07", "D02", "第一种形态", None, "已电话核实"])
    out = io.BytesIO()
    book.save(out)
    result = import_files(organised, [SourceFile("台账.xlsx", out.getvalue())], OPTIONS)
    assert result.ok and result.files[0].rows == 2
    assert result.files[0].warnings == ["以下列未导入：第 5 列（无表头）"]


# --- Found in review: ids that are only row counters, ranges per department --------------------------------


def numbered(month: int, population: str = "门诊患者", days: int = 20, first: int = 1) -> str:
    """An export numbering its rows 1, 2, … in a 序号 column (a row counter, not an answer's id)."""
    lines = [f"{first + d - 1},2025-{month:02d}-{d:02d} 10:00,D01,{population},4" for d in range(1, days + 1)]
    return "序号,提交时间,科室编码,调查对象,总体满意度\n" + "\n".join(lines) + "\n"


def test_row_counters_of_two_exports_are_not_taken_for_the_same_answers(organised):
    assert import_files(organised, [csv_file("jan.csv", numbered(1))], OPTIONS).ok
    feb = import_files(organised, [csv_file("feb.csv", numbered(2))], OPTIONS)
    assert feb.ok and feb.files[0].rows == 20, [e.message for e in feb.files[0].errors]
    both = import_files(
        organised,
        [csv_file("out.csv", numbered(3)), csv_file("in.csv", numbered(3, population="住院患者"))],
        OPTIONS,
    )
    assert both.ok and [f.rows for f in both.files] == [20, 20]
    assert rows(organised, "SELECT count(*) FROM satisfaction_responses") == [(80,)]


def test_a_re_export_whose_row_counter_no_longer_fits_is_an_overlap_not_a_double_count(organised):
    assert import_files(organised, [csv_file("jan.csv", numbered(1, days=10))], OPTIONS).ok
    # January exported again: two more days, and the first answer's time changed, so 序号 1 no longer names it.
    again = numbered(1, days=12, first=1).replace("2025-01-01 10:00", "2025-01-01 09:00")
    result = import_files(organised, [csv_file("jan again.csv", again)], OPTIONS)
    assert [e.code for e in result.files[0].errors] == ["overlapping-responses"]
    replaced = import_files(organised, [csv_file("jan again.csv", again)], ImportOptions(today=TODAY, replace=True))
    assert replaced.ok and rows(organised, "SELECT count(*) FROM satisfaction_responses") == [(12,)]


def test_an_overlap_is_judged_per_department_and_population(organised):
    header = "提交时间,科室编码,调查对象,总体满意度\n"
    first = (
        header + "2025-02-01 10:00,D03,门诊患者,4\n2025-02-10 10:00,D03,门诊患者,3\n2025-02-28 10:00,D03,门诊患者,5\n"
    )
    first += "2025-02-12 10:00,D04,门诊患者,5\n"
    assert import_files(organised, [csv_file("a.csv", first)], OPTIONS).ok
    second = (
        header + "2025-02-15 10:00,D03,门诊患者,3\n2025-02-01 09:00,D04,门诊患者,4\n2025-02-20 09:00,D04,门诊患者,4\n"
    )
    refused = import_files(organised, [csv_file("c.csv", second)], OPTIONS)
    assert refused.files[0].resolution.rows == 1  # D04's answer of 02-12; none of D03's lie in 02-15 … 02-15
    assert import_files(organised, [csv_file("c.csv", second)], ImportOptions(today=TODAY, replace=True)).ok
    kept = rows(
        organised, "SELECT department_code, strftime(submitted_at, '%m-%d') FROM satisfaction_responses ORDER BY 1, 2"
    )
    assert kept == [
        ("D03", "02-01"),
        ("D03", "02-10"),
        ("D03", "02-15"),
        ("D03", "02-28"),
        ("D04", "02-01"),
        ("D04", "02-20"),
    ]


# --- Found in review: files that could fool a reader -------------------------------------------------------

LEDGER_ROWS_5 = "".join(f"2025-01-{d:02d},内科第一党支部,党课,主题{d},{d}\n" for d in range(1, 6))


@pytest.mark.parametrize(
    "title",
    ["2025年活动台账\u2028导出\n", '"2025年活动台账\n导出"\n', "台账\x0c\n", "台账\x85说明\n"],
    ids=["line-separator", "quoted-line-break", "form-feed", "next-line"],
)
def test_a_title_with_an_odd_line_break_neither_drops_nor_shifts_a_row(organised, title):
    text = title + "活动日期,支部名称,活动类型,活动主题,参加人数\n" + LEDGER_ROWS_5
    result = import_files(organised, [csv_file("ledger.csv", text)], OPTIONS)
    assert result.ok and result.files[0].rows == 5, result.files[0].errors
    assert rows(organised, "SELECT source_row, attended FROM activities ORDER BY source_row") == [
        (3 + i, i + 1) for i in range(5)
    ]


def test_a_quote_never_closed_is_an_error_not_rows_silently_lost(organised):
    text = "活动日期,支部名称,活动类型,活动主题,参加人数\n" + LEDGER_ROWS_5.replace("主题2,2", '"学习二十大精神,2', 1)
    result = import_files(organised, [csv_file("ledger.csv", text)], OPTIONS)
    # Row 3's quote swallows rows 4–6 into its topic, leaving its attendance empty: both said, at row 3.
    assert {(e.row, e.code) for e in result.files[0].errors} == {(3, "swallowed-rows"), (3, "missing-value")}
    assert rows(organised, "SELECT count(*) FROM activities") == [(0,)]


def test_a_workbook_whose_stated_size_is_stale_is_read_whole(organised):
    import re
    import zipfile

    book = openpyxl.Workbook()
    book.active.append(["日期", "科室编码", "类别"])
    for day in range(1, 11):
        book.active.append([f"2025-01-{day:02d}", "D01", "第一种形态"])
    saved, out = io.BytesIO(), io.BytesIO()
    book.save(saved)
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.endswith("sheet1.xml"):  # claims A1:C4 although the sheet has eleven rows
                data = re.sub(rb'<dimension ref="[^"]+"/>', b'<dimension ref="A1:C4"/>', data)
            target.writestr(item, data)
    result = import_files(organised, [SourceFile("stale.xlsx", out.getvalue())], OPTIONS)
    assert result.ok and result.files[0].rows == 10


def test_a_count_too_large_to_store_and_nan_scores_are_errors_at_their_rows(organised):
    ledger = "活动日期,支部名称,活动类型,参加人数\n2025-01-02,DZB01,党课,3\n2025-01-03,DZB01,党课,3000000000\n"
    answers = responses_text(["4", "nan", "5", "inf"] * 10)
    result = import_files(organised, [csv_file("ledger.csv", ledger), csv_file("answers.csv", answers)], OPTIONS)
    found = {(f.file, e.row, e.value, e.code) for f in result.files for e in f.errors}
    assert ("ledger.csv", 3, "3000000000", "type-error") in found
    assert {(r, v) for f, r, v, c in found if f == "answers.csv"} == {(3 + 4 * i, "nan") for i in range(10)} | {
        (5 + 4 * i, "inf") for i in range(10)
    }
    assert result.files[1].scales == {"总体满意度": "likert"}


def test_a_body_of_cells_of_spaces_is_no_data(organised):
    result = import_files(
        organised, [csv_file("spaces.csv", "活动日期,支部名称,活动类型,参加人数\n , , , \n")], OPTIONS
    )
    assert [e.code for e in result.files[0].errors] == ["no-data"]
    assert rows(organised, "SELECT count(*) FROM import_batches") == [(2,)]


def test_undo_refused_when_a_record_to_put_back_collides_with_a_later_one(organised):
    renamed = "支部编码,支部名称,党员人数\nDZB01,内科一支部,23\n"
    replacing = import_files(organised, [csv_file("b2.csv", renamed)], ImportOptions(today=TODAY, replace=True))
    assert replacing.ok
    taken = "支部编码,支部名称,党员人数\nDZB09,内科第一党支部,5\n"  # the old name, now another branch's
    assert import_files(organised, [csv_file("b3.csv", taken)], OPTIONS).ok
    result = undo(organised, replacing.files[0].batch_id)
    assert not result.ok and "内科第一党支部" in result.message
    assert rows(
        organised, "SELECT branch_code, name FROM branches WHERE branch_code IN ('DZB01', 'DZB09') ORDER BY 1"
    ) == [
        ("DZB01", "内科一支部"),
        ("DZB09", "内科第一党支部"),
    ]


def test_a_time_with_letters_is_not_read_by_guess(organised):
    """'epoch' is not 1970; '02:30 PM' keeps its PM (tests/test_import_cells.py has every spelling)."""
    text = (
        "提交时间,科室编码,调查对象,总体满意度\n2025-03-05 02:30 PM,D01,门诊患者,4\nepoch,D01,门诊患者,4\n"
        "2025-03-05T14:30,D01,门诊患者,4\n2025/3/5 14:30,D01,门诊患者,5\n"
    )
    result = import_files(organised, [csv_file("times.csv", text)], OPTIONS)
    assert [(e.row, e.code) for e in result.files[0].errors] == [(3, "type-error")]
    without = text.replace("epoch,D01,门诊患者,4\n", "")
    assert import_files(organised, [csv_file("times.csv", without)], OPTIONS).ok
    stored = rows(organised, "SELECT DISTINCT submitted_at FROM satisfaction_responses")
    assert stored == [(dt.datetime(2025, 3, 5, 14, 30),)]
