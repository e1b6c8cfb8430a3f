"""Cells hospital exports really hold, end to end into a fresh database: times with a zone (stored as Beijing
time), 上午/下午 and AM/PM, periods Excel stored as numbers (2024.10 kept as 2024.1), names differing only in
full-width or half-width brackets, and score columns of different scales in one file. Expected values are
written down here from the cells, not computed by the product."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from analytics.db import Database
from analytics.imports.importer import import_files
from analytics.imports.model import ImportOptions, SourceFile
from tests.conftest import SAMPLES

TODAY = dt.date(2026, 6, 30)
OPTIONS = ImportOptions(today=TODAY)
ORGANISATION = ["branches_utf8bom.csv", "departments_gbk.csv"]
RESPONSES_HEADER = "提交时间,科室编码,调查对象,总体满意度\n"
LEDGER_HEADER = "活动日期,支部名称,活动类型,活动主题,参加人数,应到人数,时长(小时)\n"
AGGREGATES_HEADER = "调查期间,科室编码,调查对象,满意度得分,样本量\n"
REGISTER_HEADER = "科室编码,科室名称,科室类别,职工人数,支部编码\n"
# A row of cells holding only spaces: not data, but it sends a survey file from the one-pass store to the
# cell-by-cell check, so that both ways of reading a time are tried.
SPACES_ROW = "  ,  ,  ,  \n"


def csv_file(name: str, text: str) -> SourceFile:
    return SourceFile(name, text.encode())


def rows(db: Database, sql: str) -> list[tuple]:
    return db.reader().execute(sql).fetchall()


@pytest.fixture
def db(tmp_path) -> Database:
    with Database(tmp_path / "x.duckdb") as database:
        result = import_files(database, [SourceFile.from_path(SAMPLES / n) for n in ORGANISATION], OPTIONS)
        assert result.ok, result
        yield database


def errors(result) -> list[tuple]:
    return [(e.row, e.column, e.value, e.code) for e in result.files[0].errors]


# --- Times with a zone: stored as Beijing time (UTC+8) ---------------------------------------------------

ZONED = {
    "2024-03-05T06:30:00Z": "2024-03-05 14:30:00",
    "2024-03-05 14:30:00+08:00": "2024-03-05 14:30:00",
    "2024-03-05 14:30:00 +08:00": "2024-03-05 14:30:00",
    "2024-03-05 14:30:00+0800": "2024-03-05 14:30:00",
    "2024-03-05 01:30:00-05:00": "2024-03-05 14:30:00",
    "2024-03-05 09:00+01:00": "2024-03-05 16:00:00",
    "2024-03-05T20:15:00.5Z": "2024-03-06 04:15:00.5",  # the next day in Beijing
    "2024-03-05 10:00 UTC": "2024-03-05 18:00:00",
}


def test_a_date_written_with_a_time_and_zone_is_the_day_in_beijing(db):
    body = (
        "2025-03-05T20:00:00Z,内科第一党支部,主题党日,a,10,12,2\n"  # 04:00 on the 6th in Beijing
        "2025-03-05 23:30:00-05:00,内科第一党支部,主题党日,b,10,12,2\n"  # 12:30 on the 6th
        "2025-03-05 07:00:00+08:00,内科第一党支部,主题党日,c,10,12,2\n"
        "2025-03-05T01:00:00+09:00,内科第一党支部,主题党日,d,10,12,2\n"  # 00:00 on the 5th
    )
    result = import_files(db, [csv_file("ledger.csv", LEDGER_HEADER + body)], OPTIONS)
    assert result.ok, result.files[0].errors
    assert rows(db, "SELECT topic, activity_date::VARCHAR FROM activities ORDER BY topic") == [
        ("a", "2025-03-06"),
        ("b", "2025-03-06"),
        ("c", "2025-03-05"),
        ("d", "2025-03-05"),
    ]


# --- 3:00 PM keeps its PM ------------------------------------------------------------------------------

MERIDIEM = {
    "2024-03-05 3:00 PM": "2024-03-05 15:00:00",
    "2024/3/5 3:00:15 pm": "2024-03-05 15:00:15",
    "2024-03-05 下午3:00": "2024-03-05 15:00:00",
    "2024年3月5日 下午3点": "2024-03-05 15:00:00",
    "2024-03-05 3:00 下午": "2024-03-05 15:00:00",  # Excel's Chinese AM/PM format
    "2024-03-05 上午9:05": "2024-03-05 09:05:00",
    "2024-03-05 12:30 AM": "2024-03-05 00:30:00",
    "2024-03-05 12:30 PM": "2024-03-05 12:30:00",
    "2024-03-05 3:00 PM+08:00": "2024-03-05 15:00:00",
}


@pytest.mark.parametrize("cells", [ZONED, MERIDIEM], ids=["a zone: Beijing time", "AM/PM and 上午/下午"])
@pytest.mark.parametrize("spaces", ["", SPACES_ROW], ids=["one pass", "cell by cell"])
def test_times_with_a_zone_or_a_meridiem_are_stored_as_beijing_time(db, cells, spaces):
    body = "".join(f"{cell},D01,门诊患者,4\n" for cell in cells) + spaces
    result = import_files(db, [csv_file("times.csv", RESPONSES_HEADER + body)], OPTIONS)
    assert result.ok, result.files[0].errors
    stored = rows(db, "SELECT submitted_at::VARCHAR FROM satisfaction_responses ORDER BY source_row")
    assert [s for (s,) in stored] == list(cells.values())


NOT_TIMES = [
    "2024-03-05 13:00 PM",  # no 13 o'clock in the afternoon
    "2024-03-05 0:00 AM",
    "2024-03-05 下午3:00 PM",
    "epoch",  # DuckDB's cast reads these words
    "now",
    "today",
    "infinity",
    "2024-03-05 14:30:00 08:00",  # an offset without its sign: DuckDB's cast drops it
    "2024-03-05 14:30:00+15:00",  # no such zone
]


def test_words_and_impossible_times_are_refused_at_their_rows(db):
    body = "2024-03-05 15:00,D01,门诊患者,4\n" + "".join(f"{cell},D01,门诊患者,4\n" for cell in NOT_TIMES)
    result = import_files(db, [csv_file("times.csv", RESPONSES_HEADER + body)], OPTIONS)
    assert errors(result) == [(row, "提交时间", cell, "type-error") for row, cell in enumerate(NOT_TIMES, start=3)]
    assert rows(db, "SELECT count(*) FROM satisfaction_responses") == [(0,)]


# --- Periods Excel stored as numbers ---------------------------------------------------------------------


def test_2024_1_is_refused_as_january_or_october_and_other_months_are_read(db):
    body = (
        "2024.1,D01,门诊,90,100\n"  # row 2: a typed 2024.10 as Excel keeps it, or January?
        "2024.01,D01,门诊,88,101\n"
        "2024.10,D01,门诊,87,102\n"
        "2024-1,D02,门诊,86,103\n"
        "2024年1月,D03,门诊,85,104\n"
        "2024.3,D01,门诊,84,105\n"
    )
    result = import_files(db, [csv_file("months.csv", AGGREGATES_HEADER + body)], OPTIONS)
    assert errors(result) == [(2, "调查期间", "2024.1", "ambiguous-period")]
    assert "可能是 1 月，也可能是 10 月" in result.files[0].errors[0].message
    assert "2024-01 或 2024-10" in result.files[0].errors[0].message
    fixed = import_files(db, [csv_file("months.csv", AGGREGATES_HEADER + body.split("\n", 1)[1])], OPTIONS)
    assert fixed.ok, fixed.files[0].errors
    assert rows(db, "SELECT period_grain, period_start::VARCHAR FROM satisfaction_aggregates ORDER BY respondents") == [
        ("month", "2024-01-01"),
        ("month", "2024-10-01"),
        ("month", "2024-01-01"),
        ("month", "2024-01-01"),
        ("month", "2024-03-01"),
    ]


def test_a_period_typed_as_the_number_2024_10_in_excel_is_refused_in_english_too(db):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["期间", "科室编码", "调查对象", "满意度得分", "样本量"])
    sheet.append([2024.10, "D01", "门诊患者", 88, 100])  # Excel keeps the number 2024.1
    sheet.append([2024.03, "D02", "门诊患者", 87, 90])
    out = io.BytesIO()
    book.save(out)
    options = ImportOptions(today=TODAY, lang="en")
    result = import_files(db, [SourceFile("months.xlsx", out.getvalue())], options)
    assert errors(result) == [(2, "期间", "2024.1", "ambiguous-period")]
    assert result.files[0].errors[0].message == (
        "“2024.1” may be January or October (Excel stores 2024.10 as 2024.1); write 2024-01 or 2024-10"
    )


# --- Names differing only in full-width or half-width brackets -------------------------------------------


def test_one_name_in_both_bracket_styles_is_one_name_twice_in_a_register(db):
    body = (
        "K01,内科（一）,临床,10,DZB01\n"
        "K02,内科(一),临床,10,DZB01\n"  # row 3: the name of row 2
        "K03,ＩＣＵ 病房,临床,10,DZB01\n"
        "K04,ICU病房,临床,10,DZB01\n"  # row 5: the name of row 4
        "K05,内科(二),临床,10,DZB01\n"
    )
    result = import_files(db, [csv_file("register.csv", REGISTER_HEADER + body)], OPTIONS)
    found = [(e.row, e.other_row, e.column, e.code) for e in result.files[0].errors]
    assert found == [(3, 2, "科室名称", "duplicate-row"), (5, 4, "科室名称", "duplicate-row")]
    assert rows(db, "SELECT count(*) FROM departments WHERE department_code LIKE 'K%'") == [(0,)]


def test_a_new_code_may_not_take_a_stored_name_written_with_other_brackets(db):
    first = import_files(db, [csv_file("register.csv", REGISTER_HEADER + "K01,内科（一）,临床,10,DZB01\n")], OPTIONS)
    assert first.ok, first.files[0].errors
    result = import_files(db, [csv_file("more.csv", REGISTER_HEADER + "K09,内科(一),临床,12,DZB01\n")], OPTIONS)
    [error] = result.files[0].errors
    assert (error.row, error.value, error.code, error.stored) == (2, "内科(一)", "name-taken", "K01")


def test_records_naming_a_department_or_branch_with_other_brackets_go_to_it(db):
    registers = [
        csv_file("branches.csv", "支部编码,支部名称,党员人数\nDZB09,内科（二）党支部,12\n"),
        csv_file("departments.csv", REGISTER_HEADER + "K01,内科（一）,临床,10,DZB09\nK02,内科（二）,临床,10,DZB09\n"),
    ]
    # Added to the sample registers later, as units that existed in 2025 already.
    assert import_files(db, registers, OPTIONS.model_copy(update={"valid_from": dt.date(2025, 1, 1)})).ok
    records = [
        csv_file("ledger.csv", LEDGER_HEADER + "2025-03-05,内科(二)党支部,主题党日,学习,10,12,2\n"),
        csv_file("answers.csv", "提交时间,科室名称,调查对象,总体满意度\n2025-03-05 10:00,内科(一),门诊患者,90\n"),
        csv_file("quarter.csv", "期间,科室名称,调查对象,满意度得分,样本量\n2025年第1季度,内科 ( 二 ),住院患者,88,40\n"),
        csv_file("discipline.csv", "日期,科室,类别\n2025-03-06,内科（一）,第一种形态\n"),
    ]
    result = import_files(db, records, OPTIONS)
    assert result.ok, [f.errors for f in result.files]
    assert rows(db, "SELECT branch_code FROM activities") == [("DZB09",)]
    assert rows(db, "SELECT department_code FROM satisfaction_responses") == [("K01",)]
    assert rows(db, "SELECT department_code FROM satisfaction_aggregates") == [("K02",)]
    assert rows(db, "SELECT department_code FROM discipline_records") == [("K01",)]


# --- Each score column's scale on its own ------------------------------------------------------------------


def test_items_on_1_to_5_beside_an_overall_score_on_0_to_100_are_each_mapped_by_their_own_scale(db):
    text = (
        "提交时间,科室编码,调查对象,就医环境,医生沟通,总分\n"
        "2025-03-05 10:00,D01,门诊患者,5,4,92\n"
        "2025-03-05 10:05,D01,门诊患者,3,5,75\n"
        "2025-03-05 10:10,D01,门诊患者,1,2,40\n"
        "2025-03-05 10:15,D01,门诊患者,4,4,88\n"
    )
    result = import_files(db, [csv_file("answers.csv", text)], OPTIONS)
    assert result.ok, result.files[0].errors
    assert result.files[0].scales == {"就医环境": "likert", "医生沟通": "likert", "总分": "percent"}
    stored = rows(
        db,
        "SELECT item_environment, item_doctor_communication, score FROM satisfaction_responses ORDER BY source_row",
    )
    assert stored == [(100.0, 75.0, 92.0), (50.0, 100.0, 75.0), (0.0, 25.0, 40.0), (75.0, 75.0, 88.0)]
