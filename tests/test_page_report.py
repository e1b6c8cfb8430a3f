"""The 会议材料 page through AppTest: the preview says what the material will say (the same report the CLI
builds), any role may make it, one click makes both files (a PPTX and a PDF that open), the generation is in
the audit trail, an English material from a Chinese screen, and a year with its annual assessment."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pptx import Presentation
from pypdf import PdfReader

from analytics import audit, report
from analytics.accounts import Role
from analytics.db import Database
from analytics.i18n import t
from tests.page_support import open_app_page

TIMEOUT = 240


def markdown_text(at) -> list[str]:
    return [m.value.replace("\\", "") for m in at.markdown]


@pytest.fixture(scope="module")
def expected(demo_db_path):
    with Database(demo_db_path) as db:
        return report.build(db, "2025Q4", "hospital", "zh", as_of=dt.date.today())


def test_the_preview_is_the_material_and_one_click_makes_both_files(demo_db_copy, monkeypatch, expected):
    at = open_app_page("pages/report.py", demo_db_copy, monkeypatch, "zh", TIMEOUT, role=Role.VIEWER)
    shown = markdown_text(at)
    assert expected.cover.period == "2025年第四季度"
    for section in expected.sections:
        assert f"#### {section.title}" in shown, section.key
    assert at.selectbox(key="report_period_quarter").value == "2025Q4"
    assert not at.get("download_button"), "no file before the click"

    at.button(key="report_make").click().run(timeout=TIMEOUT)
    assert not at.exception, at.exception
    buttons = at.get("download_button")
    assert len(buttons) == 2
    deck = Presentation(io.BytesIO(expected_bytes(at, "pptx")))
    titles = [s.shapes.title.text for s in deck.slides if s.shapes.title is not None]
    assert expected.section("party_index").title in titles
    pdf = PdfReader(io.BytesIO(expected_bytes(at, "pdf")))
    assert len(pdf.pages) >= 5
    with Database(demo_db_copy) as db:
        rows = audit.rows(db, action="report")
    assert len(rows) == 1 and rows.iloc[0]["user"] == "test-viewer"


def expected_bytes(at, fmt: str) -> bytes:
    """The bytes the page holds for `fmt` (what its download button hands out)."""
    return at.session_state["report_files"][1][fmt]


def test_a_year_in_english_has_the_annual_assessment(demo_db_copy, monkeypatch):
    at = open_app_page("pages/report.py", demo_db_copy, monkeypatch, "zh", TIMEOUT)
    at.segmented_control(key="report_grain").set_value("year").run(timeout=TIMEOUT)
    at.selectbox(key="report_period_year").set_value("2025").run(timeout=TIMEOUT)
    language = next(s for s in at.selectbox if s.label == t("report.page.language", "zh"))
    language.set_value("en").run(timeout=TIMEOUT)
    assert not at.exception, at.exception
    shown = markdown_text(at)
    assert any(line.startswith("#### 2025 assessment:") for line in shown), shown
    assert "Annual assessment" in [c.value for c in at.caption]
