"""Reading an uploaded file: format, encoding, delimiter, the header row below any title rows, and every
data row **with the row number a spreadsheet user sees**.

The row number is a column (`_row`) of the table this module returns, assigned here from the file's own
order and carried with each row through parsing, checking and error messages. Nothing downstream may
rely on the order in which a database returns rows: DuckDB reads, sorts and inserts in parallel and
promises no order (a table's `rowid` after a parallel scan is not the file's row order).

* CSV/TSV text is decoded here (UTF-8, UTF-8 with BOM, GBK, GB18030, UTF-16; DuckDB's own GBK support
  would need an extension downloaded at run time) and parsed by pyarrow's CSV reader, which is
  multi-threaded and returns the rows in file order; `_row` is then the row's position plus the lines
  above it. Files pyarrow cannot read whole (a row with more or fewer cells than the header, a cell
  larger than a block) are read again by Python's `csv` module, which numbers each row as it goes.
* XLSX is read with openpyxl; `_row` is the Excel row number of each row.

Either way every cell arrives as text (empty cells as null), in columns `column0`, `column1`, ….
Row numbers count the header and any title rows above it, and blank lines, as a spreadsheet does.

What a file holds is never changed or dropped silently:

* **Mixed encodings.** A file that is not UTF-8 as a whole, but whose lines with characters beyond ASCII are
  mostly UTF-8 (a GBK cell pasted into a UTF-8 file), is refused naming the lines that are not
  (`mixed-encoding`): decoded whole as GBK its UTF-8 text would be stored garbled. A file that starts with
  UTF-8's byte order mark is refused for any line that is not UTF-8. A GBK file, of which a line is now and
  then valid UTF-8 by chance, is still read as GBK.
* **Several sheets.** `read_all` gives one table per visible sheet holding a recognised table (a header row
  with two or more known field names among its first rows), in workbook order; hidden sheets (the
  template's lists), empty ones and those without such a header are named in `Tables.skipped` with the
  reason. If no sheet holds one, the first visible sheet is read as the table (its headers then name no
  kind, and the importer says so). `read` gives the first table of `read_all`.
* **Formulas without results.** A sheet written by a program may hold formulas that no spreadsheet ever
  computed: the file stores no value for them, and they would be read as empty. Such a sheet is refused,
  naming the cells (`formula-no-value`); opening and saving it in Excel or WPS computes them.
* **Hidden rows.** Rows hidden in a sheet (as a filter hides rows) are left out of the table and listed in
  `RawTable.hidden_rows`; `include_hidden` keeps them (still listed).
* **Numbers as shown.** A number in a fixed-decimal format (`0.00`, `#,##0.0`) is read with at least the
  decimals it shows: 2024.1 shown as 2024.10 reads "2024.10" (a period, not January). General numbers
  read as before; no digit the cell holds is rounded away.
* **The 1904 date system** (old Mac Excel) counts date serials from 1904-01-01. Cells formatted as dates are
  converted by openpyxl; numbers in other formats stay numbers, and `RawTable.date1904` tells the parser
  to read a date column's serials from 1904.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import itertools
import re
import sys
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from analytics.imports.fields import looks_like_header

ENCODINGS = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "utf-8-sig": "utf-8-sig",
    "gbk": "gbk",
    "gb2312": "gbk",
    "gb18030": "gb18030",
    "utf-16": "utf-16",
}
ROW = "_row"  # the column holding each row's spreadsheet row number
_HEADER_SEARCH_ROWS = 15
_BLOCK_BYTES = 8 << 20  # pyarrow parses in blocks; a single row must fit in one

# What one file may hold before it is parsed at all (a "bomb" would otherwise take the server's memory):
# a CSV's lines, a table's columns, a workbook's rows and cells (counted in its XML), its unpacked size, and
# how much larger than packed a large part of it may unpack to.
MAX_TEXT_ROWS = 10_000_000
MAX_COLUMNS = 500
MAX_SHEET_ROWS = 1_000_000
MAX_SHEET_CELLS = 20_000_000
MAX_UNPACKED_BYTES = 1 << 30
MAX_PACKING_RATIO = 100  # Excel's own sheets pack 5–20×; whitespace or repeated rows pack far more
_RATIO_FROM_BYTES = 16 << 20  # small parts may pack tighter without harm
# A cell that opens a quote and reaches the end of its line without closing it ("" is an escaped quote).
_QUOTED_NEWLINE = re.compile(rb'(?:^|[,\t;])"(?:[^"\n]|"")*\r?\n', re.MULTILINE)
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
_LISTED = 5  # how many cells or lines a message names
# Sheet XML (elements may carry a namespace prefix). A formula cell: <c …><f>…</f> or <f …/>, then an optional
# <v> (its value); captured are the cell's attributes and an empty <v> if there is one.
_P = rb"(?:\w+:)?"
_FORMULA_CELL = re.compile(
    rb"<" + _P + rb"c\b([^>]*)>\s*<" + _P + rb"f\b[^>]*(?:/>|>[^<]*</" + _P + rb"f>)\s*"
    rb"(<" + _P + rb"v\s*/>|<" + _P + rb"v>\s*</" + _P + rb"v>)?\s*</" + _P + rb"c>"
)
_ROW_TAG = re.compile(rb"<" + _P + rb"row\b([^>]*)>")
_HIDDEN = re.compile(rb"""\shidden=["'](?:1|true)["']""")
_NUMBER_ATTR = re.compile(rb"""\sr=["'](\d+)["']""")
_CELL_ATTR = re.compile(rb"""\sr=["']([A-Z]+\d+)["']""")
_STRING_TYPE = re.compile(rb"""\st=["']str["']""")
# The first section of a fixed-decimal number format: 0.00, #,##0.0, [Red]0.00_), 0.00" 分".
_FIXED_DECIMALS = re.compile(r'(?:\[[^\]]*\])*(?:#,##)?0\.(0+)(?:_.|\\.|"[^"]*"|\s)*')
_PLAIN_NUMBER = re.compile(r"-?\d+(?:\.(\d*))?")
# A damaged archive or sheet: zlib and EOF errors from a bad stream, NotImplementedError from an archive
# claiming a zip version or compression method there is none of, SyntaxError (ElementTree's and lxml's
# ParseError) from bad XML, the rest from openpyxl.
_XLSX_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    SyntaxError,
    KeyError,
    OSError,
    ValueError,
    TypeError,
    AttributeError,
    IndexError,
)


class NotATable(Exception):
    """The file cannot be read as a table at all (binary, undecodable, no header row) or holds no rows.

    `reason` names an i18n text `reason.<reason>`; `context` is shown after it (a codec, a sheet name).
    """

    def __init__(self, code: str, reason: str, context: str = "") -> None:
        super().__init__(code, reason, context)
        self.code = code  # 'not-a-table' or 'no-data'
        self.reason = reason
        self.context = context


@dataclass
class RawTable:
    """A file's cells as text: `table` has `_row` (the spreadsheet row number) and `column0…columnN-1`
    (strings, null where empty), one row per non-blank row below the header."""

    file_name: str
    format: str  # 'csv', 'tsv' or 'xlsx'
    encoding: str | None
    headers: list[str]
    header_row: int  # 1-based row number of the header in the file
    table: pa.Table
    delimiter: str = ","
    sheet: str | None = None
    # Rows of a CSV holding cells to the right of the last header: (row number, the first such cell's text).
    # (A sheet's rows are as wide as its widest row: a cell beyond the header is in a column without one.)
    extra_cells: list[tuple[int, str]] = field(default_factory=list)
    # Rows of a CSV whose cell spans lines holding what looks like whole rows (a quote never closed):
    # (row number, the first such line).
    swallowed_rows: list[tuple[int, str]] = field(default_factory=list)
    # Rows of a sheet below the header that are hidden (by hand or by a filter) and hold cells: left out of
    # `table` unless read with `include_hidden`.
    hidden_rows: list[int] = field(default_factory=list)
    date1904: bool = False  # a workbook in the 1904 date system: its date serials count from 1904-01-01

    @property
    def columns(self) -> list[str]:
        return column_names(len(self.headers))


@dataclass
class Tables:
    """The tables of a file (a CSV's one; one per sheet holding a recognised table) and the sheets skipped:
    (sheet, reason), the reason naming an i18n text `reason.<reason>`."""

    tables: list[RawTable]
    skipped: list[tuple[str, str]] = field(default_factory=list)


def column_names(width: int) -> list[str]:
    return [f"column{i}" for i in range(width)]


def decode(content: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Text and the encoding it was read with: the one given, else UTF-8 (BOM or not), GBK, GB18030. A file
    mixing UTF-8 with another encoding is refused (see the module's docstring)."""
    if encoding:
        codec = ENCODINGS.get(encoding.lower().replace("_", "-"))
        if codec is None:
            raise ValueError(f"unknown encoding {encoding!r}; use one of {', '.join(sorted(set(ENCODINGS)))}")
        try:
            return content.decode(codec), codec
        except UnicodeDecodeError as error:
            raise NotATable("not-a-table", "undecodable", f"{codec}, byte {error.start}") from error
    if content.startswith(b"\xef\xbb\xbf"):
        try:
            return content[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            raise NotATable("not-a-table", "mixed-encoding", _listed(_utf8_lines(content)[1])) from None
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" export
        try:
            return content.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as error:
            raise NotATable("not-a-table", "undecodable", f"utf-16, byte {error.start}") from error
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        valid, invalid = _utf8_lines(content)
        if 0 < len(invalid) < valid:  # mostly UTF-8: the other lines are another encoding
            raise NotATable("not-a-table", "mixed-encoding", _listed(invalid)) from None
    for codec in ("gbk", "gb18030"):
        try:
            return content.decode(codec), codec
        except UnicodeDecodeError:
            continue
    raise NotATable("not-a-table", "undecodable", "UTF-8 / GBK / GB18030")


def _utf8_lines(content: bytes) -> tuple[int, list[int]]:
    """How many of the lines holding more than ASCII are UTF-8, and the numbers of those that are not (from 1,
    lines ending at \\n, \\r or \\r\\n, as a text editor counts them). Only for a file that is not UTF-8."""
    valid, invalid = 0, []
    for number, line in enumerate(content.splitlines(), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            invalid.append(number)
        else:
            valid += 1
    return valid, invalid


def _listed(items: list[object]) -> str:
    """The first few items for a message, with how many there are when there are more: "H2, H3 … (12)"."""
    shown = ", ".join(str(item) for item in items[:_LISTED])
    return f"{shown} … ({len(items)})" if len(items) > _LISTED else shown


def read(
    content: bytes,
    file_name: str,
    encoding: str | None = None,
    sheet: str | None = None,
    include_hidden: bool = False,
) -> RawTable:
    """Read `content` as a table (a workbook's first recognised table, see `read_all`); raises NotATable for
    files that are not one (or hold no data rows). `include_hidden`: keep a sheet's hidden rows."""
    if _is_workbook(content, file_name):
        return _read_book(content, file_name, sheet, include_hidden, every=False).tables[0]
    return _read_text(content, file_name, encoding)


def read_all(
    content: bytes,
    file_name: str,
    encoding: str | None = None,
    sheet: str | None = None,
    include_hidden: bool = False,
) -> Tables:
    """Every table of `content`: a CSV's one, a workbook's one per sheet holding a recognised table (only
    `sheet`'s if given), with the sheets skipped and why; raises NotATable as `read` does."""
    if _is_workbook(content, file_name):
        return _read_book(content, file_name, sheet, include_hidden, every=True)
    return Tables([_read_text(content, file_name, encoding)])


def _is_workbook(content: bytes, file_name: str) -> bool:
    """Whether `content` is an XLSX workbook (else text); raises NotATable for empty, .xls and binary files."""
    if not content.strip():
        raise NotATable("no-data", "empty")
    if content[:4] == b"PK\x03\x04" or file_name.lower().endswith((".xlsx", ".xlsm")):
        return True
    if content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or file_name.lower().endswith(".xls"):
        raise NotATable("not-a-table", "xls")
    if b"\x00" in content[:4096] and not content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise NotATable("not-a-table", "binary")
    return False


def _find_header(rows: list[list[object]]) -> int:
    """Index of the header among the first rows: the first with two or more known field names, else the
    first with as many filled cells as the widest row (title rows above a header have one)."""
    known = _known_header(rows)
    if known is not None:
        return known
    candidates = rows[:_HEADER_SEARCH_ROWS]
    widths = [sum(1 for c in cells if c is not None and str(c).strip()) for cells in candidates]
    if not widths or max(widths) < 2:
        raise NotATable("not-a-table", "no-header")
    return widths.index(max(widths))


def _known_header(rows: list[list[object]]) -> int | None:
    """Index of the first of the first rows holding two or more known field names, if any."""
    return next((i for i, cells in enumerate(rows[:_HEADER_SEARCH_ROWS]) if looks_like_header(cells) >= 2), None)


def _read_text(content: bytes, file_name: str, encoding: str | None) -> RawTable:
    # Decoding a large file whole only to check it costs more than parsing it: the encoding of its start
    # is taken for the file, and pyarrow checks the rest.
    whole = encoding is not None or content.startswith((b"\xff\xfe", b"\xfe\xff"))
    head, codec = decode(content, encoding) if whole else decode(_start(content))
    if "\x00" in head[:65536] or sum(ch == "\ufffd" for ch in head[:4096]) > 8:
        raise NotATable("not-a-table", "binary")
    if content.count(b"\n") > MAX_TEXT_ROWS:
        raise NotATable("not-a-table", "too-many-rows", f"{MAX_TEXT_ROWS:,}")
    delimiter, head_rows, spans = _sniff(head[:65536])
    header_index = _find_header(head_rows)
    headers = [h.strip().lstrip("\ufeff") for h in head_rows[header_index]]
    width = len(headers)
    if width > MAX_COLUMNS:
        raise NotATable("not-a-table", "too-many-columns", f"{MAX_COLUMNS:,}")
    text = None
    if any(lines > 1 for lines in spans[: header_index + 1]):
        # A cell above the data spans lines: pyarrow would skip lines, not rows. Number them one by one.
        table = None
    elif not whole and codec in ("utf-8", "utf-8-sig", "gbk", "gb18030"):
        # The start decided the encoding; pyarrow decodes the rest (GBK through Python's codec, as it reads)
        # and checks it. A file that is not what its start said is decoded anew below.
        data = content[3:] if codec == "utf-8-sig" else content
        table = _arrow_rows(data, width, header_index + 1, delimiter, _quoted_newlines(data), codec)
    else:
        text, codec = (head, codec) if whole else decode(content)
        data = text.encode("utf-8", errors="replace")
        table = _arrow_rows(data, width, header_index + 1, delimiter, _quoted_newlines(data))
    if table is None and text is None:
        started = codec
        text, codec = decode(content, encoding)
        if codec != started:
            data = text.encode("utf-8", errors="replace")
            table = _arrow_rows(data, width, header_index + 1, delimiter, _quoted_newlines(data))
    extra: list[tuple[int, str]] = []
    if table is None:  # pyarrow could not read every row as it stands: number them one by one
        if text is None:
            text, codec = decode(content, encoding)
        table, extra = _python_rows(text, width, header_index + 1, delimiter)
    _require_data(table)
    swallowed = _swallowed_rows(table, width, delimiter) if b'"' in content else []
    return RawTable(
        file_name=file_name,
        format="tsv" if delimiter == "\t" else "csv",
        encoding=codec,
        headers=headers,
        header_row=header_index + 1,
        table=table,
        delimiter=delimiter,
        extra_cells=extra,
        swallowed_rows=swallowed,
    )


def _sniff(head: str) -> tuple[str, list[list[str]], list[int]]:
    """The delimiter; the first rows (records, as a spreadsheet counts them) split by it; and how many lines
    each of them takes. The delimiter is the one that cuts a row into the most known headers (cells may
    hold the others), else the one the first lines hold most of. Lines end at \\n, \\r or \\r\\n only, as
    for pyarrow and the csv module (not at the other line breaks `str.splitlines` knows)."""
    lines = re.split(r"\r\n|\n|\r", head)[: _HEADER_SEARCH_ROWS + 1]

    def records(delimiter: str) -> tuple[list[list[str]], list[int]]:
        reader = csv.reader(io.StringIO(head, newline=""), delimiter=delimiter)
        rows, spans, used = [], [], 0
        try:
            for cells in reader:
                rows.append(cells)
                spans.append(reader.line_num - used)
                used = reader.line_num
                if len(rows) > _HEADER_SEARCH_ROWS:
                    break
        except csv.Error:
            pass  # the start was cut inside a quoted cell: the rows before it are enough
        return rows, spans

    def evidence(delimiter: str) -> tuple[int, int]:
        rows, _spans = records(delimiter)
        known = max((looks_like_header(r) for r in rows[:_HEADER_SEARCH_ROWS]), default=0)
        return known, sum(line.count(delimiter) for line in lines[:5])

    delimiter = max("\t,;", key=evidence)
    return (delimiter, *records(delimiter))


def _swallowed_rows(table: pa.Table, width: int, delimiter: str) -> list[tuple[int, str]]:
    """Cells that span lines and hold a line as full of delimiters as a row: most likely a quote opened and
    never closed, so that the rows below were read into one cell (and are missing). Reported, never stored."""
    found = []
    for name in column_names(width):
        column = table.column(name)
        spans = pc.match_substring(column, "\n")
        if not pc.any(spans).as_py():
            continue
        for row, cell in zip(
            table.filter(spans).column(ROW).to_pylist(), table.filter(spans).column(name).to_pylist(), strict=True
        ):
            if any(line.count(delimiter) >= max(width - 1, 1) for line in cell.splitlines()[1:]):
                found.append((row, cell.splitlines()[1][:60]))
    return sorted(found)


def _start(content: bytes, size: int = 1 << 16) -> bytes:
    """The first `size` bytes, cut back to a line end so no character is split."""
    if len(content) <= size:
        return content
    cut = content.rfind(b"\n", 0, size)
    return content[: cut + 1] if cut > 0 else content[:size]


def _quoted_newlines(data: bytes) -> bool:
    return b'"' in data and _QUOTED_NEWLINE.search(data) is not None


def _arrow_rows(
    data: bytes, width: int, skip: int, delimiter: str, quoted_newlines: bool, codec: str = "utf-8"
) -> pa.Table | None:
    """The rows below line `skip` as strings with their row numbers, or None if some row does not have
    exactly `width` cells (pyarrow would drop it, and the numbers after it would shift) or the bytes are
    not UTF-8."""
    invalid = 0

    def count_invalid(_row: object) -> str:
        nonlocal invalid
        invalid += 1
        return "skip"

    names = column_names(width)
    try:
        table = pa_csv.read_csv(
            io.BytesIO(data),
            read_options=pa_csv.ReadOptions(
                skip_rows=skip,
                column_names=names,
                block_size=_BLOCK_BYTES,
                encoding="utf8" if codec.startswith("utf-8") else codec,
            ),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter,
                quote_char='"',
                double_quote=True,
                newlines_in_values=quoted_newlines,
                ignore_empty_lines=False,  # a blank line is a (blank) row: it keeps its number
                invalid_row_handler=count_invalid,
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, UnicodeError):
        return None  # UnicodeError: a byte the start's codec cannot decode (pyarrow decodes through Python)
    if invalid:
        return None
    return _with_rows(table, np.arange(skip + 1, skip + 1 + table.num_rows, dtype=np.int64))


def _python_rows(text: str, width: int, skip: int, delimiter: str) -> tuple[pa.Table, list[tuple[int, str]]]:
    """The slow, exact path: Python's csv module numbers every record as it reads it; short rows are padded,
    cells right of the header are reported (not silently dropped)."""
    columns: list[list[str | None]] = [[] for _ in range(width)]
    numbers: list[int] = []
    extra: list[tuple[int, str]] = []
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            if number <= skip:
                continue
            numbers.append(number)
            for i in range(width):
                cell = cells[i] if i < len(cells) else ""
                columns[i].append(cell or None)
            beyond = next((c for c in cells[width:] if c.strip()), None)
            if beyond is not None:
                extra.append((number, beyond))
    except csv.Error as error:
        raise NotATable("not-a-table", "bad-csv", str(error)) from error
    table = pa.table(
        {name: pa.array(col, type=pa.string()) for name, col in zip(column_names(width), columns, strict=True)}
    )
    return _with_rows(table, np.asarray(numbers, dtype=np.int64)), extra


def _with_rows(table: pa.Table, numbers: np.ndarray) -> pa.Table:
    """`table` with its rows' numbers as the first column, without its blank rows (every cell empty): they
    are no data, and the rows after them keep their own numbers."""
    table = table.add_column(0, ROW, pa.array(numbers, type=pa.int64()))
    filled = None
    for name in table.column_names[1:]:
        valid = table.column(name).is_valid()
        filled = valid if filled is None else pc.or_(filled, valid)
    if filled is None or pc.all(filled).as_py():
        return table  # nothing blank: filtering would copy every cell for nothing
    return table.filter(filled)


def _require_data(table: pa.Table) -> None:
    """A file with a header and no filled cell below it holds no data."""
    if table.num_rows == 0:
        raise NotATable("no-data", "header-only")


def _cell_text(value: object, number_format: str | None = None) -> str | None:
    if value is None:
        return None
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if number and number_format and "%" in number_format:
        return f"{value * 100:g}%"  # a cell showing 95.2% holds 0.952
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    if number and number_format and (places := _decimals(number_format)):
        return _with_decimals(text, places)
    return text if text else None


@functools.lru_cache(maxsize=256)
def _decimals(number_format: str) -> int:
    """How many decimals a fixed-decimal number format shows (0.00, #,##0.00_);(#,##0.00) → 2); else 0."""
    match = _FIXED_DECIMALS.fullmatch(number_format.split(";", 1)[0])
    return len(match.group(1)) if match else 0


def _with_decimals(text: str, places: int) -> str:
    """A plain number's text padded with zeros to `places` decimals (2024.1 → 2024.10); others as they are."""
    match = _PLAIN_NUMBER.fullmatch(text)
    if match is None or places <= len(match.group(1) or ""):
        return text
    whole, _, fraction = text.partition(".")
    return f"{whole}.{fraction.ljust(places, '0')}"


def _read_book(content: bytes, file_name: str, sheet: str | None, include_hidden: bool, every: bool) -> Tables:
    """The tables of a workbook: see `_book_tables`; refused before parsing when it is larger than a file
    may be (`_check_book_size`)."""
    import openpyxl  # imported here: only Excel uploads need it

    try:
        _check_book_size(content)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, ValueError) as error:
        raise NotATable("not-a-table", "bad-xlsx", type(error).__name__) from error
    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except _XLSX_ERRORS as error:
        raise NotATable("not-a-table", "bad-xlsx", type(error).__name__) from error
    try:
        return _book_tables(book, file_name, sheet, include_hidden, every)
    except _XLSX_ERRORS as error:
        raise NotATable("not-a-table", "bad-xlsx", type(error).__name__) from error
    finally:
        book.close()


def _check_book_size(content: bytes) -> None:
    """Refuse a workbook whose parts unpack to more than `MAX_UNPACKED_BYTES`, pack suspiciously tight, or
    whose sheets hold more rows or cells than a file may: counted in the sheets' XML as it is unpacked, in
    chunks, before anything is parsed."""
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        parts = book.infolist()
        if sum(p.file_size for p in parts) > MAX_UNPACKED_BYTES:
            raise NotATable("not-a-table", "too-large", f"{MAX_UNPACKED_BYTES >> 20:,} MB")
        for part in parts:
            if part.file_size > _RATIO_FROM_BYTES and part.file_size > MAX_PACKING_RATIO * max(part.compress_size, 1):
                raise NotATable("not-a-table", "too-large", part.filename)
        for part in parts:
            if part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml"):
                _count_sheet(book, part)


def _count_sheet(book: zipfile.ZipFile, part: zipfile.ZipInfo) -> None:
    rows = cells = 0
    tail = b""
    with book.open(part) as stream:
        while chunk := stream.read(1 << 20):
            text = tail + chunk
            # A tag cut by the chunk's end is counted with the next chunk.
            cut = text.rfind(b"<")
            body, tail = (text[:cut], text[cut:]) if cut >= 0 else (text, b"")
            rows += body.count(b"<row ") + body.count(b"<row>")
            cells += body.count(b"<c ") + body.count(b"<c>")
            if rows > MAX_SHEET_ROWS:
                raise NotATable("not-a-table", "too-many-rows", f"{MAX_SHEET_ROWS:,}")
            if cells > MAX_SHEET_CELLS:
                raise NotATable("not-a-table", "too-many-cells", f"{MAX_SHEET_CELLS:,}")


def _book_tables(book, file_name: str, sheet: str | None, include_hidden: bool, every: bool) -> Tables:
    """The named `sheet`'s table; else one per visible sheet holding a recognised table, in workbook order
    (the first only, unless `every`), with the sheets skipped and why; else the first visible sheet's."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    if sheet is not None and sheet not in book.sheetnames:
        raise NotATable("not-a-table", "no-sheet", f"{sheet} ∉ {', '.join(book.sheetnames)}")
    if not book.worksheets:
        raise NotATable("no-data", "empty")
    date1904 = book.epoch == CALENDAR_MAC_1904

    def table(ws, rows: Iterable[tuple[int, list[str | None]]]) -> RawTable:
        return _sheet_table(ws, rows, file_name, include_hidden, date1904)

    if sheet is not None:
        return Tables([table(book[sheet], _sheet_rows(book[sheet]))])
    tables: list[RawTable] = []
    skipped: list[tuple[str, str]] = []
    for ws in book.worksheets:
        if ws.sheet_state != "visible":
            skipped.append((ws.title, "hidden-sheet"))
            continue
        rows = _sheet_rows(ws)
        head = list(itertools.islice(rows, _HEADER_SEARCH_ROWS))
        if _known_header([cells for _number, cells in head]) is None:
            skipped.append((ws.title, "no-known-header" if _filled(head) or _filled(rows) else "empty-sheet"))
            continue
        try:
            tables.append(table(ws, itertools.chain(head, rows)))
        except NotATable as problem:
            if problem.code != "no-data":
                raise
            skipped.append((ws.title, problem.reason))
        if tables and not every:
            break
    if not tables:
        first = next((ws for ws in book.worksheets if ws.sheet_state == "visible"), book.worksheets[0])
        return Tables([table(first, _sheet_rows(first))], [s for s in skipped if s[0] != first.title])
    return Tables(tables, skipped)


def _sheet_rows(ws) -> Iterator[tuple[int, list[str | None]]]:
    """Each row of a sheet as (its row number, its cells as text)."""
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()  # a workbook's stated size may be stale: read every row there is
    number = 0
    for cells in ws.iter_rows(min_row=1):
        # Read-only sheets yield empty rows for the gaps; a filled cell knows its own row number.
        number = next((c.row for c in cells if getattr(c, "row", None) is not None), number + 1)
        yield number, [_cell_text(c.value, getattr(c, "number_format", None)) for c in cells]


def _filled(rows: Iterable[tuple[int, list[str | None]]]) -> bool:
    """Whether some row holds a cell."""
    return any(any(cell is not None for cell in cells) for _number, cells in rows)


def _sheet_table(
    ws, rows: Iterable[tuple[int, list[str | None]]], file_name: str, include_hidden: bool, date1904: bool
) -> RawTable:
    """A sheet's rows as a table below its header, its hidden rows left out (or kept) and listed; refused when
    it holds formulas without values."""
    numbers, cells = [], []
    for number, row in rows:
        numbers.append(number)
        cells.append(row)
    if not cells:
        raise NotATable("no-data", "empty")
    # The sheet's XML (openpyxl's read-only rows say nothing of formulas or hidden rows): openpyxl's own opener.
    with ws._get_source() as source:
        xml = source.read()
    formulas = _formulas_without_values(xml)
    if formulas:
        raise NotATable("not-a-table", "formula-no-value", _listed(formulas))
    header_index = _find_header(cells)
    width = max(len(r) for r in cells)  # a cell right of the header is in a column without one
    if width > MAX_COLUMNS:
        raise NotATable("not-a-table", "too-many-columns", f"{MAX_COLUMNS:,}")
    headers = [(h or "").strip() for h in cells[header_index]] + [""] * (width - len(cells[header_index]))
    body = cells[header_index + 1 :]
    columns = {
        name: pa.array([r[i] if i < len(r) else None for r in body], type=pa.string())
        for i, name in enumerate(column_names(width))
    }
    table = _with_rows(pa.table(columns), np.asarray(numbers[header_index + 1 :], dtype=np.int64))
    _require_data(table)
    table, hidden = _hide_rows(table, _hidden_rows(xml), include_hidden)
    if table.num_rows == 0:
        raise NotATable("no-data", "hidden-only", _listed(hidden))
    return RawTable(
        file_name=file_name,
        format="xlsx",
        encoding=None,
        headers=headers,
        header_row=numbers[header_index],
        table=table,
        sheet=ws.title,
        hidden_rows=hidden,
        date1904=date1904,
    )


def _formulas_without_values(xml: bytes) -> list[str]:
    """The cells of a sheet's XML holding a formula saved without its value (no <v>, or an empty one but for
    Excel's formulas giving "", typed t="str"): the file was written by a program, and never computed."""
    if b"<f" not in xml and b":f" not in xml:
        return []
    found = []
    for attributes, empty_value in _FORMULA_CELL.findall(xml):
        if empty_value and _STRING_TYPE.search(attributes):
            continue
        reference = _CELL_ATTR.search(attributes)
        found.append(reference.group(1).decode("ascii") if reference else "?")
    return found


def _hidden_rows(xml: bytes) -> set[int]:
    """The numbers of the rows a sheet's XML marks hidden (a row without its number follows the one before)."""
    if b"hidden" not in xml:
        return set()
    hidden, number = set(), 0
    for attributes in _ROW_TAG.findall(xml):
        stated = _NUMBER_ATTR.search(attributes)
        number = int(stated.group(1)) if stated else number + 1
        if _HIDDEN.search(attributes):
            hidden.add(number)
    return hidden


def _hide_rows(table: pa.Table, hidden: set[int], include_hidden: bool) -> tuple[pa.Table, list[int]]:
    """The table without its hidden rows (with them if `include_hidden`), and the numbers of those rows."""
    if not hidden:
        return table, []
    is_hidden = pc.is_in(table.column(ROW), value_set=pa.array(sorted(hidden), type=pa.int64()))
    numbers = table.filter(is_hidden).column(ROW).to_pylist()
    return (table if include_hidden else table.filter(pc.invert(is_hidden))), numbers
