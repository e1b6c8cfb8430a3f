"""The meeting material (党委会材料) as an editable PowerPoint deck: `render(report)` turns the `Report` of
`analytics.report_model` into .pptx bytes. The PDF (`report_pdf`) renders the same model.

What the deck promises, and how:
- 16:9 (13.333 × 7.5 in); a cover slide, then one slide per section whose title is the section's one message
  with its number; a table too long for its slide continues on slides titled "…（续）" / "… (cont.)" that
  repeat its header row. Every slide carries the report's footer and a slide-number field.
- Editable: charts are native PowerPoint charts holding the model's floats (and an embedded workbook, so
  "Edit Data" works in PowerPoint and WPS); tables are native tables; figures are text in shapes.
- Chinese renders in WPS and Office on Windows: every text run, every chart text property and the theme's
  fonts name 微软雅黑 as both the Latin and the East-Asian typeface (`_typefaces`); python-pptx's
  `font.name` alone sets only the Latin one, and Office then falls back to a font of its choosing.
- Text is data: every string goes into a run (or a chart cache / workbook cell) as literal text. The chart's
  embedded workbook is written with xlsxwriter's formula and URL detection off (`_LiteralWorkbookWriter`):
  a branch named "=HYPERLINK(…)" stays a name when a secretary opens "Edit Data".
- Reference lines (the 60 / 80 thresholds) are dashed connectors drawn over the chart: PowerPoint has no
  reference line for bar charts. Their position is exact because the value axis is fixed to the chart's
  minimum / maximum and the plot area has a manual inner layout (`_plot_layout`); moving or resizing the chart
  leaves them behind, which the secretary sees at once.
- Nothing overflows: text sizes and table rows per slide come from a width estimate of the text (a CJK
  character is one em, Latin letters and digits about half an em), not from the renderer, which python-pptx
  does not have.

Where things go on a section's slide: the figures as cards in rows of four under the title; below them the
chart on the left with, on its right, the tables, then the sentences and the chart's notes ("第23党支部：未上报",
"2025Q4：职工满意度 <10"); without a chart, the tables with the sentences beside or below them; sentences
alone fill the slide. A table takes at most `MAX_TABLE_ROWS` body rows a slide, shared evenly over the slides
it needs; a table that would fit a slide of its own is moved whole rather than split. A bar chart's plot area
is always laid out by hand (its category names' room is known), its bars' spacing setting the label size.
"""

from __future__ import annotations

import copy
import io
import itertools
import math
import re
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from lxml import etree
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.chart.xlsx import CategoryWorkbookWriter
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_MARKER_STYLE
from pptx.enum.dml import MSO_LINE
from pptx.enum.shapes import MSO_CONNECTOR, MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt
from xlsxwriter import Workbook

from analytics.i18n import rag_tag
from analytics.report_model import RAG_BARS, SERIES_COLOURS, Chart, Cover, Figure, Report, Section, Table

FONT = "微软雅黑"  # Microsoft YaHei: on every Windows since Vista, and WPS maps it on other systems
LANG_TAGS = {"zh": "zh-CN", "en": "en-US"}
CONTINUED = {"zh": "（续）", "en": " (cont.)"}
NOTE_SEPARATOR = {"zh": "：", "en": ": "}

# Geometry in inches. Content sits between the title (with its red rule) and the footer.
SLIDE_W, SLIDE_H = 13.333, 7.5
LEFT, WIDTH = 0.5, 12.333
CONTENT_TOP, CONTENT_BOTTOM = 1.4, 6.85
GAP = 0.25

INK, GREY, RULE, PARTY_RED = "#212121", "#616161", "#E0E0E0", "#B71C1C"
MARKING_RED = "#D32F2F"
MAX_TABLE_ROWS = 12  # body rows per slide: more cannot be read across a meeting room
TABLE_SIZES = (12, 11, 10, 9)  # points, largest first: a wide table gets a smaller font
CELL_PAD_X, CELL_PAD_Y = 0.08, 0.05


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def right(self) -> float:
        return self.x + self.w


@dataclass(frozen=True)
class Line:
    """One paragraph of a text box."""

    text: str
    size: float
    bold: bool = False
    colour: str = INK
    align: PP_ALIGN = PP_ALIGN.LEFT
    after: float = 0  # space after, in points


def render(report: Report) -> bytes:
    """The report as .pptx bytes."""
    prs = _presentation(report)
    deck = _Deck(prs, report)
    deck.cover(report.cover)
    for section in report.sections:
        deck.section(section)
    _typefaces(prs, LANG_TAGS[report.lang])
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


# --- text measure -------------------------------------------------------------------------------------------


def _em(text: str) -> float:
    """Width of `text` in ems of its font size, a little generous: a CJK (wide) character is one em, and so is
    one of ambiguous width (“ ” · — …, full width in a Chinese font); in YaHei's Latin a space is 0.3, a
    lower-case letter 0.52, a digit 0.56, anything else 0.66; and a quarter em where CJK meets Latin (WPS and
    LibreOffice widen that gap)."""
    wide = [unicodedata.east_asian_width(c) in "WFA" for c in text]
    width = sum(1.0 if w else _latin_em(c) for c, w in zip(text, wide, strict=True))
    return width + 0.25 * sum(a != b for a, b in itertools.pairwise(wide))


def _latin_em(char: str) -> float:
    if char == " ":
        return 0.3
    if char.islower():
        return 0.52
    return 0.56 if char.isdigit() else 0.66


# Characters XML 1.0 cannot hold (C0 controls but tab, newline, return): written as Office's own escape "_xHHHH_",
# as python-pptx does in text runs, so a stray control character in a name cannot break the chart's XML.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def _inches(text: str, size: float) -> float:
    return _em(text) * size / 72


def _line_count(text: str, size: float, width: float) -> int:
    """How many lines `text` takes at `size` points in `width` inches (word wrap, slightly pessimistic)."""
    per_line = max(width * 72 / size * 0.95, 1.0)
    return sum(max(1, math.ceil(_em(part) / per_line)) for part in text.split("\n"))


def _text_height(lines: Sequence[Line], width: float) -> float:
    """Height of a text box holding `lines` in `width` inches, margins included."""
    inner = width - 0.2
    points = sum(_line_count(line.text, line.size, inner) * line.size * 1.3 + line.after for line in lines)
    return points / 72 + 0.12


def _fit(text: str, width: float, largest: float, smallest: float) -> float:
    """The largest size from `largest` down to `smallest` at which `text` fits on one line of `width`."""
    size = largest
    while size > smallest and _inches(text, size) > width * 0.95:
        size -= 1
    return size


# --- the presentation and its slides -----------------------------------------------------------------------


def _presentation(report: Report):
    """The default template at 16:9, its theme's fonts 微软雅黑, its placeholders widened to the new width."""
    prs = Presentation()
    scale = Emu(12192000) / prs.slide_width
    prs.slide_width, prs.slide_height = Emu(12192000), Emu(6858000)
    for shapes in [prs.slide_master.shapes, *(layout.shapes for layout in prs.slide_layouts)]:
        for shape in shapes:
            xfrm = shape._element.find(f".//{qn('a:xfrm')}")
            if xfrm is not None and xfrm.find(qn("a:off")) is not None:
                shape.left, shape.width = int(shape.left * scale), int(shape.width * scale)
    theme = prs.slide_master.part.part_related_by(RT.THEME)
    root = etree.fromstring(theme.blob)
    for fonts in root.iter(qn("a:majorFont"), qn("a:minorFont")):
        fonts.find(qn("a:latin")).set("typeface", FONT)
        fonts.find(qn("a:ea")).set("typeface", FONT)
        for script in fonts.iter(qn("a:font")):
            if script.get("script") in ("Hans", "Hant"):
                script.set("typeface", FONT)
    theme.blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    prs.core_properties.title = _xml_safe(report.cover.title)
    prs.core_properties.language = LANG_TAGS[report.lang]
    return prs


class _Deck:
    """Adds slides to the presentation: the cover, and each section with its continuation slides."""

    def __init__(self, prs, report: Report) -> None:
        self.prs = prs
        self.report = report
        self.lang = report.lang

    def _slide(self, title: str):
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[5])  # "Title Only"
        _title(slide, title)
        _footer(slide, self.report.footer, len(self.prs.slides))
        return slide

    def cover(self, cover: Cover) -> None:
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[5])
        _rect(slide, Box(0, 0, SLIDE_W, 0.35), PARTY_RED)
        marking = _textbox(
            slide,
            Box(LEFT, 0.7, _inches(cover.marking, 16) + 0.5, 0.5),
            [Line(cover.marking, 16, True, MARKING_RED, PP_ALIGN.CENTER)],
        )
        marking.line.color.rgb = _rgb(MARKING_RED)
        marking.line.width = Pt(1.5)
        marking.text_frame.vertical_anchor = MSO_ANCHOR.MIDDLE
        size = _fit(cover.title, WIDTH, 44, 28)
        _title(slide, cover.title, Box(LEFT, 2.0, WIDTH, 1.2), size=size, colour=PARTY_RED, align=PP_ALIGN.CENTER)
        _rect(slide, Box(SLIDE_W / 2 - 1.5, 3.3, 3.0, 0.05), PARTY_RED)
        centred = [
            Line(cover.hospital, _fit(cover.hospital, WIDTH - 0.3, 28, 18), after=10, align=PP_ALIGN.CENTER),
            Line(f"{cover.period} · {cover.scope}", 22, colour=GREY, after=24, align=PP_ALIGN.CENTER),
            *(Line(text, 14, colour=GREY, after=4, align=PP_ALIGN.CENTER) for text in cover.lines),
        ]
        _textbox(slide, Box(LEFT, 3.6, WIDTH, CONTENT_BOTTOM - 3.6), centred)
        _footer(slide, self.report.footer, len(self.prs.slides))

    def section(self, section: Section) -> None:
        slide = self._slide(section.title)
        top = CONTENT_TOP
        alone = not (section.chart or section.tables or section.sentences)
        if section.figures:
            top = _cards(slide, section.figures, top, large=alone, lang=self.lang)
        region = Box(LEFT, top, WIDTH, CONTENT_BOTTOM - top)
        aside = [Line(text, 14, after=8) for text in section.sentences]
        if section.chart:
            sep = NOTE_SEPARATOR[self.lang]
            aside += [Line(f"{category}{sep}{note}", 13, colour=GREY) for category, note in section.chart.notes.items()]
            self._chart_slide(section, slide, region, aside)
        elif section.tables:
            self._tables(section, slide, region, aside)
        elif aside:
            self._sentences(section, slide, region)

    def _chart_slide(self, section: Section, slide, region: Box, aside: list[Line]) -> None:
        """The chart on the left; on its right the tables, then the sentences and notes (if any)."""
        share = 0.56 if section.tables else 0.7 if aside else 1.0
        if share == 1.0:
            _chart(slide, section.chart, region)
            return
        chart_box = Box(region.x, region.y, region.w * share - GAP, region.h)
        _chart(slide, section.chart, chart_box)
        side = Box(chart_box.right + GAP, region.y, region.right - chart_box.right - GAP, region.h)
        if not section.tables:
            _text(slide, aside, Box(side.x, side.y, side.w, min(_text_height(aside, side.w), side.h)))
            return
        aside_h = min(_text_height(aside, side.w), side.h / 2) if aside else 0
        tables_box = Box(side.x, side.y, side.w, side.h - (aside_h + GAP if aside else 0))
        y = self._tables(section, slide, tables_box, [])
        if aside:
            _text(slide, aside, Box(side.x, y + GAP if y > side.y else y, side.w, aside_h))

    def _continuation(self, section: Section) -> tuple[object, Box]:
        slide = self._slide(section.title + CONTINUED[self.lang])
        return slide, Box(LEFT, CONTENT_TOP, WIDTH, CONTENT_BOTTOM - CONTENT_TOP)

    def _tables(self, section: Section, slide, box: Box, aside: list[Line]) -> float:
        """Lay the section's tables out top to bottom in `box`, continuing on new slides as needed; `aside`
        (sentences) goes to the right of the first table if there is room, else below the tables' box.
        Returns the y below what was drawn on `slide` (`box.y` if everything went to later slides)."""
        below_aside = None  # sentences that go under the tables, once their height is known
        if aside:
            width = _TableLayout(section.tables[0], box.w).width
            aside_w = box.w - width - GAP
            if aside_w >= 3.5 and _text_height(aside, aside_w) <= box.h:
                _text(slide, aside, Box(box.x + width + GAP, box.y, aside_w, _text_height(aside, aside_w)))
            else:
                aside_h = min(_text_height(aside, box.w), box.h / 2)
                box = Box(box.x, box.y, box.w, box.h - aside_h - GAP)
                below_aside = (box.y, Box(box.x, box.bottom + GAP, box.w, aside_h))
        full = CONTENT_BOTTOM - CONTENT_TOP
        first, y = slide, box.y
        below = y
        for table in section.tables:
            start = 0
            while True:
                layout = _TableLayout(table, box.w)
                take = layout.rows_to_take(start, box.bottom - y, full=full)
                fresh = y == box.y and box.h >= full - 1e-6
                remaining = len(table.rows) - start
                # a table that fits a slide of its own is not split, nor is a piece of two rows left behind
                whole = take < remaining and layout.rows_to_take(start, full, full=full) >= remaining
                if ((take == 0 and remaining) or whole or 0 < take < min(3, remaining)) and not fresh:
                    slide, box = self._continuation(section)
                    y = box.y
                    continue
                if start < len(table.rows):
                    take = max(take, 1)  # a row taller than a whole slide is drawn all the same
                y = layout.draw(slide, box.x, y, start, take) + GAP
                below = y - GAP if slide is first else below
                start += take
                if start >= len(table.rows):
                    break
                slide, box = self._continuation(section)
                y = box.y
        if below_aside:  # right under what the first slide holds, or at its top if its tables moved on
            first_top, spot = below_aside
            _text(first, aside, Box(spot.x, below + GAP if below > first_top else first_top, spot.w, spot.h))
        return below

    def _sentences(self, section: Section, slide, box: Box) -> None:
        """Sentences alone on a slide: as large as fits (18 down to 14 pt), continuing on new slides if not."""
        for size in (18, 16, 14):
            lines = [Line(text, size, after=size * 0.6) for text in section.sentences]
            if _text_height(lines, box.w) <= box.h:
                _text(slide, lines, box)
                return
        pending = list(lines)
        while pending:
            count = 1
            while count < len(pending) and _text_height(pending[: count + 1], box.w) <= box.h:
                count += 1
            _text(slide, pending[:count], box)
            pending = pending[count:]
            if pending:
                slide, box = self._continuation(section)


# --- shapes ------------------------------------------------------------------------------------------------


def _rgb(colour: str) -> RGBColor:
    return RGBColor.from_string(colour.lstrip("#").upper())


def _emu(box: Box) -> tuple[int, int, int, int]:
    return Inches(box.x), Inches(box.y), Inches(box.w), Inches(box.h)


def _rect(slide, box: Box, colour: str, shape=MSO_SHAPE.RECTANGLE):
    rect = slide.shapes.add_shape(shape, *_emu(box))
    rect.fill.solid()
    rect.fill.fore_color.rgb = _rgb(colour)
    rect.line.fill.background()
    rect.shadow.inherit = False
    return rect


def _fill_lines(frame, lines: Sequence[Line]) -> None:
    """Write `lines` into the text frame, one paragraph each, each text one literal run."""
    for i, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.alignment = line.align
        if line.after:
            paragraph.space_after = Pt(line.after)
        for j, part in enumerate(line.text.split("\n")):
            if j:
                paragraph.add_line_break()
            run = paragraph.add_run()
            run.text = part
            run.font.size = Pt(line.size)
            run.font.bold = line.bold
            run.font.color.rgb = _rgb(line.colour)


def _frame(frame, *, margin: float = 0.1, anchor: MSO_ANCHOR = MSO_ANCHOR.TOP) -> None:
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.vertical_anchor = anchor
    frame.margin_left = frame.margin_right = Inches(margin)
    frame.margin_top = frame.margin_bottom = Inches(0.06)


def _textbox(slide, box: Box, lines: Sequence[Line], anchor: MSO_ANCHOR = MSO_ANCHOR.TOP):
    shape = slide.shapes.add_textbox(*_emu(box))
    _frame(shape.text_frame, anchor=anchor)
    _fill_lines(shape.text_frame, lines)
    return shape


def _text(slide, lines: Sequence[Line], box: Box):
    """A text box of `lines`, shrunk a point at a time (down to 10 pt) until the estimate fits `box`."""
    lines = list(lines)
    while _text_height(lines, box.w) > box.h and min(line.size for line in lines) > 10:
        lines = [Line(ln.text, ln.size - 1, ln.bold, ln.colour, ln.align, ln.after * 0.8) for ln in lines]
    return _textbox(slide, box, lines)


def _title(
    slide, text: str, box: Box | None = None, *, size: float | None = None, colour: str = INK, align=PP_ALIGN.LEFT
):
    """The slide's title placeholder, moved to `box` (the 16:9 title band by default) and filled with `text`."""
    title = slide.shapes.title
    if box is None:
        box = Box(LEFT, 0.3, WIDTH, 0.9)
        _rect(slide, Box(LEFT, 1.2, WIDTH, 0.03), PARTY_RED)
    title.left, title.top, title.width, title.height = _emu(box)
    if size is None:
        size = _fit(text, box.w - 0.2, 28, 20)
    _frame(title.text_frame, anchor=MSO_ANCHOR.BOTTOM if align == PP_ALIGN.LEFT else MSO_ANCHOR.MIDDLE)
    _fill_lines(title.text_frame, [Line(text, size, True, colour, align)])


def _footer(slide, footer: str, number: int) -> None:
    """The footer text (left) and a slide-number field (right; PowerPoint renumbers it when slides move)."""
    _textbox(slide, Box(LEFT, 7.0, WIDTH - 1.0, 0.35), [Line(footer, 10, colour=GREY)])
    box = _textbox(slide, Box(LEFT + WIDTH - 1.0, 7.0, 1.0, 0.35), [Line("", 10, colour=GREY, align=PP_ALIGN.RIGHT)])
    paragraph = box.text_frame.paragraphs[0]._p
    run = paragraph.find(qn("a:r"))
    field = etree.SubElement(paragraph, qn("a:fld"), id="{B6F15528-21DE-4FAA-801E-634DDDAF4B2B}", type="slidenum")
    field.append(copy.deepcopy(run.find(qn("a:rPr"))))
    etree.SubElement(field, qn("a:t")).text = str(number)
    paragraph.replace(run, field)


CARD_SIZES = ((16, 40, 14, 13), (13, 26, 12, 11), (12, 20, 11, 10))  # label, value, change, note: points


def _cards(slide, figures: list[Figure], top: float, *, large: bool, lang: str) -> float:
    """The headline figures as cards, in rows of four (of five beyond eight figures), as large as fits: the
    whole content area when they are `large` (alone on the slide), else under half of it; returns the y below."""
    rows = math.ceil(len(figures) / (5 if len(figures) > 8 else 4))
    per_row = math.ceil(len(figures) / rows)
    width = (WIDTH - GAP * (per_row - 1)) / per_row
    inner = width - 0.6  # the frame's margins (0.25 a side) and the RAG strip
    room = (CONTENT_BOTTOM - top) * (1 if large else 0.45) / rows - GAP
    for sizes in CARD_SIZES[0 if large else 1 :]:
        lines_of = [_card_lines(figure, inner, sizes, lang) for figure in figures]
        height = max(_text_height(lines, inner + 0.2) for lines in lines_of) + 0.1
        if height <= room:
            break
    y = top + (max(0.2, (CONTENT_BOTTOM - top - rows * (height + GAP)) / 3) if large else 0)
    for i, (figure, lines) in enumerate(zip(figures, lines_of, strict=True)):
        if i and i % per_row == 0:
            y += height + GAP
        box = Box(LEFT + (i % per_row) * (width + GAP), y, width, height)
        card = _rect(slide, box, "#F7F7F7", MSO_SHAPE.ROUNDED_RECTANGLE)
        card.adjustments[0] = 0.06
        card.line.color.rgb = _rgb(RULE)
        card.line.width = Pt(0.75)
        if figure.rag:
            _rect(slide, Box(box.x, box.y + 0.12, 0.1, box.h - 0.24), RAG_BARS[figure.rag])
        _frame(card.text_frame, margin=0.25, anchor=MSO_ANCHOR.MIDDLE)
        _fill_lines(card.text_frame, lines)
    return y + height + GAP


def _card_lines(figure: Figure, inner: float, sizes: tuple[float, ...], lang: str) -> list[Line]:
    label, value, change, note = sizes
    lines = [
        Line(figure.label, _fit(figure.label, inner, label, 10), colour=GREY, after=2),
        Line(figure.value, _fit(figure.value, inner / 1.1, value, 16), bold=True, after=2),  # bold is wider
    ]
    if figure.change:
        lines.append(Line(figure.change, _fit(figure.change, inner, change, 10)))
    if figure.note:
        lines.append(Line(figure.note, _fit(figure.note, inner, note, 10), colour=GREY))
    if figure.rag:
        tag = rag_tag(figure.rag, lang)
        lines.append(Line(tag, change, bold=True, colour=RAG_BARS[figure.rag]))
    return lines


# --- tables ------------------------------------------------------------------------------------------------


class _TableLayout:
    """One table's font size, column widths and row heights for a given width; draws slices of its rows."""

    def __init__(self, table: Table, available: float) -> None:
        self.table = table
        count = len(table.columns)
        weights = table.widths or [1.0] * count
        cells = [table.columns, *table.rows]
        for size in TABLE_SIZES:
            needs = [max(_inches(row[c], size) for row in cells) * 1.05 + 2 * CELL_PAD_X + 0.04 for c in range(count)]
            natural = max(need * sum(weights) / weight for need, weight in zip(needs, weights, strict=True))
            if natural <= available:
                break
        self.size = size
        self.width = min(available, max(natural * 1.15, available * 0.5))
        self.columns = [self.width * weight / sum(weights) for weight in weights]
        self.header = self._row_height(table.columns)
        self.heights = [self._row_height(row) for row in table.rows]
        note = [Line(table.note, 11, colour=GREY)] if table.note else []
        self.note = _text_height(note, self.width) if note else 0
        self.caption = (self.size + 2) * 1.3 / 72 + 0.08 if table.title else 0

    def _row_height(self, row: Sequence[str]) -> float:
        lines = max(
            _line_count(text, self.size, width - 2 * CELL_PAD_X) for text, width in zip(row, self.columns, strict=True)
        )
        return lines * self.size * 1.3 / 72 + 2 * CELL_PAD_Y + 0.04

    def rows_to_take(self, start: int, height: float, full: float) -> int:
        """How many rows from `start` to draw in `height` inches: as many as fit (at most MAX_TABLE_ROWS), or
        fewer to share the rest evenly with the slides that follow (each of `full` height)."""

        def fitting(room: float, first: int) -> int:
            room -= self.caption + self.header + self.note
            count = 0
            while first + count < len(self.heights) and count < MAX_TABLE_ROWS and room >= self.heights[first + count]:
                room -= self.heights[first + count]
                count += 1
            return count

        here = fitting(height, start)
        remaining = len(self.heights) - start
        if here == 0 or here >= remaining:
            return here
        per_slide = max(fitting(full, start + here), 1)
        slides = 1 + math.ceil((remaining - here) / per_slide)
        return min(here, math.ceil(remaining / slides))

    def draw(self, slide, x: float, y: float, start: int, count: int) -> float:
        """Rows `start`..`start + count` under the caption and the header row; returns the y below the note."""
        table = self.table
        if table.title:
            _textbox(slide, Box(x, y, self.width, self.caption), [Line(table.title, self.size + 2, True)])
            y += self.caption
        rows = range(start, start + count)
        height = self.header + sum(self.heights[r] for r in rows)
        frame = slide.shapes.add_table(count + 1, len(table.columns), *_emu(Box(x, y, self.width, height)))
        grid = frame.table
        _plain_style(grid)
        for c, width in enumerate(self.columns):
            grid.columns[c].width = Inches(width)
        grid.rows[0].height = Inches(self.header)
        for c, text in enumerate(table.columns):
            self._cell(grid.cell(0, c), text, c, bold=True, colour="#FFFFFF", fill=PARTY_RED)
        for i, r in enumerate(rows, start=1):
            grid.rows[i].height = Inches(self.heights[r])
            for c, text in enumerate(table.rows[r]):
                fill = table.fills[r][c] if table.fills else None
                self._cell(grid.cell(i, c), text, c, fill=fill, rule=True)
        y += height
        if table.note:
            _textbox(slide, Box(x, y + 0.05, self.width, self.note), [Line(table.note, 11, colour=GREY)])
            y += self.note + 0.05
        return y

    def _cell(self, cell, text: str, column: int, *, bold=False, colour=INK, fill=None, rule=False) -> None:
        cell.margin_left = cell.margin_right = Inches(CELL_PAD_X)
        cell.margin_top = cell.margin_bottom = Inches(CELL_PAD_Y)
        cell.vertical_anchor = MSO_ANCHOR.MIDDLE
        numeric = bool(self.table.numeric) and self.table.numeric[column]
        if rule:
            _bottom_rule(cell)
        if fill:
            cell.fill.solid()
            cell.fill.fore_color.rgb = _rgb(fill)
        frame = cell.text_frame
        frame.word_wrap = True
        _fill_lines(frame, [Line(text, self.size, bold, colour, PP_ALIGN.RIGHT if numeric else PP_ALIGN.LEFT)])


def _plain_style(grid) -> None:
    """No banding and no theme colours: a cell's fill is the model's fill (RAG) or none."""
    tbl_pr = grid._tbl.tblPr
    for flag in ("firstRow", "bandRow"):
        tbl_pr.attrib.pop(flag, None)
    style = tbl_pr.find(qn("a:tableStyleId"))
    if style is None:
        style = etree.SubElement(tbl_pr, qn("a:tableStyleId"))
    style.text = "{2D5ABB26-0587-4C30-8999-92F81FD0307C}"  # "No Style, No Grid"


def _bottom_rule(cell) -> None:
    """A thin grey line under the cell (borders come before the fill in a:tcPr)."""
    tc_pr = cell._tc.get_or_add_tcPr()
    line = etree.Element(qn("a:lnB"), w=str(Pt(0.75)), cmpd="sng")
    fill = etree.SubElement(line, qn("a:solidFill"))
    etree.SubElement(fill, qn("a:srgbClr"), val=RULE.lstrip("#"))
    tc_pr.insert(0, line)


# --- charts ------------------------------------------------------------------------------------------------

CHART_TYPES = {
    "bar": XL_CHART_TYPE.BAR_CLUSTERED,
    "column": XL_CHART_TYPE.COLUMN_CLUSTERED,
    "line": XL_CHART_TYPE.LINE_MARKERS,
}


class _LiteralWorkbookWriter(CategoryWorkbookWriter):
    """The chart's embedded workbook with every text written as text: xlsxwriter would otherwise turn a category
    starting with "=" into a formula and one starting with "http://" into a link."""

    @contextmanager
    def _open_worksheet(self, xlsx_file) -> Iterator:
        options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
        workbook = Workbook(xlsx_file, options)
        worksheet = workbook.add_worksheet()
        yield workbook, worksheet
        workbook.close()


class _ChartData(CategoryChartData):
    @property
    def _workbook_writer(self) -> CategoryWorkbookWriter:
        return _LiteralWorkbookWriter(self)


def _legend(chart: Chart) -> bool:
    return chart.kind != "bar" or len(chart.series) > 1


def _margins(chart: Chart) -> tuple[float, float]:
    """Inches above and below the plot's inner rectangle: title, reference labels; axis labels, title, legend."""
    top = 0.1 + (0.4 if chart.title else 0) + (0.25 if chart.references else 0)
    bottom = 0.3 + (0.3 if chart.value_title and chart.kind == "bar" else 0) + (0.4 if _legend(chart) else 0)
    return top, bottom


def _category_size(chart: Chart, box: Box) -> float:
    """Points for category names and data labels: on a bar chart as large as the bars' spacing allows (7 to
    11), elsewhere smaller when many categories share the axis."""
    count = max(len(chart.categories), 1)
    if chart.kind == "bar":
        top, bottom = _margins(chart)
        return max(7, min(11, math.floor((box.h - top - bottom) * 72 / count / 1.5)))
    return 11 if count <= 12 else 10 if count <= 16 else 9


def _number_format(digits: int) -> str:
    return "0" if digits <= 0 else "0." + "0" * digits


def _chart(slide, chart: Chart, box: Box) -> None:
    """`chart` as a native chart in `box`, with its reference lines drawn over it."""
    fmt = _number_format(chart.digits)
    data = _ChartData(number_format=fmt)
    data.categories = [_xml_safe(category) for category in chart.categories]
    for series in chart.series:
        data.add_series(_xml_safe(series.name), series.values)
    frame = slide.shapes.add_chart(CHART_TYPES[chart.kind], *_emu(box), data)
    native = frame.chart
    # python-pptx's chart templates carry negative axis ids; the schema wants unsigned ones, and readers that
    # hold them in a signed 32-bit int (LibreOffice) mix the axes up above 2**31: so the absolute value
    for ref in native._chartSpace.iter(qn("c:axId"), qn("c:crossAx")):
        ref.set("val", str(abs(int(ref.get("val")))))
    native.font.size = Pt(11)
    native.font.color.rgb = _rgb(INK)
    if chart.title:
        native.has_title = True
        _fill_lines(native.chart_title.text_frame, [Line(chart.title, 14, True)])
    else:
        native.has_title = False
    native.has_legend = _legend(chart)
    if native.has_legend:
        native.legend.position = XL_LEGEND_POSITION.BOTTOM
        native.legend.include_in_layout = False
        native.legend.font.size = Pt(11)
    plot = native.plots[0]
    plot.has_data_labels = True
    labels = plot.data_labels
    labels.number_format, labels.number_format_is_linked = fmt, False
    labels.font.size = Pt(_category_size(chart, box))
    labels.position = XL_LABEL_POSITION.ABOVE if chart.kind == "line" else XL_LABEL_POSITION.OUTSIDE_END
    if chart.kind != "line":
        plot.gap_width = 50 if chart.kind == "bar" else 80
        plot.vary_by_categories = False
    _colour_series(native, chart)
    values = native.value_axis
    values.has_major_gridlines = True
    values.major_gridlines.format.line.color.rgb = _rgb(RULE)
    values.tick_labels.number_format, values.tick_labels.number_format_is_linked = fmt, False
    values.tick_labels.font.size = Pt(10)
    values.format.line.fill.background()
    low, high = _value_range(chart)
    if low is not None:
        values.minimum_scale = low
    if high is not None:
        values.maximum_scale = high
    if chart.value_title:
        values.has_title = True
        _fill_lines(values.axis_title.text_frame, [Line(chart.value_title, 11, colour=GREY)])
    categories = native.category_axis
    categories.tick_labels.font.size = Pt(_category_size(chart, box))
    # every category named, however many (PowerPoint and LibreOffice skip some when they judge space short)
    skip = etree.Element(qn("c:tickLblSkip"), val="1")
    categories._element.find(qn("c:noMultiLvlLbl")).addprevious(skip)
    categories.format.line.color.rgb = _rgb("#9E9E9E")
    categories.has_major_gridlines = False
    if chart.kind == "bar":
        # The first category on top: reverse the category axis, and keep the value axis at the bottom.
        categories.reverse_order = True
        values._element.find(qn("c:crosses")).set("val", "max")
    if chart.kind == "line":
        native._chartSpace.chart.find(qn("c:dispBlanksAs")).set("val", "gap")
    if chart.kind == "bar" or chart.references:
        # bar charts always: the category names' room is known, and the bars' spacing sets their size
        inner = _plot_layout(native, chart, box)
        if chart.references:
            _references(slide, chart, inner, low, high)


def _colour_series(native, chart: Chart) -> None:
    for i, (series, spec) in enumerate(zip(native.plots[0].series, chart.series, strict=True)):
        colour = _rgb(spec.colour or SERIES_COLOURS[i % len(SERIES_COLOURS)])
        if chart.kind == "line":
            series.smooth = False
            series.format.line.color.rgb = colour
            series.format.line.width = Pt(2.25)
            series.marker.style = XL_MARKER_STYLE.CIRCLE
            series.marker.size = 7
            series.marker.format.fill.solid()
            series.marker.format.fill.fore_color.rgb = colour
            series.marker.format.line.color.rgb = colour
            continue
        series.invert_if_negative = False
        series.format.fill.solid()
        series.format.fill.fore_color.rgb = colour
        if chart.point_colours and i == 0:
            for index, point_colour in enumerate(chart.point_colours):
                if point_colour:
                    point = series.points[index]
                    point.format.fill.solid()
                    point.format.fill.fore_color.rgb = _rgb(point_colour)
        if chart.point_labels and i == 0:  # the RAG as shape and word beside the value: not colour alone
            for index, label in enumerate(chart.point_labels):
                value = chart.series[0].values[index] if index < len(chart.series[0].values) else None
                if label and value is not None:
                    frame = series.points[index].data_label.text_frame
                    frame.text = f"{value:,.{chart.digits}f} {label}"


def _value_range(chart: Chart) -> tuple[float | None, float | None]:
    """The value axis's bounds: the model's; with reference lines, fixed even when the model leaves them open
    (0 or the lowest value, and a round number above the highest value or line), so the lines sit exactly."""
    if not chart.references:
        return chart.minimum, chart.maximum
    values = [v for s in chart.series for v in s.values if v is not None] + [r.value for r in chart.references]
    low = chart.minimum if chart.minimum is not None else min(0.0, *values)
    if chart.maximum is not None:
        return low, chart.maximum
    top = max(values)
    step = 10 ** math.floor(math.log10(top - low)) if top > low else 1
    return low, math.ceil(top / step * 2) * step / 2 if top > low else low + 1


def _plot_layout(native, chart: Chart, box: Box) -> Box:
    """Fix the plot area's inner rectangle (the axes' box) inside the chart; returns it in slide inches."""
    top, bottom = _margins(chart)
    if chart.kind == "bar":
        left = max(_inches(c, _category_size(chart, box)) for c in chart.categories) + 0.25
        right = 0.55  # the data label of the longest bar
    else:
        left = 0.6 + (0.35 if chart.value_title else 0)
        right = 0.25
    inner = Box(box.x + left, box.y + top, box.w - left - right, box.h - top - bottom)
    layout = native._chartSpace.chart.plotArea.find(qn("c:layout"))
    if layout is None:
        layout = etree.Element(qn("c:layout"))
        native._chartSpace.chart.plotArea.insert(0, layout)
    layout.clear()
    manual = etree.SubElement(layout, qn("c:manualLayout"))
    for tag, val in (
        ("layoutTarget", "inner"),
        ("xMode", "edge"),
        ("yMode", "edge"),
        ("x", (inner.x - box.x) / box.w),
        ("y", (inner.y - box.y) / box.h),
        ("w", inner.w / box.w),
        ("h", inner.h / box.h),
    ):
        etree.SubElement(manual, qn(f"c:{tag}"), val=f"{val:.6f}" if isinstance(val, float) else val)
    return inner


def _references(slide, chart: Chart, inner: Box, low: float, high: float) -> None:
    """Dashed lines at each reference value over the plot area, labelled at their end."""
    for reference in chart.references:
        share = (reference.value - low) / (high - low)
        if not 0 <= share <= 1:
            continue
        if chart.kind == "bar":
            x = inner.x + share * inner.w
            start, end = (x, inner.y), (x, inner.bottom)
            label = Box(x - 0.5, inner.y - 0.3, 1.0, 0.3)
            align = PP_ALIGN.CENTER
        else:
            y = inner.bottom - share * inner.h
            start, end = (inner.x, y), (inner.right, y)
            label = Box(inner.right - 1.0, y - 0.3, 1.0, 0.3)
            align = PP_ALIGN.RIGHT
        line = slide.shapes.add_connector(MSO_CONNECTOR.STRAIGHT, *(Inches(v) for v in (*start, *end)))
        line.line.color.rgb = _rgb(reference.colour)
        line.line.width = Pt(1.5)
        line.line.dash_style = MSO_LINE.DASH
        _textbox(slide, label, [Line(reference.label, 10, True, reference.colour, align)])


# --- fonts -------------------------------------------------------------------------------------------------

_AFTER_TYPEFACES = tuple(qn(f"a:{tag}") for tag in ("sym", "hlinkClick", "hlinkMouseOver", "rtl", "extLst"))


def _typefaces(prs, lang: str) -> None:
    """Name 微软雅黑 as the Latin, East-Asian and complex-script typeface of every run and every text default
    on every slide and in every chart, and tag runs with the report's language."""
    roots = []
    for slide in prs.slides:
        roots.append(slide._element)
        roots += [shape.chart._chartSpace for shape in slide.shapes if shape.has_chart]
    for root in roots:
        for run in root.iter(qn("a:r"), qn("a:fld")):
            if run.find(qn("a:rPr")) is None:
                run.insert(0, etree.Element(qn("a:rPr")))
        for props in root.iter(qn("a:rPr"), qn("a:defRPr"), qn("a:endParaRPr")):
            if props.tag != qn("a:defRPr"):
                props.set("lang", lang)
            _set_typeface(props)


def _set_typeface(props) -> None:
    for tag in ("latin", "ea", "cs"):
        for old in props.findall(qn(f"a:{tag}")):
            props.remove(old)
    anchor = next((child for child in props if child.tag in _AFTER_TYPEFACES), None)
    for tag in ("latin", "ea", "cs"):
        face = etree.Element(qn(f"a:{tag}"), typeface=FONT)
        if anchor is None:
            props.append(face)
        else:
            anchor.addprevious(face)
