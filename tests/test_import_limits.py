"""Import limits (导入限制, issue 11). Each limit is a setting: a file just over a lowered limit is refused with a
sentence naming the limit, the file's figure and where to change the limit, and nothing is stored; just under
it, the file imports. The bomb shapes (a shared string repeated in every cell, one cell far right in every row,
rows under a namespace prefix, a sheet stored under another name) are refused before they take the memory they
would. A table of 10,000 columns gets the mapping step for its kind's fields, and imports."""

from __future__ import annotations

import datetime as dt
import io
import random
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from analytics import settings
from analytics.db import Database
from analytics.i18n import t
from analytics.imports import reader, report
from analytics.imports.importer import import_files
from analytics.imports.limits import ImportLimits
from analytics.imports.model import ImportOptions, SourceFile
from analytics.schema import RecordKind
from tests.import_support import registers
from tests.page_support import add_test_accounts, signed_in

TODAY = dt.date(2026, 6, 30)
HEADER = ["活动日期", "支部名称", "活动类型", "活动主题", "参加人数"]
CHANGE_ZH = "此限制可在“设置 → 导入限制”中调整。"


def ledger(days: int = 5) -> list[list[object]]:
    """An activities ledger: the header, then one party lecture a day from 2025-01-01 with 1, 2, … attending."""
    return [HEADER] + [[f"2025-01-{d:02d}", "内科第一党支部", "党课", f"主题{d}", d] for d in range(1, days + 1)]


def as_csv(rows: list[list[object]]) -> bytes:
    return "".join(",".join(str(c) for c in row) + "\n" for row in rows).encode()


def as_xlsx(rows: list[list[object]], extra: Callable[[openpyxl.Workbook], None] | None = None) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    if extra is not None:
        extra(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rezipped(
    content: bytes,
    changes: dict[str, Callable[[bytes], bytes]],
    rename: dict[str, str] | None = None,
    add: dict[str, bytes] | None = None,
) -> bytes:
    """`content` (an XLSX file) with parts rewritten by `changes` (part name → change), renamed by `rename`,
    and the parts `add` added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = changes.get(item.filename, lambda x: x)(source.read(item.filename))
            target.writestr((rename or {}).get(item.filename, item.filename), data)
        for name, data in (add or {}).items():
            target.writestr(name, data)
    return out.getvalue()


@pytest.fixture
def db(tmp_path: Path):
    with Database(tmp_path / "limits.duckdb") as database:
        assert import_files(database, registers(), ImportOptions(today=TODAY)).ok
        yield database


def imported(db: Database, name: str, content: bytes, lang: str = "zh", **limits: int):
    """Import one file under `limits` (the rest at their defaults): (stored, the file's messages)."""
    options = ImportOptions(today=TODAY, lang=lang, limits=ImportLimits(**limits))
    result = import_files(db, [SourceFile(name, content)], options)
    return result.ok, [e.message for f in result.files for e in f.errors]


def activities(db: Database) -> int:
    return db.reader().execute("SELECT count(*) FROM activities").fetchone()[0]


def refused_over(messages: list[str], found: str, name: str, allowed: str) -> None:
    """One message: the file's figure, the limit's name and value, and where to change it."""
    assert len(messages) == 1, messages
    assert messages[0].startswith(t("err.not-a-table", "zh", detail="")), messages
    assert found in messages[0] and f"超过导入限制“{name}”（{allowed}" in messages[0], messages
    assert messages[0].endswith(CHANGE_ZH), messages


# --- Each limit: just over it is refused, just under it imports ------------------------------------------


def test_a_csv_over_its_lines_is_refused_and_one_at_them_imports(db):
    content = as_csv(ledger(5))  # six lines
    ok, messages = imported(db, "a.csv", content, max_text_rows=5)
    assert not ok and activities(db) == 0
    refused_over(messages, "有 6 行", "CSV 文件最多行数", "5")
    assert imported(db, "a.csv", content, max_text_rows=6) == (True, [])
    assert activities(db) == 5


@pytest.mark.parametrize("build", [as_csv, as_xlsx], ids=["csv", "xlsx"])
def test_a_table_over_its_columns_is_refused_and_one_at_them_imports(db, build):
    content = build(ledger(3))
    ok, messages = imported(db, "a", content, max_columns=4)
    assert not ok and activities(db) == 0
    refused_over(messages, "有 5 列", "最多列数", "4")
    assert imported(db, "a", content, max_columns=5) == (True, [])


def test_a_sheet_over_its_rows_is_refused_and_one_at_them_imports(db):
    content = as_xlsx(ledger(5))  # six rows
    ok, messages = imported(db, "a.xlsx", content, max_sheet_rows=5)
    assert not ok
    refused_over(messages, "有 6 行", "工作表最多行数", "5")
    assert imported(db, "a.xlsx", content, max_sheet_rows=6) == (True, [])


def test_a_workbook_over_its_cells_is_refused_and_one_at_them_imports(db):
    content = as_xlsx(ledger(5))  # 6 rows × 5 cells
    ok, messages = imported(db, "a.xlsx", content, max_sheet_cells=29)
    assert not ok
    refused_over(messages, "各工作表共有 30 个单元格", "工作簿最多单元格数", "29")
    assert imported(db, "a.xlsx", content, max_sheet_cells=30) == (True, [])


def test_a_workbook_over_its_unpacked_size_is_refused_and_one_within_it_imports(db):
    def notes(book: openpyxl.Workbook) -> None:  # a second sheet of 1.5 MB of text, not a table
        sheet = book.create_sheet("说明")
        rng = random.Random(1)
        for _ in range(1500):
            sheet.append(["".join(rng.choice("abcdefghij") for _ in range(1000))])

    content = as_xlsx(ledger(3), notes)
    ok, messages = imported(db, "a.xlsx", content, max_unpacked_mb=1)
    assert not ok
    refused_over(messages, "工作簿解压后 2 MB", "工作簿解压后最大（MB）", "1 MB")
    ok, messages = imported(db, "a.xlsx", content, max_unpacked_mb=2)
    assert ok and activities(db) == 3


def test_a_part_packed_tighter_than_the_ratio_is_refused_and_one_within_it_imports(db):
    # 17 MiB of spaces and comments between the rows: a large part that packs a few hundred times.
    rng = random.Random(2)
    padding = "".join(" " * 2000 + f"<!--{rng.getrandbits(64):016x}-->" for _ in range(17 * 512)).encode()

    def padded(xml: bytes) -> bytes:
        return xml.replace(b"<sheetData>", b"<sheetData>" + padding)

    content = rezipped(as_xlsx(ledger(3)), {"xl/worksheets/sheet1.xml": padded})
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        part = book.getinfo("xl/worksheets/sheet1.xml")
    ratio = -(-part.file_size // part.compress_size)
    assert 100 < ratio < 1000 and part.file_size > 16 << 20
    ok, messages = imported(db, "a.xlsx", content)  # the default: 100
    assert not ok
    refused_over(messages, f"解压后是压缩时的 {ratio} 倍", "最大压缩比（倍）", "100 倍")
    assert "xl/worksheets/sheet1.xml" in messages[0]
    assert imported(db, "a.xlsx", content, max_packing_ratio=ratio) == (True, [])


def test_a_workbook_over_its_text_is_refused_and_one_within_it_imports(db):
    # 1,000 activities whose topics hold 1,200 bytes each: 1.2 MB of text.
    topics = [f"{d:04d}" + "主题" * 199 for d in range(1000)]
    rows = [HEADER] + [[f"2025-01-{1 + d % 28:02d}", "内科第一党支部", "党课", topics[d], 1] for d in range(1000)]
    content = as_xlsx(rows)
    ok, messages = imported(db, "a.xlsx", content, max_text_mb=1)
    assert not ok
    refused_over(messages, "已达 2 MB", "工作簿文字最多（MB）", "1 MB")
    ok, messages = imported(db, "a.xlsx", content, max_text_mb=2)
    assert ok and activities(db) == 1000


def test_the_shared_strings_count_as_the_workbooks_text():
    texts = [(f"长{i}" * 5_000).encode() for i in range(100)]  # 2.4 MB in all, used by no cell
    long = b"".join(b"<si><t>%s</t></si>" % text for text in texts)
    content = with_shared_strings(as_xlsx(ledger(2)), (SHARED % b"x").replace(b"</sst>", long + b"</sst>"))
    held = sum(len(text) + 8 for text in texts) + len("y") + 8 + len("x") + 8  # the text, and 8 bytes each
    with pytest.raises(reader.NotATable) as refused:
        reader.read(content, "a.xlsx", limits=ImportLimits(max_text_mb=2))
    assert (refused.value.reason, refused.value.found, refused.value.allowed) == ("too-much-text", 3, 2)
    assert -(-held >> 20) == 3
    assert reader.read(content, "a.xlsx", limits=ImportLimits(max_text_mb=3)).table.num_rows == 2


def test_the_refusal_speaks_english_too(db):
    ok, messages = imported(db, "a.csv", as_csv(ledger(2)), lang="en", max_columns=3)
    assert not ok
    assert messages == [
        t("err.not-a-table", "en", detail="")
        + "5 columns, more than the import limit “Most columns” (3); a ledger has far fewer: keep only the columns "
        "to import. The limit can be changed under Settings → Import limits."
    ]


def test_the_defaults_are_the_old_limits_but_for_the_columns():
    limits = ImportLimits()
    assert (limits.max_text_rows, limits.max_sheet_rows, limits.max_sheet_cells) == (10_000_000, 1_000_000, 20_000_000)
    assert (limits.max_unpacked_bytes, limits.max_packing_ratio, limits.max_columns) == (1 << 30, 100, 16_384)
    assert limits.max_text_bytes == 256 << 20  # new: what a workbook's text may take in memory


def test_a_stored_limit_out_of_its_range_is_used_within_it(tmp_path):
    with Database(tmp_path / "x.duckdb") as database:
        settings.put(database, settings.LIMITS_KEY, {"max_columns": 1, "max_sheet_cells": 10**12, "other": 3})
        limits, changes = settings.load_import_limits(database)
        assert limits == ImportLimits(max_columns=2, max_sheet_cells=20_000_000)
        assert settings.adjustment_messages(changes, "en") == [
            "Most columns 1 → 2",
            "Most cells in a workbook 1,000,000,000,000 → 20,000,000",
            t("settings.adjusted.dropped", "en", field="other"),
        ]
        settings.put(database, settings.LIMITS_KEY, "not an object")
        assert settings.import_limits(database) == ImportLimits()


# --- Bomb shapes: refused before they take memory ----------------------------------------------------------

SHARED = (
    b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b"<si><t>%s</t></si><si><t>x</t></si></sst>"
)


def with_shared_strings(content: bytes, strings: bytes) -> bytes:
    """`content` with a shared-strings part (and its relation and content type) holding `strings`."""
    relation = (
        b'<Relationship Id="rIdS" Target="sharedStrings.xml" '
        b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
    )
    override = (
        b'<Override PartName="/xl/sharedStrings.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    )
    return rezipped(
        content,
        {
            "xl/_rels/workbook.xml.rels": lambda x: x.replace(b"</Relationships>", relation + b"</Relationships>"),
            "[Content_Types].xml": lambda x: x.replace(b"</Types>", override + b"</Types>"),
        },
        add={"xl/sharedStrings.xml": strings},
    )


def test_a_long_shared_string_in_every_cell_is_refused_before_it_is_copied():
    # 30,000 characters stored once, referenced by 2,000 cells: 60 million characters to a table.
    rows = b"".join(
        b'<row r="%d"><c r="A%d" t="s"><v>0</v></c><c r="B%d" t="s"><v>1</v></c></row>' % (i, i, i)
        for i in range(2, 2002)
    )
    content = with_shared_strings(
        rezipped(
            as_xlsx([HEADER]),
            {"xl/worksheets/sheet1.xml": lambda x: x.replace(b"</sheetData>", rows + b"</sheetData>")},
        ),
        SHARED % (b"y" * 30_000),
    )
    assert len(content) < 100_000
    with pytest.raises(reader.NotATable) as refused:
        reader.read(content, "a.xlsx", limits=ImportLimits(max_text_mb=16))
    assert (refused.value.reason, refused.value.limit, refused.value.allowed) == (
        "too-much-text",
        "max_text_mb",
        16,
    )
    assert refused.value.found > 16
    # The same cells with the text short are read.
    short = with_shared_strings(
        rezipped(
            as_xlsx([HEADER]),
            {"xl/worksheets/sheet1.xml": lambda x: x.replace(b"</sheetData>", rows + b"</sheetData>")},
        ),
        SHARED % b"y",
    )
    assert reader.read(short, "a.xlsx", limits=ImportLimits(max_text_mb=16)).table.num_rows == 2000


def test_a_stretch_of_whitespace_no_spreadsheet_writes_is_refused_however_well_it_packs():
    # 3 MiB of whitespace after the rows (openpyxl's parser would make it one string): it packs only 60 times.
    rng = random.Random(4)
    noise = bytes(rng.choices(b"      \t\n\r", k=3 << 20))
    content = rezipped(
        as_xlsx(ledger(3)), {"xl/worksheets/sheet1.xml": lambda x: x.replace(b"</sheetData>", noise + b"</sheetData>")}
    )
    with pytest.raises(reader.NotATable) as refused:
        reader.read(content, "a.xlsx")
    assert (refused.value.reason, refused.value.context) == ("markup-gap", "xl/worksheets/sheet1.xml")
    # Whitespace as long as a cell's text may be is read.
    short = rezipped(
        as_xlsx(ledger(3)),
        {"xl/worksheets/sheet1.xml": lambda x: x.replace(b"</sheetData>", noise[:200_000] + b"</sheetData>")},
    )
    assert reader.read(short, "a.xlsx").table.num_rows == 3


def test_one_cell_far_right_in_every_row_is_refused_as_the_table_it_would_make():
    # Each row's one cell in column XFD: few cells in the file, 16,384 to the table per row.
    rows = b"".join(b'<row r="%d"><c r="XFD%d"><v>1</v></c></row>' % (i, i) for i in range(2, 1002))
    content = rezipped(
        as_xlsx([HEADER]), {"xl/worksheets/sheet1.xml": lambda x: x.replace(b"</sheetData>", rows + b"</sheetData>")}
    )
    with pytest.raises(reader.NotATable) as refused:
        reader.read(content, "a.xlsx", limits=ImportLimits(max_sheet_cells=100_000))
    assert (refused.value.reason, refused.value.limit) == ("too-large-grid", "max_sheet_cells")
    assert 100_000 < refused.value.found <= 100_000 + 16_384


def test_rows_under_a_namespace_prefix_are_counted():
    def prefixed(xml: bytes) -> bytes:
        xml = xml.replace(b"<worksheet xmlns=", b"<x:worksheet xmlns:x=").replace(b"</worksheet>", b"</x:worksheet>")
        for tag in (b"sheetData", b"row", b"c", b"v", b"is", b"t", b"sheetPr", b"outlinePr", b"pageMargins"):
            for before, after in ((b"<", b" "), (b"<", b">"), (b"</", b">"), (b"<", b"/>")):
                xml = xml.replace(before + tag + after, before + b"x:" + tag + after)
        return xml

    content = rezipped(as_xlsx(ledger(5)), {"xl/worksheets/sheet1.xml": prefixed})
    assert b"<x:row" in zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    assert reader.read(content, "a.xlsx").table.num_rows == 5  # read as any sheet
    with pytest.raises(reader.NotATable) as refused:
        reader.read(content, "a.xlsx", limits=ImportLimits(max_sheet_rows=5))
    assert (refused.value.reason, refused.value.found) == ("too-many-rows", 6)
    with pytest.raises(reader.NotATable) as refused:
        reader.read(content, "a.xlsx", limits=ImportLimits(max_sheet_cells=29))
    assert (refused.value.reason, refused.value.found) == ("too-many-cells", 30)


def test_a_sheet_stored_under_another_name_is_counted():
    content = rezipped(
        as_xlsx(ledger(5)),
        {
            "xl/_rels/workbook.xml.rels": lambda x: x.replace(b"worksheets/sheet1.xml", b"data/ledger.xml"),
            "[Content_Types].xml": lambda x: x.replace(b"/xl/worksheets/sheet1.xml", b"/xl/data/ledger.xml"),
        },
        rename={"xl/worksheets/sheet1.xml": "xl/data/ledger.xml"},
    )
    assert reader.read(content, "a.xlsx").table.num_rows == 5
    with pytest.raises(reader.NotATable) as refused:
        reader.read(content, "a.xlsx", limits=ImportLimits(max_sheet_rows=5))
    assert refused.value.reason == "too-many-rows"


def test_a_sheet_scanned_in_small_chunks_counts_as_scanned_whole(monkeypatch):
    book = openpyxl.Workbook()
    for row in ledger(60):
        book.active.append(row)
    for row in range(2, 62, 3):
        book.active[f"E{row}"] = f"={row}+1"  # a formula without a value
        book.active.row_dimensions[row + 1].hidden = True
    out = io.BytesIO()
    book.save(out)
    xml = zipfile.ZipFile(io.BytesIO(out.getvalue())).read("xl/worksheets/sheet1.xml")
    whole = reader._PartScan()
    whole.feed(xml)
    assert (whole.rows, whole.cells, whole.formula_count, len(whole.hidden)) == (61, 305, 20, 20)
    for size in (7, 64, 1000):
        monkeypatch.setattr(reader, "_SCAN_BYTES", size)
        monkeypatch.setattr(reader, "_TAIL_BYTES", 256)
        chunked = reader._scan_part(io.BytesIO(xml))
        assert (chunked.rows, chunked.cells, chunked.formula_count, chunked.formulas, chunked.hidden) == (
            whole.rows,
            whole.cells,
            whole.formula_count,
            whole.formulas,
            whole.hidden,
        ), size


# --- 10,000 columns: read, previewed, mapped --------------------------------------------------------------

WIDE = 10_000


def wide_rows() -> list[list[object]]:
    """An activities ledger of 10,000 columns: its type under a header no alias knows, then 9,995 others."""
    header = ["活动日期", "支部名称", "形式名目", "活动主题", "参加人数", *(f"列{i}" for i in range(WIDE - 5))]
    return [header] + [
        [f"2025-01-{d:02d}", "内科第一党支部", "党课", f"主题{d}", d, *(f"{d}-{i}" for i in range(WIDE - 5))]
        for d in range(1, 4)
    ]


def test_a_csv_header_longer_than_the_start_read_is_read_whole():
    raw = reader.read(as_csv(wide_rows()), "wide.csv")
    assert len(raw.headers) == WIDE and raw.headers[-1] == f"列{WIDE - 6}" and not raw.extra_cells
    assert raw.table.num_rows == 3 and raw.table.column(f"column{WIDE - 1}").to_pylist()[0] == f"1-{WIDE - 6}"


@pytest.fixture
def page_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "wide.duckdb"
    with Database(path) as database:
        assert import_files(database, registers(), ImportOptions(today=TODAY)).ok
        add_test_accounts(database)
    monkeypatch.setenv("PBI_DB", str(path))
    return path


def upload(name: str, content: bytes) -> AppTest:
    at = signed_in(AppTest.from_file("../app.py", default_timeout=120))
    at.run()
    at.switch_page("pages/import.py").run()
    at.file_uploader[0].upload(name, content, "text/csv").run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("build", [as_csv, as_xlsx], ids=["csv", "xlsx"])
def test_ten_thousand_columns_get_the_mapping_step_for_the_kinds_fields_and_import(page_db, build):
    name = "wide.csv" if build is as_csv else "wide.xlsx"
    at = upload(name, build(wide_rows()))
    assert any("缺少必需的列“活动类型”" in e.value for e in at.error)
    mapping = [s for s in at.selectbox if s.key and s.key.startswith("import_map_") and "kind" not in s.key]
    # One drop-down per field of the kind without a column (a handful), not one per column (9,996).
    assert 1 <= len(mapping) < 20 and mapping[0].key.endswith("_activity_type")
    assert len(mapping[0].options) == 1 + WIDE - 4  # "not in the file", then every unrecognised column
    assert t("import.mapping.columns", "zh", n=WIDE - 4) in [c.value for c in at.caption]
    mapping[0].set_value("形式名目").run()
    assert not at.exception and not any("缺少必需的列" in e.value for e in at.error)
    at.button(key="import_run").click().run()
    assert not at.exception
    assert t("import.result.ok", "zh", files=1, rows=3) in [s.value for s in at.success]
    with Database(page_db) as database:
        assert activities(database) == 3
        headers = [str(h) for h in wide_rows()[0]]
        assert settings.saved_mapping(database, headers) == {
            "kind": "activities",
            "mapping": {"形式名目": "activity_type"},
        }


def test_the_mapping_step_offers_the_kinds_fields_and_the_columns_it_does_not_know():
    headers = ["活动日期", "支部名称", "形式名目", "", "活动主题", "列1", "列1"]
    columns, fields = report.mapping_step(headers, RecordKind.ACTIVITIES)
    assert columns == ["形式名目", "列1"]  # each once, blank headers left out
    assert fields[0] == "activity_type" and "activity_date" not in fields and "topic" not in fields
    # Read as another kind, the same headers leave other fields and columns.
    columns, fields = report.mapping_step(headers, RecordKind.DEPARTMENTS)
    assert "活动日期" in columns and fields[:2] == ["department_code", "name"]


def test_a_column_chosen_for_two_fields_holds_the_first():
    choices = {"activity_type": "形式", "topic": "", "hours": "形式", "expected": "应到"}
    assert report.mapping_from_choices(choices) == ({"形式": "activity_type", "应到": "expected"}, ["形式"])


def test_the_import_page_holds_files_to_the_databases_limits(page_db):
    with Database(page_db) as database:
        settings.save_import_limits(database, ImportLimits(max_columns=500))
    at = upload("wide.csv", as_csv(wide_rows()))
    message = next(e.value for e in at.error if "列" in e.value)
    assert "有 10,000 列，超过导入限制“最多列数”（500）" in message and CHANGE_ZH in message
