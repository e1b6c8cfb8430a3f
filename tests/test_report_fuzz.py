"""Both renderings of the meeting material take any text a register or a finding can hold (branch and
department names come from uploaded files): control characters, markup, emoji, characters the font lacks,
right-to-left marks, very long words. Each gives a file that opens, never an exception."""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pptx import Presentation
from pypdf import PdfReader

from analytics import report_pdf, report_pptx
from tests.report_support import sample_report

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0, max_size=60)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=TEXT, note=TEXT, title=TEXT)
def test_any_text_renders_to_files_that_open(name: str, note: str, title: str) -> None:
    material = sample_report()
    chart = material.sections[1].chart
    chart.categories[0] = name or "x"
    chart.notes = {chart.categories[0]: note}
    material.sections[4].tables[0].rows[0][0] = name
    material.sections[0].title = title
    material.sections[-1].sentences.append(note + title)
    material.cover.hospital = name
    deck = Presentation(io.BytesIO(report_pptx.render(material)))
    assert len(deck.slides) > len(material.sections)
    assert len(PdfReader(io.BytesIO(report_pdf.render(material))).pages) >= 4
