"""Tables as downloadable files (CSV that Excel opens with Chinese intact, and XLSX) and as printed (a static
HTML table the page shows only on paper, where its scrolling grid would print ten rows and lose the right edge).

An Excel file carries a title block above its table (what it is, period, scope, filters, when it was made:
`title_rows`) and may fill cells with colours (the scorecard's red, amber and green); a CSV file is the table
alone, so that it parses as one.

Both files neutralise spreadsheet formulas ("CSV injection"): a text cell (or column name) starting with `=`,
`+`, `-` or `@` (or a tab or carriage return, which Excel also strips before reading a formula) gets a leading
single quote, so `=1+1` arrives as the text `'=1+1` instead of running. Numbers are left alone: a
negative number is not a formula. Uploaded files are untrusted, and error lists quote their cells.

A printed table shows each cell as the page's grid does (a print is the page on paper, not a file a spreadsheet
opens): every header and cell is HTML-escaped text, so a name like `<b>x</b>` or `**x**` prints as typed.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from analytics.i18n import t

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """`value` with a leading `'` if it is text a spreadsheet would read as a formula; anything else as is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralised(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of `df` whose text cells and column names cannot run as formulas."""
    out = df.copy()
    for column in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[column]) or pd.api.types.is_datetime64_any_dtype(out[column])):
            out[column] = out[column].map(neutralise, na_action="ignore")
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV in UTF-8 with a byte-order mark (so Excel reads the Chinese right), formulas neutralised."""
    return neutralised(df).to_csv(index=False).encode("utf-8-sig")


def to_excel_bytes(
    df: pd.DataFrame,
    sheet: str = "Sheet1",
    title_rows: Sequence[tuple[str, str]] | None = None,
    fills: pd.DataFrame | None = None,
) -> bytes:
    """An XLSX workbook of `df` on one sheet, formulas neutralised (openpyxl would store `=…` as a formula).

    Above the table, `title_rows` (label, value: `title_rows()`), then a blank row, then the header; without
    them the header is the first row. A cell whose `fills` entry (same rows, some of the same columns) is a
    `#RRGGBB` colour is filled with it. Columns are as wide as their contents (within reason) and the header
    row stays in view when scrolling."""
    title_rows = list(title_rows or [])
    header = len(title_rows) + 2 if title_rows else 1  # the header's row number
    name = sheet[:31]
    out = io.BytesIO()
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        shown = neutralised(df)
        shown.to_excel(writer, sheet_name=name, index=False, startrow=header - 1)
        book = writer.sheets[name]
        for row, (label, value) in enumerate(title_rows, start=1):
            book.cell(row=row, column=1, value=neutralise(label)).font = Font(bold=True)
            book.cell(row=row, column=2, value=neutralise(value))
        for j, column in enumerate(df.columns, start=1):
            for i, colour in enumerate(_colours(fills, column, len(df))):
                if colour:
                    book.cell(row=header + 1 + i, column=j).fill = PatternFill("solid", fgColor=colour[1:].upper())
        labels = [label for label, _ in title_rows]
        for j, column in enumerate(shown.columns, start=1):
            texts = [str(column), *(labels if j == 1 else [])]
            texts += [_excel_text(v) for v in shown[column].head(EXCEL_WIDTH_ROWS)]
            width = max(_display_width(text) for text in texts) + 2
            book.column_dimensions[get_column_letter(j)].width = min(max(width, 8), 60)
        book.freeze_panes = book.cell(row=header + 1, column=1)
    return out.getvalue()


EXCEL_WIDTH_ROWS = 2000  # rows read to size a column (the rest are alike)


def _excel_text(value: object) -> str:
    """About what Excel shows of a cell, to size its column: numbers to four decimals at most."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)


def _display_width(text: str) -> float:
    """The width of `text` in Excel's character units: a Chinese character two, anything else one."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def title_rows(
    what: str,
    lang: str,
    generated: dt.datetime,
    period: str | None = None,
    scope: str | None = None,
    filters: Sequence[tuple[str, str]] = (),
) -> list[tuple[str, str]]:
    """The title block above a table in its Excel download, in `lang`: what the table is, the period it covers,
    its scope (the hospital, a category, a branch, a department), the filters in force (label and value each)
    and when the file was made; as (label, value) rows."""
    rows = [(t("export.table", lang), what)]
    if period:
        rows.append((t("export.period", lang), period))
    if scope:
        rows.append((t("export.scope", lang), scope))
    if filters:
        shown = [t("export.filter", lang, label=label, value=value) for label, value in filters]
        rows.append((t("export.filters", lang), t("export.filter_separator", lang).join(shown)))
    rows.append((t("export.generated", lang), generated.strftime("%Y-%m-%d %H:%M")))
    return rows


# --- Printing ------------------------------------------------------------------------------------------------

HEX_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")


def cell_text(value: object, number_format: str | None = None, missing: str = "—") -> str:
    """`value` as a table shows it: `missing` for none, numbers in their printf-style format (`%.1f`, `%+.1f`,
    `%d`, `%g`, as the page's column formats) or with at most four decimals, a yes/no as the screen's tick box
    shows it (✓, or nothing: not "True"/"False" in a Chinese page), anything else as text."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return missing
    if isinstance(value, bool | np.bool_):
        return "✓" if value else ""
    if isinstance(value, int | float) or pd.api.types.is_number(value):
        if number_format:
            return number_format % value
        if float(value).is_integer():
            return str(int(value))
        return f"{float(value):.4f}".rstrip("0").rstrip(".")
    if isinstance(value, pd.Timestamp):
        return value.isoformat(sep=" ") if value.time() != pd.Timestamp(0).time() else value.date().isoformat()
    return str(value)


def to_print_html(
    df: pd.DataFrame,
    formats: Mapping[str, str] | None = None,
    fills: pd.DataFrame | None = None,
    note: str | None = None,
) -> str:
    """`df` as a plain HTML table for printing: every header and cell escaped text (`cell_text`, with the
    printf-style `formats` by column), numbers right-aligned, and a background colour where `fills` (same
    rows, some of the same columns) holds one (`#RRGGBB`, anything else ignored). `note` (escaped) follows
    the table, e.g. to say that rows were left out."""
    formats = formats or {}
    columns = list(df.columns)
    texts = [[cell_text(v, formats.get(c)) for v in df[c]] for c in columns]
    numeric = [pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c]) for c in columns]
    size = "wide" if len(columns) >= WIDE_TABLE else ""
    widths = _min_widths([str(c) for c in columns], texts, PRINT_ROOM_EM[size])
    # A cell's own min-width does not hold in a table laid out by its contents; a block inside the heading does.
    head = "".join(
        f'<th><div style="min-width:{w:.1f}em">{html.escape(str(c))}</div></th>'
        for c, w in zip(columns, widths, strict=True)
    )
    colours = [_colours(fills, c, len(df)) for c in columns]
    rows = []
    for i in range(len(df)):
        cells = []
        for j in range(len(columns)):
            attributes = ' class="n"' if numeric[j] else ""
            if colours[j][i]:
                attributes += f' style="background-color:{colours[j][i]}"'
            cells.append(f"<td{attributes}>{html.escape(texts[j][i])}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    after = f'<p class="pbi-print-note">{html.escape(note)}</p>' if note else ""
    body = "".join(rows)
    return f'<table class="pbi-print-table {size}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{after}'


# The printed table's room in em of its type: A4 less the page margins (186 mm) is 66 em of 8 pt, 81 em of the
# 6.5 pt a table of many columns is printed in; a little less for the borders. Each column's text has its
# width less the cell's padding (3 pt a side). Widths are floors: the browser gives a column more where the
# room allows, and breaks inside a word rather than cut the table at the edge.
PRINT_ROOM_EM = {"": 64.0, "wide": 78.0}
PADDING_EM = 0.8
WIDE_TABLE = 14  # columns, from which a table is printed in the smaller type
PROSE_EM = 14.0  # the floor of a column of sentences (explanations, findings)
_TOKEN = re.compile(r"[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]+")


def _min_widths(headers: list[str], texts: list[list[str]], room: float) -> list[float]:
    """Each column's least text width in em: enough not to break a number, a period or a code (`2023Q1`,
    `-16.0`) or a heading's word of up to four characters, and PROSE_EM for a column of sentences; the others
    scaled down together when the columns would not fit the page."""
    floors, prose = [], []
    for header, cells in zip(headers, texts, strict=True):
        heading = min(_em(max(header.split() or [""], key=_em)), 4.0)
        longest = max(_TOKEN.findall("\n".join(cells)), key=len, default="")
        floors.append(max(heading, min(_em(longest), 10.0)))
        prose.append(bool(cells) and sum(map(len, cells)) / len(cells) > 20)  # 20 characters on average
    room -= PADDING_EM * len(headers)
    sentences = min(PROSE_EM, room / 2 / sum(prose)) if any(prose) else 0.0
    left = room - sentences * sum(prose)
    others = sum(f for f, is_prose in zip(floors, prose, strict=True) if not is_prose)
    scale = min(1.0, left / others) if others else 1.0
    # Up to the next tenth, so the text fits; down, when the columns share too little room (and PRINT_ROOM_EM
    # leaves the tenths room to spare).
    rounded = math.ceil if scale == 1 else math.floor
    return [
        math.floor(sentences * 10) / 10 if is_prose else rounded(f * scale * 10) / 10
        for f, is_prose in zip(floors, prose, strict=True)
    ]


def _em(text: str) -> float:
    """The printed width of `text` in em: a Chinese character 1, anything else about 0.55."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text)


def _colours(fills: pd.DataFrame | None, column: object, n: int) -> list[str | None]:
    """The background colour of each of the `n` rows in `column` (by position), where `fills` gives a plain
    #RRGGBB; None elsewhere."""
    values = list(fills[column])[:n] if fills is not None and column in fills.columns else []
    values += [None] * (n - len(values))
    return [c if isinstance(c, str) and HEX_COLOUR.fullmatch(c) else None for c in values]
