"""Tables as downloadable files: CSV that Excel opens with Chinese intact, and XLSX.

Both neutralise spreadsheet formulas ("CSV injection"): a text cell (or column name) starting with `=`, `+`,
`-` or `@` (or a tab or carriage return, which Excel also strips before reading a formula) gets a leading
single quote, so `=1+1` arrives as the text `'=1+1` instead of running. Numbers are left alone: a
negative number is not a formula. Uploaded files are untrusted, and error lists quote their cells.
"""

from __future__ import annotations

import io

import pandas as pd

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


def to_excel_bytes(df: pd.DataFrame, sheet: str = "Sheet1") -> bytes:
    """An XLSX workbook of `df` on one sheet, formulas neutralised (openpyxl would store `=…` as a formula)."""
    out = io.BytesIO()
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        neutralised(df).to_excel(writer, sheet_name=sheet[:31], index=False)
    return out.getvalue()
