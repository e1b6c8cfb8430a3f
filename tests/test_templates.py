"""The XLSX import templates: a data sheet with only its header row (first, the one imported), drop-down
lists on every controlled column drawn from a hidden sheet, headers that agree with the examples on the
notes sheet. Templates are read back with openpyxl; expected lists come from the enum classes and the
test's own database, not from product code."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from analytics.db import Database
from analytics.imports import templates
from analytics.imports.fields import FIELDS
from analytics.imports.importer import import_files
from analytics.imports.model import ImportOptions, SourceFile
from analytics.queries import RECORD_TABLES
from analytics.schema import (
    ActivityStatus,
    ActivityType,
    DepartmentCategory,
    DisciplineCategory,
    Population,
    RecordKind,
    RectificationStatus,
    SixImprovement,
)

LANGS = ["zh", "en"]
VALIDATED_TO = 1000  # at least this many rows carry the drop-downs

# The registers of the test database, (code, name), inserted out of order. They hold the units the
# templates' examples name (DZB01 内科第一党支部, D01 心血管内科), so every example is in its drop-down.
BRANCHES = [("DZB02", "外科党支部"), ("DZB01", "内科第一党支部"), ("DZB10", "行政第一党支部")]
DEPARTMENTS = [("D10", "普外科", "DZB02"), ("D01", "心血管内科", "DZB01"), ("D02", "呼吸与危重症医学科", "DZB01")]

# Each controlled column by its header (templates head their columns in Chinese in both languages).
ENUMS = {
    (RecordKind.DEPARTMENTS, "科室类别"): DepartmentCategory,
    (RecordKind.ACTIVITIES, "活动类型"): ActivityType,
    (RecordKind.ACTIVITIES, "六提升维度"): SixImprovement,
    (RecordKind.ACTIVITIES, "召开情况"): ActivityStatus,
    (RecordKind.SATISFACTION_RESPONSES, "调查对象"): Population,
    (RecordKind.SATISFACTION_AGGREGATES, "调查对象"): Population,
    (RecordKind.DISCIPLINE, "类别"): DisciplineCategory,
    (RecordKind.DISCIPLINE, "状态"): RectificationStatus,
}
BOOLS = {(RecordKind.BRANCHES, "是否联合党支部"), (RecordKind.BRANCHES, "书记是否双带头人")}
YES_NO = {"zh": ["是", "否"], "en": ["yes", "no"]}
# Reference headers: which register, and whether the column holds codes or names.
REFS = {
    "支部编码": ("branch", "code"),
    "支部名称": ("branch", "name"),
    "科室编码": ("department", "code"),
    "科室名称": ("department", "name"),
}
LIST_RANGE = re.compile(r"^'((?:[^']|'')+)'!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)$")


def registers_sorted() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    return sorted(BRANCHES), sorted((code, name) for code, name, _ in DEPARTMENTS)


def expected_list(kind: RecordKind, header: str, lang: str) -> list[str]:
    """The values the drop-down of `header` must offer, from the enum classes and the test's registers."""
    if (kind, header) in ENUMS:
        return [member.zh if lang == "zh" else member.en for member in ENUMS[kind, header]]
    if (kind, header) in BOOLS:
        return YES_NO[lang]
    register, column = REFS[header]
    branches, departments = registers_sorted()
    pairs = branches if register == "branch" else departments
    return [code if column == "code" else name for code, name in pairs]


def open_book(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


def headers(book: openpyxl.Workbook) -> list[str]:
    return [cell.value for cell in book.worksheets[0][1]]


def dropdowns(book: openpyxl.Workbook) -> dict[str, tuple[object, list[str]]]:
    """Header → (its data validation, the values of the list it refers to) on the first sheet."""
    sheet = book.worksheets[0]
    by_letter = {cell.column_letter: cell.value for cell in sheet[1]}
    found = {}
    for validation in sheet.data_validations.dataValidation:
        ranges = str(validation.sqref).split()
        assert len(ranges) == 1, ranges
        first, last = ranges[0].split(":")
        letter = first.rstrip("0123456789")
        assert first == f"{letter}2" and last.startswith(letter), ranges
        assert int(last.removeprefix(letter)) >= VALIDATED_TO
        match = LIST_RANGE.match(validation.formula1)
        assert match, validation.formula1  # a range on another sheet, not an inline list
        title, column, top, column_end, bottom = match.groups()
        lists = book[title.replace("''", "'")]
        assert lists is not sheet and lists.sheet_state == "hidden"
        assert column == column_end
        values = [lists[f"{column}{row}"].value for row in range(int(top), int(bottom) + 1)]
        assert by_letter[letter] not in found
        found[by_letter[letter]] = (validation, values)
    return found


def notes_examples(book: openpyxl.Workbook) -> dict[str, object]:
    """Column → its example, from the notes sheet's table (the column headed as an example)."""
    notes = book.worksheets[1]
    titles = [cell.value for cell in notes[1]]
    example_at = next(i for i, title in enumerate(titles) if "示例" in title or "Example" in title)
    rows = {}
    for cells in notes.iter_rows(min_row=2, values_only=True):
        if cells[0] is None or cells[1] is None:  # the table ends at the first blank row
            break
        rows[cells[0]] = cells[example_at]
    return rows


def is_ref(kind: RecordKind, header: str) -> bool:
    """A column referring to a register (not the register's own code or name column)."""
    return (
        header in REFS
        and kind != {"branch": RecordKind.BRANCHES, "department": RecordKind.DEPARTMENTS}[REFS[header][0]]
    )


def controlled_headers(kind: RecordKind, sheet_headers: list[str]) -> set[str]:
    return {h for h in sheet_headers if (kind, h) in ENUMS or (kind, h) in BOOLS or is_ref(kind, h)}


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A closed database holding the test registers and nothing else."""
    path = tmp_path / "x.duckdb"
    with Database(path) as db, db.writer() as cur:
        for code, name in BRANCHES:
            cur.execute(
                "INSERT INTO branches (branch_code, name, is_joint, member_count, batch_id) "
                "VALUES (?, ?, false, 10, 1)",
                [code, name],
            )
        for code, name, branch in DEPARTMENTS:
            cur.execute(
                "INSERT INTO departments (department_code, name, category, staff_count, branch_code, batch_id) "
                "VALUES (?, ?, 'clinical', 10, ?, 1)",
                [code, name, branch],
            )
    return path


def counts(db: Database) -> dict[str, int]:
    return {table: db.reader().execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in RECORD_TABLES}


# --- The data sheet --------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", list(RecordKind))
def test_the_first_sheet_holds_only_the_header_row(kind, lang):
    book = open_book(templates.template(kind, lang, branches=BRANCHES, departments=[d[:2] for d in DEPARTMENTS]))
    sheet = book.worksheets[0]
    assert sheet.sheet_state == "visible" and book.active is sheet
    assert all(headers(book))
    below = [cell.value for row in sheet.iter_rows(min_row=2) for cell in row]
    assert sheet.max_row == 1 or all(value in (None, "") for value in below)
    assert [s.sheet_state for s in book.worksheets[1:]] == ["visible", "hidden"]


@pytest.mark.parametrize("kind", list(RecordKind))
def test_every_enum_bool_and_reference_field_has_a_column_the_test_knows(kind):
    """Guards the test's own tables: a new controlled field must be added to them (and to the template)."""
    sheet_headers = headers(open_book(templates.template(kind)))
    for field in FIELDS[kind]:
        if field.type == "enum":
            assert any((kind, h) in ENUMS and ENUMS[kind, h] is field.enum for h in sheet_headers), field.name
        elif field.type == "bool":
            assert any((kind, h) in BOOLS and h in field.aliases for h in sheet_headers), field.name
        elif field.type == "ref":
            assert any(is_ref(kind, h) and REFS[h][0] == field.ref for h in sheet_headers), field.name


# --- Drop-down lists ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", list(RecordKind))
def test_every_controlled_column_offers_its_list_from_the_hidden_sheet(db_path, kind, lang):
    with Database(db_path) as db:
        book = open_book(templates.template_for(db, kind, lang))
    found = dropdowns(book)
    assert set(found) == controlled_headers(kind, headers(book))
    for header, (validation, values) in found.items():
        assert values == expected_list(kind, header, lang), header
        assert validation.type == "list"
        assert not validation.showDropDown  # True would hide the arrow
        assert validation.showErrorMessage and validation.allow_blank
        assert validation.errorStyle == ("warning" if is_ref(kind, header) else "stop"), header
        assert validation.error and validation.errorTitle


@pytest.mark.parametrize("kind", list(RecordKind))
def test_without_registers_reference_columns_have_no_dropdown_and_the_notes_say_so(kind):
    book = open_book(templates.template(kind, "zh"))
    found = dropdowns(book)
    sheet_headers = headers(book)
    refs = {h for h in sheet_headers if is_ref(kind, h)}
    assert set(found) == controlled_headers(kind, sheet_headers) - refs
    notes = [row[0] for row in book.worksheets[1].iter_rows(values_only=True) if row[0]]
    for header in refs:
        assert any(f"“{header}”列没有下拉列表" in line for line in notes), notes


def test_reference_lists_are_the_databases_registers_by_code(db_path):
    with Database(db_path) as db:
        assert templates.reference_lists(db) == dict(zip(["branches", "departments"], registers_sorted(), strict=True))
    with Database(Path(db_path).with_name("empty.duckdb")) as empty:
        assert templates.reference_lists(empty) == {"branches": [], "departments": []}


def test_names_with_a_leading_equals_sign_stay_text():
    book = open_book(templates.template(RecordKind.ACTIVITIES, branches=[("B1", "=1+1"), ("B2", "党支部")]))
    assert dropdowns(book)["支部名称"][1] == ["=1+1", "党支部"]


# --- Headers and examples -------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", list(RecordKind))
def test_each_example_is_on_the_notes_sheet_and_agrees_with_its_header(db_path, kind, lang):
    with Database(db_path) as db:
        book = open_book(templates.template_for(db, kind, lang))
    examples = notes_examples(book)
    found = dropdowns(book)
    for header in headers(book):
        assert header in examples, header
        if header in found and examples[header] not in (None, ""):
            assert examples[header] in found[header][1], (header, examples[header])
        if is_ref(kind, header):
            is_code = re.fullmatch(r"[A-Za-z0-9_-]+", str(examples[header])) is not None
            assert is_code == (REFS[header][1] == "code"), (header, examples[header])
    notes = [row[0] for row in book.worksheets[1].iter_rows(values_only=True) if row[0]]
    assert any(book.worksheets[0].title in line for line in notes)  # names the sheet that is imported


def test_activities_name_the_branch():
    assert headers(open_book(templates.template(RecordKind.ACTIVITIES)))[:3] == ["活动日期", "支部名称", "活动类型"]


# --- Importing ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(RecordKind))
def test_the_template_as_downloaded_stores_nothing(db_path, kind):
    with Database(db_path) as db:
        before = counts(db)
        result = import_files(db, [SourceFile("t.xlsx", templates.template_for(db, kind))])
        assert not result.ok
        assert "no-data" in {error.code for report in result.files for error in report.errors}
        assert counts(db) == before


@pytest.mark.parametrize("lang", LANGS)
def test_each_template_filled_with_its_example_imports_one_row(tmp_path, lang):
    """Registers first, then the records that refer to them: every example row is accepted as it stands."""
    with Database(tmp_path / "chain.duckdb") as db:
        for kind in RecordKind:
            book = open_book(templates.template_for(db, kind, lang))
            examples = notes_examples(book)
            sheet = book.worksheets[0]
            for column, header in enumerate(headers(book), start=1):
                sheet.cell(row=2, column=column, value=examples[header])
            out = io.BytesIO()
            book.save(out)
            result = import_files(db, [SourceFile(f"{kind.value}.xlsx", out.getvalue())], ImportOptions(lang=lang))
            assert result.ok, (kind, result)
            assert [report.rows for report in result.files] == [1], kind


# --- The command line -----------------------------------------------------------------------------------


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "analytics", *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )


def test_cli_writes_the_databases_registers_into_the_lists(db_path, tmp_path):
    out = tmp_path / "activities.xlsx"
    result = run_cli("template", "activities", str(out), "--db", str(db_path))
    assert result.returncode == 0, result.stderr
    found = dropdowns(open_book(out.read_bytes()))
    assert found["支部名称"][1] == [name for _, name in registers_sorted()[0]]

    out = tmp_path / "discipline.xlsx"
    assert run_cli("template", "discipline", str(out), "--db", str(db_path), "--lang", "en").returncode == 0
    found = dropdowns(open_book(out.read_bytes()))
    assert found["科室编码"][1] == [code for code, _ in registers_sorted()[1]]
    assert found["类别"][1] == [member.en for member in DisciplineCategory]


def test_cli_without_a_database_file_writes_no_reference_lists_and_creates_none(tmp_path):
    out, missing = tmp_path / "responses.xlsx", tmp_path / "none.duckdb"
    result = run_cli("template", "satisfaction_responses", str(out), env={"PBI_DB": str(missing)})
    assert result.returncode == 0, result.stderr
    assert not missing.exists()
    assert set(dropdowns(open_book(out.read_bytes()))) == {"调查对象"}


def test_cli_falls_back_to_no_lists_when_the_database_is_locked(db_path, tmp_path):
    out = tmp_path / "activities.xlsx"
    with Database(db_path) as db, db.writer():  # as a long write (an import) holds it
        # It waits $PBI_DB_WAIT seconds for the lock (30 by default) before it gives up on the lists.
        result = run_cli("template", "activities", str(out), "--db", str(db_path), env={"PBI_DB_WAIT": "2"})
    assert result.returncode == 0, result.stderr
    assert "warning" in result.stderr
    assert "支部名称" not in dropdowns(open_book(out.read_bytes()))
