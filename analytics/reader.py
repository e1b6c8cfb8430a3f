"""Reading an uploaded file: format, encoding, delimiter, the header row below any title rows.

CSV/TSV text is decoded here (UTF-8, UTF-8 with BOM, GBK, GB18030; DuckDB's own GBK support would need an
extension downloaded at run time) and handed to DuckDB as a UTF-8 file; XLSX is read with openpyxl.
Either way the importer gets every cell as text, and each row keeps the row number a spreadsheet user
sees (Excel row, or line number with the header as its own row).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analytics.fields import looks_like_header

ENCODINGS = {
    "utf-8": "utf-8",
    "utf8": "utf-8",
    "utf-8-sig": "utf-8-sig",
    "gbk": "gbk",
    "gb2312": "gbk",
    "gb18030": "gb18030",
    "utf-16": "utf-16",
}
_HEADER_SEARCH_ROWS = 15
_BLANK_LINE = re.compile(r"^(?=\r?\n)", re.MULTILINE)
# A cell that opens a quote and reaches the end of its line without closing it ("" is an escaped quote).
_QUOTED_NEWLINE = re.compile(r'(?:^|[,\t;])"(?:[^"\n]|"")*\r?\n', re.MULTILINE)


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
    """A file's cells as text, ready to stage: a UTF-8 CSV (`csv_path`) or the rows of a sheet (`rows`)."""

    file_name: str
    format: str  # 'csv', 'tsv' or 'xlsx'
    encoding: str | None
    headers: list[str]
    header_row: int  # 1-based row number of the header in the file
    delimiter: str = ","
    quoted_newlines: bool = False  # a quoted cell spans lines: DuckDB must read it single-threaded
    csv_path: Path | None = None
    rows: pd.DataFrame | None = None
    sheet: str | None = None
    warnings: list[str] = field(default_factory=list)


def decode(content: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Text and the encoding it was read with: the one given, else UTF-8 (BOM or not), GBK, GB18030."""
    if encoding:
        codec = ENCODINGS.get(encoding.lower().replace("_", "-"))
        if codec is None:
            raise ValueError(f"unknown encoding {encoding!r}; use one of {', '.join(sorted(set(ENCODINGS)))}")
        try:
            return content.decode(codec), codec
        except UnicodeDecodeError as error:
            raise NotATable("not-a-table", "undecodable", f"{codec}, byte {error.start}") from error
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text" export
        return content.decode("utf-16"), "utf-16"
    for codec in ("utf-8", "gbk", "gb18030"):
        try:
            return content.decode(codec), codec
        except UnicodeDecodeError:
            continue
    raise NotATable("not-a-table", "undecodable", "UTF-8 / GBK / GB18030")


def read(
    content: bytes, file_name: str, workdir: Path, encoding: str | None = None, sheet: str | None = None
) -> RawTable:
    """Read `content` as a table; raises NotATable for files that are not one (or hold no data rows)."""
    if not content[:65536].strip() and not content.strip():
        raise NotATable("no-data", "empty")
    if content[:4] == b"PK\x03\x04" or file_name.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(content, file_name, sheet)
    if content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or file_name.lower().endswith(".xls"):
        raise NotATable("not-a-table", "xls")
    if b"\x00" in content[:4096] and not content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise NotATable("not-a-table", "binary")
    return _read_text(content, file_name, workdir, encoding)


def _find_header(rows: list[list[object]]) -> int:
    """Index of the header among the first rows: the first with two or more known field names, else the
    first with as many filled cells as the widest row (title rows above a header have one)."""
    candidates = rows[:_HEADER_SEARCH_ROWS]
    for index, cells in enumerate(candidates):
        if looks_like_header(cells) >= 2:
            return index
    widths = [sum(1 for c in cells if c is not None and str(c).strip()) for cells in candidates]
    if not widths or max(widths) < 2:
        raise NotATable("not-a-table", "no-header")
    return widths.index(max(widths))


def _read_text(content: bytes, file_name: str, workdir: Path, encoding: str | None) -> RawTable:
    text, codec = decode(content, encoding)
    if "\x00" in text[:65536] or sum(ch == "\ufffd" for ch in text[:4096]) > 8:
        raise NotATable("not-a-table", "binary")
    head_lines = text[:65536].splitlines()[: _HEADER_SEARCH_ROWS + 1]
    delimiter = max("\t,;", key=lambda d: sum(line.count(d) for line in head_lines[:5]))
    head = list(csv.reader(head_lines, delimiter=delimiter))
    header_index = _find_header(head)
    headers = [h.strip().lstrip("\ufeff") for h in head[header_index]]
    if not any(any(cell.strip() for cell in row) for row in head[header_index + 1 :]) and len(head_lines) < 50:
        raise NotATable("no-data", "header-only")
    # DuckDB's CSV reader skips blank lines, but a spreadsheet counts them as rows: keep them as empty rows.
    quoted_newlines = '"' in text and _QUOTED_NEWLINE.search(text) is not None
    # Where a quoted cell spans lines, a blank line may be inside it: leave such (rare) files as they are.
    blank_lines = not quoted_newlines and ("\n\n" in text or "\n\r\n" in text)
    if blank_lines:
        text = _BLANK_LINE.sub(delimiter * (len(headers) - 1), text)
    path = workdir / f"{len(list(workdir.iterdir()))}.csv"
    if codec in ("utf-8", "utf-8-sig") and not blank_lines:
        path.write_bytes(content)  # already UTF-8: no need to encode the text again (DuckDB skips a BOM)
    else:
        path.write_text(text, encoding="utf-8")
    return RawTable(
        file_name=file_name,
        format="tsv" if delimiter == "\t" else "csv",
        encoding=codec,
        headers=headers,
        header_row=header_index + 1,
        delimiter=delimiter,
        quoted_newlines=quoted_newlines,
        csv_path=path,
    )


def _cell_text(value: object, number_format: str | None = None) -> str | None:
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool) and number_format and "%" in number_format:
        return f"{value * 100:g}%"  # a cell showing 95.2% holds 0.952
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(content: bytes, file_name: str, sheet: str | None) -> RawTable:
    import openpyxl  # imported here: only Excel uploads need it

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise NotATable("not-a-table", "bad-xlsx", type(error).__name__) from error
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise NotATable("not-a-table", "no-sheet", f"{sheet} ∉ {', '.join(book.sheetnames)}")
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        rows = [[_cell_text(c.value, c.number_format) for c in row] for row in ws.iter_rows(min_row=1)]
    finally:
        book.close()
    if not rows:
        raise NotATable("no-data", "empty")
    header_index = _find_header(rows)
    headers = [(h or "").strip() for h in rows[header_index]]
    width = len(headers)
    body = [(r + [None] * width)[:width] for r in rows[header_index + 1 :]]
    if not any(any(c is not None and c.strip() for c in r) for r in body):
        raise NotATable("no-data", "header-only")
    frame = pd.DataFrame(body, columns=[f"column{i}" for i in range(width)], dtype=object)
    return RawTable(
        file_name=file_name,
        format="xlsx",
        encoding=None,
        headers=headers,
        header_row=header_index + 1,
        rows=frame,
        sheet=ws.title,
    )
