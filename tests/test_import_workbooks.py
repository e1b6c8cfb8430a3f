"""Files that read wrong without a word (issue 10, the reader's cases): formulas saved without results, hidden
and filtered-out rows, the 1904 date system, numbers shown with fixed decimals, a UTF-8 file with a GBK
line, workbooks of several sheets; and two cases fixed before (a stale stated size, a quote never closed).
Every file is generated here; expected values are written down from its content."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import duckdb
import openpyxl
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from openpyxl.worksheet.worksheet import Worksheet

from analytics import queries
from analytics.db import Database
from analytics.imports import reader
from analytics.imports.importer import import_files
from analytics.imports.model import ImportOptions, SourceFile
from analytics.imports.templates import template
from analytics.schema import RecordKind
from tests.conftest import SAMPLES

OPTIONS = ImportOptions(today=dt.date(2026, 6, 30))
LEDGER_HEADER = ["活动日期", "支部名称", "活动类型", "活动主题", "参加人数"]
AGGREGATES_HEADER = ["期间", "科室编码", "调查对象", "满意度得分", "样本量"]


def workbook(
    *sheets: tuple[str, list[list[object]]], build: Callable[[openpyxl.Workbook], None] | None = None
) -> bytes:
    """An XLSX file of the given sheets (title, rows), after `build` has changed the book as it likes."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    if build is not None:
        build(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ledger(days: int = 5) -> list[list[object]]:
    """An activities ledger: the header, then one party lecture a day from 2025-01-01 with 1, 2, … attending."""
    return [LEDGER_HEADER] + [[f"2025-01-{d:02d}", "内科第一党支部", "党课", f"主题{d}", d] for d in range(1, days + 1)]


def with_sheet_xml(content: bytes, change: Callable[[bytes], bytes], sheet: str = "sheet1.xml") -> bytes:
    """`content` (an XLSX file) with the XML of one sheet rewritten by `change`. An empty value is spelled
    `<v />` for `change` however openpyxl wrote it (`<v></v>` when lxml is installed, as python-pptx brings it)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.endswith(sheet):
                data = change(re.sub(rb"<v ?/>|<v></v>", b"<v />", data))
            target.writestr(item, data)
    return out.getvalue()


def cells(raw: reader.RawTable, column: int) -> list[tuple[int, str | None]]:
    """(row number, text) of one column of a table."""
    numbers, texts = raw.table.column(reader.ROW).to_pylist(), raw.table.column(f"column{column}").to_pylist()
    return list(zip(numbers, texts, strict=True))


def refusal(content: bytes, name: str) -> reader.NotATable:
    with pytest.raises(reader.NotATable) as refused:
        reader.read(content, name)
    return refused.value


def rows(db: Database, sql: str) -> list[tuple]:
    return db.reader().execute(sql).fetchall()


@pytest.fixture
def organised(tmp_path: Path) -> Database:
    """A fresh database holding the sample branches and departments."""
    with Database(tmp_path / "x.duckdb") as db:
        files = [SourceFile.from_path(SAMPLES / n) for n in ("branches_utf8bom.csv", "departments_gbk.csv")]
        assert import_files(db, files, OPTIONS).ok
        yield db


# --- Formulas saved without their results ------------------------------------------------------------------


def formulas_in_attendance(book: openpyxl.Workbook) -> None:
    """Column E (参加人数) of every data row as a script writes it: a formula, and no value (none computed it)."""
    for row in range(2, book.active.max_row + 1):
        book.active[f"E{row}"] = f"={row}+1"


def test_formulas_never_computed_are_refused_naming_the_cells():
    refused = refusal(workbook(("台账", ledger(7)), build=formulas_in_attendance), "script.xlsx")
    assert (refused.code, refused.reason) == ("not-a-table", "formula-no-value")
    assert refused.context == "E2, E3, E4, E5, E6 … (7)"


def test_formulas_excel_computed_are_read_as_their_values():
    content = workbook(("台账", ledger(3)), build=formulas_in_attendance)
    # As Excel saves them: a value after each formula; shared formulas (<f t="shared" si="0"/>) too.
    computed = with_sheet_xml(
        content,
        lambda xml: re.sub(rb"<f>(\d)\+1</f><v ?/>", lambda m: b"<f>%s+1</f><v>%d</v>" % (m[1], int(m[1]) + 1), xml),
    )
    assert cells(reader.read(computed, "excel.xlsx"), 4) == [(2, "3"), (3, "4"), (4, "5")]
    shared = with_sheet_xml(
        content,
        lambda xml: xml.replace(b'<c r="E3"><f>3+1</f><v />', b'<c r="E3"><f t="shared" si="0"/><v>4</v>'),
    )
    assert refusal(shared, "shared.xlsx").context == "E2, E4"  # E3 has its value now; E2 and E4 still none
    unshared = with_sheet_xml(
        content, lambda xml: xml.replace(b'<c r="E3"><f>3+1</f><v />', b'<c r="E3"><f t="shared" si="0"/>')
    )
    assert refusal(unshared, "shared.xlsx").context == "E2, E3, E4"


def test_a_formula_excel_computed_as_an_empty_text_is_an_empty_cell():
    content = workbook(("台账", [*ledger(2), ["2025-01-03", "内科第一党支部", "党课", None, 3]]))
    # Excel saves =IF(…, "", …) giving "" as a string formula with an empty value.
    excel = with_sheet_xml(
        content, lambda xml: xml.replace(b'<c r="E4" t="n">', b'<c r="D4" t="str"><f>""</f><v></v></c><c r="E4" t="n">')
    )
    assert cells(reader.read(excel, "excel.xlsx"), 3) == [(2, "主题1"), (3, "主题2"), (4, None)]


def test_importing_formulas_without_results_fails_naming_them(organised):
    content = workbook(("台账", ledger(2)), build=lambda book: book.active.__setitem__("E3", "=1+1"))
    result = import_files(organised, [SourceFile("script.xlsx", content)], OPTIONS)
    assert not result.ok
    [error] = result.files[0].errors
    assert error.code == "not-a-table" and "E3" in error.message and "Excel" in error.message
    assert rows(organised, "SELECT count(*) FROM activities") == [(0,)]


# --- Hidden and filtered-out rows --------------------------------------------------------------------------


def hide(*numbers: int) -> Callable[[openpyxl.Workbook], None]:
    def build(book: openpyxl.Workbook) -> None:
        for number in numbers:
            book.active.row_dimensions[number].hidden = True

    return build


def test_hidden_rows_are_left_out_and_listed_or_kept_on_request():
    content = workbook(("台账", ledger(5)), build=hide(4))
    raw = reader.read(content, "hidden.xlsx")
    assert raw.table.column(reader.ROW).to_pylist() == [2, 3, 5, 6] and raw.hidden_rows == [4]
    kept = reader.read(content, "hidden.xlsx", include_hidden=True)
    assert kept.table.column(reader.ROW).to_pylist() == [2, 3, 4, 5, 6] and kept.hidden_rows == [4]


def test_rows_a_filter_hides_are_hidden_rows():
    def filtered(book: openpyxl.Workbook) -> None:
        book.active.auto_filter.ref = "A1:E6"
        book.active.auto_filter.add_filter_column(4, ["1", "2"])
        hide(4, 5, 6)(book)

    raw = reader.read(workbook(("台账", ledger(5)), build=filtered), "filtered.xlsx")
    assert raw.table.column(reader.ROW).to_pylist() == [2, 3] and raw.hidden_rows == [4, 5, 6]


def test_hidden_titles_and_blank_rows_are_not_listed():
    sheet = [["2025年活动台账"], *ledger(2), [], ["2025-01-04", "内科第一党支部", "党课", "主题4", 4]]
    raw = reader.read(workbook(("台账", sheet), build=hide(1, 5)), "hidden.xlsx")
    assert raw.header_row == 2 and raw.hidden_rows == []
    assert raw.table.column(reader.ROW).to_pylist() == [3, 4, 6]


def test_a_sheet_whose_every_row_is_hidden_holds_no_data():
    refused = refusal(workbook(("台账", ledger(2)), build=hide(2, 3)), "hidden.xlsx")
    assert (refused.code, refused.reason, refused.context) == ("no-data", "hidden-only", "2, 3")


def test_hidden_rows_are_numbered_when_the_xml_leaves_row_numbers_out():
    xml = b'<sheetData><row r="1"/><x:row r="3" spans="1:5"/><row hidden="1"/><row r="7" hidden="true"/></sheetData>'
    assert reader._hidden_rows(xml) == {4, 7}


def test_importing_a_ledger_stores_no_hidden_row(organised):
    result = import_files(
        organised, [SourceFile("hidden.xlsx", workbook(("台账", ledger(5)), build=hide(3, 5)))], OPTIONS
    )
    assert result.ok, result.files[0].errors
    assert rows(organised, "SELECT attended FROM activities ORDER BY attended") == [(1,), (3,), (5,)]


# --- The 1904 date system ----------------------------------------------------------------------------------


def in_1904(book: openpyxl.Workbook) -> None:
    book.epoch = CALENDAR_MAC_1904


def test_a_1904_workbook_converts_its_date_cells_and_says_it_is_1904():
    sheet = [LEDGER_HEADER, [dt.date(2024, 3, 5), "内科第一党支部", "党课", "主题", 43900]]
    raw = reader.read(workbook(("台账", sheet), build=in_1904), "mac.xlsx")
    assert raw.date1904 and cells(raw, 0) == [(2, "2024-03-05")] and cells(raw, 4) == [(2, "43900")]
    assert not reader.read(workbook(("台账", sheet)), "windows.xlsx").date1904


@pytest.mark.parametrize(
    ("build", "stored"),
    [(in_1904, dt.date(2024, 3, 11)), (None, dt.date(2020, 3, 10))],  # 1904-01-01 / 1899-12-30 + 43900 days
    ids=["1904", "1900"],
)
def test_date_serials_are_stored_by_the_workbooks_date_system(organised, build, stored):
    sheet = [
        LEDGER_HEADER,
        [43900, "内科第一党支部", "党课", "主题1", 5],
        [dt.date(2024, 3, 5), "内科第一党支部", "党课", "主题2", 6],
    ]
    result = import_files(organised, [SourceFile("serials.xlsx", workbook(("台账", sheet), build=build))], OPTIONS)
    assert result.ok, result.files[0].errors
    assert rows(organised, "SELECT activity_date FROM activities ORDER BY attended") == [
        (stored,),
        (dt.date(2024, 3, 5),),
    ]


def test_the_1904_parsers_shift_serials_only():
    con = duckdb.connect()
    con.execute(queries.PARSE_MACROS)
    sql = "SELECT pbi_timestamp1904('43900.5'), pbi_date1904('43900'), pbi_date1904('2024-03-05'), pbi_date1904('x')"
    found = con.execute(sql).fetchall()
    assert found == [(dt.datetime(2024, 3, 11, 12), dt.date(2024, 3, 11), dt.date(2024, 3, 5), None)]


# --- Numbers as their format shows them --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "number_format", "text"),
    [
        (2024.1, "0.00", "2024.10"),
        (2024.1, "#,##0.00", "2024.10"),
        (2024.1, "0.00_);[Red](0.00)", "2024.10"),
        (2024.1, "General", "2024.1"),
        (2024.1, "0", "2024.1"),
        (5, "0.0", "5.0"),
        (5.0, "0.000", "5.000"),
        (-1.5, "0.00", "-1.50"),
        (85.25, "0.0", "85.25"),  # what the cell holds, though it shows 85.3: no digit is rounded away
        (0.952, "0.0%", "95.2%"),
        (1e-07, "0.00", "1e-07"),
    ],
)
def test_a_number_reads_with_the_decimals_its_format_shows(value, number_format, text):
    def formatted(book: openpyxl.Workbook) -> None:
        book.active["A2"].number_format = number_format

    raw = reader.read(workbook(("表", [["期间", "科室编码"], [value, "D01"]]), build=formatted), "n.xlsx")
    assert cells(raw, 0) == [(2, text)]


def test_a_period_typed_as_a_number_with_two_decimals_is_its_month(organised):
    def formatted(book: openpyxl.Workbook) -> None:
        for row in (3, 4):
            book.active[f"A{row}"].number_format = "0.00"

    sheet = [
        ["2024年各科室满意度"],
        AGGREGATES_HEADER,
        [2024.1, "D01", "门诊患者", 90, 100],
        [2024.09, "D01", "门诊患者", 80, 100],
    ]
    result = import_files(organised, [SourceFile("months.xlsx", workbook(("满意度", sheet), build=formatted))], OPTIONS)
    assert result.ok, result.files[0].errors
    assert rows(organised, "SELECT period_grain, period_start, score FROM satisfaction_aggregates ORDER BY score") == [
        ("month", dt.date(2024, 9, 1), 80.0),
        ("month", dt.date(2024, 10, 1), 90.0),
    ]


# --- A UTF-8 file with a line in another encoding -------------------------------------------------------------


def ledger_text(days: int) -> str:
    return (
        ",".join(LEDGER_HEADER)
        + "\n"
        + "".join(f"2025-01-{d % 28 + 1:02d},内科第一党支部,党课,主题{d},{d}\n" for d in range(1, days + 1))
    )


def mixed(text: str, gbk_lines: set[int], bom: bool = False) -> bytes:
    """`text` in UTF-8, but the lines numbered `gbk_lines` (from 1) in GBK."""
    lines = text.splitlines(keepends=True)
    encoded = b"".join(line.encode("gbk" if n in gbk_lines else "utf-8") for n, line in enumerate(lines, start=1))
    return (b"\xef\xbb\xbf" if bom else b"") + encoded


@pytest.mark.parametrize(
    ("gbk_lines", "context"),
    [({7}, "7"), ({3, 9}, "3, 9"), ({2, 3, 4, 5, 6, 8, 10}, "2, 3, 4, 5, 6 … (7)")],
)
def test_a_utf8_file_with_gbk_lines_is_refused_naming_them(gbk_lines, context):
    refused = refusal(mixed(ledger_text(20), gbk_lines), "mixed.csv")
    assert (refused.code, refused.reason, refused.context) == ("not-a-table", "mixed-encoding", context)


def test_a_gbk_line_far_below_the_start_of_a_utf8_file_is_found():
    text = ledger_text(3000)  # 150 KB: the start decides the encoding, the rest is checked as it is read
    refused = refusal(mixed(text, {2999}), "mixed.csv")
    assert (refused.reason, refused.context) == ("mixed-encoding", "2999")
    refused = refusal(mixed(text, {2999}, bom=True), "mixed.csv")
    assert (refused.reason, refused.context) == ("mixed-encoding", "2999")


def test_a_utf8_file_with_a_byte_order_mark_and_a_gbk_line_is_refused():
    refused = refusal(mixed(ledger_text(5), {1, 2, 3, 4}, bom=True), "bom.csv")  # mostly GBK: still mixed
    assert (refused.reason, refused.context) == ("mixed-encoding", "1, 2, 3, 4")


def test_gbk_files_still_read_as_gbk_though_a_line_is_utf8_by_chance():
    sample = (SAMPLES / "satisfaction_responses_gbk.csv").read_bytes()
    assert reader.read(sample, "s.csv").encoding == "gbk"
    # 学习 and 住院 in GBK are valid UTF-8 (by chance): one such line among GBK ones.
    chance = "2024/12/20 10:00,学习,住院,4,4,4,4,3,3\n".encode("gbk")
    assert chance.decode("utf-8") != chance.decode("gbk")  # valid UTF-8, of other characters
    raw = reader.read(sample + chance, "s.csv")
    assert raw.encoding == "gbk" and raw.table.to_pylist()[-1]["column1"] == "学习"
    small = ledger_text(3).encode("gbk") + "2025-01-09,DZB01,志愿,学习,9\n".encode("gbk")
    assert reader.read(small, "small.csv").encoding == "gbk"


@pytest.mark.parametrize(
    "path",
    sorted(Path("/work/shared/samples").glob("*.csv")) + sorted(SAMPLES.glob("**/*.csv")),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_the_sample_files_read_as_before(path):
    content = path.read_bytes()
    try:
        raw = reader.read(content, path.name)
    except reader.NotATable as refused:
        assert refused.reason != "mixed-encoding"
    else:
        assert raw.encoding == (
            "gbk" if "gbk" in path.name else "utf-8-sig" if content[:3] == b"\xef\xbb\xbf" else "utf-8"
        )


def test_importing_a_mixed_file_fails_naming_the_line(organised):
    result = import_files(organised, [SourceFile("mixed.csv", mixed(ledger_text(5), {4}))], OPTIONS)
    assert not result.ok
    [error] = result.files[0].errors
    assert error.code == "not-a-table" and "UTF-8" in error.message and error.message.endswith("（4）")


# --- Workbooks of several sheets -------------------------------------------------------------------------


def quarter(period: str, score: float) -> list[list[object]]:
    return [AGGREGATES_HEADER, [period, "D01", "门诊患者", score, 100], [period, "D02", "门诊患者", score + 1, 101]]


def several(book: openpyxl.Workbook) -> None:
    book["代码表"].sheet_state = "hidden"
    book["旧表"].sheet_state = "veryHidden"


SEVERAL = (
    ("说明", [["本工作簿为2024年各科室满意度"], ["数据来源：满意度平台"]]),
    ("2024Q1", quarter("2024年第1季度", 90)),
    ("代码表", quarter("2023年第4季度", 70)),
    ("空表", []),
    ("2024Q2", quarter("2024年第2季度", 80)),
    ("旧表", quarter("2023年第3季度", 60)),
    ("只有表头", [AGGREGATES_HEADER]),
)


def test_every_sheet_holding_a_table_is_read_and_the_others_named():
    found = reader.read_all(workbook(*SEVERAL, build=several), "quarters.xlsx")
    assert [(t.sheet, t.header_row, cells(t, 0)) for t in found.tables] == [
        ("2024Q1", 1, [(2, "2024年第1季度"), (3, "2024年第1季度")]),
        ("2024Q2", 1, [(2, "2024年第2季度"), (3, "2024年第2季度")]),
    ]
    assert found.skipped == [
        ("说明", "no-known-header"),
        ("代码表", "hidden-sheet"),
        ("空表", "empty-sheet"),
        ("旧表", "hidden-sheet"),
        ("只有表头", "header-only"),
    ]


def test_read_gives_the_first_sheet_holding_a_table():
    raw = reader.read(workbook(*SEVERAL, build=several), "quarters.xlsx")
    assert raw.sheet == "2024Q1" and raw.table.num_rows == 2


def test_a_named_sheet_alone_is_read_hidden_or_not():
    content = workbook(*SEVERAL, build=several)
    found = reader.read_all(content, "quarters.xlsx", sheet="代码表")
    assert [t.sheet for t in found.tables] == ["代码表"] and found.skipped == []
    with pytest.raises(reader.NotATable) as refused:
        reader.read_all(content, "quarters.xlsx", sheet="2024Q3")
    assert refused.value.reason == "no-sheet"


def test_without_a_recognised_table_the_first_visible_sheet_is_the_table():
    content = workbook(
        ("隐藏", quarter("2024年第1季度", 90)),
        ("名单", [["姓名", "工号"], ["张三", "001"]]),
        ("空", []),
        build=lambda book: setattr(book["隐藏"], "sheet_state", "hidden"),
    )
    found = reader.read_all(content, "names.xlsx")
    assert [(t.sheet, t.headers) for t in found.tables] == [("名单", ["姓名", "工号"])]
    assert found.skipped == [("隐藏", "hidden-sheet"), ("空", "empty-sheet")]
    assert reader.read(content, "names.xlsx").sheet == "名单"


def test_a_sheet_with_formulas_without_results_is_refused_not_skipped():
    def script(book: openpyxl.Workbook) -> None:
        book["2024Q2"]["D2"] = "=80+0"

    with pytest.raises(reader.NotATable) as refused:
        reader.read_all(workbook(*SEVERAL, build=lambda book: (several(book), script(book))), "quarters.xlsx")
    assert (refused.value.reason, refused.value.context) == ("formula-no-value", "D2")


def test_a_filled_in_template_is_its_data_sheet():
    book = openpyxl.load_workbook(io.BytesIO(template(RecordKind.ACTIVITIES)))
    data: Worksheet = book.worksheets[0]
    data.append(["2025-01-02", "内科第一党支部", "党课", "主题", 12])
    out = io.BytesIO()
    book.save(out)
    found = reader.read_all(out.getvalue(), "template.xlsx")
    assert [(t.sheet, t.table.num_rows) for t in found.tables] == [(data.title, 1)]
    assert [reason for _sheet, reason in found.skipped] == ["no-known-header", "hidden-sheet"]


def test_a_csv_is_one_table():
    found = reader.read_all(ledger_text(2).encode(), "ledger.csv")
    assert [t.table.num_rows for t in found.tables] == [2] and found.skipped == []


# --- Fixed before: a stale stated size; a quote never closed ----------------------------------------------------


def test_a_workbook_stating_fewer_rows_than_it_holds_stores_them_all(organised):
    sheet = [[*LEDGER_HEADER, "应到人数", "时长", "备注"]] + [
        [f"2025-02-{d:02d}", "内科第一党支部", "党课", f"主题{d}", d, 20, 1.5, "无"] for d in range(1, 6)
    ]
    stale = with_sheet_xml(
        workbook(("台账", sheet)), lambda xml: re.sub(rb'<dimension ref="[^"]+" ?/>', b'<dimension ref="A1:H3"/>', xml)
    )
    assert b'<dimension ref="A1:H3"/>' in zipfile.ZipFile(io.BytesIO(stale)).read("xl/worksheets/sheet1.xml")
    result = import_files(organised, [SourceFile("stale.xlsx", stale)], OPTIONS)
    assert result.ok and result.files[0].rows == 5, result.files[0].errors
    assert rows(organised, "SELECT attended FROM activities ORDER BY attended") == [(d,) for d in range(1, 6)]


def test_a_quote_never_closed_in_a_remark_fails_naming_its_row(organised):
    lines = [f"2025-03-{d:02d},内科第一党支部,党课,主题{d},{d},无" for d in range(1, 6)]
    lines[1] = '2025-03-02,内科第一党支部,党课,主题2,2,"会后补记'  # row 3's remark swallows rows 4–6
    text = ",".join([*LEDGER_HEADER, "备注"]) + "\n" + "\n".join(lines) + "\n"
    raw = reader.read(text.encode(), "ledger.csv")
    assert raw.swallowed_rows == [(3, "2025-03-03,内科第一党支部,党课,主题3,3,无")]
    result = import_files(organised, [SourceFile("ledger.csv", text.encode())], OPTIONS)
    assert not result.ok
    swallowed = [e for e in result.files[0].errors if e.code == "swallowed-rows"]
    assert [(e.row, e.value) for e in swallowed] == [(3, "2025-03-03,内科第一党支部,党课,主题3,3,无")]
    assert "2025-03-03,内科第一党支部,党课,主题3,3,无" in swallowed[0].message
    assert rows(organised, "SELECT count(*) FROM activities") == [(0,)]
