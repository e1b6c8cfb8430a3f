"""Tables leaving the app (analytics/exports.py): the printed HTML table each page shows only on paper, and the
Excel downloads with their title block (what, period, scope, filters, when) and the scorecard's colours, through
AppTest on the Overview and the party page."""

from __future__ import annotations

import datetime as dt
import io
from html.parser import HTMLParser

import openpyxl
import pandas as pd
import pytest
import streamlit as st

import pages._ui
from analytics import exports
from analytics.db import Database
from analytics.i18n import t
from pages._ui import number_formats
from tests.page_support import open_app_page

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
    assert {tag for tag, _ in out.tags} == {"table", "thead", "tbody", "tr", "th", "div", "td"}
    assert [a.get("class") for tag, a in out.tags if tag == "td"][:4] == [None, "n", "n", "n"]


def test_a_printed_cell_shows_numbers_and_dates_as_the_grid_does() -> None:
    assert exports.cell_text(3.0) == "3"
    assert exports.cell_text(0.123456) == "0.1235"
    assert exports.cell_text(float("nan")) == "—"
    assert exports.cell_text(pd.NA) == "—"
    assert exports.cell_text(7, "%d") == "7"
    assert [exports.cell_text(v) for v in pd.Series([True, False])] == ["✓", ""]  # numpy booleans, as in a frame
    assert [exports.cell_text(v) for v in (True, False)] == ["✓", ""]
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
    assert ("table", {"class": "pbi-print-table wide"}) in out.tags  # the smaller type
    widths = heading_widths(out)
    assert sum(widths) + exports.PADDING_EM * len(widths) <= exports.PRINT_ROOM_EM["wide"]
    assert widths[-1] == exports.PROSE_EM  # the sentences keep room to wrap in
    # A table of few columns keeps each number and period whole: "2023Q1" is 6 × 0.55 em, "1.5" 3 × 0.55 em.
    few = parsed(exports.to_print_html(pd.DataFrame({"期间": ["2023Q1"], "v": [1.5]})))
    assert heading_widths(few) == [3.3, 1.7]


def heading_widths(out: Cells) -> list[float]:
    """The least width each heading holds its column to (a block inside it), in em."""
    return [float(a["style"].removeprefix("min-width:").removesuffix("em")) for tag, a in out.tags if tag == "div"]


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


# --- Excel: a title block above the table, and the scorecard's colours ---------------------------------------

GENERATED = dt.datetime(2026, 3, 5, 9, 30)


def sheet_rows(data: bytes) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    [sheet] = book.worksheets
    return [tuple(c.value for c in row) for row in sheet.iter_rows()]


def test_an_excel_file_has_its_title_block_a_blank_row_then_the_table() -> None:
    frame = pd.DataFrame({"党支部": ["内科第一党支部", "=HYPERLINK(1)"], "党建指数": [62.5, 81.0]})
    titles = exports.title_rows(
        "党建体检（2025Q4）",
        "zh",
        GENERATED,
        period="2025Q4",
        scope="=cmd|' /C calc'!A0",
        filters=[("统计周期", "季度"), ("期间范围", "2023Q1 至 2025Q4")],
    )
    data = exports.to_excel_bytes(frame, "党建体检", title_rows=titles)
    rows = sheet_rows(data)
    assert rows[:5] == [
        ("表格", "党建体检（2025Q4）"),
        ("期间", "2025Q4"),
        ("范围", "'=cmd|' /C calc'!A0"),  # a title value is neutralised like any cell
        ("筛选条件", "统计周期：季度；期间范围：2023Q1 至 2025Q4"),
        ("生成时间", "2026-03-05 09:30"),
    ]
    assert rows[5] == (None, None)
    assert rows[6:] == [("党支部", "党建指数"), ("内科第一党支部", 62.5), ("'=HYPERLINK(1)", 81)]
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.freeze_panes == "A8"  # the header stays in view
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    # Wide enough for the longest name (a Chinese character is two of Excel's units), within reason.
    assert sheet.column_dimensions["A"].width >= 2 * len("内科第一党支部")
    # The CSV of the same table stays a plain table: the header first.
    assert exports.to_csv_bytes(frame).decode("utf-8-sig").splitlines()[0] == "党支部,党建指数"


def test_an_excel_file_without_a_title_block_starts_with_its_header() -> None:
    data = exports.to_excel_bytes(pd.DataFrame({"a": [1, 2]}), "x")
    assert sheet_rows(data) == [("a",), (1,), (2,)]
    assert openpyxl.load_workbook(io.BytesIO(data)).active.freeze_panes == "A2"


def test_title_rows_are_in_the_users_language() -> None:
    rows = exports.title_rows("Warnings (2025Q4)", "en", GENERATED, scope="Clinical", filters=[("Period", "Quarter")])
    assert rows == [
        ("Table", "Warnings (2025Q4)"),
        ("Scope", "Clinical"),
        ("Filters", "Period: Quarter"),
        ("Generated at", "2026-03-05 09:30"),
    ]


@pytest.fixture
def excel_files(monkeypatch) -> dict[str, bytes]:
    """Every Excel file the page's download buttons offer, by worksheet name; made at GENERATED."""
    files: dict[str, bytes] = {}
    to_excel = exports.to_excel_bytes

    def excel(frame, *args, **kwargs):
        data = to_excel(frame, *args, **kwargs)
        files[openpyxl.load_workbook(io.BytesIO(data)).active.title] = data
        return data

    monkeypatch.setattr(exports, "to_excel_bytes", excel)
    monkeypatch.setattr(pages._ui, "now", lambda: GENERATED)
    return files


def title_block(rows: list[tuple]) -> dict[str, object]:
    """The title rows (up to the first blank row) as {label: value}."""
    block = {}
    for row in rows:
        if row[0] is None:
            break
        block[row[0]] = row[1]
    return block


def table_of(rows: list[tuple]) -> pd.DataFrame:
    """The table under the title block: the row after the blank one is the header."""
    start = next(i for i, row in enumerate(rows) if row[0] is None) + 1
    return pd.DataFrame(rows[start + 1 :], columns=rows[start])


def test_the_scorecard_excel_has_its_title_block_and_the_pages_colours(demo_db_path, monkeypatch, excel_files):
    at = open_app_page("pages/overview.py", demo_db_path, monkeypatch, f_cat="clinical")
    rows = sheet_rows(excel_files[t("overview.scorecard.file", "zh")])
    # The filters keep the period codes (the URL's f_from=2023Q1); the title block says the periods.
    assert (at.session_state["f_from"], at.session_state["f_to"]) == ("2023Q1", "2025Q4")
    assert title_block(rows) == {
        "表格": "党建体检（2025年第四季度）",
        "期间": "2025年第四季度",
        "范围": "临床",
        "筛选条件": "统计周期：季度；期间范围：2023年第一季度 至 2025年第四季度；科室类别：临床；党支部：全部",
        "生成时间": "2026-03-05 09:30",
    }
    assert rows[5] == (None,) * len(rows[5])  # a blank row, then the header
    book = openpyxl.load_workbook(io.BytesIO(excel_files[t("overview.scorecard.file", "zh")])).active
    assert book.freeze_panes == "A8"
    # The table is the page's scorecard: the same branches in the same order, the same index.
    table = table_of(rows)
    shown = at.dataframe[-1].value  # the scorecard, the last table on the page
    assert list(table["党支部"]) == shown["党支部"].to_list()
    assert list(table["党建指数"]) == pytest.approx(shown["党建指数"].to_list(), nan_ok=True)
    # Each index and its rating filled red, amber or green as on the page (green from 80, amber from 60 by
    # default), the rating also in words.
    colours = {"FFCDD2": "预警", "FFE0B2": "关注", "C8E6C9": "良好"}
    first = 8
    seen = set()
    for i, index in enumerate(table["党建指数"]):
        expected = None if pd.isna(index) else "C8E6C9" if index >= 80 else "FFE0B2" if index >= 60 else "FFCDD2"
        for column in ("党建指数", "评级"):
            cell = book.cell(row=first + i, column=list(table.columns).index(column) + 1)
            fill = cell.fill.fgColor.rgb[-6:] if cell.fill.fill_type == "solid" else None
            assert fill == expected, (i, column, cell.value)
        if expected:
            assert table["评级"].iloc[i] == colours[expected]
            seen.add(expected)
    assert seen == set(colours)  # red, amber and green all there: the check can fail
    # A component's score and its rating are filled alike.
    column = list(table.columns).index("三会一课得分") + 1
    for i, score in enumerate(table["三会一课得分"]):
        rating = book.cell(row=first + i, column=column + 1)
        assert book.cell(row=first + i, column=column).fill.fgColor.rgb == rating.fill.fgColor.rgb
        assert pd.isna(score) or rating.value in colours.values()


def test_a_branch_filter_names_the_branch_neutralised_in_the_title(demo_db_copy, monkeypatch, excel_files) -> None:
    hostile = '=HYPERLINK("http://evil.example","支部")'
    with Database(demo_db_copy) as db, db.writer() as cur:
        cur.execute("UPDATE branches SET name = ? WHERE branch_code = 'DZB03'", [hostile])
    open_app_page("pages/overview.py", demo_db_copy, monkeypatch, f_branch="DZB03")
    rows = sheet_rows(excel_files[t("overview.scorecard.file", "zh")])
    block = title_block(rows)
    assert block["范围"] == "'" + hostile
    assert block["筛选条件"].endswith(f"科室类别：全部；党支部：{hostile}")
    assert table_of(rows)["党支部"].to_list() == ["'" + hostile]
    assert not [c for row in rows for c in row if isinstance(c, str) and c.startswith(("=", "+", "-", "@"))]


def test_a_party_table_in_english_has_its_title_block_and_the_shown_rows(demo_db_path, monkeypatch, excel_files):
    at = open_app_page("pages/party.py", demo_db_path, monkeypatch, lang="en", f_grain="year")
    shown = next(df.value for df in at.dataframe if df.key == "party_departments")
    rows = sheet_rows(excel_files[t("party.file.departments", "en")])
    block = title_block(rows)
    period = block["Period"]
    assert period == "2025"  # the latest year with party figures, as the page's heading says
    assert block["Table"] == t("party.departments.title", "en", period=period) in [h.value for h in at.subheader]
    assert block["Scope"] == "the whole hospital"
    assert block["Filters"] == (
        f"Period: Year; Period range: {at.session_state['f_from']} to {at.session_state['f_to']}; "
        "Department category: All; Party branch: All"
    )
    assert block["Generated at"] == "2026-03-05 09:30"
    table = table_of(rows)
    assert list(table.columns) == list(shown.columns)
    assert len(table) == len(shown) == 40
    for column in shown.columns:  # the Excel file keeps 15 significant digits, as Excel does
        if pd.api.types.is_numeric_dtype(shown[column]):
            expected = pytest.approx(shown[column].astype(float).to_list(), nan_ok=True, rel=1e-12)
            assert table[column].astype(float).to_list() == expected, column
        else:
            assert table[column].to_list() == shown[column].where(shown[column].notna(), None).to_list(), column


def test_a_quarter_in_english_is_said_in_the_title_block_and_the_file_keeps_its_code(
    demo_db_path, monkeypatch, excel_files
):
    at = open_app_page("pages/party.py", demo_db_path, monkeypatch, lang="en", f_from="2024Q1", f_to="2024Q3")
    rows = sheet_rows(excel_files[t("party.file.components", "en")])
    block = title_block(rows)
    assert block["Table"] == "Health check: component scores by branch (Q3 2024)"
    assert block["Period"] == "Q3 2024"
    assert block["Filters"] == (
        "Period: Quarter; Period range: Q1 2024 to Q3 2024; Department category: All; Party branch: All"
    )
    assert not [c for row in rows for c in row if isinstance(c, str) and "2024Q" in c]
    # The sidebar's range slider holds the codes (the URL's values) and shows them said.
    slider = at.select_slider(key="w_range_quarter")
    assert slider.value == ("2024Q1", "2024Q3")
    assert slider.options[0] == "Q1 2023" and slider.options[-1] == "Q4 2025"
    assert at.query_params["from"] == "2024Q1"


def test_a_downloaded_period_column_holds_the_periods_as_said(demo_db_path, monkeypatch, excel_files):
    """The department profile's satisfaction table, in both languages: its period column says each period, in
    the page's order (oldest first), as the grid on the page does."""
    for lang, quarter in (("zh", r"\d{4}年第[一二三四]季度"), ("en", r"Q[1-4] \d{4}")):
        excel_files.clear()
        at = open_app_page("pages/profile.py", demo_db_path, monkeypatch, lang=lang)
        column = t("col.period", lang)
        shown = next(
            df.value for df in at.dataframe if list(df.value.columns[:2]) == [column, t("col.population", lang)]
        )
        table = table_of(sheet_rows(excel_files[t("profile.sat.file", lang)]))
        assert table[column].to_list() == shown[column].to_list()
        assert table[column].str.fullmatch(quarter).all(), table[column].unique()
        first = "2023年第一季度" if lang == "zh" else "Q1 2023"
        assert table[column].iloc[0] == first
