"""The meeting material (会议材料) as a printable A4 PDF: `render(report)` draws a `Report` (analytics/report_model.py)
with fpdf2. The PPTX (`report_pptx`) renders the same model, so both say the same things.

What the pages look like:
- a cover (title, hospital, period, scope, the red marking 内部资料 注意保密, the cover lines), then the contents;
- each section: its numbered heading, its one message in bold, the headline figures as cards (a RAG colour mark
  always with its word: 良好/关注/预警), the chart, the tables, the sentences. A section starts on a new page when
  its first blocks would not fit in what is left of the page; a chart is never split across pages;
- tables break across pages with their header row repeated; every cell wraps inside its column;
- every page carries the report's footer and "第 3 页 / 共 12 页" ("Page 3 of 12").

Charts are drawn as vectors from the `Chart` model (the numbers the PPTX chart carries): bars in their point
colours, dashed reference lines with their labels, and where a value is missing the chart's note for it ("<10",
"未上报") in its place.

Chinese text is set in a CJK font found by `analytics.fonts` (a subset of it is embedded; `FontMissing` when there
is none). Lines break between Chinese characters and at spaces, never inside a Latin word or a number, and not
before closing punctuation (，。）…) — fpdf2 itself breaks only at spaces. All text is drawn as data: fpdf2's
markdown stays off and nothing is parsed as HTML.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.enums import Align, TableHeadingsDisplay
from fpdf.fonts import FontFace as Style
from fpdf.outline import OutlineSection

from analytics.fonts import CjkFont, FontMissing, find_cjk_font
from analytics.i18n import STRINGS, rag_tag, t
from analytics.report_model import RAG_BARS, SERIES_COLOURS, Chart, Figure, Report, Section, Table

__all__ = ["FontMissing", "render"]

# Page geometry, in mm (fpdf2's unit here).
PAGE_WIDTH, PAGE_HEIGHT = 210.0, 297.0
MARGIN = 18.0  # left and right
TOP = 16.0
BOTTOM = 20.0  # the footer lives in here
FOOTER_Y = PAGE_HEIGHT - 13.0
PT = 25.4 / 72  # one point in mm

# Colours, as (r, g, b).
INK = (33, 33, 33)
MUTED = (97, 97, 97)
PARTY_RED = (183, 28, 28)  # headings, the marking
RULE = (189, 189, 189)
GRID = (224, 224, 224)
HEADER_FILL = (236, 239, 241)
CARD_FILL = (250, 250, 250)

FAMILY = "cjk"
TYPOGRAPHY = "一二三四五六七八九十零●▲■…—–·"  # what the renderer adds to the report's text
BODY = 10.0  # pt
LEADING = 1.5  # line height / font size
LABEL_LEADING = 1.2  # in charts' labels


def render(report: Report) -> bytes:
    """The report as an A4 PDF's bytes. Raises `FontMissing` (worded in the report's language) when the machine has
    no CJK font."""
    font = find_cjk_font(report.lang)
    document = _Document(report, font)
    document.cover()
    document.add_page()
    document.insert_toc_placeholder(_contents, pages=1)
    for number, section in enumerate(report.sections, start=1):
        document.section(number, section)
    return bytes(document.output())


# --- text --------------------------------------------------------------------------------------------------------

_CJK = "\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff"
_TOKENS = re.compile(rf"\s+|[^\s{_CJK}]+|.", re.DOTALL)
# Kinsoku (禁则): these never start a line / never end one; they stay with their neighbour.
_NO_LINE_START = set("，。、；：！？）》」』】〉〕”’%‰…·,.;:!?)]}")
_NO_LINE_END = set("（《「『【〈〔“‘([{")
_HYPHEN_BREAK = re.compile(r"(?<=[A-Za-z]-)(?=[A-Za-z])")  # "Medical-|ethics", not "2025-|09" nor "-|8.5"


def _units(text: str) -> list[str]:
    """Unbreakable pieces of one paragraph: a Chinese character or a run of other non-space characters (a Latin word,
    a number, a formula), with the punctuation that must not be separated from it; " " stands for a space."""
    units: list[str] = []
    tokens = (piece for token in _TOKENS.findall(text) for piece in _HYPHEN_BREAK.split(token))
    for token in tokens:
        if token.isspace():
            if units and units[-1] != " ":
                units.append(" ")
        elif len(units) > 1 and units[-1] == " " and token[0] in _NO_LINE_START:
            units.pop()
            units[-1] += " " + token
        elif units and units[-1] != " " and (token[0] in _NO_LINE_START or units[-1][-1] in _NO_LINE_END):
            units[-1] += token
        else:
            units.append(token)
    return units


def wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    """`text` broken into lines no wider than `width` (mm) in the current font: between Chinese characters and at
    spaces; a piece wider than a whole line (a long word or formula) is cut between characters."""
    measure = pdf.get_string_width  # without text shaping, a string's width is the sum of its characters'
    space = measure(" ")
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line, used = "", 0.0
        for unit in _units(paragraph):
            if unit == " ":
                if line:
                    line, used = line + " ", used + space
                continue
            size = measure(unit)
            if used + size <= width + 0.01:  # rounding: the parts' widths may sum a hair above the whole's
                line, used = line + unit, used + size
                continue
            if line.strip():
                lines.append(line.rstrip())
            line, used = "", 0.0
            if size <= width:
                line, used = unit, size
                continue
            for char in unit:  # only a piece too long for a line of its own is cut
                size = measure(char)
                if line and used + size > width:
                    lines.append(line)
                    line, used = "", 0.0
                line, used = line + char, used + size
        lines.append(line.rstrip())
    return lines


# Up to this many characters a cell's text is kept on one line (in a smaller size if need be).
SHORT_TEXT = 10


def fitting_size(
    pdf: FPDF, text: str, width: float, size: float, smallest: float, bold: bool = False, *, whole: bool = False
) -> float:
    """The largest font size from `size` down to `smallest` (by half points) at which no unbreakable piece of `text`
    (a word, a number) is wider than `width`, so that `wrap` need not cut one; the font is left at that size. With
    `whole`, a short text (a table cell's score and word, "100 · 良好") counts as one piece: kept on one line."""
    pdf.set_font(FAMILY, "B" if bold else "", size)
    pieces = [text] if whole and len(text) <= SHORT_TEXT else _units(text.replace("\n", " "))
    widest = max((pdf.get_string_width(unit) for unit in pieces), default=0.0)
    if widest > width:  # widths scale with the size
        size = max(smallest, math.floor(size * width / widest * 2) / 2)
        pdf.set_font(FAMILY, "B" if bold else "", size)
    return size


def _report_characters(report: Report) -> set[int]:
    """Every character the document can print: the report's text, the renderer's own strings, printable ASCII
    (numbers, axis ticks) and the typography used here. The embedded font maps only these: parsing the whole
    character map of a 20 MB CJK font for each document would cost a second."""
    text: list[str] = []

    def collect(value: object) -> None:
        if isinstance(value, str):
            text.append(value)
        elif isinstance(value, dict):
            for key, item in value.items():
                collect(key)
                collect(item)
        elif isinstance(value, list | tuple):
            for item in value:
                collect(item)

    collect(report.model_dump())
    for key, (zh, en) in STRINGS.items():
        if key.startswith(("report.pdf.", "rag.")):
            text += [zh, en]
    text.append(TYPOGRAPHY)
    codes = {ord(c) for c in "".join(text)}
    return codes | set(range(0x20, 0x7F))


# --- the document ------------------------------------------------------------------------------------------------


# Tables a horizontal, unshaped PDF never uses (layout and vertical metrics). fpdf2's subsetter parses some of them
# only to drop them (the layout tables of a CJK font alone took a second per document).
UNUSED_TABLES = ("GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH", "vhea", "vmtx", "VORG")


def _lighten(font: TTFont) -> None:
    """Make embedding the subset of `font` (fontTools, opened lazily by fpdf2) cheap: drop the tables the PDF never
    uses before anything parses them, and keep the CFF font box as it is, as fontTools' own subsetter does
    (recomputing it draws every glyph, twice per font, for a box PDF viewers do not read)."""
    for tag in UNUSED_TABLES:
        if tag in font:
            del font[tag]
    font.recalcBBoxes = False


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _chinese_number(n: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十 (sections are few)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


class _Document(FPDF):
    def __init__(self, report: Report, font: CjkFont) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.report = report
        self.language = report.lang
        characters = sorted(_report_characters(report))
        for style, face in (("", font.regular), ("B", font.bold)):
            self.add_font(FAMILY, style, str(face.path), collection_font_number=face.index, unicode_range=characters)
        for embedded in self.fonts.values():
            _lighten(embedded.ttfont)
        self.set_margins(MARGIN, TOP, MARGIN)
        self.set_auto_page_break(True, margin=BOTTOM)
        self.c_margin = 0
        self.alias_nb_pages()
        self.set_lang("zh-CN" if self.language == "zh" else "en")
        self.set_title(f"{report.cover.title} · {report.cover.hospital} · {report.cover.period}")
        self.set_creator(t("app.title", self.language))
        self.set_font(FAMILY, "", BODY)
        self.set_text_color(*INK)

    # Text helpers: every string goes through `wrap` and `cell`, never markdown or HTML.

    def style(self, size: float, bold: bool = False, colour: tuple[int, int, int] = INK) -> None:
        self.set_font(FAMILY, "B" if bold else "", size)
        self.set_text_color(*colour)

    def line_height(self, size: float | None = None, leading: float = LEADING) -> float:
        return (size or self.font_size_pt) * PT * leading

    def lines_at(
        self, x: float, y: float, width: float, lines: Sequence[str], align: str = "L", leading: float = LEADING
    ) -> float:
        """Draw pre-wrapped `lines` from (x, y) without page breaks; the y below them."""
        height = self.line_height(leading=leading)
        for line in lines:
            self.set_xy(x, y)
            self.cell(width, height, line, align=align)
            y += height
        return y

    def paragraph(self, text: str, size: float = BODY, bold: bool = False, colour=INK, gap: float = 1.5) -> None:
        """A paragraph across the page at the cursor, breaking pages between lines."""
        self.style(size, bold, colour)
        lines = wrap(self, text, self.epw - 0.2)  # a hair narrower than multi_cell's own limit: it never rewraps
        self.set_x(self.l_margin)
        self.multi_cell(self.epw, self.line_height(), "\n".join(lines), align="L", new_x="LMARGIN", new_y="NEXT")
        self.ln(gap)

    @property
    def room(self) -> float:
        """What is left of the page above the footer, in mm."""
        return self.page_break_trigger - self.y

    @property
    def page_room(self) -> float:
        """The room on an empty page."""
        return self.page_break_trigger - self.t_margin

    def at_page_top(self) -> bool:
        return self.y <= self.t_margin + 0.5

    def ensure(self, height: float) -> None:
        """Start a new page unless `height` fits in what is left of this one."""
        if height > self.room and not self.at_page_top():
            self.add_page()

    @contextmanager
    def fixed(self) -> Iterator[None]:
        """Drawing at computed positions (cards, charts): no automatic page break in the middle of it."""
        self.set_auto_page_break(False)
        try:
            yield
        finally:
            self.set_auto_page_break(True, margin=BOTTOM)

    # Every page

    def footer(self) -> None:
        y = FOOTER_Y
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        self.line(self.l_margin, y - 1.5, PAGE_WIDTH - self.r_margin, y - 1.5)
        self.style(8, colour=MUTED)
        page = t("report.pdf.page", self.language, page=self.page_no(), pages="{nb}")
        page_width = self.get_string_width(page.replace("{nb}", "000")) + 1
        self.set_xy(PAGE_WIDTH - self.r_margin - page_width, y)
        self.cell(page_width, 4, page, align="R")
        footer_width = self.epw - page_width - 4
        size = 8.0
        while size > 6 and self.get_string_width(self.report.footer) > footer_width:
            size -= 0.5
            self.style(size, colour=MUTED)
        lines = wrap(self, self.report.footer, footer_width)
        self.lines_at(self.l_margin, y, footer_width, lines[:2])
        self.style(BODY)

    # The cover

    def cover(self) -> None:
        cover = self.report.cover
        self.add_page()
        with self.fixed():
            # The marking, boxed in red at the top right, as on a paper document.
            self.style(14, bold=True, colour=PARTY_RED)
            width = self.get_string_width(cover.marking) + 8
            self.set_draw_color(*PARTY_RED)
            self.set_line_width(0.6)
            x = PAGE_WIDTH - self.r_margin - width
            self.rect(x, TOP, width, 10)
            self.set_xy(x, TOP)
            self.cell(width, 10, cover.marking, align="C")

            self.style(16, colour=INK)
            y = self.lines_at(self.l_margin, 72, self.epw, wrap(self, cover.hospital, self.epw), align="C")
            self.set_fill_color(*PARTY_RED)
            self.rect(self.l_margin, y + 4, self.epw, 1.2, style="F")
            self.style(26, bold=True)
            y = self.lines_at(self.l_margin, y + 14, self.epw, wrap(self, cover.title, self.epw), align="C")
            self.style(16)
            y = self.lines_at(self.l_margin, y + 8, self.epw, wrap(self, cover.period, self.epw), align="C")
            self.style(12, colour=MUTED)
            scope = t("report.pdf.scope", self.language, scope=cover.scope)
            self.lines_at(self.l_margin, y + 3, self.epw, wrap(self, scope, self.epw), align="C")

            self.style(10, colour=MUTED)
            lines = [line for text in cover.lines for line in wrap(self, text, self.epw)]
            self.lines_at(self.l_margin, 250 - len(lines) * self.line_height(), self.epw, lines, align="C")
        self.style(BODY)

    # A section

    def heading_text(self, number: int, section: Section) -> str:
        shown = _chinese_number(number) if self.language == "zh" else str(number)
        return t("report.pdf.heading", self.language, number=shown, heading=section.heading)

    def section(self, number: int, section: Section) -> None:
        heading = self.heading_text(number, section)
        self.style(15, bold=True)
        heading_lines = wrap(self, heading, self.epw)
        heading_height = len(heading_lines) * self.line_height() + 2
        self.style(12, bold=True)
        title_lines = wrap(self, section.title, self.epw)
        title_height = len(title_lines) * self.line_height() + 4
        first = self.figures_height(section.figures) if section.figures else 0.0
        if (
            section.chart is not None
            and heading_height + title_height + first + self.chart_height(section.chart) <= self.page_room
        ):
            first += self.chart_height(section.chart)
        first = first or 25.0  # a table's first rows, or a few lines
        if not self.at_page_top():
            self.ln(6)
        self.ensure(heading_height + title_height + first)

        self.start_section(heading, level=0)
        self.style(15, bold=True, colour=PARTY_RED)
        y = self.lines_at(self.l_margin, self.y, self.epw, heading_lines)
        self.set_draw_color(*PARTY_RED)
        self.set_line_width(0.5)
        self.line(self.l_margin, y + 0.5, PAGE_WIDTH - self.r_margin, y + 0.5)
        self.style(12, bold=True)
        y = self.lines_at(self.l_margin, y + 2.5, self.epw, title_lines)
        self.set_y(y + 3)

        if section.figures:
            self.figures(section.figures)
        if section.chart is not None:
            self.chart(section.chart)
        for table in section.tables:
            self.table_block(table)
        for sentence in section.sentences:
            self.paragraph(sentence)
        self.style(BODY)

    # Headline figures: cards in rows

    def figure_grid(self, count: int) -> tuple[int, float]:
        columns = count if count <= 4 else 3 if count in (5, 6, 9) else 4
        width = (self.epw - (columns - 1) * 4) / columns
        return columns, width

    def card_lines(self, figure: Figure, width: float) -> list[tuple[float, bool, tuple[int, int, int], list[str]]]:
        """(size, bold, colour, lines) of each part of a card, top to bottom."""
        inner = width - 7
        # The value on one line when 11 pt or more allows: '163 人次' reads badly as '163' over '人次'.
        self.style(16.0, bold=True)
        whole = self.get_string_width(figure.value)
        value_size = 16.0 if whole <= inner else max(11.0, math.floor(16.0 * inner / whole * 2) / 2)
        parts = [(8.5, False, MUTED, figure.label), (value_size, True, INK, figure.value)]
        if figure.change:
            parts.append((8.5, False, INK, figure.change))
        if figure.note:
            parts.append((8.0, False, MUTED, figure.note))
        if figure.rag:
            parts.append((8.0, True, _rgb(RAG_BARS[figure.rag]), rag_tag(figure.rag, self.language)))
        laid = []
        for size, bold, colour, text in parts:
            self.style(size, bold)
            laid.append((size, bold, colour, wrap(self, text, inner)))
        return laid

    def card_height(self, figure: Figure, width: float) -> float:
        return 6 + sum(len(lines) * self.line_height(size) for size, _, _, lines in self.card_lines(figure, width))

    def figures_height(self, figures: list[Figure]) -> float:
        columns, width = self.figure_grid(len(figures))
        rows = [figures[i : i + columns] for i in range(0, len(figures), columns)]
        return sum(max(self.card_height(f, width) for f in row) + 4 for row in rows)

    def figures(self, figures: list[Figure]) -> None:
        columns, width = self.figure_grid(len(figures))
        for start in range(0, len(figures), columns):
            row = figures[start : start + columns]
            height = max(self.card_height(f, width) for f in row)
            self.ensure(height + 4)
            top = self.y
            with self.fixed():
                for i, figure in enumerate(row):
                    self.card(figure, self.l_margin + i * (width + 4), top, width, height)
            self.set_y(top + height + 4)

    def card(self, figure: Figure, x: float, y: float, width: float, height: float) -> None:
        self.set_fill_color(*CARD_FILL)
        self.set_draw_color(*GRID)
        self.set_line_width(0.3)
        self.rect(x, y, width, height, style="DF")
        if figure.rag:  # the colour mark: a band down the card's left edge (its word is in the card too)
            self.set_fill_color(*_rgb(RAG_BARS[figure.rag]))
            self.rect(x, y, 1.6, height, style="F")
        top = y + 3
        for size, bold, colour, lines in self.card_lines(figure, width):
            self.style(size, bold, colour)
            top = self.lines_at(x + 4, top, width - 7, lines)

    # Charts

    def chart_height(self, chart: Chart) -> float:
        return _ChartDrawing(self, chart, self.epw).height

    def chart(self, chart: Chart) -> None:
        drawing = _ChartDrawing(self, chart, self.epw)
        self.ensure(drawing.height + 4)
        top = self.y
        with self.fixed():
            drawing.draw(self.l_margin, top)
        self.set_y(top + drawing.height + 4)
        self.style(BODY)

    # Tables

    def table_block(self, table: Table) -> None:
        size = 9.0 if len(table.columns) <= 6 else 8.0
        sum_widths = sum(table.widths) if table.widths else len(table.columns)
        fractions = [w / sum_widths for w in (table.widths or [1.0] * len(table.columns))]
        padding_x, padding_y = 1.5, 1.1
        inner = [self.epw * f - 2 * padding_x - 0.4 for f in fractions]
        numeric = list(table.numeric) + [False] * (len(table.columns) - len(table.numeric))
        aligns = tuple(Align.R if n else Align.L for n in numeric)
        line_height = self.line_height(size) * 0.9

        header, header_sizes = [], []
        for text, width in zip(table.columns, inner, strict=True):
            header_sizes.append(fitting_size(self, text, width, size, 6.5, bold=True))
            header.append("\n".join(wrap(self, text, width)))
        header_height = max(c.count("\n") + 1 for c in header) * line_height + 2 * padding_y
        # Each column in the largest size (down to 7 pt) at which none of its words or numbers must be cut.
        sizes = [
            min((fitting_size(self, row[c], inner[c], size, 7.0, whole=True) for row in table.rows), default=size)
            for c in range(len(table.columns))
        ]
        rows = []
        for row in table.rows:
            cells = []
            for text, width, cell_size in zip(row, inner, sizes, strict=True):
                self.style(cell_size)
                cells.append("\n".join(wrap(self, text, width)))
            rows.append(cells)
        first_rows = sum(max(c.count("\n") + 1 for c in r) * line_height + 2 * padding_y for r in rows[:2])
        title_height = self.line_height(10) + 1 if table.title else 0
        self.ensure(title_height + header_height + first_rows)
        if table.title:
            self.paragraph(table.title, size=10, bold=True, gap=1)

        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        self.set_fill_color(255, 255, 255)  # fpdf2 paints cells without a fill of their own in the current colour
        self.style(size)
        headings = Style(family=FAMILY, emphasis="B", size_pt=size, color=INK, fill_color=HEADER_FILL)
        with self.table(
            width=self.epw,
            col_widths=fractions,
            text_align=aligns,
            line_height=line_height,
            padding=(padding_y, padding_x),
            headings_style=headings,
            repeat_headings=TableHeadingsDisplay.ON_TOP_OF_EVERY_PAGE,
            markdown=False,
            first_row_as_headings=True,
        ) as drawn:
            heading_row = drawn.row()
            for text, header_size in zip(header, header_sizes, strict=True):
                heading_row.cell(text, style=Style(emphasis="B", size_pt=header_size))
            for r, row in enumerate(rows):
                cells = drawn.row()
                for c, text in enumerate(row):
                    fill = table.fills[r][c] if table.fills else None
                    cells.cell(text, style=Style(size_pt=sizes[c], fill_color=_rgb(fill) if fill else None))
        self.ln(1.5)
        if table.note:
            self.paragraph(table.note, size=8, colour=MUTED)
        else:
            self.ln(2)


def _contents(pdf: FPDF, outline: list[OutlineSection]) -> None:
    """The contents page (fpdf2 calls this when the document is closed, knowing each section's page)."""
    assert isinstance(pdf, _Document)
    pdf.style(16, bold=True, colour=PARTY_RED)
    pdf.set_y(TOP + 8)
    pdf.cell(pdf.epw, 10, t("report.pdf.contents", pdf.language), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.style(11.5)
    for entry in outline:
        page = str(entry.page_number)
        page_width = pdf.get_string_width(page)
        lines = wrap(pdf, entry.name, pdf.epw - page_width - 12)
        y = pdf.y
        pdf.lines_at(pdf.l_margin, y, pdf.epw, lines)
        last = y + (len(lines) - 1) * pdf.line_height()
        name_end = pdf.l_margin + pdf.get_string_width(lines[-1]) + 2
        dots_end = PAGE_WIDTH - pdf.r_margin - page_width - 2
        dot = pdf.get_string_width("·")
        pdf.set_text_color(*MUTED)
        pdf.set_xy(name_end, last)
        pdf.cell(dots_end - name_end, pdf.line_height(), "·" * max(0, int((dots_end - name_end) / dot)), align="R")
        pdf.set_text_color(*INK)
        pdf.set_xy(dots_end, last)
        pdf.cell(page_width + 2, pdf.line_height(), page, align="R")
        link = pdf.add_link(page=entry.page_number)
        pdf.link(pdf.l_margin, y, pdf.epw, last + pdf.line_height() - y, link)
        pdf.set_y(last + pdf.line_height() + 2.5)


# --- charts ------------------------------------------------------------------------------------------------------


def _nice_step(span: float, target: int = 5) -> float:
    raw = span / target if span > 0 else 1.0
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def _format_tick(value: float, step: float) -> str:
    """A tick with as many decimals as the step needs: 20, 2.5, 0.25."""
    decimals = 0
    while decimals < 4 and abs(step * 10**decimals - round(step * 10**decimals)) > 1e-6:
        decimals += 1
    return f"{value:.{decimals}f}"


@dataclass
class _Axis:
    low: float
    high: float
    ticks: list[float]
    step: float

    def fraction(self, value: float) -> float:
        return (min(max(value, self.low), self.high) - self.low) / (self.high - self.low)

    @property
    def base(self) -> float:
        """Where bars start: zero when it is on the axis, else the low end."""
        return 0.0 if self.low <= 0 <= self.high else self.low


def _axis(chart: Chart) -> _Axis:
    values = [v for s in chart.series for v in s.values if v is not None] + [r.value for r in chart.references]
    low = chart.minimum if chart.minimum is not None else min([0.0, *values])
    high = chart.maximum if chart.maximum is not None else max([low + 1.0, *values])
    step = _nice_step(high - low)
    if chart.maximum is None:
        high = math.ceil(high / step - 1e-9) * step
    if chart.minimum is None:
        low = math.floor(low / step + 1e-9) * step
    if high <= low:
        high = low + step
    ticks = [low + i * step for i in range(round((high - low) / step) + 1)]
    return _Axis(low, high, [v for v in ticks if v <= high + 1e-9], step)


class _ChartDrawing:
    """One chart laid out for a width: `height` first (to keep it on one page), then `draw` at a position."""

    TITLE = 10.5
    LABEL = 8.0
    VALUE = 7.0
    NOTE = 7.0

    def __init__(self, pdf: _Document, chart: Chart, width: float) -> None:
        self.pdf = pdf
        self.chart = chart
        self.width = width
        self.axis = _axis(chart)
        self.colours = [_rgb(s.colour or SERIES_COLOURS[i % len(SERIES_COLOURS)]) for i, s in enumerate(chart.series)]
        pdf.style(self.TITLE, bold=True)
        self.title_lines = wrap(pdf, chart.title, width)
        self.title_height = len(self.title_lines) * pdf.line_height() + 1.5
        self.legend_rows = self.legend_layout() if len(chart.series) > 1 else []
        self.legend_height = len(self.legend_rows) * 5.0 + (1.5 if self.legend_rows else 0)
        self.top = self.title_height + self.legend_height
        if chart.kind == "bar":
            self.layout_bars()
        else:
            self.layout_columns()

    # Layout

    def value_text(self, value: float) -> str:
        return f"{value:,.{self.chart.digits}f}"

    def legend_layout(self) -> list[list[tuple[float, int]]]:
        """Rows of (x offset, series index)."""
        self.pdf.style(self.LABEL)
        rows: list[list[tuple[float, int]]] = [[]]
        x = 0.0
        for i, series in enumerate(self.chart.series):
            item = 6 + self.pdf.get_string_width(series.name) + 5
            if x + item > self.width and rows[-1]:
                rows.append([])
                x = 0.0
            rows[-1].append((x, i))
            x += item
        return rows

    def layout_bars(self) -> None:
        pdf, chart = self.pdf, self.chart
        n = max(1, len(chart.categories))
        chrome = self.top + (4.0 if chart.references else 1.0) + 4.5 + (5.0 if chart.value_title else 0)
        most = pdf.page_room - 8 - chrome  # the whole chart fits on one page, whatever the number of bars
        k = max(1, len(chart.series))
        self.row = min(6.2 if k == 1 else 3.4 * k + 1.8, most / n)
        self.label_size = min(self.LABEL, max(5.0, self.row / 6.2 * self.LABEL))
        pdf.style(self.label_size)
        widest = max((pdf.get_string_width(c) for c in chart.categories), default=10)
        self.label_width = min(widest + 3, self.width * 0.38)
        self.labels = [self.fit_label(c) for c in chart.categories]
        pdf.style(self.VALUE)
        texts = [self.missing_text(c) for c in chart.categories]
        texts += [self.value_text(v) for s in chart.series for v in s.values if v is not None]
        self.value_width = max((pdf.get_string_width(x) for x in texts), default=8) + 3
        self.plot_top = self.top + (4.0 if chart.references else 1.0)
        self.plot_height = n * self.row
        self.height = self.plot_top + self.plot_height + 4.5 + (5.0 if chart.value_title else 0)

    def fit_label(self, category: str) -> tuple[float, list[str]]:
        """(size, lines) of a bar's label: wrapped to the label column, smaller until it fits its row."""
        size = self.label_size
        while True:
            self.pdf.style(size)
            lines = wrap(self.pdf, category, self.label_width - 3)
            if len(lines) * self.pdf.line_height(leading=LABEL_LEADING) <= self.row + 0.3 or size <= 5:
                return size, lines
            size -= 0.5

    def layout_columns(self) -> None:
        pdf, chart = self.pdf, self.chart
        n = max(1, len(chart.categories))
        pdf.style(self.VALUE)
        self.tick_width = max(pdf.get_string_width(_format_tick(v, self.axis.step)) for v in self.axis.ticks) + 2
        # Reference lines are labelled in a gutter right of the plot, clear of the columns and lines.
        labels = [pdf.get_string_width(r.label) for r in chart.references]
        self.gutter = min(max(labels) + 2, self.width * 0.2) if labels else 0.0
        self.slot = (self.width - self.tick_width - 2 - self.gutter) / n
        self.category_size = min(
            (fitting_size(pdf, c, self.slot - 1.5, self.LABEL, 6.0) for c in chart.categories), default=self.LABEL
        )
        pdf.style(self.category_size)
        self.category_lines = [wrap(pdf, c, self.slot - 1.5) for c in chart.categories]
        label_height = max((len(lines) for lines in self.category_lines), default=1) * pdf.line_height(
            leading=LABEL_LEADING
        )
        self.value_title_height = 5.0 if chart.value_title else 0.0
        self.plot_top = self.top + self.value_title_height + 3
        self.plot_height = 62.0
        self.height = self.plot_top + self.plot_height + 1.5 + label_height

    def missing_text(self, category: str) -> str:
        return self.chart.notes.get(category, "—")

    # Drawing

    def draw(self, x: float, y: float) -> None:
        pdf = self.pdf
        pdf.style(self.TITLE, bold=True)
        pdf.lines_at(x, y, self.width, self.title_lines)
        self.draw_legend(x, y + self.title_height)
        if self.chart.kind == "bar":
            self.draw_bars(x, y)
        else:
            self.draw_columns(x, y)
        pdf.set_dash_pattern()
        pdf.set_line_width(0.2)

    def draw_legend(self, x: float, y: float) -> None:
        pdf = self.pdf
        for r, row in enumerate(self.legend_rows):
            for offset, i in row:
                left, top = x + offset, y + r * 5.0
                pdf.set_fill_color(*self.colours[i])
                pdf.set_draw_color(*self.colours[i])
                if self.chart.kind == "line":
                    pdf.set_line_width(0.7)
                    pdf.line(left, top + 2.5, left + 4.5, top + 2.5)
                    pdf.circle(left + 2.25, top + 2.5, 0.9, style="F")
                else:
                    pdf.rect(left, top + 1, 4.5, 3, style="F")
                pdf.style(self.LABEL)
                pdf.set_xy(left + 6, top)
                pdf.cell(pdf.get_string_width(self.chart.series[i].name) + 1, 5, self.chart.series[i].name)

    def reference(self, x1: float, y1: float, x2: float, y2: float, colour: str) -> None:
        pdf = self.pdf
        pdf.set_draw_color(*_rgb(colour))
        pdf.set_line_width(0.4)
        pdf.set_dash_pattern(dash=1.5, gap=1.0)
        pdf.line(x1, y1, x2, y2)
        pdf.set_dash_pattern()

    def draw_bars(self, x: float, y: float) -> None:
        pdf, chart, axis = self.pdf, self.chart, self.axis
        left = x + self.label_width
        right = x + self.width - self.value_width
        top = y + self.plot_top
        bottom = top + self.plot_height

        def at(value: float) -> float:
            return left + axis.fraction(value) * (right - left)

        # Grid and ticks
        pdf.set_line_width(0.2)
        pdf.style(self.VALUE, colour=MUTED)
        for tick in axis.ticks:
            pdf.set_draw_color(*GRID)
            pdf.line(at(tick), top, at(tick), bottom)
            pdf.set_xy(at(tick) - 10, bottom + 0.5)
            pdf.cell(20, 3.5, _format_tick(tick, axis.step), align="C")
        if chart.value_title:
            pdf.style(self.VALUE + 0.5, colour=MUTED)
            pdf.set_xy(left, bottom + 4.5)
            pdf.cell(right - left, 4, chart.value_title, align="C")
        pdf.set_draw_color(*MUTED)
        pdf.line(at(axis.base), top, at(axis.base), bottom)

        # Bars, their labels, notes in place of missing values
        k = max(1, len(chart.series))
        thickness = self.row * 0.68 / k
        labels: list[tuple[float, float, float, str, tuple[int, int, int]]] = []
        for i, category in enumerate(chart.categories):
            row_top = top + i * self.row
            size, lines = self.labels[i]
            pdf.style(size, colour=INK)
            first = row_top + (self.row - len(lines) * pdf.line_height(leading=LABEL_LEADING)) / 2
            pdf.lines_at(x, first, self.label_width - 3, lines, align="R", leading=LABEL_LEADING)
            if all(i >= len(s.values) or s.values[i] is None for s in chart.series):
                labels.append((at(axis.base) + 1, row_top, self.row, self.missing_text(category), MUTED))
                continue
            for s, series in enumerate(chart.series):
                bar_top = row_top + (self.row - thickness * k) / 2 + s * thickness
                value = series.values[i] if i < len(series.values) else None
                if value is None:
                    labels.append((at(axis.base) + 1, bar_top, thickness, self.missing_text(category), MUTED))
                    continue
                colour = self.colours[s]
                if chart.point_colours and k == 1 and i < len(chart.point_colours) and chart.point_colours[i]:
                    colour = _rgb(chart.point_colours[i])
                start, end = sorted((at(axis.base), at(value)))
                pdf.set_fill_color(*colour)
                pdf.rect(start, bar_top, max(end - start, 0.2), thickness, style="F")
                text = self.value_text(value)
                if chart.point_labels and k == 1 and i < len(chart.point_labels) and chart.point_labels[i]:
                    text = f"{text} {chart.point_labels[i]}"  # the RAG as shape and word: not colour alone
                pdf.style(self.VALUE)
                label_x = end + 1 if value >= axis.base else start - 1.5 - pdf.get_string_width(text)
                labels.append((label_x, bar_top, thickness, text, INK))

        # Reference lines over the bars, labelled above the plot
        for reference in chart.references:
            rx = at(reference.value)
            self.reference(rx, top - 1, rx, bottom, reference.colour)
            pdf.style(self.VALUE, colour=_rgb(reference.colour))
            pdf.set_xy(rx - 15, top - 4.5)
            pdf.cell(30, 3.5, reference.label, align="C")

        # Values and notes last, on white, so a reference line does not strike them through
        for label_x, label_y, height, text, colour in labels:
            self.label(label_x, label_y, height, text, colour)

    def label(self, x: float, y: float, height: float, text: str, colour: tuple[int, int, int]) -> None:
        pdf = self.pdf
        pdf.style(self.VALUE, colour=colour)
        width = pdf.get_string_width(text) + 0.6
        text_height = min(height, self.VALUE * PT * 1.3)
        pdf.set_fill_color(255, 255, 255)
        pdf.rect(x - 0.3, y + (height - text_height) / 2, width, text_height, style="F")
        pdf.set_xy(x, y)
        pdf.cell(width, height, text)

    def draw_columns(self, x: float, y: float) -> None:
        pdf, chart, axis = self.pdf, self.chart, self.axis
        left = x + self.tick_width + 2
        top = y + self.plot_top
        bottom = top + self.plot_height

        def at(value: float) -> float:
            return bottom - axis.fraction(value) * self.plot_height

        def centre(i: int) -> float:
            return left + (i + 0.5) * self.slot

        right = left + self.slot * len(chart.categories)
        # Grid, ticks, value title
        pdf.set_line_width(0.2)
        pdf.style(self.VALUE, colour=MUTED)
        for tick in axis.ticks:
            pdf.set_draw_color(*GRID)
            pdf.line(left, at(tick), right, at(tick))
            pdf.set_xy(x, at(tick) - 1.75)
            pdf.cell(self.tick_width, 3.5, _format_tick(tick, axis.step), align="R")
        if chart.value_title:
            pdf.style(self.VALUE + 0.5, colour=MUTED)
            pdf.set_xy(x, top - 3 - self.value_title_height + 0.5)
            pdf.cell(self.width, 4, chart.value_title)
        pdf.set_draw_color(*MUTED)
        pdf.line(left, at(axis.base), right, at(axis.base))

        # Category labels
        pdf.style(self.category_size, colour=INK)
        for i, lines in enumerate(self.category_lines):
            pdf.lines_at(centre(i) - self.slot / 2, bottom + 1.5, self.slot, lines, align="C", leading=LABEL_LEADING)

        # References: dashed lines across, labelled in the gutter at their right end
        for reference in chart.references:
            ry = at(reference.value)
            self.reference(left, ry, right, ry, reference.colour)
            pdf.style(self.VALUE, colour=_rgb(reference.colour))
            lines = wrap(pdf, reference.label, self.gutter - 1.5)
            pdf.lines_at(
                right + 1.5,
                ry - len(lines) * pdf.line_height(leading=LABEL_LEADING) / 2,
                self.gutter - 1.5,
                lines,
                leading=LABEL_LEADING,
            )

        if chart.kind == "column":
            self.draw_column_bars(centre, at)
        else:
            self.draw_lines(centre, at)

        # Notes for missing values, at the foot of the category's slot
        pdf.style(self.NOTE, colour=MUTED)
        for i, category in enumerate(chart.categories):
            missing = any(i >= len(s.values) or s.values[i] is None for s in chart.series)
            if missing and (chart.kind == "column" or category in chart.notes):
                lines = wrap(pdf, self.missing_text(category), self.slot - 2)
                note_top = at(axis.base) - 1.5 - len(lines) * pdf.line_height()
                pdf.lines_at(centre(i) - self.slot / 2, note_top, self.slot, lines, align="C")

    def draw_column_bars(self, centre, at) -> None:
        pdf, chart, axis = self.pdf, self.chart, self.axis
        k = max(1, len(chart.series))
        width = self.slot * 0.7 / k
        for i in range(len(chart.categories)):
            for s, series in enumerate(chart.series):
                value = series.values[i] if i < len(series.values) else None
                if value is None:
                    continue
                left = centre(i) - self.slot * 0.35 + s * width
                colour = self.colours[s]
                if chart.point_colours and k == 1 and i < len(chart.point_colours) and chart.point_colours[i]:
                    colour = _rgb(chart.point_colours[i])
                top, bottom = sorted((at(value), at(axis.base)))
                pdf.set_fill_color(*colour)
                pdf.rect(left + 0.3, top, width - 0.6, max(bottom - top, 0.2), style="F")
                pdf.style(self.VALUE if width >= 6 else 6.0, colour=INK)
                pdf.set_xy(left - 2, top - 3.8 if value >= axis.base else bottom + 0.3)
                pdf.cell(width + 4, 3.5, self.value_text(value), align="C")

    def draw_lines(self, centre, at) -> None:
        pdf, chart = self.pdf, self.chart
        points = [
            [(centre(i), at(v)) if v is not None else None for i, v in enumerate(series.values)]
            for series in chart.series
        ]
        for s, line in enumerate(points):
            pdf.set_draw_color(*self.colours[s])
            pdf.set_fill_color(*self.colours[s])
            pdf.set_line_width(0.7)
            run: list[tuple[float, float]] = []
            for point in [*line, None]:  # a missing value breaks the line
                if point is None:
                    if len(run) > 1:
                        pdf.polyline(run)
                    run = []
                else:
                    run.append(point)
            for point in line:
                if point is not None:
                    pdf.circle(point[0], point[1], 0.9, style="F")
        if len(chart.categories) > 12 or len(chart.series) > 4:
            return  # too many points to label legibly
        height = 3.5
        for i in range(len(chart.categories)):
            # Top to bottom: each label above its point if that is clear of the label placed before, else below it,
            # else just under the one before.
            here = sorted((line[i][1], s) for s, line in enumerate(points) if i < len(line) and line[i] is not None)
            last_bottom = -math.inf
            for y, s in here:
                top = y - 4.6 if y - 4.6 >= last_bottom else max(y + 1.2, last_bottom)
                last_bottom = top + height
                pdf.style(self.VALUE, colour=self.colours[s])
                pdf.set_xy(centre(i) - 8, top)
                pdf.cell(16, height, self.value_text(chart.series[s].values[i]), align="C")
