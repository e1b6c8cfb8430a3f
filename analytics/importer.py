"""Import: read → map headers → validate every row → load atomically; history and undo.

One call of `import_files` is one transaction. Files are loaded in dependency order (branches, then
departments, then the records), each as an import batch. If any file has an error, nothing is stored.

**Row numbers.** The reader gives every row its spreadsheet row number as a column (`_row`); every
table and query below carries it, and every error and warning quotes it. Nothing relies on the order
in which DuckDB returns or stores rows.

**Validation** is vectorised SQL over the whole file (the `pbi_*` parsing macros in
`queries.PARSE_MACROS`) and collects every error as data (`RowError`: row, column, value, code,
message; for conflicts also the stored value and the batch and file that stored it).

**Satisfaction scales.** Each score column's scale is detected from the bulk of its values
(`detect_scale`): 1–5 when nearly all (98 %) lie in 1–5, 0–1 proportions, 0–10 (with some 0) and
0–100; values outside the detected scale are out-of-range errors at their rows. A column that fits no
scale clearly (only 0 and 1; 1–10 without a 0; a mixture) is refused with a request to choose one
(`--scale`). Scores are stored on 0–100: 1–5 as (x−1)×25, 0–10 as x×10, 1–10 as (x−1)×100/9,
0–1 as x×100; a cell written with a per cent sign ("85.3%") is read as 0–100 whatever the scale.

**Dates** of things that happened (activities, answers, records, completed rectifications, periods)
may not lie after the day of the import: such rows are errors.

**Rows that repeat or overlap** (the rules, per kind: within one file / against stored records):

* branches, departments: the same code or name twice is an error naming both rows / a stored row with
  the same code and values is unchanged (not stored again); with other values it is a conflict.
* activities: rows with the same date, branch, type and topic whose other cells differ are two
  activities, both stored, with a warning naming both rows; rows identical in every cell (columns not
  imported included) are stored once, with a warning naming both rows (`keep_repeats` stores both) /
  a row identical to a stored activity is that activity: of each set of identical activities only the
  file's count beyond the stored count is added, so a re-imported ledger never counts twice; a new row
  sharing date, branch, type and topic with a stored activity that the file no longer holds is a
  conflict (a correction, or another session? the clerk says which).
* satisfaction responses with a response id (答卷编号): the same id twice is stored once when the rows
  are identical (a warning names both), else an error / the same id with the same values is unchanged,
  with other values a conflict.
* satisfaction responses without an id: identical answers are all kept (two patients may answer
  alike), with a count / stored answers of the same departments and populations inside the file's
  time range mean an overlapping export: refused unless `replace` (the range's stored answers are set
  aside) or `keep_repeats` (both kept). Answers are never matched cell by cell.
* satisfaction aggregates (department, period, population) and discipline records (date, department,
  category, summary, persons): the same key twice is an error / the same key with the same values is
  unchanged, with other values a conflict.

A conflict is an error showing the stored and the new value of each differing cell, with the batch and
file that stored the old one. `replace` resolves it: the stored rows move to `<table>_replaced`, so
undoing the import puts them back. The same file (same SHA-256) imported again is skipped unless `force`.
"""

from __future__ import annotations

import datetime as dt
import difflib
import getpass
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel
from pydantic import Field as PydanticField

from analytics import queries
from analytics.db import Database
from analytics.fields import (
    ENUM_ALIASES,
    FIELDS,
    LOAD_ORDER,
    Field,
    HeaderMatch,
    detect_kind,
    enum_aliases,
    expectation,
    field_label,
    match_headers,
    normalise_header,
)
from analytics.i18n import t
from analytics.privacy import pseudonymise
from analytics.reader import ROW, NotATable, RawTable, read
from analytics.schema import LabelledEnum, RecordKind, SatisfactionItem

MAX_ERRORS_PER_FILE = 5000
MAX_SUGGESTIONS = 200  # distinct unknown values for which the closest known value is looked up
_YEARS = (1950, 2100)  # dates outside these years are typing errors (24/3/5 read as the year 24)

Scale = Literal["likert", "ten", "ten1", "proportion", "percent"]
SCALES: dict[str, tuple[float, float, str]] = {
    # scale → (lowest, highest, SQL mapping {x} to 0–100)
    "likert": (1, 5, "({x} - 1) * 25"),
    "ten": (0, 10, "{x} * 10"),
    "ten1": (1, 10, "({x} - 1) * 100.0 / 9"),
    "proportion": (0, 1, "{x} * 100"),
    "percent": (0, 100, "{x}"),
}
NEARLY_ALL = 0.98  # the share of a column's values that must lie in a scale for it to be that scale
MIXTURE = 0.5  # a smaller scale holding this share (but not nearly all) makes a column ambiguous

TABLE: dict[RecordKind, str] = {
    RecordKind.BRANCHES: "branches",
    RecordKind.DEPARTMENTS: "departments",
    RecordKind.ACTIVITIES: "activities",
    RecordKind.SATISFACTION_RESPONSES: "satisfaction_responses",
    RecordKind.SATISFACTION_AGGREGATES: "satisfaction_aggregates",
    RecordKind.DISCIPLINE: "discipline_records",
}
_ITEMS = [item.column for item in SatisfactionItem]
# (key columns, value columns) of the stored table; see the module docstring. Responses are matched by
# their response id (the key) when the file has one, and never cell by cell.
KEYS: dict[RecordKind, tuple[list[str], list[str]]] = {
    RecordKind.BRANCHES: (["branch_code"], ["name", "is_joint", "member_count", "secretary_double_leader"]),
    RecordKind.DEPARTMENTS: (["department_code"], ["name", "category", "staff_count", "branch_code"]),
    RecordKind.ACTIVITIES: (
        ["activity_date", "branch_code", "activity_type", "topic"],
        ["attended", "expected", "hours", "dimension"],
    ),
    RecordKind.SATISFACTION_RESPONSES: (
        ["response_id"],
        ["submitted_at", "department_code", "population", "score", *_ITEMS],
    ),
    RecordKind.SATISFACTION_AGGREGATES: (
        ["department_code", "period_grain", "period_start", "population"],
        ["score", "respondents"],
    ),
    RecordKind.DISCIPLINE: (
        ["record_date", "department_code", "category", "summary", "persons_pseudonymised"],
        ["status", "rectification_deadline", "rectification_completed"],
    ),
}
# Stored columns filled from something other than one parsed field of the same name.
DERIVED: dict[RecordKind, dict[str, str]] = {
    RecordKind.BRANCHES: {"is_joint": "coalesce(is_joint, false)"},
    RecordKind.ACTIVITIES: {"topic": "coalesce(topic, '')"},
    RecordKind.SATISFACTION_AGGREGATES: {"period_grain": "period_grain", "period_start": "period_start"},
    RecordKind.DISCIPLINE: {
        "summary": "coalesce(summary, '')",
        "persons_pseudonymised": "coalesce(persons, []::VARCHAR[])",
        "status": "coalesce(status, CASE WHEN rectification_completed IS NOT NULL THEN 'completed' "
        "WHEN rectification_deadline IS NOT NULL THEN 'in_progress' ELSE 'not_required' END)",
    },
}
ID_COLUMN = {RecordKind.ACTIVITIES: "activity_id", RecordKind.DISCIPLINE: "record_id"}
# Codes of errors a clerk resolves by choosing to replace what is stored (the page's button, --replace).
RESOLVABLE = frozenset({"conflict", "overlapping-responses"})


# --- Reports -------------------------------------------------------------------------------------------


class RowError(BaseModel):
    """One problem in one cell (or with the whole file: row and column may be null). Also used for row
    warnings (rows stored, or stored once, with something to say)."""

    row: int | None
    column: str | None
    value: str | None
    code: str
    message: str
    other_row: int | None = None  # the earlier row a duplicate or repeat repeats
    stored: str | None = None  # a conflict's stored value (the file's is `value`)
    batch_id: int | None = None  # the batch that stored it …
    batch_file: str | None = None  # … from this file


class Resolution(BaseModel):
    """What replacing would do, offered beside resolvable errors: set `rows` stored records aside and
    store this file's (for an overlapping export: the answers stored between `start` and `end`)."""

    code: Literal["conflict", "overlapping-responses"]
    rows: int
    start: str | None = None
    end: str | None = None


class FileReport(BaseModel):
    file: str
    kind: RecordKind | None = None
    encoding: str | None = None
    rows: int = 0  # rows stored (0 unless the whole import succeeded)
    batch_id: int | None = None
    skipped: str | None = None
    scales: dict[str, str] = PydanticField(default_factory=dict)  # score column header → scale
    info: list[str] = PydanticField(default_factory=list)  # how the file was read (scales)
    warnings: list[str] = PydanticField(default_factory=list)
    row_warnings: list[RowError] = PydanticField(default_factory=list)
    errors: list[RowError] = PydanticField(default_factory=list)
    error_count: int = 0  # all errors, also those beyond the listed ones
    resolution: Resolution | None = None


class ImportResult(BaseModel):
    ok: bool
    files: list[FileReport]

    @property
    def resolvable(self) -> bool:
        """Every error is one that replacing the stored records resolves."""
        return (
            not self.ok
            and all(e.code in RESOLVABLE for f in self.files for e in f.errors)
            and all(f.error_count == len(f.errors) for f in self.files)
        )


class ImportOptions(BaseModel):
    kind: RecordKind | None = None
    sheet: str | None = None
    encoding: str | None = None
    scale: Scale | None = None
    force: bool = False
    replace: bool = False
    keep_repeats: bool = False  # store identical activity rows and overlapping response exports, all of them
    lang: str = "zh"
    user: str | None = None
    today: dt.date | None = None  # the day dates may not lie after (default: today)
    mapping: dict[str, str] = PydanticField(default_factory=dict)  # raw header → field name ('' ignores)


@dataclass(frozen=True, eq=False)
class SourceFile:
    """One file to import. `kind` and `mapping` (raw header → field name, '' to ignore), when given, apply to
    this file only and win over the call's ImportOptions."""

    name: str
    content: bytes
    kind: RecordKind | None = None
    mapping: dict[str, str] | None = None

    @classmethod
    def from_path(cls, path: str | Path) -> SourceFile:
        return cls(Path(path).name, Path(path).read_bytes())

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


Progress = Callable[[float, str], None]


class _Rollback(Exception):
    """Raised inside the writer transaction to undo everything when any file failed."""


# --- Reading and header mapping ------------------------------------------------------------------------


@dataclass
class Prepared:
    source: SourceFile
    report: FileReport
    raw: RawTable | None = None
    match: HeaderMatch | None = None


def _file_error(report: FileReport, code: str, lang: str, **values: object) -> None:
    report.errors.append(
        RowError(
            row=values.get("row"),
            column=values.get("column"),
            value=values.get("value"),
            code=code,
            message=t(f"err.{code}", lang, **{"column": "", "value": "", "detail": "", "expected": "", **values}),
        )
    )
    report.error_count += 1


def prepare(source: SourceFile, options: ImportOptions) -> Prepared:
    """Read the file and map its headers; fatal problems (not a table, missing columns) become errors."""
    lang = options.lang
    report = FileReport(file=source.name)
    prepared = Prepared(source, report)
    try:
        raw = read(source.content, source.name, encoding=options.encoding, sheet=options.sheet)
    except NotATable as problem:
        detail = t(f"reason.{problem.reason}", lang) + (f"（{problem.context}）" if problem.context else "")
        _file_error(report, problem.code, lang, detail=detail)
        return prepared
    prepared.raw = raw
    report.encoding = raw.encoding
    kind = source.kind or options.kind
    mapping = source.mapping if source.mapping is not None else options.mapping
    if kind is not None:
        match = match_headers(raw.headers, kind, mapping)
    else:
        ranked = detect_kind(raw.headers, mapping)
        match = ranked[0]
        headers_text = "、".join(h for h in raw.headers if h)
        if match.missing and match.score <= 0:
            _file_error(report, "unknown-kind", lang, value=headers_text)
            return prepared
        if not match.missing and not ranked[1].missing and ranked[1].score == match.score:
            kinds = " / ".join(m.kind.label(lang) for m in ranked[:2])
            _file_error(report, "ambiguous-kind", lang, value=kinds)
            return prepared
    prepared.match = match
    report.kind = match.kind
    for field in match.missing:
        accepted = " / ".join(field.aliases[:4] + field.name_aliases[:3])
        _file_error(report, "missing-column", lang, column=field_label(field, lang), expected=accepted)
    unused = [raw.headers[i] for i in match.unknown]
    # A column without a header is not imported either; if it holds something, say so.
    unused += [
        t("warn.unnamed-column", lang, n=i + 1)
        for i, header in enumerate(raw.headers)
        if not normalise_header(header) and raw.table.column(f"column{i}").null_count < raw.table.num_rows
    ]
    if unused:
        report.warnings.append(t("warn.unknown-columns", lang, columns="、".join(unused)))
    return prepared


# --- Parsing -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _TempNames:
    index: int

    def __getattr__(self, part: str) -> str:
        return f"pbi_{part}_{self.index}"


_SQL_TYPE = {
    "text": "VARCHAR",
    "enum": "VARCHAR",
    "ref": "VARCHAR",
    "int": "BIGINT",
    "float": "DOUBLE",
    "hours": "DOUBLE",
    "score": "DOUBLE",
    "date": "DATE",
    "datetime": "TIMESTAMP",
    "bool": "BOOLEAN",
}


def _parse_expr(field: Field, col: str) -> str:
    """SQL reading one field from raw column `col` (NULL when the cell cannot be read)."""
    n = f"pbi_norm({col})"
    match field.type:
        case "text" | "persons":
            return f"nullif(trim({col}), '')"
        case "int":
            return f"pbi_int({n})"
        case "float" | "score":
            # Plain numbers take the fast cast; the rest (full-width digits, '85%') the full parser.
            # Scores stay on their own scale here; `_parse_select` maps them to 0–100.
            fast = f"TRY_CAST({col} AS DOUBLE)"
            return f"CASE WHEN {fast} IS NOT NULL THEN {fast} ELSE pbi_float({n}) END"
        case "hours":
            fast = f"TRY_CAST({col} AS DOUBLE)"
            return f"CASE WHEN {fast} IS NOT NULL THEN {fast} ELSE pbi_hours({n}) END"
        case "date" | "datetime":
            # ISO-like cells (2024-03-05, 2024/3/5 14:30) take DuckDB's own cast; the rest the full parser.
            sql_type, parser = ("DATE", "pbi_date") if field.type == "date" else ("TIMESTAMP", "pbi_timestamp")
            fast = f"TRY_CAST(replace({col}, '/', '-') AS {sql_type})"
            return f"CASE WHEN {fast} IS NOT NULL THEN {fast} ELSE {parser}({n}) END"
        case "bool":
            return f"pbi_bool({n})"
        case "enum":
            return f"(SELECT a.code FROM pbi_aliases a WHERE a.field = '{field.name}' AND a.alias = pbi_key({col}))"
        case "ref":
            return f"(SELECT r.code FROM pbi_refs r WHERE r.ref = '{field.ref}' AND r.key = pbi_key({col}))"
    raise ValueError(field.type)


def _percent_flag(col: str) -> str:
    """Whether a score cell says it is a percentage (85.3%, ８５％)."""
    return f"coalesce(strpos({col}, '%') > 0 OR strpos({col}, '％') > 0, false)"


def _load_lookups(cur: duckdb.DuckDBPyConnection, kind: RecordKind) -> None:
    """Temp tables the enum and reference parsers look values up in (refs include this call's earlier files)."""
    rows = [
        (f.name, alias, code)
        for f in FIELDS[kind]
        if f.enum is not None
        for alias, code in enum_aliases(f.enum).items()
    ]
    cur.execute("CREATE OR REPLACE TEMP TABLE pbi_aliases (field VARCHAR, alias VARCHAR, code VARCHAR)")
    if rows:
        cur.executemany("INSERT INTO pbi_aliases VALUES (?, ?, ?)", rows)
    cur.execute(queries.IMPORT_REFS)


def _parse_select(cur, raw, match: HeaderMatch, fields: dict[str, Field], names, scales: dict[str, ScoreScale]) -> str:
    """A SELECT over the registered file `frame`: one row per non-blank row with its row number `_row`, each
    mapped cell parsed (scores mapped to 0–100 by their scale), and `_bad`: whether some cell is missing or
    cannot be read (only such rows are looked at again, cell by cell, to say why). Activities also get a
    hash of all their cells (`_cells`, to tell rows identical in every column).

    Labels, names and periods repeat: each distinct cell text is parsed once (a small lookup table per
    column, created here) and joined back, instead of running the spelling rules on every row."""
    inner, outer, joins, bad = [f"f.{ROW}"], [ROW], [], []
    for name, (col_index, _role) in match.columns.items():
        field, col = fields[name], f"f.column{col_index}"
        if field.type in ("enum", "ref", "period"):
            lookup = f"{names.lookup}_{name}"
            exprs = _period_exprs("v") if field.type == "period" else [(name, _parse_expr(field, "v"))]
            cur.execute(
                f"CREATE OR REPLACE TEMP TABLE {lookup} AS SELECT v, {', '.join(f'{e} AS {n}' for n, e in exprs)} "
                f"FROM (SELECT DISTINCT column{col_index} AS v FROM {names.frame} WHERE column{col_index} IS NOT NULL)"
            )
            joins.append(f"LEFT JOIN {lookup} ON {lookup}.v = {col}")
            parsed = [(n, f"{lookup}.{n}") for n, _ in exprs]
        elif field.type == "persons":
            parsed = [("raw_persons", f"nullif(trim({col}), '')")]
        elif field.type == "score" and scales[name].plain:
            parsed = [(name, SCALES[scales[name].scale][2].format(x=f"TRY_CAST({col} AS DOUBLE)"))]
        elif field.type == "score":
            number = _parse_expr(field, col)
            mapped = SCALES[scales[name].scale][2].format(x=number)
            parsed = [(name, f"CASE WHEN {_percent_flag(col)} THEN {number} ELSE {mapped} END")]
        else:
            parsed = [(name, _parse_expr(field, col))]
        inner.extend(f"{e} AS {n}" for n, e in parsed)
        outer.extend(n for n, _ in parsed)
        value = parsed[0][0]
        if field.type in ("text", "persons"):
            if field.required:
                bad.append(f"{value} IS NULL")
            continue
        inner.append(f"{col} IS NOT NULL AS _has_{name}")
        bad.append(f"({value} IS NULL AND _has_{name})" + (f" OR NOT _has_{name}" if field.required else ""))
    if match.kind is RecordKind.ACTIVITIES:
        inner.append(f"hash({', '.join(f'f.{c}' for c in raw.columns)}) AS _cells")
        outer.append("_cells")
    outer.append(f"{' OR '.join(bad) or 'false'} AS _bad")
    return f"SELECT {', '.join(outer)} FROM (SELECT {', '.join(inner)} FROM {names.frame} f {' '.join(joins)})"


def _absent(match: HeaderMatch, fields: dict[str, Field]) -> list[str]:
    """The fields the file lacks, as NULL of their type."""
    return [
        f"CAST(NULL AS {_SQL_TYPE[field.type]}) AS {name}"
        for name, field in fields.items()
        if name not in match.columns and field.type not in ("persons", "period")
    ]


def _parse(
    cur, raw, match: HeaderMatch, fields: dict[str, Field], names, secret, scales: dict[str, ScoreScale]
) -> None:
    """Temp table `parsed` (see `_parse_select`) and view `typed`: the same with the fields the file lacks
    (as NULL) and the pseudonymised persons."""
    cur.execute(f"CREATE TEMP TABLE {names.parsed} AS {_parse_select(cur, raw, match, fields, names, scales)}")
    # Rows of cells holding only spaces are blank, not rows with every cell missing.
    cur.execute(
        f"DELETE FROM {names.parsed} p USING {names.frame} f WHERE p._bad AND p.{ROW} = f.{ROW} AND {_blank(raw, 'f.')}"
    )
    if "persons" in match.columns:
        _persons(cur, names.parsed, secret, names.persons)
        persons, join = "p.persons", f"LEFT JOIN {names.persons} p USING ({ROW})"
    else:
        persons, join = "CAST(NULL AS VARCHAR[]) AS persons", ""
    columns = ", ".join([*_absent(match, fields), persons])
    cur.execute(f"CREATE TEMP VIEW {names.typed} AS SELECT r.*, {columns} FROM {names.parsed} r {join}")


def _period_exprs(col: str) -> list[tuple[str, str]]:
    return [
        ("period_grain", f"pbi_period_grain(pbi_norm({col}))"),
        ("period_start", f"pbi_period_start(pbi_norm({col}))"),
    ]


def _blank(raw: RawTable, prefix: str = "") -> str:
    """SQL true for a row whose every cell holds only spaces (rows with no cell at all never get here)."""
    return " AND ".join(f"coalesce(trim({prefix}{c}), '') = ''" for c in raw.columns)


def _persons(cur: duckdb.DuckDBPyConnection, parsed: str, secret: str, name: str) -> None:
    """Pseudonymise the persons cells (split on commas, 、, semicolons, slashes) into temp table `name`."""
    cells = cur.execute(f"SELECT {ROW}, raw_persons AS v FROM {parsed} WHERE raw_persons IS NOT NULL").df()
    # Not on spaces: tables pad two-character names (王　伟), and privacy.normalise_name drops the padding.
    split = cells["v"].str.split(r"\s*[,，、;；/\n]+\s*", regex=True)
    frame = pd.DataFrame(
        {
            ROW: cells[ROW],
            "persons": [sorted({pseudonymise(p, secret) for p in names if p}) for names in split],
        }
    )
    cur.register(f"{name}_frame", frame)
    cur.execute(f"CREATE TEMP TABLE {name} AS SELECT {ROW}, CAST(persons AS VARCHAR[]) AS persons FROM {name}_frame")
    cur.unregister(f"{name}_frame")


# --- Satisfaction scales -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScaleStats:
    """How a score column's numbers (not those written with %) spread over the candidate scales, and which
    parser its cells need."""

    n: int
    in_01: int
    in_15: int
    in_010: int
    zeros: int
    fractions_01: int  # values strictly between 0 and 1
    low: float | None
    high: float | None
    percent_cells: int = 0  # cells written with a per cent sign
    slow_cells: int = 0  # cells only the full number parser reads (full-width digits, 1,234, 85%)


def detect_scale(stats: ScaleStats) -> str | None:
    """The scale of a score column from the bulk of its values, or None when it cannot be told apart.

    The smallest scale holding nearly all values wins (the rest are out-of-range errors at their rows);
    0–1 needs fractions (0 and 1 alone may be anything), 0–10 needs a 0 (else 0–10 and 1–10 are both
    possible); a column where a smaller scale holds most values but not nearly all is a mixture."""
    if stats.n == 0:
        return "percent"

    def share(count: int) -> float:
        return count / stats.n

    if share(stats.in_01) >= NEARLY_ALL:
        return "proportion" if stats.fractions_01 else None
    if share(stats.in_15) >= NEARLY_ALL:
        return "likert"
    if share(stats.in_010) >= NEARLY_ALL:
        return "ten" if stats.zeros else None
    if share(stats.in_010) >= MIXTURE:
        return None
    return "percent"


def scale_stats(con, column: pa.ChunkedArray) -> ScaleStats:
    """The figures `detect_scale` needs, for one score column of the file: each distinct cell text is
    parsed once (with the importer's own number parser) and weighted by how often it occurs."""
    counts = pc.value_counts(column.drop_null()) if column.null_count < len(column) else None
    if counts is None or len(counts) == 0:
        return ScaleStats(0, 0, 0, 0, 0, 0, None, None)
    values, weights = counts.field("values").to_pylist(), counts.field("counts").to_pylist()
    number = _parse_expr(Field("x", "score", ()), "v")
    row = con.execute(queries.scale_stats(number, _percent_flag("v")), [values, weights]).fetchone()
    return ScaleStats(*(int(v) for v in row[:6]), row[6], row[7], int(row[8]), int(row[9]))


def _score_fields(match: HeaderMatch, fields: dict[str, Field]) -> list[str]:
    return [name for name in match.columns if fields[name].type == "score"]


def detect_scales(con, raw: RawTable, match: HeaderMatch) -> dict[str, tuple[str | None, ScaleStats]]:
    """Each score column's detected scale (None: ambiguous) and the figures it was detected from."""
    fields = {f.name: f for f in FIELDS[match.kind]}
    found = {}
    for column in _score_fields(match, fields):
        stats = scale_stats(con, raw.table.column(f"column{match.columns[column][0]}"))
        found[column] = (detect_scale(stats), stats)
    return found


@dataclass(frozen=True)
class ScoreScale:
    """How one score column is read: its scale, and whether every cell is a plain number (then the fast
    cast alone parses it, with no per cent signs to look for)."""

    scale: str
    plain: bool


def _choose_scales(cur, raw, match, options: ImportOptions, report: FileReport) -> dict[str, ScoreScale] | None:
    """The scale of every score column (the user's choice, else detected); None when a column is ambiguous
    (reported as an error asking for a choice)."""
    lang = options.lang
    chosen = {}
    for column, (scale, stats) in detect_scales(cur, raw, match).items():
        plain = stats.percent_cells == 0 and stats.slow_cells == 0
        if options.scale is not None:
            chosen[column] = ScoreScale(options.scale, plain)
        elif scale is None:
            figures = t("scale.figures", lang, n=stats.n, low=_num(stats.low), high=_num(stats.high), zeros=stats.zeros)
            _file_error(report, "ambiguous-scale", lang, column=raw.headers[match.columns[column][0]], detail=figures)
        else:
            chosen[column] = ScoreScale(scale, plain)
    if report.errors:
        return None
    for scale in dict.fromkeys(c.scale for c in chosen.values()):
        headers = [raw.headers[match.columns[c][0]] for c, s in chosen.items() if s.scale == scale]
        joined = ("、" if lang == "zh" else ", ").join(headers)
        how = "scale.chosen" if options.scale else "scale.detected"
        report.info.append(t(how, lang, columns=joined, scale=t(f"scale.{scale}", lang)))
    report.scales = {raw.headers[match.columns[c][0]]: s.scale for c, s in chosen.items()}
    return chosen


# --- Checks --------------------------------------------------------------------------------------------


def _errors_table(cur, names) -> None:
    cur.execute(
        f"CREATE TEMP TABLE {names.errors} (row BIGINT, field VARCHAR, value VARCHAR, code VARCHAR, "
        "other BIGINT, stored VARCHAR, batch INTEGER, hint VARCHAR)"
    )


def _parsed_column(field: Field) -> str:
    return {"period": "period_grain", "persons": "persons"}.get(field.type, field.name)


def _date_column(field: Field) -> str:
    return "period_start" if field.type == "period" else field.name


def _row_checks(raw, match, fields, scales, today: dt.date, lang) -> tuple[list[tuple[str, str, str]], dict]:
    """The checks of parsed values, as (field, error code, SQL true when the cell is wrong), and what each
    field was expected to hold. Missing and unreadable cells are found by `_parse_select`'s `_bad`."""
    checks: list[tuple[str, str, str]] = []
    expect: dict[tuple[str, str], str] = {}
    for name in match.columns:
        field = fields[name]
        if field.type not in ("text", "persons"):
            code = "unknown-reference" if field.type == "ref" else "type-error"
            expect[(name, code)] = expectation(field, lang)
        if field.type in ("date", "datetime"):  # 24/3/5 must not become the year 24
            checks.append((name, "out-of-range", f"year({name}) NOT BETWEEN {_YEARS[0]} AND {_YEARS[1]}"))
            expect[(name, "out-of-range")] = t("expect.years", lang, low=_YEARS[0], high=_YEARS[1])
        if field.not_future:
            checks.append((name, "future-date", f"CAST({_date_column(field)} AS DATE) > DATE '{today}'"))
            expect[(name, "future-date")] = today.isoformat()
        if field.type == "score":  # mapped to 0–100: inside exactly when the cell was inside its scale
            low, high, _ = SCALES[scales[name].scale]
            checks.append((name, "out-of-range", f"{name} NOT BETWEEN 0 AND 100"))
            expect[(name, "out-of-range")] = t("expect.range", lang, low=_num(low), high=_num(high))
            continue
        low, high = field.minimum, field.maximum
        if low is None and high is None:
            continue
        bounds = " OR ".join(
            cond for cond, bound in ((f"{name} < {low}", low), (f"{name} > {high}", high)) if bound is not None
        )
        checks.append((name, "out-of-range", bounds))
        if high is not None:
            expect[(name, "out-of-range")] = t("expect.range", lang, low=_num(low), high=_num(high))
        else:
            expect[(name, "out-of-range")] = t("expect.at_least", lang, low=_num(low))
    if match.kind is RecordKind.DISCIPLINE:  # rectification cannot end before the record it rectifies
        date_header = raw.headers[match.columns["record_date"][0]]
        for name in ("rectification_deadline", "rectification_completed"):
            if name in match.columns:
                checks.append((name, "out-of-range", f"{name} < record_date"))
                expect[(name, "out-of-range")] = t("expect.not_before", lang, column=date_header, value="")
    return checks, expect


def _check_cells(cur, raw, match, fields, checks, names) -> None:
    """Missing, unreadable, unknown, out-of-range and future cells into the errors table, with the cells'
    text. Missing and unreadable cells are looked for only in the rows `_parse` found something wrong with."""
    found = [f"SELECT {ROW}, '{name}', '{code}' FROM {names.typed} WHERE {cond}" for name, code, cond in checks]
    if cur.execute(f"SELECT count(*) FROM {names.parsed} WHERE _bad").fetchone()[0]:
        suspect = names.suspect
        has = ", ".join(f"f.column{i} IS NOT NULL AS _has_{name}" for name, (i, _role) in match.columns.items())
        cur.execute(
            f"CREATE TEMP TABLE {suspect} AS SELECT t.*, {has} FROM {names.typed} t "
            f"JOIN {names.frame} f USING ({ROW}) WHERE t._bad"
        )
        for name in match.columns:
            field = fields[name]
            value = _parsed_column(field)
            if field.required:
                empty = f"{value} IS NULL" if field.type in ("text", "persons") else f"NOT _has_{name}"
                found.append(f"SELECT {ROW}, '{name}', 'missing-value' FROM {suspect} WHERE {empty}")
            if field.type not in ("text", "persons"):
                code = "unknown-reference" if field.type == "ref" else "type-error"
                found.append(f"SELECT {ROW}, '{name}', '{code}' FROM {suspect} WHERE _has_{name} AND {value} IS NULL")
    if not found:
        return
    cur.execute(f"INSERT INTO {names.errors} (row, field, code) {' UNION ALL '.join(found)}")
    if cur.execute(f"SELECT count(*) FROM {names.errors}").fetchone()[0]:
        # The cells' text, for the messages, from the file's own row (found by its number, not its position).
        cases = " ".join(f"WHEN '{name}' THEN f.column{i}" for name, (i, _role) in match.columns.items())
        cur.execute(
            f"UPDATE {names.errors} e SET value = nullif(trim(CASE e.field {cases} END), '') "
            f"FROM {names.frame} f WHERE f.{ROW} = e.row"
        )
        # A cell of only spaces is empty, not unreadable: missing if required, else no error at all.
        optional = [name for name in match.columns if not fields[name].required] or [""]
        unreadable = "code IN ('type-error', 'unknown-reference') AND value IS NULL"
        cur.execute(f"DELETE FROM {names.errors} WHERE {unreadable} AND field IN ?", [optional])
        cur.execute(f"UPDATE {names.errors} SET code = 'missing-value' WHERE {unreadable}")
        _suggest(cur, match, fields, names)


def _known_spellings(cur, field: Field) -> list[str]:
    """What a cell of an enum or reference field may say, as people write it (for "did you mean")."""
    if field.enum is not None:
        return [s for m in field.enum for s in (m.zh, m.en, *_aliases_of(m))]
    sql = queries.KNOWN_BRANCHES if field.ref == "branch" else queries.KNOWN_DEPARTMENTS
    return [s for row in cur.execute(sql).fetchall() for s in row if s]


def _aliases_of(member: LabelledEnum) -> tuple[str, ...]:
    return ENUM_ALIASES.get(member, ())


def _suggest(cur, match: HeaderMatch, fields: dict[str, Field], names) -> None:
    """Name the closest known value beside an unknown one ("内科一支部" → 是否指：内科第一党支部？);
    similar values are never taken for known ones."""
    wanted = [n for n in match.columns if fields[n].type in ("enum", "ref")]
    if not wanted:
        return
    unknown = cur.execute(
        f"SELECT DISTINCT field, value FROM {names.errors} "
        f"WHERE code IN ('type-error', 'unknown-reference') AND field IN ? AND value IS NOT NULL "
        f"LIMIT {MAX_SUGGESTIONS}",
        [wanted],
    ).fetchall()
    known: dict[str, dict[str, str]] = {}
    hints = []
    for name, value in unknown:
        if name not in known:
            known[name] = {normalise_header(s): s for s in _known_spellings(cur, fields[name])}
        close = difflib.get_close_matches(normalise_header(value), list(known[name]), n=1, cutoff=0.6)
        if close:
            hints.append((known[name][close[0]], name, value))
    if hints:
        cur.executemany(
            f"UPDATE {names.errors} SET hint = ? WHERE field = ? AND value = ? "
            "AND code IN ('type-error', 'unknown-reference')",
            hints,
        )


def _extra_cells(cur, raw: RawTable, names) -> None:
    """Cells of a CSV row right of the last header: the row does not fit its header (its cells may have
    shifted, e.g. an unquoted comma), an error."""
    if not raw.extra_cells:
        return
    cur.executemany(
        f"INSERT INTO {names.errors} (row, code, value) VALUES (?, 'extra-cells', ?)",
        [(row, value) for row, value in raw.extra_cells],
    )


def _stored_columns(kind: RecordKind) -> list[str]:
    keys, values = KEYS[kind]
    return [*keys, *values]


def _build_final(cur, kind: RecordKind, names) -> None:
    """Temp view `final`: each row as it would be stored (defaults applied; scores are already on 0–100)."""
    exprs = [f"{DERIVED.get(kind, {}).get(column, column)} AS {column}" for column in _stored_columns(kind)]
    extra = ", _cells" if kind is RecordKind.ACTIVITIES else ""
    cur.execute(f"CREATE TEMP VIEW {names.final} AS SELECT {ROW}{extra}, {', '.join(exprs)} FROM {names.typed}")


def _key_headers(raw: RawTable, match: HeaderMatch, lang: str, keys: list[str] | None = None) -> str:
    keys = keys if keys is not None else KEYS[match.kind][0]
    headers = [raw.headers[match.columns[k][0]] for k in keys if k in match.columns]
    if match.kind is RecordKind.SATISFACTION_AGGREGATES and keys == KEYS[match.kind][0]:
        headers.insert(1, raw.headers[match.columns["period"][0]])
    return "、".join(headers) if lang == "zh" else ", ".join(headers)


def _check_duplicates(cur, raw, match, names, options: ImportOptions) -> dict[tuple[str, str], str]:
    """Rows repeating a key within the file: errors, except activities (two activities, or one repeated
    row: warnings in `notes`, repeats set aside in `skip`) and responses (see the module docstring)."""
    kind, lang = match.kind, options.lang
    keys = KEYS[kind][0]
    cur.execute(f"CREATE TEMP TABLE {names.notes} (row BIGINT, other BIGINT, code VARCHAR)")
    cur.execute(f"CREATE TEMP TABLE {names.skip} ({ROW} BIGINT)")
    clean = f"{ROW} NOT IN (SELECT row FROM {names.errors})"
    if kind is RecordKind.ACTIVITIES:
        _repeats(cur, names, "_cells", clean, options.keep_repeats)
        partition = ", ".join(keys)
        cur.execute(
            f"INSERT INTO {names.notes} SELECT {ROW}, first_row, 'same-key' FROM ("
            f"SELECT {ROW}, min({ROW}) OVER (PARTITION BY {partition}) AS first_row FROM {names.final} "
            f"WHERE {clean} AND {ROW} NOT IN (SELECT row FROM {names.notes})) WHERE {ROW} > first_row"
        )
        return {}
    if kind is RecordKind.SATISFACTION_RESPONSES:
        if "response_id" not in match.columns:
            return {}
        # The same id twice: one answer exported twice (identical rows: stored once) or an error.
        content = ", ".join(_stored_columns(kind))
        cur.execute(
            f"CREATE TEMP TABLE {names.idgroups} AS SELECT {ROW}, response_id, "
            f"min({ROW}) OVER (PARTITION BY response_id) AS first_row, "
            f"count(DISTINCT hash({content})) OVER (PARTITION BY response_id) AS versions "
            f"FROM {names.final} WHERE response_id IS NOT NULL"
        )
        cur.execute(
            f"INSERT INTO {names.notes} SELECT {ROW}, first_row, 'repeated-row' FROM {names.idgroups} "
            f"WHERE versions = 1 AND {ROW} > first_row"
        )
        cur.execute(f"INSERT INTO {names.skip} SELECT row FROM {names.notes}")
        cur.execute(
            f"INSERT INTO {names.errors} (row, field, value, code, other) SELECT {ROW}, 'response_id', "
            f"response_id, 'duplicate-row', first_row FROM {names.idgroups} WHERE versions > 1 AND {ROW} > first_row"
        )
        return {("response_id", "duplicate-row"): _key_headers(raw, match, lang)}
    key_sets = [(keys, _key_headers(raw, match, lang))]
    if kind in (RecordKind.BRANCHES, RecordKind.DEPARTMENTS):
        key_sets.append((["name"], raw.headers[match.columns["name"][0]]))
    expect = {}
    for columns, described in key_sets:
        partition = ", ".join(columns)
        shown = " || ' / ' || ".join(f"coalesce(CAST({c} AS VARCHAR), '')" for c in columns)
        cur.execute(
            f"INSERT INTO {names.errors} (row, field, value, code, other) "
            f"SELECT {ROW}, '{columns[0]}', shown, 'duplicate-row', first_row FROM ("
            f"SELECT {ROW}, {columns[0]}, {shown} AS shown, min({ROW}) OVER (PARTITION BY {partition}) AS first_row "
            f"FROM {names.final}) WHERE {ROW} > first_row AND {columns[0]} IS NOT NULL"
        )
        expect[(columns[0], "duplicate-row")] = described
    return expect


def _repeats(cur, names, cells: str, clean: str, keep: bool) -> None:
    """Rows identical in every cell to an earlier row: a warning naming both; stored once unless `keep`."""
    cur.execute(
        f"INSERT INTO {names.notes} SELECT {ROW}, first_row, 'repeated-row' FROM ("
        f"SELECT {ROW}, min({ROW}) OVER (PARTITION BY {cells}) AS first_row FROM {names.final} WHERE {clean}) "
        f"WHERE {ROW} > first_row"
    )
    if not keep:
        cur.execute(f"INSERT INTO {names.skip} SELECT row FROM {names.notes}")


@dataclass
class _Stored:
    """What comparing with the stored records found."""

    unchanged: int = 0
    replaced: int = 0


def _check_stored(cur, raw, match, names, batch_id: int, options: ImportOptions, report: FileReport) -> _Stored:
    """Compare the file with the stored records (the rules in the module docstring): unchanged rows go to
    `skip`; conflicts become errors, or with `replace` their stored rows are set aside."""
    kind = match.kind
    cur.execute(f"CREATE TEMP TABLE {names.doomed} (rid BIGINT)")
    if kind is RecordKind.ACTIVITIES:
        _match_activities(cur, names, batch_id)
    elif kind is RecordKind.SATISFACTION_RESPONSES and "response_id" not in match.columns:
        cur.execute(f"CREATE TEMP TABLE {names.unchanged} ({ROW} BIGINT)")  # never matched cell by cell
    else:
        _match_by_key(cur, match, names, batch_id)
    if kind is RecordKind.SATISFACTION_RESPONSES:
        _overlapping_export(cur, match, names, batch_id, options, report)
    found = _Stored(unchanged=cur.execute(f"SELECT count(*) FROM {names.unchanged}").fetchone()[0])
    cur.execute(f"INSERT INTO {names.skip} SELECT {ROW} FROM {names.unchanged}")
    conflicts = cur.execute(f"SELECT count(DISTINCT rid) FROM {names.doomed}").fetchone()[0]
    table = TABLE[kind]
    if options.replace:
        rowids = f"SELECT rid FROM {names.doomed}"
        move, delete = queries.set_aside(table, rowids)
        cur.execute(move, [batch_id])
        found.replaced = cur.execute(delete).fetchone()[0]
        return found
    if conflicts:
        _conflict_errors(cur, raw, match, names)
        if report.resolution is None:
            report.resolution = Resolution(code="conflict", rows=conflicts)
    return found


def _match_by_key(cur, match: HeaderMatch, names, batch_id: int) -> None:
    """Keyed kinds: a file row equal to a stored row with its key is unchanged; one whose key matches only
    differing rows conflicts with them."""
    kind = match.kind
    table = TABLE[kind]
    keys, values = KEYS[kind]
    on = "f.response_id = s.response_id" if kind is RecordKind.SATISFACTION_RESPONSES else _same(keys)
    # Only what the file says counts: a register without a 是否联合党支部 column does not contradict one.
    said = [v for v in values if v in match.columns or v in ("status", "period_grain")]
    same = " AND ".join(f"f.{v} IS NOT DISTINCT FROM s.{v}" for v in said) or "true"
    clean = f"f.{ROW} NOT IN (SELECT row FROM {names.errors}) AND f.{ROW} NOT IN (SELECT {ROW} FROM {names.skip})"
    cur.execute(
        f"CREATE TEMP TABLE {names.overlap} AS SELECT f.{ROW}, s.rowid AS rid, s.batch_id, ({same}) AS same "
        f"FROM {names.final} f JOIN {table} s ON {on} WHERE {clean} AND s.batch_id <> {int(batch_id)}"
    )
    if kind in (RecordKind.BRANCHES, RecordKind.DEPARTMENTS):  # a new code may not take a stored name
        code = keys[0]
        cur.execute(
            f"INSERT INTO {names.errors} (row, field, value, code, stored, batch) "
            f"SELECT f.{ROW}, 'name', f.name, 'name-taken', s.{code}, s.batch_id "
            f"FROM {names.final} f JOIN {table} s ON f.name = s.name AND f.{code} <> s.{code} "
            f"AND s.batch_id <> {int(batch_id)}"
        )
    cur.execute(f"CREATE TEMP TABLE {names.unchanged} AS SELECT DISTINCT {ROW} FROM {names.overlap} WHERE same")
    cur.execute(
        f"CREATE TEMP TABLE {names.conflict} AS SELECT {ROW}, min(rid) AS rid, arg_min(batch_id, rid) AS batch_id "
        f"FROM {names.overlap} WHERE {ROW} NOT IN (SELECT {ROW} FROM {names.unchanged}) "
        f"AND {ROW} NOT IN (SELECT row FROM {names.errors}) GROUP BY {ROW}"
    )
    cur.execute(
        f"INSERT INTO {names.doomed} SELECT rid FROM {names.overlap} "
        f"WHERE {ROW} IN (SELECT {ROW} FROM {names.conflict}) EXCEPT SELECT rid FROM {names.overlap} WHERE same"
    )


def _match_activities(cur, names, batch_id: int) -> None:
    """Activities: for each set of identical activities, the file's rows beyond the stored count are new;
    a new row sharing date, branch, type and topic with a stored activity that the file no longer holds
    conflicts with it (a correction or another session: the clerk says which)."""
    columns = _stored_columns(RecordKind.ACTIVITIES)
    keys = KEYS[RecordKind.ACTIVITIES][0]
    content = ", ".join(columns)
    clean = f"{ROW} NOT IN (SELECT row FROM {names.errors}) AND {ROW} NOT IN (SELECT {ROW} FROM {names.skip})"
    cur.execute(
        f"CREATE TEMP TABLE {names.candidates} AS SELECT {ROW}, {content}, "
        f"row_number() OVER (PARTITION BY {content} ORDER BY {ROW}) AS nth FROM {names.final} WHERE {clean}"
    )
    cur.execute(
        f"CREATE TEMP TABLE {names.unchanged} AS SELECT f.{ROW} FROM {names.candidates} f "
        f"JOIN (SELECT {content}, count(*) AS stored FROM activities WHERE batch_id <> {int(batch_id)} GROUP BY ALL) s "
        f"ON {_same(columns)} "
        f"WHERE f.nth <= s.stored"
    )
    # Stored activities whose content the file does not hold, sharing a key with a new row of the file.
    cur.execute(
        f"CREATE TEMP TABLE {names.absent} AS SELECT s.rowid AS rid, s.batch_id, {', '.join(f's.{k}' for k in keys)} "
        f"FROM activities s ANTI JOIN {names.candidates} f ON {_same(columns)} WHERE s.batch_id <> {int(batch_id)}"
    )
    cur.execute(
        f"CREATE TEMP TABLE {names.conflict} AS SELECT f.{ROW}, min(s.rid) AS rid, "
        f"arg_min(s.batch_id, s.rid) AS batch_id FROM {names.candidates} f JOIN {names.absent} s ON {_same(keys)} "
        f"WHERE f.{ROW} NOT IN (SELECT {ROW} FROM {names.unchanged}) GROUP BY f.{ROW}"
    )
    cur.execute(
        f"INSERT INTO {names.doomed} SELECT DISTINCT s.rid FROM {names.conflict} c "
        f"JOIN {names.candidates} f USING ({ROW}) JOIN {names.absent} s ON {_same(keys)}"
    )


def _same(columns: list[str], left: str = "f", right: str = "s") -> str:
    return " AND ".join(f"{left}.{c} IS NOT DISTINCT FROM {right}.{c}" for c in columns)


def _overlapping_export(
    cur, match: HeaderMatch, names, batch_id: int, options: ImportOptions, report: FileReport
) -> None:
    """Responses stored from another export that fall in this file's time range, for the same departments
    and populations (answers with a response id are matched by it instead)."""
    unmatched = "s.response_id IS NULL" if "response_id" in match.columns else "true"
    clean = f"{ROW} NOT IN (SELECT row FROM {names.errors})"
    cur.execute(
        f"CREATE TEMP TABLE {names.span} AS SELECT min(submitted_at) AS lo, max(submitted_at) AS hi "
        f"FROM {names.final} WHERE {clean}"
    )
    cur.execute(
        f"CREATE TEMP TABLE {names.pairs} AS SELECT DISTINCT department_code, population FROM {names.final} "
        f"WHERE {clean}"
    )
    cur.execute(
        f"CREATE TEMP TABLE {names.ranged} AS SELECT s.rowid AS rid, s.batch_id, s.submitted_at "
        f"FROM satisfaction_responses s JOIN {names.pairs} p USING (department_code, population), {names.span} r "
        f"WHERE s.submitted_at BETWEEN r.lo AND r.hi AND {unmatched} AND s.batch_id <> {int(batch_id)}"
    )
    n, lo, hi = cur.execute(f"SELECT count(*), min(lo), max(hi) FROM {names.ranged}, {names.span}").fetchone()
    if not n or options.keep_repeats:
        if n:
            report.warnings.append(t("warn.overlap-kept", options.lang, n=n))
        return
    start, end = f"{lo:%Y-%m-%d %H:%M}", f"{hi:%Y-%m-%d %H:%M}"
    if options.replace:
        cur.execute(f"INSERT INTO {names.doomed} SELECT rid FROM {names.ranged}")
        return
    batches = cur.execute(queries.batches_of(names.ranged)).fetchall()
    shown = ("；" if options.lang == "zh" else "; ").join(
        t("batch.described", options.lang, batch=b, file=f, n=k, lo=f"{a:%Y-%m-%d}", hi=f"{z:%Y-%m-%d}")
        for b, f, k, a, z in batches[:5]
    )
    _file_error(
        report,
        "overlapping-responses",
        options.lang,
        n=n,
        start=start,
        end=end,
        detail=shown,
        action=t("resolve.overlapping-responses", options.lang, n=n, start=start, end=end),
    )
    report.resolution = Resolution(code="overlapping-responses", rows=n, start=start, end=end)


def _conflict_errors(cur, raw, match, names) -> None:
    """One error per differing cell of each conflicting row: the file's value and the stored one."""
    kind = match.kind
    table = TABLE[kind]
    columns = [v for v in _stored_columns(kind) if v in match.columns or v == "status"]
    if kind is RecordKind.SATISFACTION_AGGREGATES:
        columns = [v for v in KEYS[kind][1] if v in match.columns]
    numbers = {f.name for f in FIELDS[kind] if f.type in ("float", "hours", "score")}
    selects = [
        f"SELECT c.{ROW}, '{v}', {_shown(f'f.{v}', v in numbers)}, 'conflict', {_shown(f's.{v}', v in numbers)}, "
        "c.batch_id "
        f"FROM {names.conflict} c JOIN {names.final} f USING ({ROW}) JOIN {table} s ON s.rowid = c.rid "
        f"WHERE f.{v} IS DISTINCT FROM s.{v}"
        for v in columns
        if v != "persons_pseudonymised"
    ]
    cur.execute(f"INSERT INTO {names.errors} (row, field, value, code, stored, batch) {' UNION ALL '.join(selects)}")


def _shown(expr: str, number: bool) -> str:
    """A stored value as text for a message: numbers whole without '.0', else to 4 decimals."""
    if not number:
        return f"CAST({expr} AS VARCHAR)"
    return (
        f"CASE WHEN {expr} = round({expr}) THEN CAST(CAST({expr} AS BIGINT) AS VARCHAR) "
        f"ELSE CAST(round({expr}, 4) AS VARCHAR) END"
    )


# --- Messages ------------------------------------------------------------------------------------------


def _display(field: Field | None, value: str | None, lang: str) -> str | None:
    """A stored code as people read it: an enum's label, 是/否."""
    if value is None or field is None:
        return value
    if field.enum is not None:
        try:
            return field.enum(value).label(lang)
        except ValueError:
            return value
    if field.type == "bool":
        return t("template.yes" if value == "true" else "template.no", lang)
    return value


def _report_errors(cur, raw, match, names, expect, report: FileReport, lang: str, files: dict[int, str]) -> None:
    fields = {f.name: f for f in FIELDS[match.kind]}
    total = cur.execute(f"SELECT count(*) FROM (SELECT DISTINCT * FROM {names.errors})").fetchone()[0]
    rows = cur.execute(
        f"SELECT DISTINCT * FROM {names.errors} ORDER BY row, field, code LIMIT {MAX_ERRORS_PER_FILE}"
    ).fetchall()
    for row, name, value, code, other, stored, batch, hint in rows:
        column_index = match.columns.get(name, match.columns.get("period", (None,)))[0] if name else None
        column = raw.headers[column_index] if column_index is not None else name
        field = fields.get(name) if name else None
        details = {"column": column or "", "value": value or "", "expected": expect.get((name, code), "")}
        if code == "duplicate-row":
            details["other"] = other
        if code in ("conflict", "name-taken"):
            value, stored = _display(field, value, lang), _display(field, stored, lang)
            details |= {"value": value or "", "stored": stored or "", "batch": batch, "file": files.get(batch, "")}
        message = t(f"err.{code}", lang, **details)
        if hint:
            message += t("err.hint", lang, hint=hint)
        report.errors.append(
            RowError(
                row=row,
                column=column,
                value=value or None,
                code=code,
                message=message,
                other_row=other,
                stored=stored,
                batch_id=batch,
                batch_file=files.get(batch) if batch is not None else None,
            )
        )
    report.error_count += total
    if total > len(rows):
        report.warnings.append(t("warn.more-errors", lang, n=total - len(rows)))
    if report.resolution is not None and report.resolution.code == "conflict":
        n = cur.execute(f"SELECT count(DISTINCT row) FROM {names.errors} WHERE code = 'conflict'").fetchone()[0]
        action = t("resolve.conflict", lang, n=report.resolution.rows)
        report.warnings.insert(0, t("warn.conflicts", lang, n=n, action=action))


def _report_notes(cur, raw, match, names, report: FileReport, options: ImportOptions) -> None:
    """Row warnings for repeated and same-key rows, and one sentence summing them up."""
    lang = options.lang
    keys = _key_headers(raw, match, lang, KEYS[match.kind][0])
    counts = dict(cur.execute(f"SELECT code, count(*) FROM {names.notes} GROUP BY code").fetchall())
    rows = cur.execute(
        f"SELECT row, other, code FROM {names.notes} ORDER BY row LIMIT {MAX_ERRORS_PER_FILE}"
    ).fetchall()
    repeated = "note.repeated-row.kept" if options.keep_repeats else "note.repeated-row"
    for row, other, code in rows:
        key = repeated if code == "repeated-row" else f"note.{code}"
        if match.kind is RecordKind.SATISFACTION_RESPONSES:
            key = "note.repeated-answer"
        report.row_warnings.append(
            RowError(
                row=row,
                column=None,
                value=None,
                code=code,
                other_row=other,
                message=t(key, lang, other=other, keys=keys),
            )
        )
    for code, n in sorted(counts.items()):
        key = repeated if code == "repeated-row" else f"note.{code}"
        if match.kind is RecordKind.SATISFACTION_RESPONSES:
            key = "note.repeated-answer"
        examples = ", ".join(f"{r}={o}" for r, o, c in rows if c == code)
        report.warnings.append(t(f"warn.{key.removeprefix('note.')}", lang, n=n, keys=keys, rows=_cut(examples)))


def _cut(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(",", 1)[0] + " …"


def _warnings(cur, kind: RecordKind, names, match: HeaderMatch, lang: str) -> list[str]:
    out = []
    if kind is RecordKind.ACTIVITIES:
        rows = [
            r
            for (r,) in cur.execute(
                f"SELECT {ROW} FROM {names.final} WHERE attended > expected ORDER BY {ROW}"
            ).fetchall()
        ]
        if rows:
            shown = ", ".join(map(str, rows[:10])) + (" …" if len(rows) > 10 else "")
            out.append(t("warn.attended-over-expected", lang, n=len(rows), rows=shown))
    return out


# --- Storing -------------------------------------------------------------------------------------------


def _insert(cur, kind: RecordKind, names, batch_id: int) -> int:
    """Store the rows without errors that are not set aside (repeats, unchanged); returns how many."""
    table = TABLE[kind]
    columns = _stored_columns(kind)
    select = list(columns)
    if kind in ID_COLUMN:
        id_column = ID_COLUMN[kind]
        columns = [id_column, *columns]
        # Ids are never reused, not even those of rows set aside by a replace (an undo brings them back),
        # and follow the file's rows.
        top = f"greatest((SELECT max({id_column}) FROM {table}), (SELECT max({id_column}) FROM {table}_replaced), 0)"
        select = [f"{top} + row_number() OVER (ORDER BY {ROW})", *select]
    return cur.execute(
        f"INSERT INTO {table} ({', '.join(columns)}, batch_id, source_row) "
        f"SELECT {', '.join(select)}, ?, {ROW} FROM {names.final} "
        f"WHERE {ROW} NOT IN (SELECT row FROM {names.errors}) AND {ROW} NOT IN (SELECT {ROW} FROM {names.skip})",
        [batch_id],
    ).fetchone()[0]


_KIND_TEXT = {
    RecordKind.BRANCHES: "branches",
    RecordKind.DEPARTMENTS: "departments",
    RecordKind.ACTIVITIES: "activities",
    RecordKind.SATISFACTION_RESPONSES: "satisfaction",
    RecordKind.SATISFACTION_AGGREGATES: "satisfaction",
    RecordKind.DISCIPLINE: "discipline",
}


# Kinds later files of the same call refer to: their good rows are stored even when others have errors.
REFERRED_TO = frozenset({RecordKind.BRANCHES, RecordKind.DEPARTMENTS})
# Kinds whose files run to hundreds of thousands of rows: stored in one pass while parsing (see below).
ONE_PASS = frozenset({RecordKind.SATISFACTION_RESPONSES})


def _validate_and_load(
    cur: duckdb.DuckDBPyConnection,
    prepared: Prepared,
    index: int,
    batch_id: int,
    options: ImportOptions,
    secret: str,
    step: Callable[[float], None] = lambda done: None,
) -> None:
    """Parse, check and insert one file's rows inside the caller's transaction.

    Rows of registers without errors are inserted even when others have errors, so that later files of
    the same call can refer to them; the caller rolls the whole transaction back if any file has an error.

    Survey responses (`ONE_PASS`) are first stored straight from the file, parsing and checking each row
    on the way in; only if some row fails a check is that undone and the file parsed into a temp table and
    checked cell by cell to list every error. The checks of repeats and of stored records then read the
    batch's own stored rows. Other kinds always take the second way (they are small, and registers have
    unique keys that an insert of a file repeating a code would violate).
    """
    raw, match, report, lang = prepared.raw, prepared.match, prepared.report, options.lang
    kind = match.kind
    names = _TempNames(index)
    # Registered first: DuckDB refuses to register while a result is still pending on the cursor.
    cur.register(names.frame, raw.table)
    _load_lookups(cur, kind)
    fields = {f.name: f for f in FIELDS[kind]}
    scales = _choose_scales(cur, raw, match, options, report)
    if scales is None:
        return
    checks, expect = _row_checks(raw, match, fields, scales, options.today or dt.date.today(), lang)
    _errors_table(cur, names)
    if raw.table.num_rows == 0:
        _file_error(report, "no-data", lang, detail=t("kind." + _KIND_TEXT[kind] + ".title", lang))
        return
    stored_already = (
        kind in ONE_PASS
        and not raw.extra_cells
        and _insert_direct(cur, raw, match, fields, names, scales, checks, batch_id)
    )
    step(0.5)
    if stored_already:
        final = ", ".join(_stored_columns(kind))
        cur.execute(
            f"CREATE TEMP VIEW {names.final} AS SELECT source_row AS {ROW}, {final} FROM {TABLE[kind]} "
            f"WHERE batch_id = {int(batch_id)}"
        )
    else:
        _parse(cur, raw, match, fields, names, secret, scales)
        _check_cells(cur, raw, match, fields, checks, names)
        _extra_cells(cur, raw, names)
        _build_final(cur, kind, names)
    step(0.6)
    expect |= _check_duplicates(cur, raw, match, names, options)
    stored = _check_stored(cur, raw, match, names, batch_id, options, report)
    step(0.75)
    files = dict(cur.execute(queries.BATCH_FILES).fetchall())
    _report_errors(cur, raw, match, names, expect, report, lang, files)
    _report_notes(cur, raw, match, names, report, options)
    report.warnings.extend(_warnings(cur, kind, names, match, lang))
    if stored.unchanged:
        report.warnings.append(t("warn.unchanged", lang, n=stored.unchanged))
    if stored.replaced:
        report.warnings.append(t("warn.replaced", lang, n=stored.replaced))
    if stored_already:
        report.rows = _withdraw_skipped(cur, kind, names, batch_id)
    elif report.error_count and kind not in REFERRED_TO:
        report.rows = 0  # the call will be rolled back, and no later file refers to these rows
    else:
        report.rows = _insert(cur, kind, names, batch_id)
    cur.execute(queries.FINISH_BATCH, [report.rows, stored.unchanged, stored.replaced, batch_id])


def _insert_direct(cur, raw, match, fields, names, scales, checks, batch_id: int) -> bool:
    """Store every row of the file in one pass, parsing and checking on the way; True if every non-blank
    row passed (else the rows stored here are removed again and False returned)."""
    kind = match.kind
    table = TABLE[kind]
    columns = _stored_columns(kind)
    exprs = [DERIVED.get(kind, {}).get(column, column) for column in columns]
    passed = " AND ".join(["NOT _bad", *(f"NOT coalesce({cond}, false)" for _name, _code, cond in checks)])
    parsed = _parse_select(cur, raw, match, fields, names, scales)
    typed = f"SELECT p.*, {', '.join(['NULL AS _none', *_absent(match, fields)])} FROM ({parsed}) p"
    # Filter pushdown would copy the parsers into the WHERE clause and run each of them twice.
    cur.execute("SET disabled_optimizers = 'filter_pushdown'")
    try:
        stored = cur.execute(
            f"INSERT INTO {table} ({', '.join(columns)}, batch_id, source_row) "
            f"SELECT {', '.join(exprs)}, ?, {ROW} FROM ({typed}) WHERE {passed}",
            [batch_id],
        ).fetchone()[0]
    finally:
        cur.execute("RESET disabled_optimizers")
    if stored == raw.table.num_rows:
        return True
    cur.execute(queries.delete_batch(table), [batch_id])
    return False


def _withdraw_skipped(cur, kind: RecordKind, names, batch_id: int) -> int:
    """After a one-pass store: remove the rows found to be repeats or already stored; returns the rows kept."""
    table = TABLE[kind]
    cur.execute(queries.delete_batch_rows(table, f"SELECT {ROW} FROM {names.skip}"), [batch_id])
    return cur.execute(queries.count_batch(table), [batch_id]).fetchone()[0]


def _num(value: float | None) -> str:
    return "" if value is None else (str(int(value)) if float(value).is_integer() else f"{value:g}")


# --- The import call -----------------------------------------------------------------------------------


def import_files(
    db: Database,
    files: Sequence[SourceFile],
    options: ImportOptions | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Validate and store `files` in one transaction: all of them, or (if any has an error) none."""
    options = options or ImportOptions()
    progress = progress or (lambda fraction, text: None)
    user = options.user or getpass.getuser()
    prepared = []
    for i, source in enumerate(files):
        progress(0.2 * i / max(len(files), 1), source.name)
        prepared.append(prepare(source, options))
    order = {kind: i for i, kind in enumerate(LOAD_ORDER)}
    runnable = sorted(
        (p for p in prepared if p.match is not None and not p.report.errors),
        key=lambda p: order[p.match.kind],
    )
    try:
        with db.writer() as cur:
            secret = cur.execute(queries.META_VALUE, ["pseudonym_secret"]).fetchone()[0]
            for i, item in enumerate(runnable):
                start, share = 0.2 + 0.8 * i / len(runnable), 0.8 / len(runnable)
                progress(start, item.source.name)
                same = cur.execute(queries.SAME_FILE, [item.source.sha256]).fetchone()
                if same and not options.force:
                    when = same[1].strftime("%Y-%m-%d %H:%M")
                    item.report.skipped = t("skip.same-file", options.lang, when=when, batch=same[0])
                    continue
                batch_id = cur.execute(
                    queries.INSERT_BATCH,
                    [
                        item.source.name,
                        item.source.sha256,
                        item.match.kind.value,
                        user,
                        dt.datetime.now(),
                        item.report.encoding,
                    ],
                ).fetchone()[0]
                item.report.batch_id = batch_id
                try:
                    _validate_and_load(
                        cur,
                        item,
                        i,
                        batch_id,
                        options,
                        secret,
                        lambda done, start=start, share=share, name=item.source.name: progress(
                            start + share * done, name
                        ),
                    )
                except duckdb.Error as error:  # the transaction is aborted: report and stop here
                    _file_error(item.report, "unreadable", options.lang, detail=str(error).splitlines()[0])
                    raise _Rollback from error
            ok = not any(p.report.error_count for p in prepared)
            stored = any(p.report.rows or p.report.batch_id for p in prepared)
            if not ok or not stored:
                raise _Rollback
    except _Rollback:
        for p in prepared:
            p.report.rows, p.report.batch_id = 0, None
    progress(1.0, "")
    return ImportResult(ok=not any(p.report.error_count for p in prepared), files=[p.report for p in prepared])


# --- Preview, history, undo ----------------------------------------------------------------------------


class Preview(BaseModel):
    """What the page shows before importing: how the file was read and mapped."""

    model_config = {"arbitrary_types_allowed": True}

    file: str
    kind: RecordKind | None
    format: str | None
    encoding: str | None
    sheet: str | None
    header_row: int | None
    rows: int
    mapping: list[tuple[str, str | None]]  # (header in the file, field name it maps to or None)
    missing: list[str]  # field names required but not found
    sample: pd.DataFrame
    errors: list[RowError]
    scales: dict[str, str | None] = PydanticField(default_factory=dict)  # score header → scale (None: ambiguous)


def preview(source: SourceFile, options: ImportOptions | None = None, sample_rows: int = 10) -> Preview:
    """Read and map a file without touching any database (a throwaway in-memory DuckDB counts its rows and
    detects the satisfaction scale)."""
    options = options or ImportOptions()
    prepared = prepare(source, options)
    raw, match = prepared.raw, prepared.match
    rows, sample, scales = 0, pd.DataFrame(), {}
    if raw is not None:
        con = duckdb.connect()
        try:
            con.execute(queries.PARSE_MACROS)
            con.register("pbi_preview", raw.table)
            filled = " OR ".join(f"nullif(trim({c}), '') IS NOT NULL" for c in raw.columns)
            rows = con.execute(f"SELECT count(*) FROM pbi_preview WHERE {filled}").fetchone()[0]
            first = f"SELECT * EXCLUDE ({ROW}) FROM pbi_preview WHERE {filled} ORDER BY {ROW} LIMIT {sample_rows}"
            sample = con.execute(first).df()
            sample.columns = _unique(raw.headers)
            if match is not None:
                scales = _preview_scales(con, raw, match, options)
        except duckdb.Error as error:
            detail = str(error).splitlines()[0]
            _file_error(prepared.report, "unreadable", options.lang, detail=detail)
        finally:
            con.close()
    by_index = {i: name for name, (i, _role) in (match.columns.items() if match else [])}
    return Preview(
        file=source.name,
        kind=match.kind if match else None,
        format=raw.format if raw else None,
        encoding=raw.encoding if raw else None,
        sheet=raw.sheet if raw else None,
        header_row=raw.header_row if raw else None,
        rows=rows,
        mapping=[(h, by_index.get(i)) for i, h in enumerate(raw.headers)] if raw else [],
        missing=[f.name for f in match.missing] if match else [],
        sample=sample,
        errors=prepared.report.errors,
        scales=scales,
    )


def _preview_scales(con, raw: RawTable, match: HeaderMatch, options: ImportOptions) -> dict[str, str | None]:
    found = detect_scales(con, raw, match)
    return {raw.headers[match.columns[c][0]]: options.scale or scale for c, (scale, _stats) in found.items()}


def _unique(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for h in headers:
        h = h or "—"
        seen[h] = seen.get(h, 0) + 1
        out.append(h if seen[h] == 1 else f"{h} ({seen[h]})")
    return out


def history(db: Database) -> pd.DataFrame:
    """Every import batch, newest first, including undone ones (with `undone_at`)."""
    return db.reader().execute(queries.HISTORY).df()


class UndoResult(BaseModel):
    ok: bool
    batch_id: int
    removed: int = 0
    restored: int = 0
    message: str


def undo(db: Database, batch_id: int, lang: str = "zh") -> UndoResult:
    """Remove exactly the rows of one batch and put back any rows it replaced."""
    with db.writer() as cur:
        batch = cur.execute(queries.BATCH, [batch_id]).fetchone()
        if batch is None:
            return UndoResult(ok=False, batch_id=batch_id, message=t("undo.unknown", lang, batch=batch_id))
        _, kind, undone_at = batch
        if undone_at is not None:
            when = undone_at.strftime("%Y-%m-%d %H:%M")
            message = t("undo.already", lang, batch=batch_id, when=when)
            return UndoResult(ok=False, batch_id=batch_id, message=message)
        dependents_sql = queries.UNDO_DEPENDENTS.get(TABLE.get(RecordKind(kind), ""))
        if dependents_sql:
            n = cur.execute(dependents_sql, [batch_id]).fetchone()[0]
            if n:
                return UndoResult(
                    ok=False,
                    batch_id=batch_id,
                    message=t("undo.in-use", lang, batch=batch_id, n=n, kind=RecordKind(kind).label(lang)),
                )
        later = [b for (b,) in cur.execute(queries.REPLACED_BY_LATER, [batch_id]).fetchall()]
        if later:
            message = t("undo.replaced-later", lang, batch=batch_id, later=", ".join(map(str, later)))
            return UndoResult(ok=False, batch_id=batch_id, message=message)
        removed = restored = 0
        for table in TABLE.values():
            delete, restore, clear = queries.undo_statements(table)
            removed += cur.execute(delete, [batch_id]).fetchone()[0]
            restored += cur.execute(restore, [batch_id]).fetchone()[0]
            cur.execute(clear, [batch_id])
        cur.execute(queries.MARK_UNDONE, [dt.datetime.now(), batch_id])
    message = t("undo.done", lang, batch=batch_id, rows=removed, restored=restored)
    return UndoResult(ok=True, batch_id=batch_id, removed=removed, restored=restored, message=message)
