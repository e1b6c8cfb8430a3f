"""What one file may hold before it is read (导入限制): a "bomb" file (a few kilobytes that unpack to gigabytes,
a million rows of nothing, one long text repeated in every cell) would otherwise take the server's memory.

The reader (`reader.py`) checks each limit before it parses anything, or as it reads, before anything is
copied: a CSV's lines (counted in its bytes) and a table's columns (its header, or a sheet's widest row); a
workbook's size unpacked, how much tighter than a spreadsheet's own a large part packs, each sheet's rows, and
the cells of all its sheets (counted in the XML as it is unpacked, in chunks; a table's rows × columns, empty
cells too, are held to the same limit); and the text a workbook's tables hold (its shared strings, and every
cell's text, a shared string counted in every cell that holds it). A file over a limit is refused with a
sentence naming the limit, the file's figure and where to change the limit (设置 → 导入限制); nothing of it is
stored.

The limits are a setting (`analytics.settings.load_import_limits`, edited on the Settings page, read by the
import page and `python -m analytics import`), passed to the reader in `ImportOptions.limits`. Each has a
range, at least 1 (2 columns: a table's header has two) and at most what keeps the server safe, measured by
`bench/xlsx_bench.py` (bench/RESULTS.md, 2026-12-01): no workbook within the defaults took more than 1 GB.

* rows and columns at most what Excel itself allows (1,048,576 rows, 16,384 columns);
* cells at most 20 million: a million responses of 20 columns peak at about 0.9 GB;
* text at most 256 MB: a million responses, each with its own comment of 30 Chinese characters (251 MB of
  text), peak at 0.95 GB;
* unpacked size at most 1 GiB: nothing is held whole, so this bounds the time a file takes to check;
* lines of a CSV at most 10 million: a 302 MiB CSV of 8.8 million lines peaked at 1.5 GB (CSV is read whole,
  and is held to the page's upload limit; the text limit is a workbook's);
* the packing ratio at most 1,000 (Excel's own sheets pack 5–20 times; whatever the ratio, nothing unpacks
  beyond the unpacked size).

The defaults are the upper bounds, but for the sheet rows (1,000,000) and the packing ratio (100).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

EXCEL_ROWS = 1_048_576
EXCEL_COLUMNS = 16_384


class ImportLimits(BaseModel):
    """The limits one file is held to (see the module docstring); stored under the settings key `import_limits`."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    max_text_rows: int = Field(10_000_000, ge=1, le=10_000_000, description="lines of a CSV or text file")
    max_columns: int = Field(EXCEL_COLUMNS, ge=2, le=EXCEL_COLUMNS, description="columns of a table")
    max_sheet_rows: int = Field(1_000_000, ge=1, le=EXCEL_ROWS, description="rows of a workbook's sheet")
    max_sheet_cells: int = Field(20_000_000, ge=1, le=20_000_000, description="cells of a workbook's sheet")
    max_unpacked_mb: int = Field(1024, ge=1, le=1024, description="MiB a workbook's parts unpack to in all")
    max_packing_ratio: int = Field(100, ge=1, le=1000, description="unpacked ÷ packed size of a large part")
    max_text_mb: int = Field(256, ge=1, le=256, description="MiB of text a workbook's tables hold in all")

    @property
    def max_unpacked_bytes(self) -> int:
        return self.max_unpacked_mb << 20

    @property
    def max_text_bytes(self) -> int:
        return self.max_text_mb << 20
