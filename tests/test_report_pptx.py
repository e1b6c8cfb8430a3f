"""The meeting material as PowerPoint (analytics.report_pptx), read back with python-pptx as a secretary's
PowerPoint or WPS would: 16:9 slides, one message per slide, native charts holding the model's numbers, native
tables with the RAG fills, a long table continued with its header, and 微软雅黑 named for East-Asian text."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.dml import MSO_FILL
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.oxml.ns import qn
from pptx.util import Inches

from analytics import report_pptx
from analytics.report_model import RAG_BARS, Chart, Figure, Reference, Section, Series, Table
from tests.report_support import BRANCHES, INDEX, sample_report

KINDS = {
    "bar": XL_CHART_TYPE.BAR_CLUSTERED,
    "column": XL_CHART_TYPE.COLUMN_CLUSTERED,
    "line": XL_CHART_TYPE.LINE_MARKERS,
}


def deck(report) -> Presentation:
    return Presentation(io.BytesIO(report_pptx.render(report)))


@pytest.fixture(scope="module")
def sample():
    report = sample_report()
    return report, deck(report)


def title(slide) -> str:
    return slide.shapes.title.text_frame.text


def texts(slide) -> str:
    """All text on the slide, table cells included."""
    parts = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            parts.append(shape.text_frame.text)
        if shape.has_table:
            parts += [cell.text for row in shape.table.rows for cell in row.cells]
    return "\n".join(parts)


def slides_of(report, prs, key: str) -> list:
    """The slides of section `key`: its own and its continuation slides."""
    section = report.section(key)
    return [s for s in prs.slides if title(s) in (section.title, section.title + report_pptx.CONTINUED[report.lang])]


def charts(slide) -> list:
    return [shape for shape in slide.shapes if shape.has_chart]


def test_the_deck_is_16_9_with_a_cover_then_one_titled_slide_per_section_and_the_long_table_continued(sample):
    report, prs = sample
    assert (prs.slide_width, prs.slide_height) == (12192000, 6858000)  # 13.333 × 7.5 in, PowerPoint’s 16:9
    titles = [title(slide) for slide in prs.slides]
    continued = report.section("scorecard").title + "（续）"
    # 72 scorecard rows at ≤ 12 a slide: the scorecard's slide and five continuation slides
    expected = [report.cover.title] + [s.title for s in report.sections[:5]] + [continued] * 5 + ["数据说明"]
    assert titles == expected
    cover = texts(prs.slides[0])
    for text in [report.cover.hospital, report.cover.period, report.cover.scope, *report.cover.lines]:
        assert text in cover
    marking = next(
        run
        for shape in prs.slides[0].shapes
        if shape.has_text_frame
        for p in shape.text_frame.paragraphs
        for run in p.runs
        if run.text == report.cover.marking
    )
    assert str(marking.font.color.rgb) == "D32F2F"  # red


def test_every_slide_has_the_footer_and_a_slide_number_field(sample):
    report, prs = sample
    for number, slide in enumerate(prs.slides, start=1):
        assert report.footer in texts(slide)
        fields = slide._element.findall(f".//{qn('a:fld')}")
        assert [(f.get("type"), f.findtext(qn("a:t"))) for f in fields] == [("slidenum", str(number))]


def test_each_chart_is_one_native_chart_holding_exactly_the_models_numbers(sample):
    report, prs = sample
    for section in report.sections:
        if not section.chart:
            continue
        (slide,) = slides_of(report, prs, section.key)
        (frame,) = charts(slide)
        chart = frame.chart
        assert chart.chart_type == KINDS[section.chart.kind]
        plot = chart.plots[0]
        assert list(plot.categories) == section.chart.categories
        assert [s.name for s in plot.series] == [s.name for s in section.chart.series]
        for got, want in zip(plot.series, section.chart.series, strict=True):
            assert list(got.values) == want.values  # None stays a missing point, floats exactly
            points = got._element.findall(f"{qn('c:val')}//{qn('c:pt')}")
            raw = {int(p.get("idx")): float(p.findtext(qn("c:v"))) for p in points}
            assert raw == {i: v for i, v in enumerate(want.values) if v is not None}
        digits = "0" if section.chart.digits == 0 else "0." + "0" * section.chart.digits
        assert plot.data_labels.number_format == digits and not plot.data_labels.number_format_is_linked
        assert chart.value_axis.tick_labels.number_format == digits
        ids = [int(e.get("val")) for e in chart._chartSpace.iter(qn("c:axId"), qn("c:crossAx"))]
        # the schema's unsignedInt (python-pptx's templates use negative ones), and below 2**31: LibreOffice reads
        # a larger id as negative and draws the bars mirrored, the axis title twice
        assert min(ids) >= 0 and max(ids) < 2**31


def test_the_ranking_bars_read_top_down_in_the_models_order_in_rag_colours(sample):
    report, prs = sample
    (slide,) = slides_of(report, prs, "party_index")
    (frame,) = charts(slide)
    chart = frame.chart
    assert chart.category_axis.reverse_order  # first category on top
    assert chart.value_axis._element.find(qn("c:crosses")).get("val") == "max"  # value axis stays at the bottom
    assert (chart.value_axis.minimum_scale, chart.value_axis.maximum_scale) == (0, 100)
    series = chart.plots[0].series[0]
    colours = report.section("party_index").chart.point_colours
    for i, colour in enumerate(colours):
        dpt = series._element.xpath(f"c:dPt[c:idx/@val={i}]")
        if colour is None:
            assert not dpt
        else:
            assert str(series.points[i].format.fill.fore_color.rgb) == colour.lstrip("#")
    assert set(colours) - {None} == set(RAG_BARS.values())
    # Not colour alone: each bar's label is its value and its rating as shape and word ("93.2 ● 良好").
    model = report.section("party_index").chart
    for i, (value, label) in enumerate(zip(model.series[0].values, model.point_labels, strict=True)):
        if value is not None and label:
            assert series.points[i].data_label.text_frame.text == f"{value:,.{model.digits}f} {label}"
    assert any(model.point_labels)


def test_reference_lines_are_dashed_and_sit_exactly_at_their_values_on_the_fixed_axis(sample):
    report, prs = sample
    (slide,) = slides_of(report, prs, "party_index")
    (frame,) = charts(slide)
    layout = frame.chart._chartSpace.find(f".//{qn('c:manualLayout')}")
    share = {tag: float(layout.find(qn(f"c:{tag}")).get("val")) for tag in ("x", "w", "y", "h")}
    left = frame.left + share["x"] * frame.width
    width = share["w"] * frame.width
    lines = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.LINE]
    assert len(lines) == 2
    for line, reference in zip(sorted(lines, key=lambda s: s.begin_x), [60, 80], strict=True):
        assert abs(line.begin_x - (left + width * reference / 100)) < Inches(0.001)
        assert line.begin_x == line.end_x
        assert line.line.dash_style is not None
        top = frame.top + share["y"] * frame.height
        assert abs(line.begin_y - top) < Inches(0.001)
        assert abs(line.end_y - (top + share["h"] * frame.height)) < Inches(0.001)
    assert {"60", "80"} <= set(texts(slide).split("\n"))


def test_a_missing_value_is_a_gap_and_its_note_is_on_the_slide(sample):
    report, prs = sample
    (ranking,) = slides_of(report, prs, "party_index")
    assert INDEX.index(None) == 22 and "未上报" in texts(ranking) and BRANCHES[22] in texts(ranking)
    (trend,) = slides_of(report, prs, "satisfaction")
    (frame,) = charts(trend)
    assert frame.chart._chartSpace.find(f".//{qn('c:dispBlanksAs')}").get("val") == "gap"
    assert list(frame.chart.plots[0].series[1].values) == [90.2, None, 91.0, 90.5]
    assert "职工满意度 <10" in texts(trend)
    assert "<10" in texts(trend)  # the table's withheld count too


def test_the_long_table_is_split_with_its_header_repeated_and_every_fill_kept(sample):
    report, prs = sample
    table = report.section("scorecard").tables[0]
    slides = slides_of(report, prs, "scorecard")
    assert len(slides) == 6
    rows, fills = [], []
    for slide in slides:
        (frame,) = [shape for shape in slide.shapes if shape.has_table]
        grid = frame.table
        assert [cell.text for cell in grid.rows[0].cells] == table.columns
        body = list(grid.rows)[1:]
        assert 0 < len(body) <= report_pptx.MAX_TABLE_ROWS
        for row in body:
            rows.append([cell.text for cell in row.cells])
            fills.append([_fill(cell) for cell in row.cells])
        assert table.note in texts(slide)
    assert rows == table.rows
    assert fills == [[f.lstrip("#") if f else None for f in row] for row in table.fills]
    assert '=HYPERLINK("x")' in [row[0] for row in rows]  # text is kept as text
    # figures right-aligned, names left
    first = next(s for s in slides[0].shapes if s.has_table).table
    assert [first.cell(1, c).text_frame.paragraphs[0].alignment for c in range(4)] == [1, 3, 3, 3]


def _fill(cell) -> str | None:
    return str(cell.fill.fore_color.rgb) if cell.fill.type == MSO_FILL.SOLID else None


def test_the_headline_cards_give_rag_as_colour_and_as_text(sample):
    report, prs = sample
    (slide,) = slides_of(report, prs, "headline")
    text = texts(slide)
    for figure in report.section("headline").figures:
        for part in (figure.label, figure.value, figure.change, figure.note):
            assert part is None or part in text
    assert "▲ 关注" in text and "● 关注" not in text  # amber's own shape, not green's
    strips = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.AUTO_SHAPE and s.width < Inches(0.2)]
    assert [str(s.fill.fore_color.rgb) for s in strips] == [RAG_BARS["amber"].lstrip("#")]


def test_every_text_run_and_chart_text_names_yahei_as_latin_and_east_asian_typeface(sample):
    _, prs = sample
    checked = 0
    for slide in prs.slides:
        roots = [slide._element] + [frame.chart._chartSpace for frame in charts(slide)]
        for root in roots:
            for run in root.iter(qn("a:r"), qn("a:fld")):
                props = run.find(qn("a:rPr"))
                assert props is not None, etree_text(run)
                assert props.find(qn("a:ea")).get("typeface") == "微软雅黑"
                assert props.find(qn("a:latin")).get("typeface") == "微软雅黑"
                checked += 1
            for props in root.iter(qn("a:defRPr")):
                assert props.find(qn("a:ea")).get("typeface") == "微软雅黑"
    assert checked > 400  # every title, card, cell, label and footer
    theme = prs.slide_master.part.part_related_by(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme"
    ).blob.decode()
    assert theme.count('<a:ea typeface="微软雅黑"/>') == 2  # major and minor fonts


def etree_text(element) -> str:
    from lxml import etree

    return etree.tostring(element, encoding="unicode")


def test_the_english_report_says_cont_and_green_amber_red():
    report = sample_report("en")
    prs = deck(report)
    titles = [title(s) for s in prs.slides]
    assert titles.count(report.section("scorecard").title + " (cont.)") == 5
    (headline,) = slides_of(report, prs, "headline")
    assert "▲ Amber" in texts(headline)


def test_chart_text_that_looks_like_a_formula_or_link_stays_text_in_the_embedded_workbook():
    report = sample_report()
    names = ['=HYPERLINK("http://x","y")', "http://example.org", "+1", "@SUM(A1)"]
    chart = Chart(kind="column", title="t", categories=names, series=[Series(name="=1+1", values=[1, 2, 3, 4])])
    report.sections = [Section(key="meetings", heading="h", title="t", chart=chart)]
    prs = deck(report)
    (frame,) = charts(prs.slides[1])
    assert list(frame.chart.plots[0].categories) == names
    workbook_part = frame.chart.part.chart_workbook.xlsx_part
    with zipfile.ZipFile(io.BytesIO(workbook_part.blob)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        assert "<f>" not in sheet and "hyperlink" not in sheet.lower()
    sheet = openpyxl.load_workbook(io.BytesIO(workbook_part.blob)).active
    assert [sheet.cell(row, 1).value for row in range(2, 6)] == names
    assert sheet.cell(1, 2).value == "=1+1" and sheet.cell(1, 2).data_type == "s"


def busy_report():
    """More than the sample: nine headline figures with every line, 40 branches in a ranking, a table of long
    names that wrap, two tables after a chart, six figures, and pages of sentences."""
    report = sample_report()
    branches = [f"第{i}党支部（内科、外科、医技联合支部）" for i in range(1, 41)]
    values = [round(90 - i * 1.3, 1) for i in range(40)]
    ranking = Chart(
        kind="bar",
        title="各党支部党建指数",
        categories=branches,
        series=[Series(name="党建指数", values=values)],
        references=[Reference(value=60, label="60")],
    )
    wide = Table(
        columns=["党支部", "问题", "整改措施", "责任人", "期限", "状态"],
        rows=[
            [b, "三会一课记录不全，" * 4, "补齐记录并每月检查" * 3, "张三", "2026-03-31", "进行中"] for b in branches
        ],
    )
    short = Table(title="小表", columns=["项目", "数值"], rows=[["甲", "1"], ["乙", "2"]], numeric=[False, True])
    nine = [
        Figure(
            label=f"指标{i}",
            value=f"{i * 11.1:.1f} 分",
            change="较上季度 -11.0 个百分点",
            note="1,145 人受访",
            rag="red",
        )
        for i in range(9)
    ]
    report.sections = [
        Section(key="headline", heading="主要指标", title="九项指标", figures=nine),
        Section(
            key="party_index",
            heading="党建指数",
            title="40 个党支部",
            figures=[Figure(label=f"指标{i}", value=f"{i * 11.1:.1f} 分", change="较上季度 +1.0 分") for i in range(6)],
            chart=ranking,
            tables=[short, wide],
            sentences=["说明。" * 30] * 3,
        ),
        Section(key="notes", heading="数据说明", title="数据说明", sentences=["很长的一句说明。" * 40] * 12),
    ]
    return report


def test_a_busy_report_keeps_every_shape_on_its_slide_and_above_the_footer():
    report = busy_report()
    prs = deck(report)
    assert len(prs.slides) > 4
    bottom = Inches(report_pptx.CONTENT_BOTTOM) + Inches(0.01)
    for slide in prs.slides:
        for shape in slide.shapes:
            assert shape.left >= 0 and shape.left + shape.width <= prs.slide_width + Inches(0.01), title(slide)
            if shape.top < Inches(6.95):  # not the footer
                assert shape.top + shape.height <= bottom, (title(slide), shape.name, texts(slide)[:40])
    rows = [row for s in prs.slides for shape in s.shapes if shape.has_table for row in list(shape.table.rows)[1:]]
    assert len(rows) == 42
    all_text = "\n".join(texts(s) for s in prs.slides)
    assert all_text.count("很长的一句说明。" * 40) == 12


def test_control_characters_and_newlines_in_text_neither_break_the_file_nor_vanish():
    report = sample_report()
    report.cover.title = "党建\x07工作"
    chart = Chart(
        kind="line", title="t", categories=["2025Q1\x01", "2025Q2"], series=[Series(name="a\x1f", values=[1, None])]
    )
    report.sections = [Section(key="notes", heading="h", title="第一行\n第二行", sentences=["甲\n乙"], chart=chart)]
    prs = deck(report)
    (frame,) = charts(prs.slides[1])
    assert list(frame.chart.plots[0].categories) == ["2025Q1_x0001_", "2025Q2"]  # Office's escape of U+0001
    breaks = prs.slides[1]._element.findall(f".//{qn('a:br')}")
    assert len(breaks) == 2  # the title's and the sentence's newline
    assert "甲" in texts(prs.slides[1]) and "乙" in texts(prs.slides[1])
