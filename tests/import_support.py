"""Files shaped like a hospital's exports, generated for the import tests."""

from __future__ import annotations

import io

import openpyxl


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
