"""The import call: read and map each file, check and store them all in one transaction (or none), and say
what happened in the user's language; the preview before it, the history and undo after it.

The rules (row numbers, scales, repeats, stored records) are in the package docstring (`analytics.imports`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence

import duckdb
import pandas as pd
import pyarrow.compute as pc
from pydantic import BaseModel
from pydantic import Field as PydanticField

from analytics import audit, faults, privacy, queries
from analytics.audit import Actor
from analytics.db import Database
from analytics.i18n import t
from analytics.imports.checks import build_final, check_cells, check_duplicates, errors_table, extra_cells, row_checks
from analytics.imports.fields import (
    FIELDS,
    LOAD_ORDER,
    Field,
    HeaderMatch,
    detect_kind,
    field_label,
    match_headers,
    normalise_header,
)
from analytics.imports.model import (
    ID_COLUMN,
    KEYS,
    MAX_ERRORS_PER_FILE,
    NOBODY_CAME,
    REGISTERS,
    TABLE,
    FileReport,
    ImportOptions,
    ImportResult,
    Prepared,
    Progress,
    RowError,
    SourceFile,
    TempNames,
    file_error,
    key_headers,
    stored_columns,
    stored_values,
)
from analytics.imports.parse import absent, choose_scales, detect_scales, load_lookups, parse, parse_select
from analytics.imports.reader import ROW, NotATable, RawTable, read_all
from analytics.imports.stored import check_stored
from analytics.schema import RecordKind


class _Blocked(Exception):
    """Raised inside an undo's transaction when a record to put back collides with one stored since."""


class _Refused(Exception):
    """Raised inside an undo's transaction when the undo is refused, so that nothing is committed."""

    def __init__(self, result: UndoResult) -> None:
        super().__init__(result.message)
        self.result = result


class _Rollback(Exception):
    """Raised inside the writer transaction to undo everything when any file failed."""


def prepare_all(source: SourceFile, options: ImportOptions) -> list[Prepared]:
    """Read the file (every sheet of a workbook holding a recognised table) and map each table's headers;
    fatal problems (not a table, missing columns) become errors. Sheets skipped and hidden rows are said."""
    lang = options.lang
    try:
        found = read_all(
            source.content,
            source.name,
            encoding=options.encoding,
            sheet=options.sheet,
            include_hidden=options.include_hidden,
            limits=options.limits,
        )
    except NotATable as problem:
        report = FileReport(file=source.name)
        file_error(report, problem.code, lang, detail=_refusal(problem, lang))
        return [Prepared(source, report)]
    several = len(found.tables) > 1
    parts = [_prepare_table(source, raw, options, several) for raw in found.tables]
    if found.skipped:
        sep, (left, right) = ("；", "（）") if lang == "zh" else ("; ", (" (", ")"))
        skipped = sep.join(f"{sheet}{left}{_reason(reason, '', lang)}{right}" for sheet, reason in found.skipped)
        parts[0].report.warnings.append(t("warn.sheets-skipped", lang, sheets=skipped))
    return parts


def _refusal(problem: NotATable, lang: str) -> str:
    """Why a file was not read; for a file over one of its limits: the limit, the file's figure and the limit's,
    and where the limit is changed."""
    if problem.limit is None:
        return _reason(problem.reason, problem.context, lang)
    name = t(f"settings.field.{problem.limit}", lang)
    values = {"found": f"{problem.found:,}", "allowed": f"{problem.allowed:,}", "limit": name}
    text = t(f"reason.{problem.reason}", lang, part=problem.context, **values)
    return text + t("reason.change-limit", lang)


def _reason(reason: str, context: str, lang: str) -> str:
    if not context:
        return t(f"reason.{reason}", lang)
    return t(f"reason.{reason}", lang) + (f"（{context}）" if lang == "zh" else f" ({context})")


def _prepare_table(source: SourceFile, raw: RawTable, options: ImportOptions, several: bool) -> Prepared:
    lang = options.lang
    name = f"{source.name} › {raw.sheet}" if several else source.name
    report = FileReport(file=name, sheet=raw.sheet)
    prepared = Prepared(source, report, raw=raw, part=raw.sheet if several else None)
    report.encoding = raw.encoding
    if raw.hidden_rows:
        shown = _cut(", ".join(map(str, raw.hidden_rows)))
        key = "warn.hidden-rows-included" if options.include_hidden else "warn.hidden-rows"
        report.warnings.append(t(key, lang, n=len(raw.hidden_rows), rows=shown))
    kind = source.kind or options.kind
    mapping = source.mapping if source.mapping is not None else options.mapping
    if kind is not None:
        match = match_headers(raw.headers, kind, mapping)
    else:
        ranked = detect_kind(raw.headers, mapping)
        match = ranked[0]
        headers_text = "、".join(h for h in raw.headers if h)
        if match.missing and match.score <= 0:
            file_error(report, "unknown-kind", lang, value=headers_text)
            return prepared
        if not match.missing and not ranked[1].missing and ranked[1].score == match.score:
            kinds = " / ".join(m.kind.label(lang) for m in ranked[:2])
            file_error(report, "ambiguous-kind", lang, value=kinds)
            return prepared
    prepared.match = match
    report.kind = match.kind
    for field in match.missing:
        accepted = " / ".join(field.aliases[:4] + field.name_aliases[:3])
        file_error(report, "missing-column", lang, column=field_label(field, lang), expected=accepted)
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
        field = fields.get(name) if name else None
        if column_index is not None:
            column = raw.headers[column_index]
        else:  # a field the file has no column for (a derived status): its name for people
            column = field_label(field, lang) if field is not None else name
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
    keys = key_headers(raw, match, lang, KEYS[match.kind][0])
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


# Discipline rows whose status and dates disagree, each with the message saying how they count (the rule is
# `queries.RECTIFICATION_STATES`: a completion date means completed; 已整改 without one is undated; 无需整改 stays
# not required).
RECTIFICATION_WARNINGS = (
    ("status = 'in_progress' AND rectification_completed IS NOT NULL", "warn.rectification-in-progress-dated"),
    ("status = 'completed' AND rectification_completed IS NULL", "warn.rectification-completed-undated"),
    (
        "status = 'not_required' AND (rectification_deadline IS NOT NULL OR rectification_completed IS NOT NULL)",
        "warn.rectification-not-required-dated",
    ),
)


def _rows_where(cur, names, condition: str) -> tuple[int, str]:
    """How many rows of the file meet `condition` (SQL over its final values), and the first ten of them."""
    rows = [r for (r,) in cur.execute(f"SELECT {ROW} FROM {names.final} WHERE {condition} ORDER BY {ROW}").fetchall()]
    return len(rows), ", ".join(map(str, rows[:10])) + (" …" if len(rows) > 10 else "")


def _warnings(cur, kind: RecordKind, names, match: HeaderMatch, lang: str) -> list[str]:
    out = []
    if kind is RecordKind.ACTIVITIES:
        n, shown = _rows_where(cur, names, "attended > expected")
        if n:
            out.append(t("warn.attended-over-expected", lang, n=n, rows=shown))
        n, shown = _rows_where(cur, names, NOBODY_CAME)
        if n:
            out.append(t("warn.nobody-attended", lang, n=n, rows=shown))
        n, shown = _rows_where(cur, names, f"status <> 'held' AND NOT ({NOBODY_CAME})")
        if n:
            out.append(t("warn.not-held", lang, n=n, rows=shown))
    if kind is RecordKind.DISCIPLINE:
        for condition, key in RECTIFICATION_WARNINGS:
            n, shown = _rows_where(cur, names, condition)
            if n:
                out.append(t(key, lang, n=n, rows=shown))
    return out


def _insert(cur, kind: RecordKind, names, batch_id: int, valid_from: dt.date | None = None) -> int:
    """Store the rows without errors that are not set aside (repeats, unchanged); returns how many. Register
    rows are stored as versions holding from `valid_from`."""
    table = TABLE[kind]
    columns = stored_columns(kind)
    select = list(columns)
    params: list[object] = [batch_id]
    if kind in REGISTERS:
        columns, select, params = [*columns, "valid_from"], [*select, "?"], [valid_from, batch_id]
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
        params,
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
    names = TempNames(index)
    # Registered first: DuckDB refuses to register while a result is still pending on the cursor.
    cur.register(names.frame, raw.table)
    load_lookups(cur, kind)
    fields = {f.name: f for f in FIELDS[kind]}
    scales = choose_scales(cur, raw, match, options, report)
    if scales is None:
        return
    checks, expect = row_checks(raw, match, fields, scales, options.today or dt.date.today(), lang)
    errors_table(cur, names)
    if raw.table.num_rows == 0:
        _no_data(report, kind, lang)
        return
    stored_already = (
        kind in ONE_PASS
        and not raw.extra_cells
        and not raw.swallowed_rows
        and _insert_direct(cur, raw, match, fields, names, scales, checks, batch_id)
    )
    step(0.5)
    if stored_already:
        final = ", ".join(stored_columns(kind))
        cur.execute(
            f"CREATE TEMP VIEW {names.final} AS SELECT source_row AS {ROW}, {final} FROM {TABLE[kind]} "
            f"WHERE batch_id = {int(batch_id)}"
        )
    else:
        parse(cur, raw, match, fields, names, secret, scales)
        if cur.execute(f"SELECT count(*) FROM {names.parsed}").fetchone()[0] == 0:  # only cells of spaces
            _no_data(report, kind, lang)
            return
        check_cells(cur, raw, match, fields, checks, names)
        extra_cells(cur, raw, names)
        build_final(cur, kind, names)
    step(0.6)
    expect |= check_duplicates(cur, raw, match, names, options)
    valid_from = _valid_from(cur, kind, options)
    stored = check_stored(cur, raw, match, names, batch_id, options, report, valid_from)
    step(0.75)
    files = dict(cur.execute(queries.BATCH_FILES).fetchall())
    _report_errors(cur, raw, match, names, expect, report, lang, files)
    _report_notes(cur, raw, match, names, report, options)
    report.warnings.extend(_warnings(cur, kind, names, match, lang))
    if stored.unchanged:
        report.warnings.append(t("warn.unchanged", lang, n=stored.unchanged))
    if stored.replaced:
        report.warnings.append(t("warn.replaced", lang, n=stored.replaced))
    if stored.versions:
        report.warnings.append(t("warn.new-versions", lang, n=stored.versions, day=f"{valid_from:%Y-%m-%d}"))
    if stored_already:
        report.rows = _withdraw_skipped(cur, kind, names, batch_id)
    elif report.error_count and kind not in REFERRED_TO:
        report.rows = 0  # the call will be rolled back, and no later file refers to these rows
    else:
        report.rows = _insert(cur, kind, names, batch_id, valid_from)
    if kind in REGISTERS and options.replaces is not None:  # a corrected register must still hold every code in use
        orphans = [code for (code,) in cur.execute(queries.ORPHANED[TABLE[kind]]).fetchall()]
        if orphans:
            file_error(report, "replaces-orphans", lang, batch=options.replaces, codes="、".join(orphans[:10]))
    cur.execute(queries.FINISH_BATCH, [report.rows, stored.unchanged, stored.replaced, batch_id])
    cur.execute(queries.SET_BATCH_ORIGIN, [options.replaces, valid_from, batch_id])


def _valid_from(cur, kind: RecordKind, options: ImportOptions) -> dt.date | None:
    """The day a register file holds from: as chosen; for a correction, the corrected batch's day; else the
    import day. None for records (they carry their own dates)."""
    if kind not in REGISTERS:
        return None
    if options.valid_from is not None:
        return options.valid_from
    if options.replaces is not None:
        corrected = cur.execute(queries.CORRECTED_BATCH, [options.replaces]).fetchone()
        if corrected is not None and corrected[2] is not None:
            return corrected[2]
    return options.today or dt.date.today()


def _no_data(report: FileReport, kind: RecordKind, lang: str) -> None:
    file_error(report, "no-data", lang, detail=t("kind." + _KIND_TEXT[kind] + ".title", lang))


def _insert_direct(cur, raw, match, fields, names, scales, checks, batch_id: int) -> bool:
    """Store every row of the file in one pass, parsing and checking on the way; True if every non-blank
    row passed (else the rows stored here are removed again and False returned)."""
    kind = match.kind
    table = TABLE[kind]
    columns = stored_columns(kind)
    exprs = stored_values(kind)
    passed = " AND ".join(["NOT _bad", *(f"NOT coalesce({cond}, false)" for _name, _code, cond in checks)])
    parsed = parse_select(cur, raw, match, fields, names, scales)
    typed = f"SELECT {', '.join(['p.*', *absent(match, fields)])} FROM ({parsed}) p"
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


def _pseudonym_secret(db: Database, runnable: list[Prepared], lang: str) -> str | None:
    """The key to pseudonymise persons with; without its key file, each file naming persons gets an error."""
    try:
        return db.pseudonym_secret()
    except privacy.KeyMissing as missing:
        for item in runnable:
            if "persons" in item.match.columns:
                file_error(item.report, "key-missing", lang, path=missing.path)
        return None


def _correction_fits(cur, prepared: list[Prepared], runnable: list[Prepared], options: ImportOptions) -> bool:
    """A file correcting a batch (`options.replaces`) must be one table of that batch's kind, and the batch
    must stand (not undone); else an error on the file."""
    lang, batch = options.lang, options.replaces
    target = prepared[0].report
    corrected = cur.execute(queries.CORRECTED_BATCH, [batch]).fetchone()
    since = [b for (b,) in cur.execute(queries.REPLACED_BY_LATER, [batch]).fetchall()]
    if len(prepared) != 1:
        file_error(target, "replaces-several", lang, batch=batch)
    elif corrected is None:
        file_error(target, "replaces-unknown", lang, batch=batch)
    elif corrected[1] is not None:
        file_error(target, "replaces-undone", lang, batch=batch, file=corrected[3])
    elif since:  # corrected (or partly replaced) already: the correction is what stands now
        file_error(target, "replaces-replaced", lang, batch=batch, file=corrected[3], later=since[-1])
    elif runnable and runnable[0].match.kind.value != corrected[0]:
        kinds = {"kind": RecordKind(corrected[0]).label(lang), "file_kind": runnable[0].match.kind.label(lang)}
        file_error(target, "replaces-kind", lang, batch=batch, file=corrected[3], **kinds)
    return not target.errors


def import_files(
    db: Database,
    files: Sequence[SourceFile],
    options: ImportOptions | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Validate and store `files` in one transaction: all of them, or (if any has an error) none."""
    options = options or ImportOptions()
    progress = progress or (lambda fraction, text: None)
    actor = Actor(options.user, options.client or "") if options.user else Actor.operator()
    user = actor.user
    prepared = []
    for i, source in enumerate(files):
        progress(0.2 * i / max(len(files), 1), source.name)
        prepared.extend(prepare_all(source, options))
    for item in prepared:  # a kind the user's role may not import: refused before anything is stored
        if item.match is not None and options.kinds is not None and item.match.kind not in options.kinds:
            file_error(item.report, "not-permitted", options.lang, kind=item.match.kind.label(options.lang))
    order = {kind: i for i, kind in enumerate(LOAD_ORDER)}
    runnable = sorted(
        (p for p in prepared if p.match is not None and not p.report.errors),
        key=lambda p: order[p.match.kind],
    )
    secret = _pseudonym_secret(db, runnable, options.lang)
    runnable = [p for p in runnable if not p.report.errors]
    try:
        with db.writer() as cur:
            if options.replaces is not None and not _correction_fits(cur, prepared, runnable, options):
                raise _Rollback
            for i, item in enumerate(runnable):
                start, share = 0.2 + 0.8 * i / len(runnable), 0.8 / len(runnable)
                progress(start, item.source.name)
                same = cur.execute(queries.SAME_FILE, [item.sha256]).fetchone()
                if same and not options.force:
                    when = same[1].strftime("%Y-%m-%d %H:%M")
                    item.report.skipped = t("skip.same-file", options.lang, when=when, batch=same[0])
                    continue
                batch_id = cur.execute(
                    queries.INSERT_BATCH,
                    [
                        item.report.file,
                        item.sha256,
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
                    if faults.is_storage_error(error):  # the machine's fault, not the file's
                        raise
                    file_error(item.report, "unreadable", options.lang, detail=str(error).splitlines()[0])
                    raise _Rollback from error
                if not item.report.error_count:
                    kind = item.match.kind.value
                    audit.record(
                        cur, actor, "import", batch=batch_id, file=item.report.file, kind=kind, rows=item.report.rows
                    )
            ok = not any(p.report.error_count for p in prepared)
            stored = any(p.report.rows or p.report.batch_id for p in prepared)
            if not ok or not stored:
                raise _Rollback
    except _Rollback:
        for p in prepared:
            p.report.rows, p.report.batch_id = 0, None
    except (duckdb.Error, OSError) as error:  # a full disk, a read-only place …: nothing was stored
        detail = faults.describe(error, db.path, options.lang)
        for p in prepared:
            p.report.rows, p.report.batch_id = 0, None
        if prepared:
            file_error(prepared[0].report, "storage", options.lang, detail=detail)
    progress(1.0, "")
    return ImportResult(ok=not any(p.report.error_count for p in prepared), files=[p.report for p in prepared])


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
    sheets: list[str] = PydanticField(default_factory=list)  # a workbook's sheets to import, when several
    warnings: list[str] = PydanticField(default_factory=list)  # sheets skipped, hidden rows


def preview(source: SourceFile, options: ImportOptions | None = None, sample_rows: int = 10) -> Preview:
    """Read and map a file without touching any database (a throwaway in-memory DuckDB counts its rows and
    detects the satisfaction scale)."""
    options = options or ImportOptions()
    parts = prepare_all(source, options)
    prepared = parts[0]
    raw, match = prepared.raw, prepared.match
    rows, sample, scales = 0, pd.DataFrame(), {}
    if raw is not None:
        rows, sample = _sample(raw, sample_rows)
        con = duckdb.connect()
        try:
            con.execute(queries.PARSE_MACROS)
            if match is not None:
                scales = _preview_scales(con, raw, match, options)
        except duckdb.Error as error:
            detail = str(error).splitlines()[0]
            file_error(prepared.report, "unreadable", options.lang, detail=detail)
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
        sheets=[p.report.sheet for p in parts if p.report.sheet] if len(parts) > 1 else [],
        warnings=[w for p in parts for w in p.report.warnings],
    )


def _sample(raw: RawTable, sample_rows: int) -> tuple[int, pd.DataFrame]:
    """How many rows hold a cell that is not blank (spaces are blank), and the first `sample_rows` of them by row
    number, under the file's headers. In Arrow, column by column: SQL over a table of 16,384 columns takes
    seconds to plan."""
    table = raw.table
    filled = None
    for name in raw.columns:
        text = pc.utf8_trim(table.column(name), characters=" ")
        cell = pc.fill_null(pc.not_equal(text, ""), False)
        filled = cell if filled is None else pc.or_(filled, cell)
    if filled is None:
        return 0, pd.DataFrame()
    chosen = pc.indices_nonzero(filled)
    numbers = pc.take(table.column(ROW), chosen)
    first = pc.take(chosen, pc.array_sort_indices(numbers))[:sample_rows]
    sample = table.take(first).drop_columns([ROW]).to_pandas()
    sample.columns = _unique(raw.headers)
    return len(chosen), sample


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


def undo(
    db: Database,
    batch_id: int,
    lang: str = "zh",
    actor: Actor | None = None,
    kinds: frozenset[RecordKind] | None = None,
) -> UndoResult:
    """Remove exactly the rows of one batch and put back any rows it replaced, as `actor` (the audit trail
    says who). `kinds`: the kinds of batch the actor's role may undo (None: every kind)."""
    try:
        with db.writer() as cur:
            batch = cur.execute(queries.BATCH, [batch_id]).fetchone()
            if batch is None:
                raise _Refused(UndoResult(ok=False, batch_id=batch_id, message=t("undo.unknown", lang, batch=batch_id)))
            _, kind, undone_at = batch
            if kinds is not None and RecordKind(kind) not in kinds:
                message = t("undo.not-permitted", lang, batch=batch_id, kind=RecordKind(kind).label(lang))
                raise _Refused(UndoResult(ok=False, batch_id=batch_id, message=message))
            if undone_at is not None:
                when = undone_at.strftime("%Y-%m-%d %H:%M")
                message = t("undo.already", lang, batch=batch_id, when=when)
                raise _Refused(UndoResult(ok=False, batch_id=batch_id, message=message))
            dependents_sql = queries.UNDO_DEPENDENTS.get(TABLE.get(RecordKind(kind), ""))
            if dependents_sql:
                n = cur.execute(dependents_sql, [batch_id]).fetchone()[0]
                if n:
                    message = t("undo.in-use", lang, batch=batch_id, n=n, kind=RecordKind(kind).label(lang))
                    raise _Refused(UndoResult(ok=False, batch_id=batch_id, message=message))
            later = [b for (b,) in cur.execute(queries.REPLACED_BY_LATER, [batch_id]).fetchall()]
            if later:
                message = t("undo.replaced-later", lang, batch=batch_id, later=", ".join(map(str, later)))
                raise _Refused(UndoResult(ok=False, batch_id=batch_id, message=message))
            removed = restored = 0
            clashes = {name for (name,) in cur.execute(queries.NAME_CLASHES).fetchall()}
            try:
                for table in TABLE.values():
                    delete, restore, clear = queries.undo_statements(table)
                    removed += cur.execute(delete, [batch_id]).fetchone()[0]
                    restored += cur.execute(restore, [batch_id]).fetchone()[0]
                    cur.execute(clear, [batch_id])
            except duckdb.ConstraintException as error:
                # A record to put back collides with one stored since (the same code and day).
                clash = re.search(r'"([^"]*)"', str(error))
                raise _Blocked(clash.group(1) if clash else "") from error
            # A name put back that another code has taken since (clashes the database held before are not ours).
            clash = sorted({name for (name,) in cur.execute(queries.NAME_CLASHES).fetchall()} - clashes)
            if clash:
                raise _Blocked(clash[0])
            cur.execute(queries.MARK_UNDONE, [dt.datetime.now(), batch_id])
            audit.record(cur, actor, "undo", batch=batch_id, kind=kind, removed=removed)
    except _Refused as refused:  # rolled back: nothing written, the data version (and every cache) kept
        return refused.result
    except _Blocked as blocked:  # the writer rolled everything back
        return UndoResult(ok=False, batch_id=batch_id, message=t("undo.blocked", lang, batch=batch_id, detail=blocked))
    message = t("undo.done", lang, batch=batch_id, rows=removed, restored=restored)
    return UndoResult(ok=True, batch_id=batch_id, removed=removed, restored=restored, message=message)
