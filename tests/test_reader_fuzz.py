"""Fuzzing the file readers with Hypothesis: random bytes, ragged rows, quoted cells with delimiters and line
breaks, odd encodings. Every file gives a clean error or an import, never an exception; and whenever a file
is read, its cells and row numbers are exactly those Python's own csv module finds (an independent reader)."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.db import Database
from analytics.imports import reader
from analytics.imports.importer import import_files, preview
from analytics.imports.model import ImportOptions, SourceFile
from tests.conftest import SAMPLES

HEADER = ["提交时间", "科室编码", "调查对象", "总体满意度"]
# Text a cell may hold: Chinese, full-width forms, delimiters, quotes, line breaks, spaces.
CELL_CHARS = st.sampled_from(list('ab1 5.%-/:,;\t"\n\r，、门诊患者科室Ｄ０１　年月日'))
CELLS = st.text(CELL_CHARS, max_size=8)
ROWS = st.lists(st.lists(CELLS, min_size=0, max_size=6), min_size=1, max_size=25)
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def written(rows: list[list[str]], delimiter: str) -> str:
    """A CSV file as a spreadsheet writes one: the header, then the rows (ragged ones too), quoted as needed."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue()


def expected_rows(text: str, delimiter: str, width: int) -> list[tuple[int, list[str | None]]]:
    """(row number, cells) of every non-blank record below the header, as Python's csv module reads them."""
    out = []
    for number, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
        if number == 1:
            continue
        padded = [(cells[i] if i < len(cells) else "") or None for i in range(width)]
        if any(c is not None for c in padded):
            out.append((number, padded))
    return out


@FUZZ
@given(rows=ROWS, delimiter=st.sampled_from([",", "\t"]), encoding=ENCODINGS)
def test_a_written_csv_is_read_cell_for_cell_with_its_row_numbers(rows, delimiter, encoding):
    text = written(rows, delimiter)
    try:
        content = text.encode(encoding)
    except UnicodeEncodeError:
        return  # a character the encoding cannot hold: no such file exists
    try:
        raw = reader.read(content, "fuzz.csv")
    except reader.NotATable as refused:
        assert refused.code in ("no-data", "not-a-table")
        assert not expected_rows(text, delimiter, len(HEADER)) or refused.reason in ("undecodable", "binary")
        return
    assert raw.headers == HEADER
    got = raw.table.to_pylist()
    width = len(HEADER)
    assert [(r[reader.ROW], [r[f"column{i}"] for i in range(width)]) for r in got] == expected_rows(
        text, delimiter, width
    )
    # Cells right of the header are reported with their row, never dropped silently.
    beyond = [
        number
        for number, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1)
        if any(c.strip() for c in cells[width:])
    ]
    assert [row for row, _value in raw.extra_cells] == beyond


@pytest.mark.parametrize(
    ("tail", "encoding"),
    [
        ("2024-01-01 10:00,D01,𠀀门诊患者,4\n".encode("gb18030"), "gb18030"),  # only GB18030 has 𠀀
        ("2024-01-01 10:00,D01,门诊患者,4\n".encode(), None),  # UTF-8 after a GBK start: no encoding fits
        (b"\xff\xfe,x,y,z\n", None),
    ],
)
def test_a_file_whose_later_rows_are_not_in_its_starts_encoding_is_read_anew_or_refused(tail, encoding):
    head = "提交时间,科室编码,调查对象,总体满意度\n" + "2024-01-01 10:00,D01,门诊患者,4\n" * 3000  # 100 KB of GBK
    content = head.encode("gbk") + tail
    if encoding is None:
        with pytest.raises(reader.NotATable):
            reader.read(content, "mixed.csv")
        return
    raw = reader.read(content, "mixed.csv")
    assert raw.encoding == encoding
    assert raw.table.num_rows == 3001 and raw.table.to_pylist()[-1]["column2"] == "𠀀门诊患者"
    assert raw.table.column(reader.ROW).to_pylist() == list(range(2, 3003))


@FUZZ
@given(content=st.binary(max_size=400), name=st.sampled_from(["x.csv", "x.xlsx", "x.txt", "x.xls", "x.tsv"]))
def test_random_bytes_give_a_clean_refusal_or_a_table(content, name):
    try:
        raw = reader.read(content, name)
    except reader.NotATable as refused:
        assert refused.code in ("no-data", "not-a-table")
    else:
        assert raw.table.num_rows > 0
        assert raw.table.column(reader.ROW).to_pylist() == sorted(set(raw.table.column(reader.ROW).to_pylist()))


@pytest.fixture(scope="module")
def organised(tmp_path_factory):
    with Database(tmp_path_factory.mktemp("fuzz") / "fuzz.duckdb") as db:
        files = [SourceFile.from_path(SAMPLES / n) for n in ("branches_utf8bom.csv", "departments_gbk.csv")]
        assert import_files(db, files).ok
        yield db


# A ragged row that is not UTF-8 makes pyarrow fail inside its own invalid-row callback (it reports an
# "ignored" exception and refuses the file; the reader then decodes the file itself): not our exception.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@FUZZ
@given(
    rows=ROWS,
    header=st.lists(st.sampled_from([*HEADER, "答卷编号", "就医环境", "支部名称", "", "x"]), min_size=1, max_size=7),
    encoding=ENCODINGS,
    junk=st.binary(max_size=40),
)
def test_importing_any_file_ends_in_a_result_never_an_exception(organised, rows, header, encoding, junk):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    try:
        content = out.getvalue().encode(encoding) + junk
    except UnicodeEncodeError:
        content = junk
    source = SourceFile("fuzz.csv", content)
    result = import_files(organised, [source], ImportOptions(force=True))
    for report in result.files:
        assert result.ok or report.errors or report.skipped or report.error_count == 0
        assert all(e.message for e in report.errors)
    shown = preview(source)
    assert shown.rows >= 0
