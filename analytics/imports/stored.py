"""A file against the records already stored (the rules in `analytics.imports`): unchanged rows set
aside, conflicts reported cell by cell with the stored value beside the new one, overlapping exports of
survey answers found by their time range; with `replace`, the stored rows moved to `<table>_replaced`.
"""

from __future__ import annotations

from dataclasses import dataclass

from analytics import queries
from analytics.i18n import t
from analytics.imports.fields import FIELDS, HeaderMatch
from analytics.imports.model import (
    KEYS,
    REGISTERS,
    TABLE,
    FileReport,
    ImportOptions,
    Resolution,
    file_error,
    stored_columns,
)
from analytics.imports.reader import ROW
from analytics.schema import RecordKind


@dataclass
class Stored:
    """What comparing with the stored records found."""

    unchanged: int = 0
    replaced: int = 0
    versions: int = 0  # register rows that start a new version of a stored branch or department


def check_stored(
    cur, raw, match, names, batch_id: int, options: ImportOptions, report: FileReport, valid_from=None
) -> Stored:
    """Compare the file with the stored records (the rules in `analytics.imports`): unchanged rows go to
    `skip`; conflicts become errors, or with `replace` their stored rows are set aside. A file that corrects
    a batch (`options.replaces`) first sets all of that batch's records aside."""
    kind = match.kind
    table = TABLE[kind]
    corrected = 0
    if options.replaces is not None:
        move, delete = queries.set_aside(table, f"SELECT rowid FROM {table} WHERE batch_id = {int(options.replaces)}")
        cur.execute(move, [batch_id])
        corrected = cur.execute(delete).fetchone()[0]
    cur.execute(f"CREATE TEMP TABLE {names.doomed} (rid BIGINT)")
    versions = 0
    if kind is RecordKind.ACTIVITIES and "source_id" not in match.columns:
        _match_activities(cur, match, names, batch_id)
    elif kind is RecordKind.SATISFACTION_RESPONSES and "response_id" not in match.columns:
        # Answers without an id are never matched cell by cell: only their time range is compared.
        cur.execute(f"CREATE TEMP TABLE {names.unchanged} ({ROW} BIGINT)")
        cur.execute(f"CREATE TEMP TABLE {names.overlap} ({ROW} BIGINT, rid BIGINT, batch_id INTEGER, same BOOLEAN)")
    else:
        versions = _match_by_key(cur, match, names, batch_id, valid_from)
    if kind is RecordKind.SATISFACTION_RESPONSES:
        _overlapping_export(cur, match, names, batch_id, options, report)
    unchanged = cur.execute(f"SELECT count(*) FROM {names.unchanged}").fetchone()[0]
    found = Stored(unchanged=unchanged, replaced=corrected, versions=versions)
    cur.execute(f"INSERT INTO {names.skip} SELECT {ROW} FROM {names.unchanged}")
    if kind in LEDGERS and options.replaces is None:
        _looks_corrected(cur, match, names, batch_id, options, report)
    conflicts = cur.execute(f"SELECT count(DISTINCT rid) FROM {names.doomed}").fetchone()[0]
    if options.replace:
        rowids = f"SELECT rid FROM {names.doomed}"
        move, delete = queries.set_aside(table, rowids)
        cur.execute(move, [batch_id])
        found.replaced += cur.execute(delete).fetchone()[0]
        return found
    if conflicts:
        _conflict_errors(cur, raw, match, names)
        if report.resolution is None:
            report.resolution = Resolution(code="conflict", rows=conflicts)
    return found


# Kinds matched by their content (or by the source's ids, which records stored earlier may lack), where an
# edited row cannot be followed by content.
LEDGERS = frozenset({RecordKind.ACTIVITIES, RecordKind.DISCIPLINE})
# A ledger's unit (the branch of an activity, the department of a record) and date.
_SCOPE = {
    RecordKind.ACTIVITIES: ("branch_code", "activity_date"),
    RecordKind.DISCIPLINE: ("department_code", "record_date"),
}


def said_columns(match: HeaderMatch) -> list[str]:
    """The stored columns a file's row is compared on: those the file gives (and the status derived from
    them), never the source's id (an id'd file is matched by it, a file without ids has none to compare)."""
    given = set(match.columns) | {"status", "persons_pseudonymised" if "persons" in match.columns else ""}
    return [c for c in stored_columns(match.kind) if c in given and c != "source_id"]


def _looks_corrected(cur, match: HeaderMatch, names, batch_id: int, options: ImportOptions, report: FileReport) -> None:
    """A ledger that re-presents most of a stored batch (at least as many of its records as it leaves out),
    leaves some of them out and brings new rows looks like a corrected version of that batch: identity by
    content cannot follow an edited date, topic or summary, so storing it would count the edited records
    twice. Only the stored records of the file's branches or departments and dates are judged (a branch's
    own ledger is not a correction of the hospital's), and, for a file with ids, only those stored without
    one. Refused, naming the new rows and the batch, unless `replace` (the batch's records the file no
    longer holds are set aside) or `keep_repeats` (they are kept: the file really adds records)."""
    kind = match.kind
    table, columns, (unit, day) = TABLE[kind], said_columns(match), _SCOPE[kind]
    clean = f"{ROW} NOT IN (SELECT row FROM {names.errors})"
    scope = (
        f"s.{unit} IN (SELECT {unit} FROM {names.final}) "
        f"AND s.{day} BETWEEN (SELECT min({day}) FROM {names.final}) AND (SELECT max({day}) FROM {names.final})"
    )
    if "source_id" in match.columns:
        scope += " AND s.source_id IS NULL"
    cur.execute(
        f"CREATE TEMP TABLE {names.held} AS SELECT s.rowid AS rid, s.batch_id, EXISTS (SELECT 1 FROM {names.final} f "
        f"WHERE f.{clean} AND {_same(columns)}) AS held FROM {table} s WHERE s.batch_id <> {int(batch_id)} AND {scope}"
    )
    found = cur.execute(
        f"SELECT batch_id, count(*) FILTER (WHERE NOT held) AS absent FROM {names.held} GROUP BY batch_id "
        "HAVING count(*) FILTER (WHERE held) >= count(*) FILTER (WHERE NOT held) AND absent > 0 "
        "ORDER BY count(*) FILTER (WHERE held) DESC, batch_id DESC LIMIT 1"
    ).fetchone()
    fresh = f"{clean} AND {ROW} NOT IN (SELECT {ROW} FROM {names.skip})"
    new = [r for (r,) in cur.execute(f"SELECT {ROW} FROM {names.final} WHERE {fresh} ORDER BY {ROW}").fetchall()]
    if found is None or not new:
        return
    batch, absent = found
    if options.replace:
        cur.execute(f"INSERT INTO {names.doomed} SELECT rid FROM {names.held} WHERE batch_id = ? AND NOT held", [batch])
        return
    name = cur.execute(queries.CORRECTED_BATCH, [batch]).fetchone()[3]
    if options.keep_repeats:
        report.warnings.append(t("warn.looks-corrected-kept", options.lang, n=absent, batch=batch, file=name))
        return
    shown = ", ".join(map(str, new[:10])) + (" …" if len(new) > 10 else "")
    action = t("resolve.looks-corrected", options.lang, n=absent, batch=batch)
    file_error(
        report,
        "looks-corrected",
        options.lang,
        n=len(new),
        rows=shown,
        absent=absent,
        batch=batch,
        file=name,
        action=action,
    )
    report.resolution = Resolution(code="looks-corrected", rows=absent, batch=batch)


def _stored_rows(kind: RecordKind, batch_id: int) -> str:
    """The stored rows (of other batches) a file's rows are compared with, with their `rid` (rowid); of a
    register, each code's version in force on the day `$day` the file holds from (see `metrics.in_force`)."""
    table = TABLE[kind]
    if kind not in REGISTERS:
        return f"(SELECT *, rowid AS rid, NULL AS valid_from FROM {table} WHERE batch_id <> {int(batch_id)})"
    code = KEYS[kind][0][0]
    return (
        f"(SELECT *, rowid AS rid FROM {table} WHERE batch_id <> {int(batch_id)} QUALIFY row_number() OVER ("
        f"PARTITION BY {code} ORDER BY CASE WHEN valid_from <= $day THEN valid_from END DESC NULLS LAST, valid_from"
        ") = 1)"
    )


def _match_by_key(cur, match: HeaderMatch, names, batch_id: int, valid_from) -> int:
    """Keyed kinds: a file row equal to a stored row with its key is unchanged; one whose key matches only
    differing rows conflicts with them. A register's rows are compared with the versions in force on the
    day the file holds from: a differing row is a new version from that day, a conflict only when the
    version it differs from holds from the same day. Returns how many rows start a new version."""
    kind = match.kind
    keys, values = KEYS[kind]
    versions = 0
    on = _same(keys)
    # Only what the file says counts: a register without a 是否联合党支部 column does not contradict one.
    said = [v for v in values if v in match.columns or v in ("status", "period_grain")]
    if kind is RecordKind.SATISFACTION_RESPONSES:
        # An answer is the same answer when its id, population and minute agree (an export re-saved by Excel
        # loses its seconds); an id alone may be only an export's row counter (序号).
        on = (
            "f.response_id = s.response_id AND f.population = s.population "
            "AND date_trunc('minute', f.submitted_at) = date_trunc('minute', s.submitted_at)"
        )
        said = [v for v in said if v not in ("submitted_at", "population")]
    if "source_id" in match.columns:
        # A ledger with the source's own ids (活动编号, 案件编号): the id is the record, whatever else was
        # corrected; records stored without an id are still matched by their key.
        on = f"(f.source_id = s.source_id OR (s.source_id IS NULL AND {on}))"
        said = said_columns(match)
    same = _same(said) if said else "true"
    clean = f"f.{ROW} NOT IN (SELECT row FROM {names.errors}) AND f.{ROW} NOT IN (SELECT {ROW} FROM {names.skip})"
    stored = _stored_rows(kind, batch_id)
    cur.execute(
        f"CREATE TEMP TABLE {names.overlap} AS SELECT f.{ROW}, s.rid, s.batch_id, ({same}) AS same, "
        f"s.valid_from IS NOT DISTINCT FROM $day AS same_day FROM {names.final} f JOIN {stored} s ON {on} "
        f"WHERE {clean}",
        {"day": valid_from},
    )
    if kind in REGISTERS:
        code = keys[0]
        # A new code may not take a name another code holds (spaces, full and half width aside) …
        cur.execute(
            f"INSERT INTO {names.errors} (row, field, value, code, stored, batch) "
            f"SELECT f.{ROW}, 'name', f.name, 'name-taken', s.{code}, s.batch_id "
            f"FROM {names.final} f JOIN {stored} s ON pbi_key(f.name) = pbi_key(s.name) AND f.{code} <> s.{code}",
            {"day": valid_from},
        )
        # … and a row differing from the version in force on an earlier day is a new version, not a conflict.
        versions = cur.execute(f"DELETE FROM {names.overlap} WHERE NOT same AND NOT same_day").fetchone()[0]
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
    return versions


def _match_activities(cur, match: HeaderMatch, names, batch_id: int) -> None:
    """Activities: for each set of identical activities, the file's rows beyond the stored count are new;
    a new row sharing date, branch, type and topic with a stored activity that the file no longer holds
    conflicts with it (a correction or another session: the clerk says which)."""
    columns = said_columns(match)
    keys = KEYS[RecordKind.ACTIVITIES][0]
    content = ", ".join(columns)
    kept = ", ".join(dict.fromkeys([*keys, *columns]))
    clean = f"{ROW} NOT IN (SELECT row FROM {names.errors}) AND {ROW} NOT IN (SELECT {ROW} FROM {names.skip})"
    cur.execute(
        f"CREATE TEMP TABLE {names.candidates} AS SELECT {ROW}, {kept}, "
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
    """SQL: the rows `left` and `right` agree on `columns`; names when their spelling keys agree (内科（一） is
    内科(一))."""
    return " AND ".join(
        f"pbi_key({left}.{c}) IS NOT DISTINCT FROM pbi_key({right}.{c})"
        if c == "name"
        else f"{left}.{c} IS NOT DISTINCT FROM {right}.{c}"
        for c in columns
    )


def _overlapping_export(
    cur, match: HeaderMatch, names, batch_id: int, options: ImportOptions, report: FileReport
) -> None:
    """Stored answers (of other batches) of a department and population of this file, inside the time range
    the file covers for that department and population, and not matched by a response id: an overlapping
    export."""
    clean = f"{ROW} NOT IN (SELECT row FROM {names.errors})"
    cur.execute(
        f"CREATE TEMP TABLE {names.span} AS SELECT min(submitted_at) AS lo, max(submitted_at) AS hi "
        f"FROM {names.final} WHERE {clean}"
    )
    cur.execute(
        f"CREATE TEMP TABLE {names.pairs} AS SELECT department_code, population, min(submitted_at) AS lo, "
        f"max(submitted_at) AS hi FROM {names.final} WHERE {clean} GROUP BY ALL"
    )
    cur.execute(
        f"CREATE TEMP TABLE {names.ranged} AS SELECT s.rowid AS rid, s.batch_id, s.submitted_at "
        f"FROM satisfaction_responses s JOIN {names.pairs} p USING (department_code, population) "
        # To the minute: an export re-saved by Excel has lost its seconds (09:15:00 is the answer of 09:15:37).
        f"WHERE date_trunc('minute', s.submitted_at) BETWEEN date_trunc('minute', p.lo) AND date_trunc('minute', p.hi) "
        f"AND s.batch_id <> {int(batch_id)} "
        f"AND s.rowid NOT IN (SELECT rid FROM {names.overlap})"
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
    file_error(
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
    columns = said_columns(match)
    if kind is RecordKind.SATISFACTION_AGGREGATES:
        columns = [v for v in KEYS[kind][1] if v in match.columns]
    numbers = frozenset(f.name for f in FIELDS[kind] if f.type in ("float", "hours", "score"))
    selects = [
        f"SELECT c.{ROW}, '{_field(v)}', {_shown(f'f.{v}', v, numbers)}, 'conflict', "
        f"{_shown(f's.{v}', v, numbers)}, c.batch_id "
        f"FROM {names.conflict} c JOIN {names.final} f USING ({ROW}) JOIN {table} s ON s.rowid = c.rid "
        f"WHERE f.{v} IS DISTINCT FROM s.{v}"
        for v in columns
    ]
    cur.execute(f"INSERT INTO {names.errors} (row, field, value, code, stored, batch) {' UNION ALL '.join(selects)}")


def _field(column: str) -> str:
    """The file's field a stored column comes from."""
    return "persons" if column == "persons_pseudonymised" else column


def _shown(expr: str, column: str, numbers: frozenset[str] = frozenset()) -> str:
    """A stored value as text for a message: numbers whole without '.0', else to 4 decimals; persons as the
    first characters of their pseudonyms (never a name)."""
    if column == "persons_pseudonymised":
        return f"array_to_string(list_transform({expr}, lambda p: left(p, 8)), '、')"
    if column not in numbers:
        return f"CAST({expr} AS VARCHAR)"
    return (
        f"CASE WHEN {expr} = round({expr}) THEN CAST(CAST({expr} AS BIGINT) AS VARCHAR) "
        f"ELSE CAST(round({expr}, 4) AS VARCHAR) END"
    )
