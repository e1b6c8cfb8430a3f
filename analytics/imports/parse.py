"""Parsing a file in SQL: every mapped cell of the registered file read into its type, with the row's
spreadsheet number kept beside it; and each satisfaction score column's scale, detected from the bulk of
its values (`detect_scale`) and mapped to 0–100 (`SCALES`).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analytics import queries
from analytics.i18n import t
from analytics.imports.fields import FIELDS, Field, HeaderMatch, enum_aliases
from analytics.imports.model import FileReport, ImportOptions, file_error, num
from analytics.imports.reader import ROW, RawTable
from analytics.privacy import pseudonymise
from analytics.schema import RecordKind

SCALES: dict[str, tuple[float, float, str]] = {
    # scale → (lowest, highest, SQL mapping {x} to 0–100)
    "likert": (1, 5, "({x} - 1) * 25"),
    "ten": (0, 10, "{x} * 10"),
    "ten1": (1, 10, "({x} - 1) * 100.0 / 9"),
    "proportion": (0, 1, "{x} * 100"),
    "percent": (0, 100, "{x}"),
}


NEARLY_ALL = 0.98  # the share of a column's values that must lie in a scale for it to be that scale
# A 0–10 column must use its top half: answers above 5 make at least this share (else it may be 1–5 with zeros).
TEN_EVIDENCE = 0.2
# A 0–100 column with at least this share of values at or below 10 may mix in a smaller scale: ask.
MIXTURE = 0.05


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


INT_MAX = 2_147_483_647  # the stored tables' INTEGER


def parse_expr(field: Field, col: str, date1904: bool = False) -> str:
    """SQL reading one field from raw column `col` (NULL when the cell cannot be read); `date1904`: date
    serials count from 1904 (a workbook in the 1904 date system)."""
    n = f"pbi_norm({col})"
    match field.type:
        case "text" | "persons":
            return f"nullif(trim({col}), '')"
        case "int":
            # A count that does not fit the stored INTEGER is not a count anyone kept.
            return f"CASE WHEN abs(pbi_int({n})) <= {INT_MAX} THEN pbi_int({n}) END"
        case "float" | "score":
            # Plain numbers take the fast cast; the rest (full-width digits, '85%') the full parser.
            # Scores stay on their own scale here; `parse_select` maps them to 0–100.
            fast = f"pbi_finite(TRY_CAST({col} AS DOUBLE))"
            return f"CASE WHEN {fast} IS NOT NULL THEN {fast} ELSE pbi_float({n}) END"
        case "hours":
            fast = f"pbi_finite(TRY_CAST({col} AS DOUBLE))"
            return f"CASE WHEN {fast} IS NOT NULL THEN {fast} ELSE pbi_hours({n}) END"
        case "date" | "datetime":
            # ISO-like cells (2024-03-05, 2024/3/5 14:30) take DuckDB's own cast; the rest the full parser.
            sql_type, parser = ("DATE", "pbi_date") if field.type == "date" else ("TIMESTAMP", "pbi_timestamp")
            parser += "1904" if date1904 else ""  # pbi_date1904, pbi_timestamp1904: serials from 1904
            # Anything more (letters, a zone, 下午) goes to the full parser: the cast reads 'epoch', drops PM, +08:00.
            fast = f"TRY_CAST(replace({col}, '/', '-') AS {sql_type})"
            return f"CASE WHEN pbi_plain_datetime({col}) AND {fast} IS NOT NULL THEN {fast} ELSE {parser}({n}) END"
        case "bool":
            return f"pbi_bool({n})"
        case "enum":
            return f"(SELECT a.code FROM pbi_aliases a WHERE a.field = '{field.name}' AND a.alias = pbi_key({col}))"
        case "ref":
            return f"(SELECT r.code FROM pbi_refs r WHERE r.ref = '{field.ref}' AND r.key = pbi_key({col}))"
    raise ValueError(field.type)


def percent_flag(col: str) -> str:
    """Whether a score cell says it is a percentage (85.3%, ８５％)."""
    return f"coalesce(strpos({col}, '%') > 0 OR strpos({col}, '％') > 0, false)"


def load_lookups(cur: duckdb.DuckDBPyConnection, kind: RecordKind) -> None:
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
    cur.execute(queries.IMPORT_FOUNDED)


def parse_select(cur, raw, match: HeaderMatch, fields: dict[str, Field], names, scales: dict[str, ScoreScale]) -> str:
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
            exprs = _period_exprs("v") if field.type == "period" else [(name, parse_expr(field, "v"))]
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
            number = parse_expr(field, col)
            mapped = SCALES[scales[name].scale][2].format(x=number)
            parsed = [(name, f"CASE WHEN {percent_flag(col)} THEN {number} ELSE {mapped} END")]
        else:
            parsed = [(name, parse_expr(field, col, raw.date1904))]
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


def absent(match: HeaderMatch, fields: dict[str, Field]) -> list[str]:
    """The fields the file lacks, as NULL of their type."""
    return [
        f"CAST(NULL AS {_SQL_TYPE[field.type]}) AS {name}"
        for name, field in fields.items()
        if name not in match.columns and field.type not in ("persons", "period")
    ]


def parse(cur, raw, match: HeaderMatch, fields: dict[str, Field], names, secret, scales: dict[str, ScoreScale]) -> None:
    """Temp table `parsed` (see `parse_select`) and view `typed`: the same with the fields the file lacks
    (as NULL) and the pseudonymised persons."""
    cur.execute(f"CREATE TEMP TABLE {names.parsed} AS {parse_select(cur, raw, match, fields, names, scales)}")
    # Rows of cells holding only spaces are blank, not rows with every cell missing.
    cur.execute(
        f"DELETE FROM {names.parsed} p USING {names.frame} f WHERE p._bad AND p.{ROW} = f.{ROW} AND {_blank(raw, 'f.')}"
    )
    masked = ""
    if "persons" in match.columns:
        summary = "summary" in match.columns
        _persons(cur, names.parsed, secret, names.persons, summary)
        persons, join = "p.persons", f"LEFT JOIN {names.persons} p USING ({ROW})"
        masked = " REPLACE (coalesce(p.summary, r.summary) AS summary)" if summary else ""
    else:
        persons, join = "CAST(NULL AS VARCHAR[]) AS persons", ""
    columns = ", ".join([*absent(match, fields), persons])
    cur.execute(f"CREATE TEMP VIEW {names.typed} AS SELECT r.*{masked}, {columns} FROM {names.parsed} r {join}")


def _period_exprs(col: str) -> list[tuple[str, str]]:
    return [
        ("period_grain", f"pbi_period_grain(pbi_norm({col}))"),
        ("period_start", f"pbi_period_start(pbi_norm({col}))"),
    ]


def _blank(raw: RawTable, prefix: str = "") -> str:
    """SQL true for a row whose every cell holds only spaces (rows with no cell at all never get here)."""
    return " AND ".join(f"coalesce(trim({prefix}{c}), '') = ''" for c in raw.columns)


def _persons(cur: duckdb.DuckDBPyConnection, parsed: str, secret: str, name: str, summary: bool = False) -> None:
    """Pseudonymise the persons cells (split on commas, 、, semicolons, slashes) into temp table `name`; with
    `summary`, also the record's summary with each of its persons' names replaced by their pseudonym (the
    整改台账 shows and downloads summaries, and names must not be stored in clear)."""
    text = "summary" if summary else "NULL"
    cells = cur.execute(
        f"SELECT {ROW}, raw_persons AS v, {text} AS summary FROM {parsed} WHERE raw_persons IS NOT NULL"
    ).df()
    # Not on spaces: tables pad two-character names (王　伟), and privacy.normalise_name drops the padding.
    split = cells["v"].str.split(r"\s*[,，、;；/\n]+\s*", regex=True)
    people = [{p: pseudonymise(p, secret) for p in names if p} for names in split]
    frame = pd.DataFrame(
        {
            ROW: cells[ROW],
            "persons": [sorted(set(found.values())) for found in people],
            "summary": [_masked(s, found) for s, found in zip(cells["summary"], people, strict=True)],
        }
    )
    cur.register(f"{name}_frame", frame)
    cur.execute(
        f"CREATE TEMP TABLE {name} AS SELECT {ROW}, CAST(persons AS VARCHAR[]) AS persons, "
        f"CAST(summary AS VARCHAR) AS summary FROM {name}_frame"
    )
    cur.unregister(f"{name}_frame")


def _masked(summary: object, people: dict[str, str]) -> str | None:
    """`summary` with each person's name (as written, or without its padding spaces) replaced by the pseudonym."""
    if not isinstance(summary, str):
        return None
    for written, pseudonym in sorted(people.items(), key=lambda item: -len(item[0])):
        for spelling in {written, "".join(written.split())}:
            if len(spelling) >= 2:  # one character would mask ordinary words
                summary = summary.replace(spelling, pseudonym)
    return summary


@dataclass(frozen=True)
class ScaleStats:
    """How a score column's numbers (not those written with %) spread over the candidate scales, and which
    parser its cells need."""

    n: int
    in_01: int
    in_15: int
    in_010: int
    above_5: int  # values in (5, 10]: the top half of a 0–10 scale
    zeros: int
    fractions_01: int  # values strictly between 0 and 1
    low: float | None
    high: float | None
    percent_cells: int = 0  # cells written with a per cent sign
    slow_cells: int = 0  # cells only the full number parser reads (full-width digits, 1,234, 85%)


def detect_scale(stats: ScaleStats) -> str | None:
    """The scale of a score column from the bulk of its values, or None when it cannot be told apart.

    The smallest scale holding nearly all values wins (the rest are out-of-range errors at their rows),
    given evidence that it is that scale: 0–1 needs fractions (0 and 1 alone may be anything); 0–10 needs
    a 0 (else 0–10 and 1–10 are both possible) and answers above 5 (else it may be 1–5 with zeros); 0–100
    needs few values at or below 10 (else a smaller scale may be mixed in)."""
    if stats.n == 0:
        return "percent"

    def share(count: int) -> float:
        return count / stats.n

    if share(stats.in_01) >= NEARLY_ALL:
        return "proportion" if stats.fractions_01 else None
    if share(stats.in_15) >= NEARLY_ALL:
        return "likert"
    if share(stats.in_010) >= NEARLY_ALL:
        return "ten" if stats.zeros and share(stats.above_5) >= TEN_EVIDENCE else None
    if share(stats.in_010) >= MIXTURE:
        return None
    return "percent"


def scale_stats(con, column: pa.ChunkedArray) -> ScaleStats:
    """The figures `detect_scale` needs, for one score column of the file: each distinct cell text is
    parsed once (with the importer's own number parser) and weighted by how often it occurs."""
    counts = pc.value_counts(column.drop_null()) if column.null_count < len(column) else None
    if counts is None or len(counts) == 0:
        return ScaleStats(0, 0, 0, 0, 0, 0, 0, None, None)
    values, weights = counts.field("values").to_pylist(), counts.field("counts").to_pylist()
    number = parse_expr(Field("x", "score", ()), "v")
    row = con.execute(queries.scale_stats(number, percent_flag("v")), [values, weights]).fetchone()
    return ScaleStats(*(int(v) for v in row[:7]), row[7], row[8], int(row[9]), int(row[10]))


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


def choose_scales(cur, raw, match, options: ImportOptions, report: FileReport) -> dict[str, ScoreScale] | None:
    """The scale of every score column (the user's choice, else detected); None when a column is ambiguous
    (reported as an error asking for a choice)."""
    lang = options.lang
    chosen = {}
    for column, (scale, stats) in detect_scales(cur, raw, match).items():
        plain = stats.percent_cells == 0 and stats.slow_cells == 0
        if options.scale is not None:
            chosen[column] = ScoreScale(options.scale, plain)
        elif scale is None:
            figures = t("scale.figures", lang, n=stats.n, low=num(stats.low), high=num(stats.high), zeros=stats.zeros)
            file_error(report, "ambiguous-scale", lang, column=raw.headers[match.columns[column][0]], detail=figures)
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
