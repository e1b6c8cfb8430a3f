"""Downloadable XLSX templates, one per kind.

* The first sheet (the one the importer reads) holds only the header row, so a template uploaded as
  downloaded stores nothing. Its controlled columns carry drop-down lists: enum labels and yes/no
  (nothing else accepted), and the database's branches and departments when given (other values warned
  about: a new unit may legitimately be typed, if its register is imported too).
* The lists live on a hidden sheet and the validations refer to its ranges (Excel limits an inline list to
  255 characters, which a hospital's department names exceed).
* The notes sheet explains every field, with an example value that is never imported.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from analytics.i18n import t
from analytics.imports.fields import FIELDS, Field, expectation, field_label
from analytics.schema import (
    ActivityStatus,
    ActivityType,
    DepartmentCategory,
    DisciplineCategory,
    LabelledEnum,
    Population,
    RecordKind,
    RectificationStatus,
    SixImprovement,
)

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from analytics.db import Database

# The registers the reference columns' drop-downs offer, as (code, name) pairs.
# TODO: move to analytics/queries.py (kept here while queries.py is being rewritten).
BRANCH_LIST = "SELECT branch_code, name FROM branches_now ORDER BY branch_code"
DEPARTMENT_LIST = "SELECT department_code, name FROM departments_now ORDER BY department_code"

# Data validations cover the data sheet from row 2 down to this row.
VALIDATED_ROWS = 5000

# How each kind's reference column (a branch or department) is filled in: by code or by name. The
# template's header, its example and its drop-down list all follow this.
REF_BY: dict[RecordKind, str] = {
    RecordKind.DEPARTMENTS: "code",  # the register: branch codes, as in the branch register
    RecordKind.ACTIVITIES: "name",  # the party office's activity ledgers name the branch
    RecordKind.SATISFACTION_RESPONSES: "name",  # survey exports name the department
    RecordKind.SATISFACTION_AGGREGATES: "code",
    RecordKind.DISCIPLINE: "code",
}

# One example value per field shown on the data sheet: an enum member or a bool (written as its label in
# the template's language), a (zh, en) pair, or a value written as it is.
EXAMPLES: dict[RecordKind, dict[str, object]] = {
    RecordKind.BRANCHES: {
        "branch_code": "DZB01",
        "name": "内科第一党支部",
        "member_count": 23,
        "is_joint": True,
        "secretary_double_leader": True,
    },
    RecordKind.DEPARTMENTS: {
        "department_code": "D01",
        "name": "心血管内科",
        "category": DepartmentCategory.CLINICAL,
        "staff_count": 85,
        "branch_code": "DZB01",
    },
    RecordKind.ACTIVITIES: {
        "activity_date": "2024-03-05",
        "branch_code": "内科第一党支部",
        "activity_type": ActivityType.THEME_PARTY_DAY,
        "topic": ("学习贯彻党的二十大精神", "Studying the 20th Party Congress"),
        "attended": 21,
        "expected": 23,
        "hours": 1.5,
        "dimension": SixImprovement.CENTRIPETAL_FORCE,
        "status": ActivityStatus.HELD,
        "source_id": "HD2024-031",
    },
    RecordKind.SATISFACTION_RESPONSES: {
        "submitted_at": "2024/3/5 14:30",
        "department_code": "心血管内科",
        "population": Population.INPATIENT,
        "score": 95,
        "item_environment": 90,
        "item_doctor_communication": 100,
        "item_nurse_communication": 95,
        "item_waiting_time": 80,
        "item_privacy": 95,
        "item_cost": 85,
    },
    RecordKind.SATISFACTION_AGGREGATES: {
        "period": ("2024年第1季度", "2024Q1"),
        "department_code": "D01",
        "population": Population.OUTPATIENT,
        "score": 91.2,
        "respondents": 120,
    },
    RecordKind.DISCIPLINE: {
        "record_date": "2024-03-05",
        "department_code": "D01",
        "category": DisciplineCategory.FORM_1,
        "summary": ("谈话提醒", "Reminder talk"),
        "persons": "张三",
        "status": RectificationStatus.IN_PROGRESS,
        "rectification_deadline": "2024-04-05",
        "rectification_completed": "",
        "source_id": "JJ2024-007",
    },
}


def reference_lists(db: Database) -> dict[str, list[tuple[str, str]]]:
    """The database's branches and departments as (code, name) pairs, by code: `template`'s keyword arguments."""
    cursor = db.reader()
    return {
        "branches": [(code, name) for code, name in cursor.execute(BRANCH_LIST).fetchall()],
        "departments": [(code, name) for code, name in cursor.execute(DEPARTMENT_LIST).fetchall()],
    }


def template_for(db: Database, kind: RecordKind, lang: str = "zh") -> bytes:
    """The XLSX template for `kind`, its branch and department columns offering the database's registers."""
    return template(kind, lang, **reference_lists(db))


def header(kind: RecordKind, field: Field) -> str:
    """The template's column name: a field's first alias, or for a reference given by name its first name alias."""
    if field.type == "ref" and REF_BY.get(kind) == "name":
        return field.name_aliases[0]
    return field.aliases[0]


def example(kind: RecordKind, field: Field, lang: str) -> object:
    """The example value of `field` in `lang` ('' if the template has none)."""
    value = EXAMPLES[kind].get(field.name, "")
    if isinstance(value, LabelledEnum):
        return value.label(lang)
    if isinstance(value, bool):
        return _yes_no(lang)[0 if value else 1]
    if isinstance(value, tuple):
        return value[0 if lang == "zh" else 1]
    return value


def template_fields(kind: RecordKind) -> list[Field]:
    """The columns of the data sheet: the required fields and those with an example."""
    return [f for f in FIELDS[kind] if f.required or f.name in EXAMPLES[kind]]


def _yes_no(lang: str) -> tuple[str, str]:
    return t("template.yes", lang), t("template.no", lang)


@dataclass(frozen=True)
class _Choices:
    """A drop-down list: its values, the title of its column on the list sheet, and whether Excel refuses
    other values ('stop') or only warns ('warning')."""

    title: str
    values: tuple[str, ...]
    style: str
    error: str


def _choices(
    kind: RecordKind,
    field: Field,
    lang: str,
    branches: Sequence[tuple[str, str]] | None,
    departments: Sequence[tuple[str, str]] | None,
) -> _Choices | None:
    """The drop-down list for `field`'s column, or None (a free column, or a reference with no register)."""
    if field.type == "enum" and field.enum is not None:
        labels = tuple(member.label(lang) for member in field.enum)
        return _Choices(field_label(field, lang), labels, "stop", t("template.invalid.choice", lang))
    if field.type == "bool":
        yes, no = _yes_no(lang)
        return _Choices(f"{yes}/{no}", (yes, no), "stop", t("template.invalid.choice", lang))
    if field.type == "ref" and field.ref in ("branch", "department"):
        pairs = branches if field.ref == "branch" else departments
        if not pairs:
            return None
        column = 1 if REF_BY.get(kind) == "name" else 0
        values = tuple(str(pair[column]) for pair in pairs)
        return _Choices(header(kind, field), values, "warning", t(f"template.invalid.{field.ref}", lang))
    return None


def _text(value: object) -> object:
    """A value safe to write: strings stay strings (never formulas) and lose characters XLSX cannot hold."""
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _put(sheet: Worksheet, row: int, column: int, value: object) -> None:
    cell = sheet.cell(row=row, column=column, value=_text(value))
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would take a leading '=' for a formula


def _quoted(sheet_title: str) -> str:
    return "'" + sheet_title.replace("'", "''") + "'"


def template(
    kind: RecordKind,
    lang: str = "zh",
    *,
    branches: Sequence[tuple[str, str]] | None = None,
    departments: Sequence[tuple[str, str]] | None = None,
) -> bytes:
    """The XLSX template for `kind` as bytes; `branches` and `departments` ((code, name) pairs) fill the
    drop-downs of its reference column (none given: that column has no drop-down)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = kind.label(lang)[:31]
    notes = book.create_sheet(t("template.notes", lang)[:31])
    lists = book.create_sheet(t("template.lists", lang)[:31])
    lists.sheet_state = "hidden"

    # The data sheet: the header row and nothing else; a drop-down on every controlled column.
    fields = template_fields(kind)
    ranges: dict[tuple[str, tuple[str, ...]], str] = {}  # one list-sheet column per distinct list
    unlisted: list[Field] = []
    for index, field in enumerate(fields, start=1):
        letter = get_column_letter(index)
        _put(sheet, 1, index, header(kind, field))
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="B71C1C")
        sheet.column_dimensions[letter].width = 18
        if field.name.endswith("_code") and header(kind, field) in field.aliases:
            sheet.column_dimensions[letter].number_format = "@"  # codes such as 001 stay text
        choices = _choices(kind, field, lang, branches, departments)
        if choices is None:
            if field.type == "ref":
                unlisted.append(field)
            continue
        key = (choices.title, choices.values)
        if key not in ranges:
            column = len(ranges) + 1
            list_letter = get_column_letter(column)
            _put(lists, 1, column, choices.title)
            for row, value in enumerate(choices.values, start=2):
                _put(lists, row, column, value)
            lists.column_dimensions[list_letter].width = 24
            last = len(choices.values) + 1
            ranges[key] = f"{_quoted(lists.title)}!${list_letter}$2:${list_letter}${last}"
        validation = DataValidation(
            type="list",
            formula1=ranges[key],
            allow_blank=True,
            showErrorMessage=True,
            errorStyle=choices.style,
            errorTitle=t("template.invalid.title", lang)[:32],
            error=choices.error[:255],
        )
        validation.add(f"{letter}2:{letter}{VALIDATED_ROWS}")
        sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"

    # The notes sheet: one row per field, with the example (never imported), then the notes.
    titles = ["column", "required", "example", "accepted", "format"]
    for column, key in enumerate(titles, start=1):
        _put(notes, 1, column, t(f"template.{key}", lang))
        notes.cell(row=1, column=column).font = Font(bold=True)
    for row, field in enumerate(FIELDS[kind], start=2):
        accepted = " / ".join((*field.aliases, *field.name_aliases))
        required = t("template.yes", lang) if field.required else t("template.no", lang)
        values = [header(kind, field), required, example(kind, field, lang), accepted, expectation(field, lang)]
        for column, value in enumerate(values, start=1):
            _put(notes, row, column, value)
    lines = [t("template.note", lang, sheet=sheet.title), t("template.choices", lang)]
    for field in fields:
        if field.type != "ref":
            continue
        unit = t(f"template.unit.{field.ref}", lang)
        if field in unlisted:
            lines.append(t("template.ref.unlisted", lang, column=header(kind, field), unit=unit))
        else:
            count = len((branches if field.ref == "branch" else departments) or ())
            lines.append(t("template.ref.listed", lang, column=header(kind, field), unit=unit, n=count))
    row = len(FIELDS[kind]) + 3
    for offset, line in enumerate(lines):
        _put(notes, row + offset, 1, line)
    for letter, width in zip("ABCDE", (18, 8, 24, 60, 60), strict=True):
        notes.column_dimensions[letter].width = width
    for cells in notes.iter_rows(min_row=2, max_row=len(FIELDS[kind]) + 1):
        for cell in cells:
            cell.alignment = Alignment(vertical="top", wrap_text=True)

    book.active = 0
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
