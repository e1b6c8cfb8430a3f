"""Tables leaving the app (analytics/exports.py): the printed HTML table each page shows only on paper."""

from __future__ import annotations

from html.parser import HTMLParser

import pandas as pd
import streamlit as st

from analytics import exports
from pages._ui import number_formats

HOSTILE = ['<a href="http://evil.example">点我</a>', "**粗体** :red[红]", "=HYPERLINK(1)", "R&D 科"]


class Cells(HTMLParser):
    """The tags of an HTML text, and the text of each header and cell, by row."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append("".join(self.cell))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def parsed(text: str) -> Cells:
    cells = Cells()
    cells.feed(text)
    return cells


def test_a_printed_table_is_every_row_as_text_with_the_pages_number_formats() -> None:
    frame = pd.DataFrame(
        {
            "名称": [*HOSTILE, "心内科"],
            "指数": [47.83, 52.6, None, 60.0, 88.25],
            "较上期": [-16.0, 2.94, 0.0, None, 1.0],
            "党员": [12, 30, 7, 0, 5],
        }
    )
    out = parsed(exports.to_print_html(frame, {"指数": "%.1f", "较上期": "%+.1f"}))
    assert out.rows == [
        ["名称", "指数", "较上期", "党员"],
        [HOSTILE[0], "47.8", "-16.0", "12"],
        [HOSTILE[1], "52.6", "+2.9", "30"],
        [HOSTILE[2], "—", "+0.0", "7"],
        [HOSTILE[3], "60.0", "—", "0"],
        ["心内科", "88.2", "+1.0", "5"],
    ]
    # Names are text: no link, no bold, nothing but the table's own tags; numbers right-aligned.
    assert {tag for tag, _ in out.tags} == {"table", "thead", "tbody", "tr", "th", "td"}
    assert [a.get("class") for tag, a in out.tags if tag == "td"][:4] == [None, "n", "n", "n"]


def test_a_printed_cell_shows_numbers_and_dates_as_the_grid_does() -> None:
    assert exports.cell_text(3.0) == "3"
    assert exports.cell_text(0.123456) == "0.1235"
    assert exports.cell_text(float("nan")) == "—"
    assert exports.cell_text(pd.NA) == "—"
    assert exports.cell_text(7, "%d") == "7"
    assert exports.cell_text(pd.Timestamp("2025-03-01")) == "2025-03-01"
    assert exports.cell_text("2025Q1") == "2025Q1"


def test_printed_fills_take_only_plain_colours() -> None:
    frame = pd.DataFrame({"支部": ["甲", "乙", "丙"], "指数": [40.0, 70.0, 90.0]})
    fills = pd.DataFrame({"指数": ["#FFCDD2", "orange;position:fixed", None]})
    out = parsed(exports.to_print_html(frame, fills=fills))
    styles = [a.get("style") for tag, a in out.tags if tag == "td"]
    assert styles == [None, "background-color:#FFCDD2", None, None, None, None]


def test_a_printed_table_of_many_columns_fits_the_page() -> None:
    # 20 columns of long numbers and one of sentences: the columns' least widths together stay within the
    # page (the browser then breaks inside a cell rather than cut the table at the right edge).
    frame = pd.DataFrame({f"第{i}列指标": [-0.012345678, 123456.75] for i in range(20)})
    frame["结论"] = ["同一科室人均服务时长每提高 1，同期的门诊患者满意度平均高 0.9 分"] * 2
    out = parsed(exports.to_print_html(frame))
    widths = [float(a["style"].removeprefix("min-width:").removesuffix("em")) for tag, a in out.tags if tag == "th"]
    assert ("table", {"class": "pbi-print-table wide"}) in out.tags  # the smaller type
    assert sum(widths) <= exports.PRINT_ROOM_EM["wide"] + 0.1
    assert widths[-1] == exports.PROSE_EM  # the sentences keep room to wrap in
    # A table of few columns keeps each number and period whole: "2023Q1" is 6 × 0.55 em, "1.5" 3 × 0.55 em,
    # each with 0.8 em of padding.
    few = parsed(exports.to_print_html(pd.DataFrame({"期间": ["2023Q1"], "v": [1.5]})))
    assert [a["style"] for tag, a in few.tags if tag == "th"] == ["min-width:4.1em", "min-width:2.5em"]


def test_the_pages_number_formats_come_from_their_column_config() -> None:
    config = {
        "指数": st.column_config.NumberColumn(format="%.1f"),
        "较上期": st.column_config.NumberColumn(format="%+.1f"),
        "说明": st.column_config.TextColumn(width=300, help="…"),
        "等级": st.column_config.Column(width=60),
        "计数": st.column_config.NumberColumn(),
    }
    assert number_formats(config) == {"指数": "%.1f", "较上期": "%+.1f"}
    assert number_formats(None) == {}
