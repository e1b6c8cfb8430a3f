"""Checks within one file: missing, unreadable, unknown, out-of-range and future cells (with the cells'
text and, for unknown labels and names, the closest known one), cells beyond the header, and rows that
repeat a key or another row. Errors go to the temp table `errors`, row warnings to `notes`, rows set
aside to `skip`.
"""

from __future__ import annotations

import datetime as dt
import difflib

from analytics import queries
from analytics.i18n import t
from analytics.imports.fields import ENUM_ALIASES, Field, HeaderMatch, expectation, normalise_header
from analytics.imports.model import KEYS, ImportOptions, key_headers, num, stored_columns, stored_values
from analytics.imports.parse import SCALES
from analytics.imports.reader import ROW, RawTable
from analytics.schema import LabelledEnum, RecordKind

MAX_SUGGESTIONS = 200  # distinct unknown values for which the closest known value is looked up


_YEARS = (1950, 2100)  # dates outside these years are typing errors (24/3/5 read as the year 24)


def errors_table(cur, names) -> None:
    cur.execute(
        f"CREATE TEMP TABLE {names.errors} (row BIGINT, field VARCHAR, value VARCHAR, code VARCHAR, "
        "other BIGINT, stored VARCHAR, batch INTEGER, hint VARCHAR)"
    )


def _parsed_column(field: Field) -> str:
    return {"period": "period_grain", "persons": "persons"}.get(field.type, field.name)


def _date_column(field: Field) -> str:
    return "period_start" if field.type == "period" else field.name


def row_checks(raw, match, fields, scales, today: dt.date, lang) -> tuple[list[tuple[str, str, str]], dict]:
    """The checks of parsed values, as (field, error code, SQL true when the cell is wrong), and what each
    field was expected to hold. Missing and unreadable cells are found by `parse_select`'s `_bad`."""
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
            expect[(name, "out-of-range")] = t("expect.range", lang, low=num(low), high=num(high))
            continue
        low, high = field.minimum, field.maximum
        if low is None and high is None:
            continue
        bounds = " OR ".join(
            cond for cond, bound in ((f"{name} < {low}", low), (f"{name} > {high}", high)) if bound is not None
        )
        checks.append((name, "out-of-range", bounds))
        if high is not None:
            expect[(name, "out-of-range")] = t("expect.range", lang, low=num(low), high=num(high))
        else:
            expect[(name, "out-of-range")] = t("expect.at_least", lang, low=num(low))
    refs = [f for f in fields.values() if f.name in match.columns and f.type == "ref"]
    days = [f for f in fields.values() if f.name in match.columns and f.not_future]
    if refs and days:  # a branch or department founded after the record's day (see `metrics.in_force`)
        ref, day = refs[0], _date_column(days[0])
        founded = f"(SELECT founded FROM pbi_founded WHERE ref = '{ref.ref}' AND code = {ref.name})"
        checks.append((ref.name, "not-yet-registered", f"CAST({day} AS DATE) < {founded}"))
    if "source_id" in match.columns:  # a ledger with the source's ids: every record has one
        checks.append(("source_id", "missing-value", "source_id IS NULL"))
    if match.kind is RecordKind.DISCIPLINE:  # rectification cannot end before the record it rectifies
        date_header = raw.headers[match.columns["record_date"][0]]
        for name in ("rectification_deadline", "rectification_completed"):
            if name in match.columns:
                checks.append((name, "out-of-range", f"{name} < record_date"))
                expect[(name, "out-of-range")] = t("expect.not_before", lang, column=date_header)
    return checks, expect


def check_cells(cur, raw, match, fields, checks, names) -> None:
    """Missing, unreadable, unknown, out-of-range and future cells into the errors table, with the cells'
    text. Missing and unreadable cells are looked for only in the rows `parse` found something wrong with."""
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
        _ambiguous_periods(cur, match, fields, names)
        _suggest(cur, match, fields, names)


def _ambiguous_periods(cur, match: HeaderMatch, fields: dict[str, Field], names) -> None:
    """A period written 2024.1 is not unreadable but ambiguous: January, or October typed as 2024.10 (which
    Excel stores as the number 2024.1)."""
    periods = [name for name in match.columns if fields[name].type == "period"]
    if periods:
        cur.execute(
            f"UPDATE {names.errors} SET code = 'ambiguous-period' "
            "WHERE code = 'type-error' AND field IN ? AND pbi_period_ambiguous(pbi_norm(value))",
            [periods],
        )


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


def extra_cells(cur, raw: RawTable, names) -> None:
    """What the reader found wrong with a CSV's rows as such: cells right of the last header (the row does
    not fit its header; its cells may have shifted, e.g. an unquoted comma), and a quote never closed (the
    rows below were read into one cell). Errors, at their rows."""
    found = [(row, value, "extra-cells") for row, value in raw.extra_cells]
    found += [(row, value, "swallowed-rows") for row, value in raw.swallowed_rows]
    if found:
        cur.executemany(f"INSERT INTO {names.errors} (row, value, code) VALUES (?, ?, ?)", found)


def build_final(cur, kind: RecordKind, names) -> None:
    """Temp view `final`: each row as it would be stored (defaults applied; scores are already on 0–100)."""
    exprs = [f"{expr} AS {column}" for expr, column in zip(stored_values(kind), stored_columns(kind), strict=True)]
    extra = ", _cells" if kind is RecordKind.ACTIVITIES else ""
    cur.execute(f"CREATE TEMP VIEW {names.final} AS SELECT {ROW}{extra}, {', '.join(exprs)} FROM {names.typed}")


def check_duplicates(cur, raw, match, names, options: ImportOptions) -> dict[tuple[str, str], str]:
    """Rows repeating a key within the file: errors, except activities (two activities, or one repeated
    row: warnings in `notes`, repeats set aside in `skip`) and responses (see the module docstring)."""
    kind, lang = match.kind, options.lang
    keys = KEYS[kind][0]
    cur.execute(f"CREATE TEMP TABLE {names.notes} (row BIGINT, other BIGINT, code VARCHAR)")
    cur.execute(f"CREATE TEMP TABLE {names.skip} ({ROW} BIGINT)")
    clean = f"{ROW} NOT IN (SELECT row FROM {names.errors})"
    if "source_id" in match.columns:  # a ledger with the source's own ids: the id is the record
        return _duplicate_ids(cur, raw, match, names, lang, "source_id", [])
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
        return _duplicate_ids(cur, raw, match, names, lang, "response_id", ["population"])
    key_sets = [(keys, key_headers(raw, match, lang))]
    if kind in (RecordKind.BRANCHES, RecordKind.DEPARTMENTS):
        key_sets.append((["name"], raw.headers[match.columns["name"][0]]))
    expect = {}
    for columns, described in key_sets:
        # Names differing only in spaces, case or full-width characters (内科（一）, 内科(一)) are one name.
        partition = ", ".join(f"pbi_key({c})" if c == "name" else c for c in columns)
        shown = " || ' / ' || ".join(f"coalesce(CAST({c} AS VARCHAR), '')" for c in columns)
        cur.execute(
            f"INSERT INTO {names.errors} (row, field, value, code, other) "
            f"SELECT {ROW}, '{columns[0]}', shown, 'duplicate-row', first_row FROM ("
            f"SELECT {ROW}, {columns[0]}, {shown} AS shown, min({ROW}) OVER (PARTITION BY {partition}) AS first_row "
            f"FROM {names.final}) WHERE {ROW} > first_row AND {columns[0]} IS NOT NULL"
        )
        expect[(columns[0], "duplicate-row")] = described
    return expect


def _duplicate_ids(cur, raw, match, names, lang: str, id_column: str, within: list[str]) -> dict[tuple[str, str], str]:
    """The same source id twice (within the same `within` values): one record exported twice (identical
    rows: stored once, with a note) or an error naming both rows."""
    content = ", ".join(stored_columns(match.kind))
    partition = ", ".join([id_column, *within])
    cur.execute(
        f"CREATE TEMP TABLE {names.idgroups} AS SELECT {ROW}, {id_column}, "
        f"min({ROW}) OVER (PARTITION BY {partition}) AS first_row, "
        f"count(DISTINCT hash({content})) OVER (PARTITION BY {partition}) AS versions "
        f"FROM {names.final} WHERE {id_column} IS NOT NULL"
    )
    cur.execute(
        f"INSERT INTO {names.notes} SELECT {ROW}, first_row, 'repeated-row' FROM {names.idgroups} "
        f"WHERE versions = 1 AND {ROW} > first_row"
    )
    cur.execute(f"INSERT INTO {names.skip} SELECT row FROM {names.notes}")
    cur.execute(
        f"INSERT INTO {names.errors} (row, field, value, code, other) SELECT {ROW}, '{id_column}', "
        f"{id_column}, 'duplicate-row', first_row FROM {names.idgroups} WHERE versions > 1 AND {ROW} > first_row"
    )
    return {(id_column, "duplicate-row"): key_headers(raw, match, lang, [id_column])}


def _repeats(cur, names, cells: str, clean: str, keep: bool) -> None:
    """Rows identical in every cell to an earlier row: a warning naming both; stored once unless `keep`."""
    cur.execute(
        f"INSERT INTO {names.notes} SELECT {ROW}, first_row, 'repeated-row' FROM ("
        f"SELECT {ROW}, min({ROW}) OVER (PARTITION BY {cells}) AS first_row FROM {names.final} WHERE {clean}) "
        f"WHERE {ROW} > first_row"
    )
    if not keep:
        cur.execute(f"INSERT INTO {names.skip} SELECT row FROM {names.notes}")
