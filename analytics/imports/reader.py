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
* XLSX is read with openpyxl (read-only, row by row); `_row` is the Excel row number of each row. The rows
  become Arrow columns a million cells at a time (`_Columns`): Python lists of every cell would take
  gigabytes.

Either way every cell arrives as text (empty cells as null), in columns `column0`, `column1`, ….
Row numbers count the header and any title rows above it, and blank lines, as a spreadsheet does.

**Limits.** Before anything is parsed, a file is held to its `ImportLimits` (a setting, see `limits.py`):
a CSV's lines (its line feeds counted) and columns (its header); a workbook's size unpacked, each large part's
packing ratio, each part's rows and all parts' cells and shared strings, counted in the XML as it is unpacked,
in chunks (`_scan_book`: formulas without values and hidden rows are found in the same pass, so no sheet's
XML is ever held whole). As a sheet is read, its table may be no wider than the column limit, span no more
cells (rows × columns, empty cells too) than the cell limit, and hold no more text than the unpacked limit
(a shared string repeated in every cell is counted each time). A file over a limit raises NotATable naming
the limit, the file's figure and the limit's value.

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

import array
import csv
import datetime as dt
import functools
import io
import itertools
import re
import sys
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from analytics.imports.fields import looks_like_header
from analytics.imports.limits import ImportLimits

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

# The limits a file is held to before it is parsed (`ImportLimits`, a setting) are checked here.
_RATIO_FROM_BYTES = 16 << 20  # small parts may pack tighter without harm
_SCAN_BYTES = 1 << 20  # a workbook's XML is scanned in chunks of this size …
_TAIL_BYTES = 1 << 16  # … each cut where no element counted is split, at most this far before its end
_GAP_BYTES = 1 << 20  # no stretch of an XML part without markup is longer (a cell holds at most 32,767 characters)
_CHUNK_CELLS = 1 << 19  # a sheet's rows become Arrow columns this many cells at a time …
_CHUNK_TEXT = 16 << 20  # … or bytes of text, whichever comes first …
_MAX_ARRAYS = 1 << 16  # … and each column's chunks are joined when there are more arrays than this
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
_CELL_START = re.compile(rb"<" + _P + rb"c[\s>/]")
_CELL_END = re.compile(rb"</" + _P + rb"c>")
_PREFIXED = re.compile(rb"<\w+:(row|c|si)[\s>/]")  # rows, cells and shared strings of a prefixed namespace
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

    `reason` names an i18n text `reason.<reason>`; `context` is shown after it (a codec, a sheet name). A file
    over one of its `ImportLimits` names the limit (`limit`, the field's name), the file's figure (`found`) and
    the limit's value (`allowed`), in the units the limit counts.
    """

    def __init__(
        self, code: str, reason: str, context: str = "", limit: str | None = None, found: int = 0, allowed: int = 0
    ) -> None:
        super().__init__(code, reason, context)
        self.code = code  # 'not-a-table' or 'no-data'
        self.reason = reason
        self.context = context
        self.limit = limit
        self.found = found
        self.allowed = allowed


def _over(reason: str, limit: str, found: int, allowed: int, context: str = "") -> NotATable:
    """The refusal of a file over one of its limits: `found` where `allowed` is the most."""
    return NotATable("not-a-table", reason, context, limit=limit, found=found, allowed=allowed)


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


def _listed(items: list[object], count: int | None = None) -> str:
    """The first few items for a message, with how many there are (`count`, default all of `items`) when
    there are more: "H2, H3 … (12)"."""
    count = len(items) if count is None else count
    shown = ", ".join(str(item) for item in items[:_LISTED])
    return f"{shown} … ({count})" if count > _LISTED else shown


def read(
    content: bytes,
    file_name: str,
    encoding: str | None = None,
    sheet: str | None = None,
    include_hidden: bool = False,
    limits: ImportLimits | None = None,
) -> RawTable:
    """Read `content` as a table (a workbook's first recognised table, see `read_all`); raises NotATable for
    files that are not one (or hold no data rows) or are over `limits` (default: the default limits).
    `include_hidden`: keep a sheet's hidden rows."""
    limits = limits or ImportLimits()
    if _is_workbook(content, file_name):
        return _read_book(content, file_name, sheet, include_hidden, every=False, limits=limits).tables[0]
    return _read_text(content, file_name, encoding, limits)


def read_all(
    content: bytes,
    file_name: str,
    encoding: str | None = None,
    sheet: str | None = None,
    include_hidden: bool = False,
    limits: ImportLimits | None = None,
) -> Tables:
    """Every table of `content`: a CSV's one, a workbook's one per sheet holding a recognised table (only
    `sheet`'s if given), with the sheets skipped and why; raises NotATable as `read` does."""
    limits = limits or ImportLimits()
    if _is_workbook(content, file_name):
        return _read_book(content, file_name, sheet, include_hidden, every=True, limits=limits)
    return Tables([_read_text(content, file_name, encoding, limits)])


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


def _read_text(content: bytes, file_name: str, encoding: str | None, limits: ImportLimits) -> RawTable:
    # Decoding a large file whole only to check it costs more than parsing it: the encoding of its start
    # is taken for the file, and pyarrow checks the rest.
    whole = encoding is not None or content.startswith((b"\xff\xfe", b"\xfe\xff"))
    head, codec = decode(content, encoding) if whole else decode(_start(content))
    if "\x00" in head[:65536] or sum(ch == "\ufffd" for ch in head[:4096]) > 8:
        raise NotATable("not-a-table", "binary")
    lines = content.count(b"\n")
    if lines > limits.max_text_rows:
        raise _over("too-many-rows", "max_text_rows", lines, limits.max_text_rows)
    delimiter, head_rows, spans = _sniff(_lines_from(head))
    header_index = _find_header(head_rows)
    headers = [h.strip().lstrip("\ufeff") for h in head_rows[header_index]]
    width = len(headers)
    if width > limits.max_columns:
        raise _over("too-many-columns", "max_columns", width, limits.max_columns)
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
    """The first `size` bytes and the rest of the line they end in (a header of thousands of columns is
    longer than `size`), at most `_BLOCK_BYTES`; cut at a line end, so no character is split."""
    if len(content) <= size:
        return content
    end = content.find(b"\n", size - 1, _BLOCK_BYTES)
    if end >= 0:
        return content[: end + 1]
    cut = content.rfind(b"\n", 0, size)
    return content[: cut + 1] if cut > 0 else content[:size]


def _lines_from(text: str, size: int = 1 << 16) -> str:
    """The text the header is looked for in: its first `size` characters and the rest of the line they end
    in, at most `_BLOCK_BYTES` (the first rows, whole, however wide)."""
    if len(text) <= size:
        return text
    end = text.find("\n", size - 1, _BLOCK_BYTES)
    return text[: end + 1] if end >= 0 else text[:size]


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


def _read_book(
    content: bytes, file_name: str, sheet: str | None, include_hidden: bool, every: bool, limits: ImportLimits
) -> Tables:
    """The tables of a workbook: see `_book_tables`; refused before parsing when it is larger than a file
    may be (`_scan_book`)."""
    try:
        scans = _scan_book(content, limits)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, ValueError) as error:
        raise NotATable("not-a-table", "bad-xlsx", type(error).__name__) from error
    try:
        book, strings = _open_book(content, limits)
    except _XLSX_ERRORS as error:
        raise NotATable("not-a-table", "bad-xlsx", type(error).__name__) from error
    try:
        budget = _Budget(scans, limits, text=strings.nbytes if strings else 0)
        return _book_tables(book, file_name, sheet, include_hidden, every, budget)
    except _XLSX_ERRORS as error:
        raise NotATable("not-a-table", "bad-xlsx", type(error).__name__) from error
    finally:
        book.close()
        if strings is not None:
            strings.release()  # not when the workbook's objects (a cycle) are collected: the import needs the room


@dataclass
class _PartScan:
    """What one part of a workbook holds, counted in its XML as it is unpacked (`_scan_part`): rows, cells and
    shared strings (`<si>`); for a sheet also its cells holding a formula without a value (the first few, and
    how many) and the numbers of its hidden rows."""

    rows: int = 0
    cells: int = 0
    strings: int = 0
    formulas: list[str] = field(default_factory=list)
    formula_count: int = 0
    hidden: set[int] = field(default_factory=set)
    last_row: int = 0  # the number of the last row seen (a row without its number follows the one before)

    def feed(self, xml: bytes) -> None:
        """Count what `xml` holds: whole elements (a chunk as `_cut` leaves it, or a whole part)."""
        self.rows += xml.count(b"<row ") + xml.count(b"<row>") + xml.count(b"<row/>")
        self.cells += xml.count(b"<c ") + xml.count(b"<c>") + xml.count(b"<c/>")
        self.strings += xml.count(b"<si>") + xml.count(b"<si ")
        if b":row" in xml or b":c" in xml or b":si" in xml:
            for name in _PREFIXED.findall(xml):
                self.rows += name == b"row"
                self.cells += name == b"c"
                self.strings += name == b"si"
        if b"<f" in xml or b":f" in xml:
            self._formulas(xml)
        self._rows(xml)

    def _formulas(self, xml: bytes) -> None:
        # Excel's formulas giving "" are typed t="str" and saved with an empty value: computed, not missing.
        for attributes, empty_value in _FORMULA_CELL.findall(xml):
            if empty_value and _STRING_TYPE.search(attributes):
                continue
            self.formula_count += 1
            if len(self.formulas) < _LISTED:
                reference = _CELL_ATTR.search(attributes)
                self.formulas.append(reference.group(1).decode("ascii") if reference else "?")

    def _rows(self, xml: bytes) -> None:
        if b"hidden" not in xml:
            # Only the last row's number matters here; most rows state theirs.
            last = max(xml.rfind(b"<row ", -(1 << 16)), xml.rfind(b"<row>", -(1 << 16)))
            tag = _ROW_TAG.match(xml, last) if last >= 0 and xml.find(b":row", last) < 0 else None
            stated = _NUMBER_ATTR.search(tag.group(1)) if tag else None
            if stated:
                self.last_row = int(stated.group(1))
                return
        for attributes in _ROW_TAG.findall(xml):
            stated = _NUMBER_ATTR.search(attributes)
            self.last_row = int(stated.group(1)) if stated else self.last_row + 1
            if _HIDDEN.search(attributes):
                self.hidden.add(self.last_row)


def _scan_part(stream: io.BufferedIOBase, name: str = "") -> _PartScan:
    """`_PartScan` of a part's XML, read in chunks of `_SCAN_BYTES` (never more than a chunk and a tail in
    memory, however large it unpacks).

    An XML part (its first bytes but whitespace are "<") holding a stretch of more than `_GAP_BYTES` without
    markup across chunks is refused (`markup-gap`; within a chunk none is longer than the chunk): no cell's text
    is that long (Excel's longest is 32,767 characters), and openpyxl's parser would gather such a stretch of
    whitespace or text into one string, however large."""
    scan, tail, xml, gap = _PartScan(), b"", None, 0
    while chunk := stream.read(_SCAN_BYTES):
        if xml is None:
            xml = chunk.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"<", b"")
        first = chunk.find(b"<")
        if xml and gap + (len(chunk) if first < 0 else first) > _GAP_BYTES:
            raise NotATable("not-a-table", "markup-gap", name)
        gap = gap + len(chunk) if first < 0 else len(chunk) - chunk.rfind(b"<") - 1
        text = tail + chunk
        cut = _cut(text)
        scan.feed(text[:cut])
        tail = text[cut:]
    scan.feed(tail)
    return scan


def _cut(text: bytes) -> int:
    """Where to cut a chunk of XML so that what is counted stays whole: after the last cell's end tag near the
    chunk's end (a formula cell is matched whole), else before the cell it ends in, else before a tag it cuts.
    What is left for the next chunk is at most `_TAIL_BYTES` (longer cells and tags may be cut: a cell of that
    size is no formula without a value, a tag none counted)."""
    window = max(len(text) - _TAIL_BYTES, 0)
    ends = [match.end() for match in _CELL_END.finditer(text, window)]
    if ends:
        return ends[-1]
    starts = [match.start() for match in _CELL_START.finditer(text, window)]
    if starts:
        return starts[-1]
    tag = text.rfind(b"<", window)
    return tag if tag >= 0 and text.find(b">", tag) < 0 else len(text)


def _scan_book(content: bytes, limits: ImportLimits) -> dict[str, _PartScan]:
    """Refuse a workbook over its `limits` before anything is parsed: its parts unpack to more than
    `max_unpacked_mb`, a large part packs tighter than `max_packing_ratio`, a part holds more rows than a sheet
    may, or its parts hold more cells (or shared strings) than `max_sheet_cells` all together; counted in
    every part's XML as it is unpacked, in chunks (a sheet may be stored under any name). Returns what each
    part holds, by its name in the archive."""
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        parts = book.infolist()
        unpacked = sum(p.file_size for p in parts)
        if unpacked > limits.max_unpacked_bytes:
            raise _over("too-large", "max_unpacked_mb", -(-unpacked >> 20), limits.max_unpacked_mb)
        for part in parts:
            ratio = -(-part.file_size // max(part.compress_size, 1))
            if part.file_size > _RATIO_FROM_BYTES and ratio > limits.max_packing_ratio:
                raise _over("too-tight", "max_packing_ratio", ratio, limits.max_packing_ratio, part.filename)
        scans: dict[str, _PartScan] = {}
        cells = strings = 0
        for part in parts:
            with book.open(part) as stream:
                scan = scans[part.filename] = _scan_part(stream, part.filename)
            cells, strings = cells + scan.cells, strings + scan.strings
            if scan.rows > limits.max_sheet_rows:
                raise _over("too-many-rows", "max_sheet_rows", scan.rows, limits.max_sheet_rows, part.filename)
            if cells > limits.max_sheet_cells:
                raise _over("too-many-cells", "max_sheet_cells", cells, limits.max_sheet_cells)
            if strings > limits.max_sheet_cells:
                raise _over("too-many-strings", "max_sheet_cells", strings, limits.max_sheet_cells)
    return scans


@dataclass
class _Budget:
    """What the sheets of one workbook may still take as they are read: their parts' scans, and the cells
    (rows × columns, empty ones included: a row's one cell in column XFD is 16,384 cells to a table) and text
    (UTF-8 bytes; from the shared strings' own, `_SharedStrings.nbytes`) that all their tables hold together."""

    scans: dict[str, _PartScan]
    limits: ImportLimits
    cells: int = 0
    text: int = 0

    def scan(self, ws) -> _PartScan:
        path = getattr(ws, "_worksheet_path", None)
        if path not in self.scans:  # not a part of the archive as named: read it as openpyxl does
            with ws._get_source() as source:
                self.scans[path] = _scan_part(source, str(path))
        return self.scans[path]


def _book_tables(book, file_name: str, sheet: str | None, include_hidden: bool, every: bool, budget: _Budget) -> Tables:
    """The named `sheet`'s table; else one per visible sheet holding a recognised table, in workbook order
    (the first only, unless `every`), with the sheets skipped and why; else the first visible sheet's."""
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    if sheet is not None and sheet not in book.sheetnames:
        raise NotATable("not-a-table", "no-sheet", f"{sheet} ∉ {', '.join(book.sheetnames)}")
    if not book.worksheets:
        raise NotATable("no-data", "empty")
    date1904 = book.epoch == CALENDAR_MAC_1904

    def table(ws, rows: Iterable[tuple[int, list[str | None]]]) -> RawTable:
        return _sheet_table(ws, rows, file_name, include_hidden, date1904, budget)

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


def _open_book(content: bytes, limits: ImportLimits):
    """openpyxl's read-only workbook of `content`, and the bytes its shared strings take, kept compact
    (`_SharedStrings`)."""
    from openpyxl.reader.excel import ExcelReader  # imported here: only Excel uploads need openpyxl
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet
    from openpyxl.xml.constants import SHARED_STRINGS

    class Sheet(ReadOnlyWorksheet):
        def _get_size(self) -> None:
            """Nothing: openpyxl reads a sheet without its stated size (<dimension>) to its end for it, and the
            rows are read here without it (`_sheet_rows`)."""

    class Reader(ExcelReader):
        def read_strings(self) -> None:
            found = self.package.find(SHARED_STRINGS)
            if found is not None:
                with self.archive.open(found.PartName[1:]) as source:
                    self.shared_strings = _SharedStrings(source, limits)

        def read_worksheets(self) -> None:
            # openpyxl's, read-only: each sheet named with its part, nothing parsed yet (chart sheets left out).
            for sheet, relation in self.parser.find_sheets():
                if relation.target in self.valid_files and "chartsheet" not in relation.Type:
                    ws = Sheet(self.wb, sheet.name, relation.target, self.shared_strings)
                    ws.sheet_state = sheet.state
                    self.wb._sheets.append(ws)

    reader = Reader(io.BytesIO(content), read_only=True, data_only=True)
    reader.read()
    strings = reader.shared_strings
    return reader.wb, strings if isinstance(strings, _SharedStrings) else None


class _SharedStrings(Sequence[str]):
    """A workbook's shared strings (text that cells refer to by number) as one UTF-8 buffer and where each
    ends: 8 bytes beside its text each, where openpyxl's list of Python strings (with the parsed XML elements
    it keeps) takes about 150; a sheet of a million answers, each with its own id, holds a million. Refused
    as soon as they take more than the workbook's text may (`max_text_mb`)."""

    def __init__(self, source: io.BufferedIOBase, limits: ImportLimits) -> None:
        from openpyxl.cell.text import Text
        from openpyxl.xml.constants import SHEET_MAIN_NS

        plain = f"{{{SHEET_MAIN_NS}}}t"
        data, ends = bytearray(), array.array("q")
        for element in _elements(source, f"{{{SHEET_MAIN_NS}}}si"):
            # As openpyxl reads them (`read_string_table`): the text of every run, its escapes undone; a plain
            # text (one <t>, as nearly every one is) straight from it, five times faster.
            only = element[0] if len(element) == 1 else None
            text = (only.text or "") if only is not None and only.tag == plain else Text.from_tree(element).content
            data += text.replace("x005F_", "").encode()
            ends.append(len(data))
            if len(data) + 8 * len(ends) > limits.max_text_bytes:
                found = -(-(len(data) + 8 * len(ends)) >> 20)
                raise _over("too-much-text", "max_text_mb", found, limits.max_text_mb)
        self._data, self._ends = memoryview(data), ends

    @property
    def nbytes(self) -> int:
        return len(self._data) + 8 * len(self._ends)

    def release(self) -> None:
        """Let go of the text (the workbook is read): an emptied table, at once."""
        self._data.release()
        self._data, self._ends = memoryview(b""), array.array("q")

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, index: int) -> str:  # type: ignore[override]
        end = self._ends[index]  # an IndexError out of range, as a list's
        return str(self._data[self._ends[index - 1] if index else 0 : end], "utf-8")


def _elements(source: io.BufferedIOBase, tag: str) -> Iterator:
    """The elements `tag` of an XML stream as each ends, each dropped from the tree once the caller moves on:
    ElementTree keeps every element parsed (emptied or not) in its parent until the document ends."""
    from openpyxl.xml.functions import iterparse  # openpyxl's choice of parser

    parents = []
    for event, element in iterparse(source, events=("start", "end")):
        if event == "start":
            parents.append(element)
            continue
        parents.pop()
        if element.tag == tag:
            yield element
            element.clear()
            if parents:
                parents[-1].remove(element)


def _sheet_rows(ws) -> Iterator[tuple[int, list[str | None]]]:
    """Each row of a sheet as (its row number, its cells as text; a row missing from the XML as none).

    openpyxl's own parser reads each row's cells (types, dates, shared and inline strings), in a leaner loop
    than its read-only rows: each row's element is dropped once read, no cell object is made, and no row's
    height or style is kept (openpyxl keeps those of every row until the sheet ends: for a million rows with a
    height set, hundreds of MB)."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE
    from openpyxl.worksheet._reader import ROW_TAG, WorkSheetParser

    book = ws.parent
    formats: dict[int, str] = {}

    def number_format(style: int) -> str:
        if style not in formats:
            found = book._cell_styles[style].numFmtId
            builtin = found < BUILTIN_FORMATS_MAX_SIZE
            own = book._number_formats[found - BUILTIN_FORMATS_MAX_SIZE] if not builtin else None
            formats[style] = BUILTIN_FORMATS.get(found, "General") if builtin else own
        return formats[style]

    last = 0
    with ws._get_source() as source:
        parser = WorkSheetParser(
            source,
            ws._shared_strings,
            data_only=True,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        for element in _elements(source, ROW_TAG):
            number, cells = parser.parse_row(element)
            parser.row_dimensions.clear()
            for missing in range(last + 1, number):
                yield missing, []
            last = max(last, number)
            row: list[str | None] = [None] * max((cell["column"] for cell in cells), default=0)
            for cell in cells:
                row[cell["column"] - 1] = _cell_text(cell["value"], number_format(cell["style_id"]))
            yield number, row


def _filled(rows: Iterable[tuple[int, list[str | None]]]) -> bool:
    """Whether some row holds a cell."""
    return any(any(cell is not None for cell in cells) for _number, cells in rows)


def _sheet_table(
    ws, rows: Iterable[tuple[int, list[str | None]]], file_name: str, include_hidden: bool, date1904: bool, budget
) -> RawTable:
    """A sheet's rows as a table below its header, its hidden rows left out (or kept) and listed; refused when
    it holds formulas without values, or is wider or larger than its limits allow."""
    rows = iter(rows)
    head = list(itertools.islice(rows, _HEADER_SEARCH_ROWS))
    if not head:
        raise NotATable("no-data", "empty")
    # The sheet's XML as scanned before parsing (openpyxl's read-only rows say nothing of formulas or hidden rows).
    scan = budget.scan(ws)
    if scan.formula_count:
        raise NotATable("not-a-table", "formula-no-value", _listed(scan.formulas, scan.formula_count))
    header_index = _find_header([cells for _number, cells in head])
    header_number, header = head[header_index]
    columns = _Columns(max(len(cells) for _number, cells in head[: header_index + 1]), budget)
    hidden = []
    for number, cells in itertools.chain(head[header_index + 1 :], rows):
        if number in scan.hidden and any(cells):
            hidden.append(number)
            if not include_hidden:
                columns.widen(len(cells))  # the columns are the same, hidden rows left out or not
                continue
        columns.add(number, cells)
    table = columns.table()
    if table.num_rows == 0:
        raise NotATable("no-data", "hidden-only", _listed(hidden)) if hidden else NotATable("no-data", "header-only")
    return RawTable(
        file_name=file_name,
        format="xlsx",
        encoding=None,
        headers=[(h or "").strip() for h in header] + [""] * (columns.width - len(header)),
        header_row=header_number,
        table=table,
        sheet=ws.title,
        hidden_rows=hidden,
        date1904=date1904,
    )


class _Columns:
    """A sheet's rows below its header made Arrow string columns a chunk at a time (`_CHUNK_CELLS` cells or
    `_CHUNK_TEXT` bytes of text, whichever comes first), blank rows left out, with each row's number (`ROW`):
    Python lists of every cell of a million-row sheet would take gigabytes. When the chunks come to more than
    `_MAX_ARRAYS` arrays (a wide sheet: 16,384 of them a chunk, about 1 KB each however short), each column's
    are joined into one.

    Refused as the rows come: a row wider than `max_columns`; more cells (rows × the widest row, with the other
    sheets read) than `max_sheet_cells`; more text (UTF-8 bytes, a shared string counted in every cell that
    holds it, with the shared strings themselves) than `max_text_mb`, counted before any of it is copied."""

    def __init__(self, width: int, budget: _Budget) -> None:
        self.width = 0
        self.budget = budget
        self.limits = budget.limits
        self.rows = 0
        self.chunks: list[tuple[np.ndarray, list[pa.Array]]] = []
        self.arrays = 0  # in `chunks`
        self.numbers: list[int] = []
        self.pending: list[list[str | None]] = []
        self.cells = self.text = 0  # of `pending`
        self.widen(width)

    def widen(self, width: int) -> None:
        """Make the table at least `width` columns wide."""
        if width <= self.width:
            return
        if width > self.limits.max_columns:
            raise _over("too-many-columns", "max_columns", width, self.limits.max_columns)
        self.width = width

    def add(self, number: int, cells: list[str | None]) -> None:
        self.widen(len(cells))
        self.rows += 1
        grid = self.budget.cells + self.rows * self.width
        if grid > self.limits.max_sheet_cells:
            raise _over("too-large-grid", "max_sheet_cells", grid, self.limits.max_sheet_cells)
        if not any(cells):  # a cell is None or text, never ""
            return
        text = sum(map(len, map(str.encode, filter(None, cells))))
        self.budget.text += text
        if self.budget.text > self.limits.max_text_bytes:
            found = -(-self.budget.text >> 20)
            raise _over("too-much-text", "max_text_mb", found, self.limits.max_text_mb)
        self.numbers.append(number)
        self.pending.append(cells)
        self.cells += len(cells)
        self.text += text
        if self.cells >= _CHUNK_CELLS or self.text >= _CHUNK_TEXT:
            self._flush()

    def _flush(self) -> None:
        if not self.pending:
            return
        width = max(len(cells) for cells in self.pending)
        rows = [cells if len(cells) == width else cells + [None] * (width - len(cells)) for cells in self.pending]
        arrays = [pa.array(column, type=pa.string()) for column in zip(*rows, strict=True)]
        self.chunks.append((np.asarray(self.numbers, dtype=np.int64), arrays))
        self.arrays += len(arrays)
        self.numbers, self.pending, self.cells, self.text = [], [], 0, 0
        if self.arrays > _MAX_ARRAYS:
            self.chunks = [self._joined()]
            self.arrays = len(self.chunks[0][1])

    def _joined(self) -> tuple[np.ndarray, list[pa.Array]]:
        """The chunks as one: each column's arrays joined (a column a chunk lacks is null there)."""
        numbers = np.concatenate([numbers for numbers, _arrays in self.chunks])
        arrays = []
        for i in range(max(len(arrays) for _numbers, arrays in self.chunks)):
            parts = [a[i] if i < len(a) else pa.nulls(len(n), pa.string()) for n, a in self.chunks]
            arrays.append(pa.concat_arrays(parts))
        return numbers, arrays

    def table(self) -> pa.Table:
        self._flush()
        self.budget.cells += self.rows * self.width
        columns = {ROW: pa.chunked_array([numbers for numbers, _arrays in self.chunks], type=pa.int64())}
        for i, name in enumerate(column_names(self.width)):
            columns[name] = pa.chunked_array(
                [
                    arrays[i] if i < len(arrays) else pa.nulls(len(numbers), pa.string())
                    for numbers, arrays in self.chunks
                ],
                type=pa.string(),
            )
        return pa.table(columns)


def _hidden_rows(xml: bytes) -> set[int]:
    """The numbers of the rows a sheet's XML marks hidden (a row without its number follows the one before)."""
    scan = _PartScan()
    scan.feed(xml)
    return scan.hidden
