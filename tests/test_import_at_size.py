"""Import at the size hospitals have: every planted error at its true spreadsheet row, with its true value,
on every run, in CSV, TSV, GBK and XLSX; repeated rows named by both their rows.

The files are generated here, past the sizes where DuckDB and pyarrow split work into vectors (2,048 rows),
row groups (122,880 rows) and parallel blocks: errors sit on both sides of those boundaries and on the last
row. What each planted row should report is written down by the test, not computed by the product.
"""

from __future__ import annotations

import io
import shutil

import numpy as np
import openpyxl
import pandas as pd
import pytest

from analytics.db import Database
from analytics.imports.importer import import_files, undo
from analytics.imports.model import ImportOptions, SourceFile
from tests.conftest import SAMPLES

RESPONSE_ROWS = 200_500  # data rows; spreadsheet rows 2 … 200,501
LEDGER_ROWS = 6_000  # data rows below a title row and the header: spreadsheet rows 3 … 6,002
RUNS = 3
RESPONSE_HEADERS = ["提交时间", "科室编码", "调查对象", "总体满意度", "就医环境", "医生沟通"]
DEPARTMENTS = ["D01", "D02", "D03", "D04", "D05", "D06"]
POPULATIONS = ["门诊患者", "住院患者", "医务人员"]
BRANCHES = ["内科第一党支部", "外科党支部", "医技联合党支部", "机关党支部"]
TYPES = ["党小组会", "支部委员会会议", "主题党日", "党课", "志愿服务", "义诊"]
TODAY = pd.Timestamp("2026-06-30").date()


def boundary_rows(first: int, last: int) -> list[int]:
    """Spreadsheet rows on both sides of every vector (2,048), row-group (122,880) and round-number
    boundary inside the data, counted from the first data row, plus the first and the last row."""
    rows = {first, first + 1, last}
    for size in (2048, 4096, 10_000, 65_536, 100_000, 122_880, 131_072):
        for multiple in range(size, last - first + 1, size):
            rows.update(first + multiple + d for d in (-1, 0, 1))
    return sorted(r for r in rows if first <= r <= last)


def pairs(first: int, last: int) -> list[tuple[int, int]]:
    """(row, earlier row) pairs: each boundary row after the first two repeats a row a few rows above it
    that is neither a boundary row nor repeated by another, so each pair is a group of its own."""
    boundary = boundary_rows(first, last)
    taken = set(boundary)
    out = []
    for row in boundary[2:]:
        earlier = next(r for r in range(row - 7, first - 1, -1) if r not in taken)
        taken.add(earlier)
        out.append((row, earlier))
    return out


# --- Survey responses: CSV, TSV, GBK ----------------------------------------------------------------------


def responses(rows: int, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    minutes = rng.integers(0, 365 * 24 * 60, rows)
    stamps = pd.Series(np.datetime64("2025-01-01T00:00") + minutes.astype("timedelta64[m]"))
    frame = pd.DataFrame(
        {
            RESPONSE_HEADERS[0]: stamps.dt.strftime("%Y/%m/%d %H:%M"),
            RESPONSE_HEADERS[1]: np.array(DEPARTMENTS)[rng.integers(0, 6, rows)],
            RESPONSE_HEADERS[2]: np.array(POPULATIONS)[rng.integers(0, 3, rows)],
        }
    )
    for header in RESPONSE_HEADERS[3:]:
        frame[header] = (rng.choice(5, rows, p=[0.03, 0.05, 0.17, 0.40, 0.35]) + 1).astype(str)
    return frame


# Each planted problem: (column, cell text, error code). They rotate over the boundary rows.
PROBLEMS = [
    ("总体满意度", "x{row}", "type-error"),
    ("总体满意度", "9", "out-of-range"),  # the file is 1–5: 9 is outside it
    ("科室编码", "D99", "unknown-reference"),
    ("提交时间", "2027/01/05 10:{minute:02d}", "future-date"),  # after the import's day
    ("医生沟通", "0", "out-of-range"),
    ("调查对象", "", "missing-value"),
]


def planted_responses() -> tuple[pd.DataFrame, set[tuple[int, str, str | None, str]]]:
    frame = responses(RESPONSE_ROWS)
    expected = set()
    for i, row in enumerate(boundary_rows(2, RESPONSE_ROWS + 1)):
        column, text, code = PROBLEMS[i % len(PROBLEMS)]
        value = text.format(row=row, minute=row % 60)
        frame.loc[row - 2, column] = value
        expected.add((row, column, value or None, code))
    return frame, expected


def found(result) -> set[tuple[int, str, str | None, str]]:
    return {(e.row, e.column, e.value, e.code) for f in result.files for e in f.errors}


@pytest.fixture(scope="module")
def organised_path(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("size") / "organised.duckdb"
    with Database(path) as db:
        files = [SourceFile.from_path(SAMPLES / n) for n in ("branches_utf8bom.csv", "departments_gbk.csv")]
        assert import_files(db, files).ok
    return str(path)


@pytest.fixture
def organised(organised_path, tmp_path):
    copy = tmp_path / "db.duckdb"
    shutil.copy(organised_path, copy)
    with Database(copy) as db:
        yield db


@pytest.fixture(scope="module")
def planted():
    return planted_responses()


@pytest.mark.parametrize(
    ("name", "sep", "encoding"),
    [("responses.csv", ",", "utf-8"), ("responses.tsv", "\t", "utf-8"), ("responses_gbk.csv", ",", "gbk")],
)
def test_every_planted_error_in_a_large_text_file_is_at_its_true_row_on_every_run(
    organised, planted, name, sep, encoding
):
    frame, expected = planted
    assert len(expected) > 30  # both sides of every boundary, rotating over six kinds of problem
    content = frame.to_csv(index=False, sep=sep, lineterminator="\r\n").encode(encoding)
    options = ImportOptions(today=TODAY)
    for _ in range(RUNS):
        result = import_files(organised, [SourceFile(name, content)], options)
        assert not result.ok
        assert found(result) == expected
        assert organised.reader().execute("SELECT count(*) FROM satisfaction_responses").fetchone() == (0,)


def test_the_same_large_file_without_its_errors_stores_every_row_with_its_row_number(organised):
    clean = responses(RESPONSE_ROWS)  # the same generator without the planted cells
    content = clean.to_csv(index=False).encode("gbk")
    result = import_files(organised, [SourceFile("clean.csv", content)], ImportOptions(today=TODAY))
    assert result.ok and result.files[0].rows == RESPONSE_ROWS
    stored = (
        organised.reader()
        .execute(
            "SELECT source_row, strftime(submitted_at, '%Y/%m/%d %H:%M'), department_code, score "
            "FROM satisfaction_responses ORDER BY source_row"
        )
        .df()
    )
    assert list(stored["source_row"]) == list(range(2, RESPONSE_ROWS + 2))
    assert list(stored.iloc[:, 1]) == list(clean[RESPONSE_HEADERS[0]])
    assert list(stored["department_code"]) == list(clean[RESPONSE_HEADERS[1]])
    assert list(stored["score"]) == list((clean[RESPONSE_HEADERS[3]].astype(float) - 1) * 25)


def test_repeated_response_ids_are_named_by_both_rows(organised):
    frame = responses(RESPONSE_ROWS)
    frame.insert(0, "答卷编号", [f"R{i:07d}" for i in range(RESPONSE_ROWS)])
    repeats, clashes = {}, {}
    for i, (row, earlier) in enumerate(pairs(2, RESPONSE_ROWS + 1)):
        frame.loc[row - 2, "答卷编号"] = frame.loc[earlier - 2, "答卷编号"]
        if i % 2:
            frame.loc[row - 2] = frame.loc[earlier - 2]  # the same answer exported twice
            repeats[row] = earlier
        else:  # another answer under the same id, of the same population (ids are per questionnaire)
            frame.loc[row - 2, "调查对象"] = frame.loc[earlier - 2, "调查对象"]
            frame.loc[row - 2, "提交时间"] = "2025/12/31 23:59"  # a different answer
            clashes[row] = earlier
    content = frame.to_csv(index=False).encode("utf-8")
    for _ in range(RUNS):
        result = import_files(organised, [SourceFile("ids.csv", content)], ImportOptions(today=TODAY))
        report = result.files[0]
        assert {(e.row, e.other_row) for e in report.errors if e.code == "duplicate-row"} == set(clashes.items())
        assert {(w.row, w.other_row) for w in report.row_warnings if w.code == "repeated-row"} == set(repeats.items())
        assert {e.code for e in report.errors} == {"duplicate-row"}


# --- Activity ledger: XLSX with a title row -------------------------------------------------------------


def ledger(rows: int, seed: int = 3) -> list[list[object]]:
    rng = np.random.default_rng(seed)
    days = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 365, rows), unit="D")
    return [
        [
            days[i].to_pydatetime(),
            BRANCHES[i % 4],
            TYPES[int(rng.integers(0, len(TYPES)))],
            f"第{i}次学习",  # a topic per row: no two rows alike unless planted
            int(rng.integers(5, 20)),
            20,
            1.5,
        ]
        for i in range(rows)
    ]


LEDGER_HEADERS = ["活动日期", "支部名称", "活动类型", "活动主题", "参加人数", "应到人数", "时长(小时)"]


def xlsx(rows: list[list[object]], title: str = "2025年党建活动台账") -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("台账")
    sheet.append([title])
    sheet.append(LEDGER_HEADERS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_every_planted_error_in_a_large_xlsx_ledger_is_at_its_true_row_on_every_run(organised):
    rows = ledger(LEDGER_ROWS)
    expected = set()
    for i, row in enumerate(boundary_rows(3, LEDGER_ROWS + 2)):
        cells = rows[row - 3]
        if i % 3 == 0:
            cells[4] = -row  # negative attendance
            expected.add((row, "参加人数", str(-row), "out-of-range"))
        elif i % 3 == 1:
            cells[4] = f"约{row}人"
            expected.add((row, "参加人数", f"约{row}人", "type-error"))
        else:
            cells[2] = "打篮球"
            expected.add((row, "活动类型", "打篮球", "type-error"))
    content = xlsx(rows)
    for _ in range(RUNS):
        result = import_files(organised, [SourceFile("ledger.xlsx", content)], ImportOptions(today=TODAY))
        assert found(result) == expected


def test_repeated_and_same_key_rows_of_a_large_ledger_are_named_by_both_rows(organised):
    rows = ledger(LEDGER_ROWS)
    repeated, same_key = {}, {}
    for i, (row, earlier) in enumerate(pairs(3, LEDGER_ROWS + 2)):
        rows[row - 3] = list(rows[earlier - 3])
        if i % 2:
            repeated[row] = earlier  # identical in every cell: stored once
        else:
            rows[row - 3][4] = rows[earlier - 3][4] + 1  # same date, branch, type, topic; other attendance
            same_key[row] = earlier
    content = xlsx(rows)
    for _ in range(RUNS):
        result = import_files(organised, [SourceFile("ledger.xlsx", content)], ImportOptions(today=TODAY))
        report = result.files[0]
        assert result.ok, report.errors[:3]
        assert undo(organised, report.batch_id).ok  # the next run starts from an empty ledger
        assert {(w.row, w.other_row) for w in report.row_warnings if w.code == "repeated-row"} == set(repeated.items())
        assert {(w.row, w.other_row) for w in report.row_warnings if w.code == "same-key"} == set(same_key.items())
        assert report.rows == LEDGER_ROWS - len(repeated)
