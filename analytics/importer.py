"""Import: read → map headers → validate every row → load atomically; history and undo.

One call of `import_files` is one transaction. Files are loaded in dependency order (branches, then
departments, then the records), each as an import batch. Validation is vectorised SQL over the whole
file (the `pbi_*` parsing macros in `queries.PARSE_MACROS`) and collects every error as data
(`RowError`: row, column, value, code, message). If any file has an error, nothing is stored.

Overlapping records (the rule, per kind; the key is what makes two rows "the same record"):

| kind | key | stored row with the same key and the same values | ... with other values |
|---|---|---|---|
| branches | branch code | unchanged, not stored again | conflict (error) unless `replace` |
| departments | department code | unchanged | conflict unless `replace` |
| activities | date, branch, type, topic | unchanged | conflict unless `replace` |
| satisfaction responses | every column | unchanged | (cannot differ) |
| satisfaction aggregates | department, period, population | unchanged | conflict unless `replace` |
| discipline | date, department, category, summary, persons | unchanged | conflict unless `replace` |

Rows repeating a key within one file are `duplicate-row` errors (identical responses are kept, with a
warning: two patients may answer alike). `replace` moves the stored rows to `<table>_replaced`, so
undoing the import puts them back. The same file (same SHA-256) imported again is skipped unless `force`.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

import duckdb
import pandas as pd
from pydantic import BaseModel
from pydantic import Field as PydanticField

from analytics import queries
from analytics.db import Database
from analytics.fields import (
    FIELDS,
    LOAD_ORDER,
    Field,
    HeaderMatch,
    detect_kind,
    enum_aliases,
    expectation,
    field_label,
    match_headers,
)
from analytics.i18n import t
from analytics.privacy import pseudonymise
from analytics.reader import NotATable, RawTable, read
from analytics.schema import RecordKind, SatisfactionItem

MAX_ERRORS_PER_FILE = 5000
_YEARS = (1950, 2100)  # dates outside these years are typing errors (24/3/5 read as the year 24)

TABLE: dict[RecordKind, str] = {
    RecordKind.BRANCHES: "branches",
    RecordKind.DEPARTMENTS: "departments",
    RecordKind.ACTIVITIES: "activities",
    RecordKind.SATISFACTION_RESPONSES: "satisfaction_responses",
    RecordKind.SATISFACTION_AGGREGATES: "satisfaction_aggregates",
    RecordKind.DISCIPLINE: "discipline_records",
}
_ITEMS = [item.column for item in SatisfactionItem]
# (key columns, value columns) of the stored table; see the module docstring.
KEYS: dict[RecordKind, tuple[list[str], list[str]]] = {
    RecordKind.BRANCHES: (["branch_code"], ["name", "is_joint", "member_count", "secretary_double_leader"]),
    RecordKind.DEPARTMENTS: (["department_code"], ["name", "category", "staff_count", "branch_code"]),
    RecordKind.ACTIVITIES: (
        ["activity_date", "branch_code", "activity_type", "topic"],
        ["attended", "expected", "hours", "dimension"],
    ),
    RecordKind.SATISFACTION_RESPONSES: (
        ["submitted_at", "department_code", "population", "score", *_ITEMS],
        [],
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


# --- Reports -------------------------------------------------------------------------------------------


class RowError(BaseModel):
    """One problem in one cell (or with the whole file: row and column may be null)."""

    row: int | None
    column: str | None
    value: str | None
    code: str
    message: str


class FileReport(BaseModel):
    file: str
    kind: RecordKind | None = None
    encoding: str | None = None
    rows: int = 0  # rows stored (0 unless the whole import succeeded)
    batch_id: int | None = None
    skipped: str | None = None
    warnings: list[str] = PydanticField(default_factory=list)
    errors: list[RowError] = PydanticField(default_factory=list)
    error_count: int = 0  # all errors, also those beyond the listed ones


class ImportResult(BaseModel):
    ok: bool
    files: list[FileReport]


class ImportOptions(BaseModel):
    kind: RecordKind | None = None
    sheet: str | None = None
    encoding: str | None = None
    scale: Literal["likert", "percent"] | None = None
    force: bool = False
    replace: bool = False
    lang: str = "zh"
    user: str | None = None
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


def prepare(source: SourceFile, options: ImportOptions, workdir: Path) -> Prepared:
    """Read the file and map its headers; fatal problems (not a table, missing columns) become errors."""
    lang = options.lang
    report = FileReport(file=source.name)
    prepared = Prepared(source, report)
    try:
        raw = read(source.content, source.name, workdir, encoding=options.encoding, sheet=options.sheet)
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
    if match.unknown:
        unused = "、".join(raw.headers[i] for i in match.unknown)
        report.warnings.append(t("warn.unknown-columns", lang, columns=unused))
    return prepared


# --- Staging and validation ----------------------------------------------------------------------------


def _source(cur: duckdb.DuckDBPyConnection, raw: RawTable, name: str) -> tuple[str, list]:
    """A FROM clause (and its parameters) giving every cell as VARCHAR, in file order: DuckDB's reader over
    the UTF-8 file, or the rows of a sheet registered as `name`."""
    columns = [f"column{i}" for i in range(len(raw.headers))]
    if raw.csv_path is not None:
        spec = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in columns) + "}"
        return (
            f"read_csv(?, auto_detect = false, header = false, skip = ?, delim = ?, quote = '\"', escape = '\"', "
            f"null_padding = true, parallel = ?, columns = {spec})",
            [str(raw.csv_path), raw.header_row, raw.delimiter, not raw.quoted_newlines],
        )
    cur.register(name, raw.rows)  # DuckDB refuses this while a result is still being fetched on `cur`
    return f"(SELECT {', '.join(f'CAST({c} AS VARCHAR) AS {c}' for c in columns)} FROM {name})", []


def _stage(cur: duckdb.DuckDBPyConnection, raw: RawTable, name: str) -> int:
    """Every cell as VARCHAR in temp table `name`; returns its first rowid (rows are in file order)."""
    source, params = _source(cur, raw, f"{name}_frame")
    cur.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {source}", params)
    return cur.execute(f"SELECT coalesce(min(rowid), 0) FROM {name}").fetchone()[0]


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
            # Likert answers stay 1–5 here; `final` maps them to 0–100.
            fast = f"TRY_CAST({col} AS DOUBLE)"
            return f"CASE WHEN {fast} IS NOT NULL THEN {fast} ELSE pbi_float({n}) END"
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


def _detect_likert(cur: duckdb.DuckDBPyConnection, typed: str, match: HeaderMatch, options: ImportOptions) -> bool:
    """Scores all within 1–5 are a Likert scale (unless the user said which scale)."""
    if options.scale is not None:
        return options.scale == "likert"
    if "score" not in match.columns:
        return False
    lo, hi = cur.execute(f"SELECT min(score), max(score) FROM {typed}").fetchone()
    return lo is not None and lo >= 1 and hi <= 5


def _persons(cur: duckdb.DuckDBPyConnection, typed: str, secret: str, name: str) -> None:
    """Pseudonymise the persons cells (split on commas, 、, semicolons, slashes) into temp table `name`."""
    cells = cur.execute(f"SELECT _row, raw_persons AS v FROM {typed} WHERE raw_persons IS NOT NULL").df()
    # Not on spaces: tables pad two-character names (王　伟), and privacy.normalise_name drops the padding.
    split = cells["v"].str.split(r"\s*[,，、;；/\n]+\s*", regex=True)
    frame = pd.DataFrame(
        {
            "_row": cells["_row"],
            "persons": [sorted({pseudonymise(p, secret) for p in names if p}) for names in split],
        }
    )
    cur.register(f"{name}_frame", frame)
    cur.execute(f"CREATE TEMP TABLE {name} AS SELECT _row, CAST(persons AS VARCHAR[]) AS persons FROM {name}_frame")
    cur.unregister(f"{name}_frame")


def _num(value: float | None) -> str:
    return "" if value is None else (str(int(value)) if float(value).is_integer() else str(value))


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

    Rows without errors are inserted even when others have errors, so that later files of the same call
    can refer to them; the caller rolls the whole transaction back if any file has an error.
    """
    raw, match, report, lang = prepared.raw, prepared.match, prepared.report, options.lang
    kind = match.kind
    names = _TempNames(index)
    _load_lookups(cur, kind)
    fields = {f.name: f for f in FIELDS[kind]}
    _parse(cur, raw, match, fields, names, secret)
    step(0.5)
    likert = _detect_likert(cur, names.typed, match, options)
    if likert:
        report.warnings.append(t("warn.likert", lang, column=raw.headers[match.columns["score"][0]]))
    if cur.execute(f"SELECT count(*) FROM {names.typed}").fetchone()[0] == 0:
        _file_error(report, "no-data", lang, detail=t("kind." + _KIND_TEXT[kind] + ".title", lang))
        return
    cur.execute(f"CREATE TEMP TABLE {names.errors} (row BIGINT, field VARCHAR, value VARCHAR, code VARCHAR)")
    expect = _check_cells(cur, raw, match, fields, likert, names, lang)
    _build_final(cur, kind, names, likert)
    expect |= _check_duplicates(cur, raw, match, names, lang)
    unchanged, replaced = _check_stored(cur, raw, match, names, batch_id, options)
    expect[("*", "conflict")] = _key_headers(raw, match, lang)
    step(0.75)
    _report_errors(cur, raw, match, names, expect, report, lang)
    report.warnings.extend(_warnings(cur, kind, names, lang))
    if unchanged:
        report.warnings.append(t("warn.unchanged", lang, n=unchanged))
    if replaced:
        report.warnings.append(t("warn.replaced", lang, n=replaced))
    report.rows = _insert(cur, kind, names, batch_id)
    cur.execute(queries.FINISH_BATCH, [report.rows, unchanged, replaced, batch_id])


_KIND_TEXT = {
    RecordKind.BRANCHES: "branches",
    RecordKind.DEPARTMENTS: "departments",
    RecordKind.ACTIVITIES: "activities",
    RecordKind.SATISFACTION_RESPONSES: "satisfaction",
    RecordKind.SATISFACTION_AGGREGATES: "satisfaction",
    RecordKind.DISCIPLINE: "discipline",
}


@dataclass(frozen=True)
class _TempNames:
    index: int

    def __getattr__(self, part: str) -> str:
        return f"pbi_{part}_{self.index}"


def _parse(cur, raw: RawTable, match: HeaderMatch, fields: dict[str, Field], names, secret) -> None:
    """Read the file straight into temp table `parsed` (each mapped cell parsed, whether it was filled
    (`_has_<field>`), whether the row is blank), and expose its data rows with their file row numbers as
    view `typed`."""
    source, params = _source(cur, raw, names.frame)
    select = []
    for name, (col_index, _role) in match.columns.items():
        field, col = fields[name], f"column{col_index}"
        select.append(f"{col} IS NOT NULL AS _has_{name}")  # cheap; blank-but-spaces cells are sorted out later
        if field.type == "period":
            select.append(f"pbi_period_grain(pbi_norm({col})) AS period_grain")
            select.append(f"pbi_period_start(pbi_norm({col})) AS period_start")
        elif field.type == "persons":
            select.append(f"nullif(trim({col}), '') AS raw_persons")
        else:
            select.append(f"{_parse_expr(field, col)} AS {name}")
    for name, field in fields.items():  # fields the file lacks are NULL of their type
        if name not in match.columns and field.type != "persons":
            select.append(f"CAST(NULL AS {_SQL_TYPE[field.type]}) AS {name}")
    # Blank rows (Excel's trailing ",,,,") are no data; DuckDB reads an empty cell as NULL. They stay in
    # `parsed` so that its rowids keep counting the file's rows.
    select.append(f"coalesce({', '.join(f'column{i}' for i in range(len(raw.headers)))}) IS NULL AS _blank")
    cur.execute(f"CREATE TEMP TABLE {names.parsed} AS SELECT {', '.join(select)} FROM {source}", params)
    # Inside a transaction a new table's rowids start at a large base, in insertion (= file) order.
    base = cur.execute(f"SELECT coalesce(min(rowid), 0) FROM {names.parsed}").fetchone()[0]
    offset = raw.header_row + 1 - base
    cur.execute(
        f"CREATE TEMP VIEW {names.rows} AS SELECT rowid + {offset} AS _row, * EXCLUDE (_blank) "
        f"FROM {names.parsed} WHERE NOT _blank"
    )
    if "persons" in match.columns:
        _persons(cur, names.rows, secret, names.persons)
        persons = f"(SELECT p.persons FROM {names.persons} p WHERE p._row = r._row)"
    else:
        persons = "CAST(NULL AS VARCHAR[])"
    cur.execute(f"CREATE TEMP VIEW {names.typed} AS SELECT r.*, {persons} AS persons FROM {names.rows} r")


_SQL_TYPE = {
    "text": "VARCHAR",
    "enum": "VARCHAR",
    "ref": "VARCHAR",
    "int": "BIGINT",
    "float": "DOUBLE",
    "score": "DOUBLE",
    "date": "DATE",
    "datetime": "TIMESTAMP",
    "bool": "BOOLEAN",
}


def _parsed_column(field: Field) -> str:
    return {"period": "period_grain", "persons": "persons"}.get(field.type, field.name)


def _check_cells(cur, raw, match, fields, likert, names, lang) -> dict[tuple[str, str], str]:
    """Missing, unreadable, unknown and out-of-range cells into the errors table; returns what was expected."""
    checks: list[str] = []
    expect: dict[tuple[str, str], str] = {}
    typed = names.typed
    for name in match.columns:
        field = fields[name]
        if field.required:
            empty = f"{_parsed_column(field)} IS NULL" if field.type in ("text", "persons") else f"NOT _has_{name}"
            checks.append(f"SELECT _row, '{name}', NULL, 'missing-value' FROM {typed} WHERE {empty}")
        if field.type not in ("text", "persons"):
            code = "unknown-reference" if field.type == "ref" else "type-error"
            checks.append(
                f"SELECT _row, '{name}', NULL, '{code}' FROM {typed} "
                f"WHERE _has_{name} AND {_parsed_column(field)} IS NULL"
            )
            expect[(name, code)] = expectation(field, lang)
        if field.type in ("date", "datetime"):  # 24/3/5 must not become the year 24
            checks.append(
                f"SELECT _row, '{name}', NULL, 'out-of-range' FROM {typed} "
                f"WHERE year({name}) NOT BETWEEN {_YEARS[0]} AND {_YEARS[1]}"
            )
            expect[(name, "out-of-range")] = t("expect.years", lang, low=_YEARS[0], high=_YEARS[1])
        low, high = (1, 5) if field.type == "score" and likert else (field.minimum, field.maximum)
        if low is None and high is None:
            continue
        bounds = " OR ".join(
            cond for cond, bound in ((f"{name} < {low}", low), (f"{name} > {high}", high)) if bound is not None
        )
        checks.append(f"SELECT _row, '{name}', NULL, 'out-of-range' FROM {typed} WHERE {bounds}")
        if high is not None:
            expect[(name, "out-of-range")] = t("expect.range", lang, low=_num(low), high=_num(high))
        else:
            expect[(name, "out-of-range")] = t("expect.at_least", lang, low=_num(low))
    if match.kind is RecordKind.DISCIPLINE:  # rectification cannot end before the record it rectifies
        date_header = raw.headers[match.columns["record_date"][0]]
        for name in ("rectification_deadline", "rectification_completed"):
            if name in match.columns:
                checks.append(f"SELECT _row, '{name}', NULL, 'out-of-range' FROM {typed} WHERE {name} < record_date")
                expect[(name, "out-of-range")] = t("expect.not_before", lang, column=date_header, value="")
    if checks:
        cur.execute(f"INSERT INTO {names.errors} {' UNION ALL '.join(checks)}")
    if checks and cur.execute(f"SELECT count(*) FROM {names.errors}").fetchall()[0][0]:  # all fetched: see _source
        # The cells' text, for the messages: read the file again (only when it has errors).
        base = _stage(cur, raw, names.stage)
        cases = " ".join(f"WHEN '{name}' THEN s.column{i}" for name, (i, _role) in match.columns.items())
        cur.execute(
            f"UPDATE {names.errors} e SET value = nullif(trim(CASE e.field {cases} END), '') "
            f"FROM {names.stage} s WHERE s.rowid = e.row - {raw.header_row + 1 - base}"
        )
        # A cell of only spaces is empty, not unreadable: missing if required, else no error at all.
        optional = [name for name in match.columns if not fields[name].required] or [""]
        unreadable = "code IN ('type-error', 'unknown-reference') AND value IS NULL"
        cur.execute(f"DELETE FROM {names.errors} WHERE {unreadable} AND field IN ?", [optional])
        cur.execute(f"UPDATE {names.errors} SET code = 'missing-value' WHERE {unreadable}")
    return expect


def _stored_columns(kind: RecordKind) -> list[str]:
    keys, values = KEYS[kind]
    return [*keys, *values]


def _build_final(cur, kind: RecordKind, names, likert: bool) -> None:
    """Temp view `final`: each row as it would be stored (defaults applied, Likert answers mapped to 0–100 as
    (x−1)×25), for every row of the file."""
    mapped = {"score", *_ITEMS} if likert else set()
    exprs = []
    for column in _stored_columns(kind):
        expr = f"({column} - 1) * 25" if column in mapped else DERIVED.get(kind, {}).get(column, column)
        exprs.append(f"{expr} AS {column}")
    cur.execute(f"CREATE TEMP VIEW {names.final} AS SELECT _row, {', '.join(exprs)} FROM {names.typed}")


def _key_headers(raw: RawTable, match: HeaderMatch, lang: str) -> str:
    keys = KEYS[match.kind][0]
    headers = [raw.headers[match.columns[k][0]] for k in keys if k in match.columns]
    if match.kind is RecordKind.SATISFACTION_AGGREGATES:
        headers.insert(1, raw.headers[match.columns["period"][0]])
    return "、".join(headers) if lang == "zh" else ", ".join(headers)


def _check_duplicates(cur, raw, match, names, lang) -> dict[tuple[str, str], str]:
    """Rows repeating a key (or an organisation's name) within the file are errors; responses excepted."""
    kind = match.kind
    if kind is RecordKind.SATISFACTION_RESPONSES:
        return {}
    keys = KEYS[kind][0]
    if kind is RecordKind.ACTIVITIES:  # two sessions of one topic on one day differ in attendance or hours
        keys = _stored_columns(kind)
    key_sets = [(keys, _key_headers(raw, match, lang))]
    if kind in (RecordKind.BRANCHES, RecordKind.DEPARTMENTS):
        key_sets.append((["name"], raw.headers[match.columns["name"][0]]))
    expect = {}
    for columns, described in key_sets:
        partition = ", ".join(columns)
        shown = " || ' / ' || ".join(f"coalesce(CAST({c} AS VARCHAR), '')" for c in columns)
        cur.execute(
            f"INSERT INTO {names.errors} SELECT _row, '{columns[0]}', {shown} || ' #' || first_row, 'duplicate-row' "
            f"FROM (SELECT *, min(_row) OVER (PARTITION BY {partition}) AS first_row FROM {names.final}) "
            f"WHERE _row > first_row AND {columns[0]} IS NOT NULL"
        )
        expect[(columns[0], "duplicate-row")] = described
    return expect


def _check_stored(cur, raw, match, names, batch_id: int, options: ImportOptions) -> tuple[int, int]:
    """Compare with stored records: identical → unchanged (not stored again); different → conflict error,
    or with `replace` moved to `<table>_replaced`. Returns (unchanged, replaced)."""
    kind = match.kind
    table = TABLE[kind]
    keys, values = KEYS[kind]
    on = " AND ".join(f"f.{k} IS NOT DISTINCT FROM s.{k}" for k in keys)
    # Only what the file says counts: a register without a 是否联合党支部 column does not contradict one.
    said = [v for v in values if v in match.columns or v == "status"]
    same = " AND ".join(f"f.{v} IS NOT DISTINCT FROM s.{v}" for v in said) or "true"
    cur.execute(
        f"CREATE TEMP TABLE {names.overlap} AS SELECT f._row, s.rowid AS rid, s.batch_id, ({same}) AS same "
        f"FROM {names.final} f JOIN {table} s ON {on}"
    )
    if kind in (RecordKind.BRANCHES, RecordKind.DEPARTMENTS):  # a new code may not take a stored name
        code = keys[0]
        cur.execute(
            f"INSERT INTO {names.errors} SELECT f._row, 'name', f.name || ' = ' || s.{code}, 'conflict' "
            f"FROM {names.final} f JOIN {table} s ON f.name = s.name AND f.{code} <> s.{code}"
        )
    # A file row equal to any stored row is unchanged; one whose key matches only differing rows conflicts.
    cur.execute(
        f"CREATE TEMP TABLE {names.conflict} AS SELECT * FROM {names.overlap} "
        f"WHERE _row NOT IN (SELECT _row FROM {names.overlap} WHERE same) "
        f"AND _row NOT IN (SELECT row FROM {names.errors})"
    )
    unchanged = cur.execute(f"SELECT count(DISTINCT _row) FROM {names.overlap} WHERE same").fetchone()[0]
    if options.replace:
        doomed = f"SELECT rid FROM {names.conflict} EXCEPT SELECT rid FROM {names.overlap} WHERE same"
        cur.execute(f"INSERT INTO {table}_replaced SELECT *, ? FROM {table} WHERE rowid IN ({doomed})", [batch_id])
        replaced = cur.execute(f"DELETE FROM {table} WHERE rowid IN ({doomed})").fetchone()[0]
        return unchanged, replaced
    first_key = keys[0]
    cur.execute(
        f"INSERT INTO {names.errors} SELECT _row, '{first_key}', CAST(min(batch_id) AS VARCHAR), 'conflict' "
        f"FROM {names.conflict} GROUP BY _row"
    )
    return unchanged, 0


def _report_errors(cur, raw, match, names, expect, report: FileReport, lang: str) -> None:
    total = cur.execute(f"SELECT count(*) FROM (SELECT DISTINCT * FROM {names.errors})").fetchone()[0]
    rows = cur.execute(
        f"SELECT DISTINCT * FROM {names.errors} ORDER BY row, field, code LIMIT {MAX_ERRORS_PER_FILE}"
    ).fetchall()
    for row, name, value, code in rows:
        column_index = match.columns.get(name, match.columns.get("period", (None,)))[0]
        column = raw.headers[column_index] if column_index is not None else name
        details = {"column": column, "value": value or "", "expected": expect.get((name, code), "")}
        if code == "duplicate-row":
            value, _, other = (value or "").rpartition(" #")
            details |= {"value": value, "other": other}
        if code == "conflict":
            details |= {"batch": value, "expected": expect.get(("*", "conflict"), "")}
            if name == "name":
                details["expected"] = column
        report.errors.append(
            RowError(
                row=row,
                column=column,
                value=details["value"] or None,
                code=code,
                message=t(f"err.{code}", lang, **details),
            )
        )
    report.error_count += total
    if total > len(rows):
        report.warnings.append(t("warn.more-errors", lang, n=total - len(rows)))


def _warnings(cur, kind: RecordKind, names, lang: str) -> list[str]:
    out = []
    if kind is RecordKind.ACTIVITIES:
        rows = [
            r
            for (r,) in cur.execute(
                f"SELECT _row FROM {names.final} WHERE attended > expected ORDER BY _row"
            ).fetchall()
        ]
        if rows:
            shown = ", ".join(map(str, rows[:10])) + (" …" if len(rows) > 10 else "")
            out.append(t("warn.attended-over-expected", lang, n=len(rows), rows=shown))
    if kind is RecordKind.SATISFACTION_RESPONSES:
        keys = ", ".join(KEYS[kind][0])
        n = cur.execute(f"SELECT count(*) - count(DISTINCT hash({keys})) FROM {names.final}").fetchone()[0]
        if n:
            out.append(t("warn.same-responses", lang, n=int(n)))
    return out


def _insert(cur, kind: RecordKind, names, batch_id: int) -> int:
    """Store the rows without errors that are not already stored; returns how many."""
    table = TABLE[kind]
    columns = _stored_columns(kind)
    select = list(columns)
    if kind in ID_COLUMN:
        id_column = ID_COLUMN[kind]
        columns = [id_column, *columns]
        # Ids are never reused, not even those of rows set aside by a replace (an undo brings them back).
        top = f"greatest((SELECT max({id_column}) FROM {table}), (SELECT max({id_column}) FROM {table}_replaced), 0)"
        select = [f"{top} + row_number() OVER (ORDER BY _row)", *select]
    return cur.execute(
        f"INSERT INTO {table} ({', '.join(columns)}, batch_id) "
        f"SELECT {', '.join(select)}, ? FROM {names.final} "
        f"WHERE _row NOT IN (SELECT row FROM {names.errors}) "
        f"AND _row NOT IN (SELECT _row FROM {names.overlap} WHERE same)",
        [batch_id],
    ).fetchone()[0]


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
    with tempfile.TemporaryDirectory(prefix="pbi-import-") as tmp:
        prepared = []
        for i, source in enumerate(files):
            progress(0.3 * i / max(len(files), 1), source.name)
            prepared.append(prepare(source, options, Path(tmp)))
        order = {kind: i for i, kind in enumerate(LOAD_ORDER)}
        runnable = sorted(
            (p for p in prepared if p.match is not None and not p.report.errors),
            key=lambda p: order[p.match.kind],
        )
        try:
            with db.writer() as cur:
                secret = cur.execute(queries.META_VALUE, ["pseudonym_secret"]).fetchone()[0]
                for i, item in enumerate(runnable):
                    start, share = 0.3 + 0.7 * i / len(runnable), 0.7 / len(runnable)
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


def preview(source: SourceFile, options: ImportOptions | None = None, sample_rows: int = 10) -> Preview:
    """Read and map a file without touching any database (a throwaway in-memory DuckDB counts its rows)."""
    options = options or ImportOptions()
    with tempfile.TemporaryDirectory(prefix="pbi-preview-") as tmp:
        prepared = prepare(source, options, Path(tmp))
        raw, match = prepared.raw, prepared.match
        rows, sample = 0, pd.DataFrame()
        if raw is not None:
            con = duckdb.connect()
            try:
                _stage(con, raw, "pbi_stage_preview")
                not_blank = " OR ".join(f"nullif(trim(column{i}), '') IS NOT NULL" for i in range(len(raw.headers)))
                rows = con.execute(f"SELECT count(*) FROM pbi_stage_preview WHERE {not_blank}").fetchone()[0]
                first = f"SELECT * FROM pbi_stage_preview WHERE {not_blank} LIMIT {sample_rows}"
                sample = con.execute(first).df()
                sample.columns = _unique(raw.headers)
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
    )


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
