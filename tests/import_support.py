"""Files shaped like a hospital's exports, generated for the import tests."""

from __future__ import annotations

import io

import openpyxl

from analytics.imports.model import SourceFile


def aggregates_xlsx(scores: list[float]) -> bytes:
    """A department × quarter satisfaction sheet under a title row, like the survey platform's export: one
    outpatient score per department D01, D02, … for 2025 Q1, with 100, 101, … respondents."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2025年各科室满意度"])
    sheet.append(["期间", "科室编码", "调查对象", "满意度得分", "样本量"])
    for i, score in enumerate(scores):
        sheet.append(["2025年第1季度", f"D0{i + 1}", "门诊患者", score, 100 + i])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def registers() -> list[SourceFile]:
    """A small organisation as the party office's CSV exports: branches B1 and B2, departments D1 心血管内科
    (branch B1) and D2 呼吸内科 (branch B2)."""
    branches = "支部编码,支部名称,党员人数\nB1,内科第一党支部,20\nB2,内科第二党支部,15\n"
    departments = "科室编码,科室名称,科室类别,职工人数,支部编码\nD1,心血管内科,临床,50,B1\nD2,呼吸内科,临床,40,B2\n"
    return [SourceFile("branches.csv", branches.encode()), SourceFile("departments.csv", departments.encode())]
