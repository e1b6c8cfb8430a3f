"""What the import page shows, as plain data: header mappings, error lists, history, summaries.

The importer (`analytics.imports.importer`) does the work; this module turns its reports into tables and sentences
in the user's language, so the page only lays them out. No streamlit here.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analytics.i18n import STRINGS, t
from analytics.imports import parse, reader
from analytics.imports.fields import FIELDS, Field, match_headers, normalise_header
from analytics.imports.fields import field_label as _field_label
from analytics.imports.importer import Preview
from analytics.imports.model import FileReport, ImportResult
from analytics.schema import RecordKind

# The encodings a user may choose: the reader's own list, without its aliases.
ENCODINGS: tuple[str, ...] = tuple(dict.fromkeys(reader.ENCODINGS.values()))
SCALES: tuple[str, ...] = tuple(parse.SCALES)
ERROR_COLUMNS: tuple[str, ...] = ("file", "row", "column", "value", "stored", "stored_in", "code", "message")
NOTE_COLUMNS: tuple[str, ...] = ("file", "row", "other_row", "value", "code", "message")
HISTORY_COLUMNS: tuple[str, ...] = (
    "batch_id",
    "file_name",
    "kind",
    "rows",
    "unchanged",
    "replaced",
    "replaces",
    "valid_from",
    "encoding",
    "imported_by",
    "imported_at",
    "undone_at",
)


# --- Fields and kinds ----------------------------------------------------------------------------------


def kind_label(kind: str | RecordKind | None, lang: str) -> str:
    if kind is None or (isinstance(kind, float) and pd.isna(kind)):
        return t("import.preview.unknown_kind", lang)
    try:
        return RecordKind(kind).label(lang)
    except ValueError:
        return str(kind)


def field_label(kind: RecordKind, name: str, lang: str) -> str:
    """A field's name for people (the satisfaction items are named by their enum)."""
    field = next((f for f in FIELDS[kind] if f.name == name), None)
    return name if field is None else _field_label(field, lang)


def fields(kind: RecordKind) -> tuple[Field, ...]:
    return FIELDS[kind]


def field_choice_label(kind: RecordKind, name: str, lang: str) -> str:
    """How a field is named in the mapping step: its name, marked when required."""
    field = next((f for f in FIELDS[kind] if f.name == name), None)
    label = field_label(kind, name, lang)
    return t("import.mapping.required", lang, label=label) if field is not None and field.required else label


def encoding_label(encoding: str | None, lang: str) -> str:
    if not encoding:
        return "—"
    if encoding == "utf-8-sig":
        return t("import.encoding.bom", lang)
    return encoding.upper()


def format_label(preview: Preview, lang: str) -> str:
    if preview.format == "xlsx":
        return t("import.preview.xlsx", lang, sheet=preview.sheet or "")
    return (preview.format or "—").upper()


# --- Preview and mapping -------------------------------------------------------------------------------


def mapping_frame(preview: Preview, lang: str) -> pd.DataFrame:
    """One row per column of the file: its header and the field it maps to (or 'not imported')."""
    unused = t("import.preview.unused", lang)
    return pd.DataFrame(
        {
            t("import.preview.header", lang): [header or "—" for header, _ in preview.mapping],
            t("import.preview.field", lang): [
                field_label(preview.kind, name, lang) if name and preview.kind else unused
                for _, name in preview.mapping
            ],
        }
    )


def unmapped_headers(preview: Preview) -> list[str]:
    """Non-blank headers that map to no field."""
    return [header for header, name in preview.mapping if name is None and normalise_header(header)]


def needs_mapping(preview: Preview) -> bool:
    """Whether to offer the mapping step: the file was read, and some header is unknown or a field is missing."""
    if not preview.mapping:
        return False
    return preview.kind is None or bool(preview.missing) or bool(unmapped_headers(preview))


def mapping_step(headers: Sequence[str], kind: RecordKind) -> tuple[list[str], list[str]]:
    """What the mapping step offers for a file with `headers` read as `kind`: its non-blank headers no field's
    alias knows (each once, in file order), and the fields of `kind` no header maps to, required ones first.
    It asks for a column for each such field, so it grows with the kind's fields, never with the file's columns."""
    match = match_headers(list(headers), kind)
    unknown = list(dict.fromkeys(headers[i] for i in match.unknown if normalise_header(headers[i])))
    free = [f for f in FIELDS[kind] if f.name not in match.columns]
    return unknown, [*[f.name for f in free if f.required], *[f.name for f in free if not f.required]]


def mapping_from_choices(choices: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The mapping (header → field) from the mapping step's choices (field → header, '' for none), and the
    headers chosen for more than one field (each mapped to the first field that chose it)."""
    mapping: dict[str, str] = {}
    twice: list[str] = []
    for name, header in choices.items():
        if not header:
            continue
        if header in mapping:
            twice.append(header)
        else:
            mapping[header] = name
    return mapping, list(dict.fromkeys(twice))


# --- Results -------------------------------------------------------------------------------------------


def errors_frame(reports: Sequence[FileReport], lang: str = "zh") -> pd.DataFrame:
    """Every listed error of every file: file, row (the spreadsheet row), column, the file's value and, for a
    conflict, the stored value beside it and where it came from (batch and file), code, message."""
    rows = [
        {
            "file": report.file,
            "row": error.row,
            "column": error.column,
            "value": error.value,
            "stored": error.stored,
            "stored_in": stored_in(error, lang),
            "code": error.code,
            "message": error.message,
        }
        for report in reports
        for error in report.errors
    ]
    frame = pd.DataFrame(rows, columns=list(ERROR_COLUMNS))
    frame["row"] = frame["row"].astype("Int64")
    return frame


def stored_in(error, lang: str) -> str | None:
    """Where a conflicting stored value came from: "批次 3 · q.xlsx"."""
    if error.batch_id is None:
        return None
    return t("import.errors.stored_in_value", lang, batch=error.batch_id, file=error.batch_file or "")


def notes_frame(reports: Sequence[FileReport], lang: str = "zh") -> pd.DataFrame:
    """Every row warning of every file: the row, the earlier row it repeats (if any), and what was done."""
    rows = [
        {
            "file": report.file,
            "row": note.row,
            "other_row": note.other_row,
            "value": note.value,
            "code": error_code_label(note.code, lang),
            "message": note.message,
        }
        for report in reports
        for note in report.row_warnings
    ]
    frame = pd.DataFrame(rows, columns=list(NOTE_COLUMNS))
    for column in ("row", "other_row"):
        frame[column] = frame[column].astype("Int64")
    return frame


def resolutions(result: ImportResult, lang: str) -> list[tuple[str, str]]:
    """What the page offers when every error is one that replacing resolves: (choice, button text), the
    text the same words the error used. Choices: 'replace' (and 'keep' for an overlapping export)."""
    if not result.resolvable:
        return []
    offered = [r.resolution for r in result.files if r.resolution is not None]
    if not offered:
        return []
    rows = sum(r.rows for r in offered)
    codes = {r.code for r in offered}
    if codes == {"conflict"}:
        text = t("resolve.conflict", lang, n=rows)
    elif len(offered) == 1:
        only = offered[0]
        text = t(f"resolve.{only.code}", lang, n=only.rows, start=only.start, end=only.end, batch=only.batch)
    else:
        text = t("resolve.replace-all", lang, n=rows)
    choices = [("replace", text)]
    if codes == {"overlapping-responses"}:
        choices.append(("keep", t("resolve.keep", lang)))
    if codes == {"looks-corrected"}:
        choices.append(("keep", t("resolve.keep-ledger", lang)))
    return choices


def scale_text(preview: Preview, lang: str) -> tuple[str, str] | None:
    """How the preview read the satisfaction scores, and its level ('info', or 'warning' when a column's
    scale cannot be told and must be chosen)."""
    if not preview.scales:
        return None
    unclear = [header for header, scale in preview.scales.items() if scale is None]
    if unclear:
        return "warning", t("import.preview.scale_unclear", lang, columns="、".join(unclear))
    by_scale: dict[str, list[str]] = {}
    for header, scale in preview.scales.items():
        by_scale.setdefault(scale, []).append(header)
    joined = ("、" if lang == "zh" else ", ").join
    parts = [
        t("scale.detected", lang, columns=joined(headers), scale=t(f"scale.{scale}", lang))
        for scale, headers in by_scale.items()
    ]
    return "info", "；".join(parts) if lang == "zh" else "; ".join(parts)


def filter_errors(errors: pd.DataFrame, files: Sequence[str], codes: Sequence[str]) -> pd.DataFrame:
    """The errors of the chosen files and codes; an empty choice means all."""
    keep = pd.Series(True, index=errors.index)
    if files:
        keep &= errors["file"].isin(list(files))
    if codes:
        keep &= errors["code"].isin(list(codes))
    return errors[keep]


def error_code_label(code: str, lang: str) -> str:
    key = f"import.code.{code}"
    return t(key, lang) if key in STRINGS else code


def localised(frame: pd.DataFrame, prefix: str, lang: str) -> pd.DataFrame:
    """`frame` with column `c` renamed to the text `<prefix>.<c>`."""
    return frame.rename(columns={c: t(f"{prefix}.{c}", lang) for c in frame.columns})


def error_rows(report: FileReport) -> list[int]:
    return sorted({e.row for e in report.errors if e.row is not None})


def rows_text(rows: Sequence[int], limit: int = 30) -> str:
    shown = ", ".join(str(r) for r in rows[:limit])
    return shown + (" …" if len(rows) > limit else "")


def summary(result: ImportResult, lang: str) -> tuple[str, str]:
    """The one sentence that says what happened, and its level: 'success', 'info' or 'error'."""
    failed = [r for r in result.files if r.error_count]
    if failed:
        errors = sum(r.error_count for r in failed)
        key = "import.result.resolvable" if resolutions(result, lang) else "import.result.failed"
        return "error", t(key, lang, n=len(failed), total=len(result.files), errors=errors)
    stored = [r for r in result.files if r.batch_id is not None]
    rows = sum(r.rows for r in stored)
    if not stored:
        return "info", t("import.result.nothing", lang, total=len(result.files))
    return "success", t("import.result.ok", lang, files=len(stored), rows=rows)


def file_status(report: FileReport, result: ImportResult, lang: str) -> tuple[str, str]:
    """One file's outcome and its level."""
    if report.error_count:
        return "error", t("import.result.file_errors", lang, n=report.error_count)
    if report.skipped:
        return "info", report.skipped
    if not result.ok:
        return "warning", t("import.result.file_not_stored", lang)
    return "success", t("import.result.file_ok", lang, rows=report.rows, batch=report.batch_id)


# --- History -------------------------------------------------------------------------------------------


def history_frame(history: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The import history for people: kind labels, readable encodings, translated column names."""
    frame = history.reindex(columns=list(HISTORY_COLUMNS)).copy()
    frame["kind"] = [kind_label(k, lang) for k in frame["kind"]]
    frame["encoding"] = [encoding_label(e if isinstance(e, str) else None, lang) for e in frame["encoding"]]
    for column in ("imported_at", "undone_at"):
        frame[column] = [_when(v) for v in frame[column]]
    frame["replaces"] = ["" if pd.isna(b) else str(int(b)) for b in frame["replaces"]]
    frame["valid_from"] = [
        "" if v is None or pd.isna(v) else f"{pd.Timestamp(v):%Y-%m-%d}" for v in frame["valid_from"]
    ]
    return localised(frame, "import.history", lang)


def _when(value: object) -> str:
    return "" if value is None or pd.isna(value) else f"{pd.Timestamp(value):%Y-%m-%d %H:%M}"


def undoable(history: pd.DataFrame) -> list[int]:
    """Batches not undone yet, newest first."""
    return [int(b) for b in history.loc[history["undone_at"].isna(), "batch_id"]]


def batch_label(history: pd.DataFrame, batch_id: int, lang: str) -> str:
    row = history.loc[history["batch_id"] == batch_id].iloc[0]
    return t(
        "import.undo.option",
        lang,
        batch=batch_id,
        file=row["file_name"],
        kind=kind_label(row["kind"], lang),
        rows=int(row["rows"]),
        time=_when(row["imported_at"]),
    )
