"""`python -m analytics report`: the files a scheduled run writes, checked the way the issue asks. The PPTX's
native charts hold exactly the numbers `metrics --json` prints for that period; the PDF's Chinese text is
extractable, its fonts embedded; a year for one branch has that branch's annual assessment; a small group is
withheld in both files; bad requests and unwritable folders get a sentence and exit 1, never a traceback."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from pptx import Presentation
from pypdf import PdfReader

from analytics import audit
from analytics.db import Database
from tests.conftest import copy_database

ROOT = Path(__file__).resolve().parent.parent


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "analytics", *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )


def pdf_text(path: Path) -> str:
    """The PDF's text without whitespace and the NULs pypdf reads before each glyph of fpdf2's CFF fonts (see
    tests/test_report_pdf.py)."""
    return re.sub(r"[\s\x00]+", "", "".join(page.extract_text() for page in PdfReader(path).pages))


def native_charts(deck) -> dict[str, object]:
    """Slide title → its chart (the slides that have one)."""
    out = {}
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_chart and slide.shapes.title is not None:
                out[slide.shapes.title.text] = shape.chart
    return out


@pytest.fixture(scope="module")
def db_path(demo_db_path, tmp_path_factory) -> Path:
    """A copy of the demo database for this module: each report adds a row to its audit trail."""
    return copy_database(demo_db_path, tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="module")
def quarter_files(db_path, tmp_path_factory):
    folder = tmp_path_factory.mktemp("material")
    done = cli("report", "--db", str(db_path), "--period", "2025Q4", "-o", f"{folder}/")
    assert done.returncode == 0, done.stderr
    written = [Path(line) for line in done.stdout.split()]
    assert sorted(p.suffix for p in written) == [".pdf", ".pptx"] and all(p.parent == folder for p in written)
    return {p.suffix[1:]: p for p in written}


def test_the_pptx_charts_hold_the_numbers_metrics_prints(quarter_files, db_path):
    printed = json.loads(cli("metrics", "--db", str(db_path), "--level", "branch", "--json").stdout)
    index = {r["unit"]: r["party_index"] for r in printed if r["period"] == "2025Q4"}
    with Database(db_path) as db:
        names = dict(db.reader().execute("SELECT name, branch_code FROM branches").fetchall())
    deck = Presentation(quarter_files["pptx"])
    assert deck.slide_width * 9 == deck.slide_height * 16
    ranking = next(c for title, c in native_charts(deck).items() if "个党支部中" in title)
    plot = ranking.plots[0]
    values = dict(zip(plot.categories, plot.series[0].values, strict=True))
    assert len(values) == len(index)
    for name, value in values.items():
        expected = index[names[name]]
        assert (value is None) if expected is None else value == pytest.approx(expected, abs=1e-9), name


def test_the_pdf_has_every_section_in_extractable_chinese_with_embedded_fonts(quarter_files):
    text = pdf_text(quarter_files["pdf"])
    for heading in ("主要指标", "党建指数", "三会一课", "满意度", "纪检监察", "风险预警", "党建体检", "数据说明"):
        assert heading in text, heading
    assert "内部资料注意保密" in text
    reader = PdfReader(quarter_files["pdf"])
    assert 6 <= len(reader.pages) <= 40
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font)["/FontDescriptor"]
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]


def test_a_year_for_one_branch_gives_its_annual_assessment(db_path, tmp_path):
    done = cli("report", "--db", str(db_path), "--period", "2025", "--scope", "DZB02", "-o", str(tmp_path / "外科"))
    assert done.returncode == 0, done.stderr
    with Database(db_path) as db:
        name = db.reader().execute("SELECT name FROM branches WHERE branch_code = 'DZB02'").fetchone()[0]
    deck = Presentation(tmp_path / "外科.pptx")
    titles = [s.shapes.title.text for s in deck.slides if s.shapes.title is not None]
    assessment = [title for title in titles if title.startswith(f"{name} 2025 年党建指数")]
    assert assessment, titles
    text = pdf_text(tmp_path / "外科.pdf")
    assert "年度考核" in text and re.sub(r"\s+", "", assessment[0]) in text


def test_a_small_group_is_withheld_in_both_files(db_path, tmp_path):
    """DZB04's staff in 2025Q4 are withheld by `metrics` (see tests/test_report.py)."""
    done = cli("report", "--db", str(db_path), "--period", "2025Q4", "--scope", "DZB04", "-o", str(tmp_path / "b"))
    assert done.returncode == 0, done.stderr
    deck = Presentation(tmp_path / "b.pptx")
    rows = [
        [cell.text for cell in row.cells]
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_table
        for row in shape.table.rows
    ]
    staff = next(row for row in rows if row[0] == "医务人员满意度")
    assert staff[1] == "—" and staff[-1] in ("<10", "—")
    text = pdf_text(tmp_path / "b.pdf")
    assert re.search("医务人员满意度—(—){0,2}(p[^医]*)?(<10|—)", text), text[:2000]


def test_bad_requests_and_unwritable_folders_get_a_sentence(demo_db_copy, tmp_path):
    period = cli("report", "--db", str(demo_db_copy), "--period", "2031Q1", "-o", str(tmp_path / "x"))
    assert (
        period.returncode == 1 and period.stderr.startswith("没有 2031Q1 的数据") and "Traceback" not in period.stderr
    )
    scope = cli("report", "--db", str(demo_db_copy), "--period", "2025Q4", "--scope", "X9", "--lang", "en", "-o", "x")
    assert scope.returncode == 1 and "no party branch with the code X9" in scope.stderr
    assert "Use hospital (the whole hospital) or one of these branch codes: DZB01, DZB02," in scope.stderr
    blocker = tmp_path / "a file"  # a folder that cannot be made, even by root: its parent is a file
    blocker.write_text("x")
    done = cli("report", "--db", str(demo_db_copy), "--period", "2025Q4", "--format", "pptx", "-o", f"{blocker}/sub/")
    assert done.returncode == 1 and done.stderr.startswith("无法写入") and "Traceback" not in done.stderr
    assert blocker.read_text() == "x"
    with Database(demo_db_copy) as db:
        assert audit.rows(db, action="report").empty, "nothing written, nothing recorded"


def test_the_run_is_in_the_audit_trail(quarter_files, db_path):
    with Database(db_path) as db:
        rows = audit.rows(db, action="report")
    quarter = [r for r in rows["detail"] if r.get("period") == "2025Q4" and r.get("scope") == "hospital"]
    assert quarter == [{"period": "2025Q4", "scope": "hospital", "format": "pptx+pdf"}]
    assert set(rows["client"]) == {f"cli@{socket.gethostname()}"}
