"""Downloadable XLSX templates, one per kind: a header row, one example row, and a notes sheet."""

from __future__ import annotations

import io

from analytics.fields import FIELDS, Field, expectation
from analytics.i18n import t
from analytics.schema import RecordKind

EXAMPLES: dict[RecordKind, dict[str, object]] = {
    RecordKind.BRANCHES: {
        "branch_code": "DZB01",
        "name": "内科第一党支部",
        "member_count": 23,
        "is_joint": "是",
        "secretary_double_leader": "是",
    },
    RecordKind.DEPARTMENTS: {
        "department_code": "D01",
        "name": "心血管内科",
        "category": "临床",
        "staff_count": 85,
        "branch_code": "DZB01",
    },
    RecordKind.ACTIVITIES: {
        "activity_date": "2024-03-05",
        "branch_code": "内科第一党支部",
        "activity_type": "主题党日",
        "topic": "学习贯彻党的二十大精神",
        "attended": 21,
        "expected": 23,
        "hours": 1.5,
        "dimension": "向心力",
    },
    RecordKind.SATISFACTION_RESPONSES: {
        "submitted_at": "2024/3/5 14:30",
        "department_code": "心血管内科",
        "population": "住院患者",
        "score": 95,
        "item_environment": 90,
        "item_doctor_communication": 100,
        "item_nurse_communication": 95,
        "item_waiting_time": 80,
        "item_privacy": 95,
        "item_cost": 85,
    },
    RecordKind.SATISFACTION_AGGREGATES: {
        "period": "2024年第1季度",
        "department_code": "D01",
        "population": "门诊患者",
        "score": 91.2,
        "respondents": 120,
    },
    RecordKind.DISCIPLINE: {
        "record_date": "2024-03-05",
        "department_code": "D01",
        "category": "第一种形态",
        "summary": "谈话提醒",
        "persons": "张三",
        "status": "整改中",
        "rectification_deadline": "2024-04-05",
        "rectification_completed": "",
    },
}


def _header(field: Field) -> str:
    """The template's column name: a field's first alias (for a reference, its code column)."""
    return field.aliases[0]


def template(kind: RecordKind, lang: str = "zh") -> bytes:
    """The XLSX template for `kind` as bytes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    book = Workbook()
    sheet = book.active
    sheet.title = kind.label(lang)[:31]
    fields = [f for f in FIELDS[kind] if f.required or f.name in EXAMPLES[kind]]
    sheet.append([_header(f) for f in fields])
    sheet.append([EXAMPLES[kind].get(f.name, "") for f in fields])
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="B71C1C")
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = 18

    notes = book.create_sheet(t("template.notes", lang))
    notes.append(
        [
            t("template.column", lang),
            t("template.required", lang),
            t("template.accepted", lang),
            t("template.format", lang),
        ]
    )
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for field in FIELDS[kind]:
        accepted = " / ".join((*field.aliases, *field.name_aliases))
        required = t("template.yes", lang) if field.required else t("template.no", lang)
        notes.append([_header(field), required, accepted, expectation(field, lang)])
    notes.append([])
    notes.append([t("template.note", lang)])
    for letter, width in zip("ABCD", (18, 10, 60, 60), strict=True):
        notes.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
