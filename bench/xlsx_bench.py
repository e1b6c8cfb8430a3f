"""Benchmark: peak memory of importing XLSX workbooks up to the import limits (issue 11, 导入限制).

    python bench/xlsx_bench.py [--out DIR] [--only NAME ...] [--regenerate]

Each workbook is generated once into --out (default: pbi-xlsx-bench in the system's temp folder) and kept for
later runs (`--regenerate` writes them anew). Each is then imported by the command line into a fresh database
holding the sample registers (D01–D06 resolve), `python -m analytics import --db <db> FILE --json`, in a
process of its own: its wall time and its peak RSS (`ru_maxrss` from `os.wait4`, the whole process) are what
the table reports, with what the import did (rows stored, or the refusal). The goal: no XLSX the default limits
let through takes more than 1 GB (1,024 MiB).

The workbooks are written as Excel writes them (rows and cells numbered, text in the shared-strings table,
times as date serials with a date format), streamed into the archive, so millions of rows take a minute or two:

* `responses_1m`: 999,999 satisfaction responses × 10 columns (answer id, time, department, population,
  overall score and five items): a sheet at the row limit (1,000,000 rows with its header), 10 M cells;
* `responses_20m_cells`: the same rows × 20 columns (every item, and four columns not imported): at the
  row and the cell limit (20,000,000 cells);
* `long_comments`: the 10-column responses with a comment of 30 Chinese characters of its own in each: about
  250 MB of text, just within the text limit (256 MB);
* `comments_20m_cells`: 999,999 rows × 20 columns of text found nowhere else in the sheet, as Excel writes
  it: unpacks to more than 1 GiB;
* `unique_strings_20m`: the same, 6 characters a cell and the cells' optional numbers left out, so that
  20 million shared strings fit in 1 GiB unpacked (no spreadsheet program writes this; a crafted file);
* `wide_16384_columns`: 1,220 rows × 16,384 columns (the column limit; 19,988,480 cells);
* `whitespace_1g`: a sheet of three rows and 1,000 MiB of spaces (a "zip bomb", 1 MiB packed);
* `whitespace_ratio_86`: three rows and 1,000 MiB of whitespace that packs about 86 times: under the packing
  ratio and the unpacked size, so it is read;
* `unpacked_1025m`: three rows and 1,025 MiB of whitespace: over the unpacked size;
* `shared_string_repeated`: one shared string of 32,767 characters (Excel's longest) in 2 cells of each of
  999,999 rows: a few MB that would make 65 GB of text;
* `one_cell_at_xfd`: 999,999 rows each holding one cell, in column XFD (16,384 columns to a table).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "tests" / "samples"
REGISTERS = ("branches_utf8bom.csv", "departments_gbk.csv")
GOAL_MIB = 1024
ROWS = 999_999  # data rows: with the header, the 1,000,000 rows a sheet may have
DEPARTMENTS = [f"D{i:02d}" for i in range(1, 7)]
POPULATIONS = ["门诊患者", "住院患者", "医务人员"]
ITEMS = ["就医环境", "医生沟通", "护士沟通", "等候时间", "隐私保护", "费用"]
ITEMS += ["薪酬福利", "职业发展", "工作环境", "上级关系", "同事关系"]
NOT_IMPORTED = {"来源渠道": ["微信", "短信", "现场扫码"], "年龄段": ["18-30", "31-45", "46-60", "60+"]}
NOT_IMPORTED |= {"性别": ["男", "女"], "就诊类型": ["初诊", "复诊"]}
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
EXCEL_EPOCH = dt.datetime(1899, 12, 30)


# --- Writing a workbook as Excel does ------------------------------------------------------------------


def _template() -> tuple[dict[str, bytes], str]:
    """The parts of a small workbook openpyxl wrote (styles with a date format, workbook, relations, content
    types with a shared-strings part), and the style index of its date-time cell."""
    book = openpyxl.Workbook()
    book.active.title = "满意度"
    book.active.append(["答卷编号", "提交时间"])
    book.active.append(["R1", dt.datetime(2024, 1, 1, 8, 30)])
    out = io.BytesIO()
    book.save(out)
    with zipfile.ZipFile(out) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    style = re.search(rb'<c r="B2" s="(\d+)"', parts["xl/worksheets/sheet1.xml"]).group(1).decode()
    # openpyxl writes text inline; Excel keeps it in the shared-strings part, which the workbook then names.
    if "xl/sharedStrings.xml" not in parts:
        relation = f'<Relationship Id="rIdStrings" Type="{RELATIONS}/sharedStrings" Target="sharedStrings.xml"/>'
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
        override = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{kind}"/>'
        rels, types = "xl/_rels/workbook.xml.rels", "[Content_Types].xml"
        parts[rels] = parts[rels].replace(b"</Relationships>", relation.encode() + b"</Relationships>")
        parts[types] = parts[types].replace(b"</Types>", override.encode() + b"</Types>")
    return parts, style


class Strings:
    """The shared-strings table being built: each text once, cells refer to it by index."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def __call__(self, text: str) -> int:
        found = self.index.get(text)
        if found is None:
            found = self.index[text] = len(self.index)
        return found

    def xml(self) -> Iterator[bytes]:
        yield f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN}">'.encode()
        batch = []
        for text in self.index:
            batch.append(f"<si><t>{text}</t></si>")
            if len(batch) == 10_000:
                yield "".join(batch).encode()
                batch = []
        yield ("".join(batch) + "</sst>").encode()


def write_workbook(path: Path, sheet: Callable[[Strings, str], Iterator[bytes]]) -> None:
    """An XLSX file whose one sheet's XML `sheet(strings, date_style)` yields, streamed into the archive."""
    parts, date_style = _template()
    strings = Strings()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            if name not in ("xl/worksheets/sheet1.xml", "xl/sharedStrings.xml"):
                archive.writestr(name, data)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            for chunk in sheet(strings, date_style):
                out.write(chunk)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as out:
            for chunk in strings.xml():
                out.write(chunk)


def sheet_xml(rows: Iterable[bytes], tail: Iterable[bytes] = ()) -> Iterator[bytes]:
    yield f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}"><sheetData>'.encode()
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == 2_000:
            yield b"".join(batch)
            batch = []
    yield b"".join(batch)
    yield from tail
    yield b"</sheetData></worksheet>"


def text_row(number: int, cells: list[str], strings: Strings) -> bytes:
    """A row of text cells, each by its shared string."""
    body = "".join(
        f'<c r="{get_column_letter(i + 1)}{number}" t="s"><v>{strings(c)}</v></c>' for i, c in enumerate(cells)
    )
    return f'<row r="{number}">{body}</row>'.encode()


def responses(columns: int) -> Callable[[Strings, str], Iterator[bytes]]:
    """999,999 satisfaction responses under a header, `columns` (10 or 20) columns each."""
    items = ITEMS[: columns - 5] if columns <= 16 else ITEMS
    extra = list(NOT_IMPORTED)[: max(columns - 5 - len(ITEMS), 0)]
    header = ["答卷编号", "提交时间", "科室编码", "调查对象", "总体满意度", *items, *extra]
    letters = [get_column_letter(i + 1) for i in range(len(header))]

    def sheet(strings: Strings, date_style: str) -> Iterator[bytes]:
        rng = random.Random(1)
        start = dt.datetime(2024, 1, 1)
        codes = {name: [strings(v) for v in values] for name, values in NOT_IMPORTED.items()}
        departments, populations = [strings(d) for d in DEPARTMENTS], [strings(p) for p in POPULATIONS]

        def rows() -> Iterator[bytes]:
            yield text_row(1, header, strings)
            for n in range(2, ROWS + 2):
                when = start + dt.timedelta(minutes=rng.randrange(366 * 24 * 60))
                serial = (when - EXCEL_EPOCH).total_seconds() / 86400
                cells = [
                    f'<c r="A{n}" t="s"><v>{strings(f"R{n:07d}")}</v></c>',
                    f'<c r="B{n}" s="{date_style}"><v>{serial!r}</v></c>',
                    f'<c r="C{n}" t="s"><v>{rng.choice(departments)}</v></c>',
                    f'<c r="D{n}" t="s"><v>{rng.choice(populations)}</v></c>',
                ]
                cells += [f'<c r="{letters[i]}{n}"><v>{rng.randint(1, 5)}</v></c>' for i in range(4, 5 + len(items))]
                cells += [
                    f'<c r="{letters[5 + len(items) + i]}{n}" t="s"><v>{rng.choice(codes[name])}</v></c>'
                    for i, name in enumerate(extra)
                ]
                yield f'<row r="{n}">{"".join(cells)}</row>'.encode()

        yield from sheet_xml(rows())

    return sheet


def comments(strings: Strings, _date_style: str) -> Iterator[bytes]:
    """999,999 rows × 20 columns under a header, each cell a text no other cell holds."""
    header = ["答卷编号", "科室编码", "调查对象", "总体满意度", *[f"备注{i}" for i in range(16)]]

    def rows() -> Iterator[bytes]:
        yield text_row(1, header, strings)
        for n in range(2, ROWS + 2):
            cells = [f"R{n:07d}", DEPARTMENTS[n % 6], POPULATIONS[n % 3], str(1 + n % 5)]
            yield text_row(n, cells + [f"意见{n}-{i}" for i in range(16)], strings)

    yield from sheet_xml(rows())


def unique_strings(strings: Strings, _date_style: str) -> Iterator[bytes]:
    """999,999 rows × 20 columns of 6-character texts found nowhere else, the cells without their optional
    numbers (`r`), so that 20 million distinct strings fit in 1 GiB unpacked."""

    def rows() -> Iterator[bytes]:
        yield text_row(1, ["答卷编号", "科室编码", "调查对象", "总体满意度", *[f"备注{i}" for i in range(16)]], strings)
        for n in range(2, ROWS + 2):
            cells = "".join(f'<c t="s"><v>{strings(f"{n:06x}{i:x}"[-7:])}</v></c>' for i in range(20))
            yield f"<row>{cells}</row>".encode()

    yield from sheet_xml(rows())


def long_comments(strings: Strings, date_style: str) -> Iterator[bytes]:
    """The 10-column responses, the last item replaced by a comment of 30 Chinese characters each answer has
    its own: about 250 MB of text in all, just within the text limit."""
    rng = random.Random(5)
    words = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    header = ["答卷编号", "提交时间", "科室编码", "调查对象", "总体满意度", *ITEMS[:4], "意见"]
    departments, populations = [strings(d) for d in DEPARTMENTS], [strings(p) for p in POPULATIONS]

    def rows() -> Iterator[bytes]:
        yield text_row(1, header, strings)
        for n in range(2, ROWS + 2):
            serial = 45292 + rng.randrange(366 * 24 * 60) / 1440
            comment = "".join(rng.choices(words, k=30))
            cells = [
                f'<c r="A{n}" t="s"><v>{strings(f"R{n:07d}")}</v></c>',
                f'<c r="B{n}" s="{date_style}"><v>{serial!r}</v></c>',
                f'<c r="C{n}" t="s"><v>{rng.choice(departments)}</v></c>',
                f'<c r="D{n}" t="s"><v>{rng.choice(populations)}</v></c>',
                *(f'<c r="{"EFGHI"[i]}{n}"><v>{rng.randint(1, 5)}</v></c>' for i in range(5)),
                f'<c r="J{n}" t="s"><v>{strings(comment)}</v></c>',
            ]
            yield f'<row r="{n}">{"".join(cells)}</row>'.encode()

    yield from sheet_xml(rows())


def wide(strings: Strings, _date_style: str) -> Iterator[bytes]:
    """1,220 rows × 16,384 columns: a response's columns, then numbers."""
    columns = 16_384
    letters = [get_column_letter(i + 1) for i in range(columns)]
    header = ["答卷编号", "提交时间", "科室编码", "调查对象", "总体满意度", *[f"指标{i}" for i in range(columns - 5)]]

    def rows() -> Iterator[bytes]:
        yield text_row(1, header, strings)
        for n in range(2, 1221):
            first = [f"R{n:07d}", f"2024/03/{1 + n % 28:02d} 10:15", DEPARTMENTS[n % 6], POPULATIONS[n % 3]]
            cells = [f'<c r="{letters[i]}{n}" t="s"><v>{strings(v)}</v></c>' for i, v in enumerate(first)]
            cells += [f'<c r="{letters[i]}{n}"><v>{(n * i) % 5 + 1}</v></c>' for i in range(4, columns)]
            yield f'<row r="{n}">{"".join(cells)}</row>'.encode()

    yield from sheet_xml(rows())


def three_rows(strings: Strings) -> Iterator[bytes]:
    header = ["答卷编号", "提交时间", "科室编码", "调查对象", "总体满意度"]
    yield text_row(1, header, strings)
    for n in range(2, 5):
        yield text_row(n, [f"R{n}", "2024/03/05 10:15", "D01", "门诊患者", "4"], strings)


def whitespace(mib: int, noise: int = 0) -> Callable[[Strings, str], Iterator[bytes]]:
    """Three rows, then `mib` MiB of whitespace: spaces, with `noise` tabs, line feeds or carriage returns
    scattered in each KiB (0: it packs a thousand times; 16: about 86 times)."""

    def sheet(strings: Strings, _date_style: str) -> Iterator[bytes]:
        rng = random.Random(3)
        blocks = []
        for _ in range(16):
            block = bytearray(b" " * (1 << 20))
            for _ in range(noise * 256):
                block[rng.randrange(len(block))] = rng.choice(b"\t\n\r")
            blocks.append(bytes(block))
        yield from sheet_xml(three_rows(strings), (blocks[i % 16] for i in range(mib)))

    return sheet


def repeated_shared_string(strings: Strings, _date_style: str) -> Iterator[bytes]:
    """999,999 rows of two cells, both the one shared string of 32,767 characters."""
    long = strings("长" * 32_767)

    def rows() -> Iterator[bytes]:
        yield text_row(1, ["答卷编号", "科室编码", "调查对象", "总体满意度"], strings)
        for n in range(2, ROWS + 2):
            yield f'<row r="{n}"><c r="A{n}" t="s"><v>{long}</v></c><c r="B{n}" t="s"><v>{long}</v></c></row>'.encode()

    yield from sheet_xml(rows())


def one_cell_at_xfd(strings: Strings, _date_style: str) -> Iterator[bytes]:
    def rows() -> Iterator[bytes]:
        yield text_row(1, ["答卷编号", "科室编码", "调查对象", "总体满意度"], strings)
        for n in range(2, ROWS + 2):
            yield f'<row r="{n}"><c r="XFD{n}"><v>1</v></c></row>'.encode()

    yield from sheet_xml(rows())


CASES: dict[str, tuple[Callable[[Strings, str], Iterator[bytes]], int, int]] = {
    # name: (sheet, rows with the header, cells)
    "responses_1m": (responses(10), ROWS + 1, (ROWS + 1) * 10),
    "responses_20m_cells": (responses(20), ROWS + 1, (ROWS + 1) * 20),
    "long_comments": (long_comments, ROWS + 1, (ROWS + 1) * 10),
    "comments_20m_cells": (comments, ROWS + 1, (ROWS + 1) * 20),
    "unique_strings_20m": (unique_strings, ROWS + 1, (ROWS + 1) * 20),
    "wide_16384_columns": (wide, 1220, 1220 * 16_384),
    "whitespace_1g": (whitespace(1000), 4, 20),
    "whitespace_ratio_86": (whitespace(1000, noise=16), 4, 20),
    "unpacked_1025m": (whitespace(1025), 4, 20),
    "shared_string_repeated": (repeated_shared_string, ROWS + 1, ROWS * 2 + 4),
    "one_cell_at_xfd": (one_cell_at_xfd, ROWS + 1, ROWS + 4),
}


# --- Measuring ---------------------------------------------------------------------------------------------


def run(*args: str) -> tuple[float, int, int, str]:
    """`python -m analytics …` in a process of its own: wall seconds, peak RSS (MiB), exit code, stdout."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen([sys.executable, "-m", "analytics", *args], cwd=ROOT, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text = out.read().decode(errors="replace") or err.read().decode(errors="replace")
    return seconds, usage.ru_maxrss // 1024, child.returncode, text


def verdict(code: int, output: str) -> str:
    """What the import did, from its --json report: rows stored, or the first error."""
    try:
        result = json.loads(output)
    except json.JSONDecodeError:
        return f"exit {code}: {output.strip().splitlines()[-1][:160] if output.strip() else '(no output)'}"
    files = result["files"]
    if result["ok"]:
        return f"stored {sum(f['rows'] for f in files):,} rows"
    errors = [e for f in files for e in f["errors"]]
    return f"refused: {errors[0]['message'][:160]}" if errors else "not stored"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "pbi-xlsx-bench")
    parser.add_argument("--only", nargs="*", choices=list(CASES), help="these cases only (default: all)")
    parser.add_argument("--regenerate", action="store_true", help="write the workbooks anew")
    parser.add_argument("--generate", choices=list(CASES), help=argparse.SUPPRESS)  # the child that writes one
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.generate:
        write_workbook(args.out / f"{args.generate}.xlsx", CASES[args.generate][0])
        return
    print(f"idle: peak RSS {run('--help')[1]:,} MiB (Python and argparse only)", flush=True)
    print("| file | rows | cells | size | time | peak RSS | verdict |")
    print("|---|---|---|---|---|---|---|")
    for name in args.only or CASES:
        _sheet, rows, cells = CASES[name]
        path = args.out / f"{name}.xlsx"
        if args.regenerate or not path.exists():
            # In a process of its own: a child's peak RSS counts its parent's at the fork (Linux keeps the
            # larger of the two), so this process must stay small.
            started = time.perf_counter()
            subprocess.run([sys.executable, __file__, "--generate", name, "--out", str(args.out)], check=True)
            print(f"<!-- generated {path} in {time.perf_counter() - started:.0f} s -->", flush=True)
        db = args.out / f"{name}.duckdb"
        for stale in (db, Path(f"{db}.key"), Path(f"{db}.wal")):
            stale.unlink(missing_ok=True)
        registers = [str(SAMPLES / n) for n in REGISTERS]
        assert run("import", "--db", str(db), *registers)[2] == 0, "the sample registers did not import"
        seconds, peak, code, output = run("import", "--db", str(db), str(path), "--json")
        goal = "≤ 1 GB" if peak <= GOAL_MIB else "**over 1 GB**"
        size = path.stat().st_size / (1 << 20)
        print(
            f"| `{name}` | {rows:,} | {cells:,} | {size:,.1f} MiB | {seconds:.1f} s | {peak:,} MiB ({goal}) "
            f"| {verdict(code, output)} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
