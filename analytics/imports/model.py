"""The import's data: what a file is (`SourceFile`), what the user chose (`ImportOptions`), what came of it
(`RowError`, `FileReport`, `ImportResult`), and the shape of each stored table (`TABLE`, `KEYS`, `DERIVED`).

Reports are pydantic models: the page, the CLI and `--json` show the same errors and warnings.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel
from pydantic import Field as PydanticField

from analytics.i18n import t
from analytics.imports.fields import HeaderMatch
from analytics.imports.limits import ImportLimits
from analytics.imports.reader import RawTable
from analytics.schema import RecordKind, SatisfactionItem

MAX_ERRORS_PER_FILE = 5000
Scale = Literal["likert", "ten", "ten1", "proportion", "percent"]


TABLE: dict[RecordKind, str] = {
    RecordKind.BRANCHES: "branches",
    RecordKind.DEPARTMENTS: "departments",
    RecordKind.ACTIVITIES: "activities",
    RecordKind.SATISFACTION_RESPONSES: "satisfaction_responses",
    RecordKind.SATISFACTION_AGGREGATES: "satisfaction_aggregates",
    RecordKind.DISCIPLINE: "discipline_records",
}


ITEMS = [item.column for item in SatisfactionItem]


# (key columns, value columns) of the stored table; see the module docstring. Responses are matched by
# their response id (the key) when the file has one, and never cell by cell.
KEYS: dict[RecordKind, tuple[list[str], list[str]]] = {
    RecordKind.BRANCHES: (["branch_code"], ["name", "is_joint", "member_count", "secretary_double_leader"]),
    RecordKind.DEPARTMENTS: (["department_code"], ["name", "category", "staff_count", "branch_code"]),
    RecordKind.ACTIVITIES: (
        ["activity_date", "branch_code", "activity_type", "topic"],
        ["attended", "expected", "hours", "dimension", "status", "source_id"],
    ),
    RecordKind.SATISFACTION_RESPONSES: (
        ["response_id"],
        ["submitted_at", "department_code", "population", "score", *ITEMS],
    ),
    RecordKind.SATISFACTION_AGGREGATES: (
        ["department_code", "period_grain", "period_start", "population"],
        ["score", "respondents"],
    ),
    RecordKind.DISCIPLINE: (
        ["record_date", "department_code", "category", "summary", "persons_pseudonymised"],
        ["status", "rectification_deadline", "rectification_completed", "source_id"],
    ),
}


# SQL over a file's activities: nobody attended a meeting people were expected at, so it did not take place.
NOBODY_CAME = "attended = 0 AND expected > 0"

# Stored columns filled from something other than one parsed field of the same name.
DERIVED: dict[RecordKind, dict[str, str]] = {
    RecordKind.BRANCHES: {"is_joint": "coalesce(is_joint, false)"},
    RecordKind.ACTIVITIES: {
        "topic": "coalesce(topic, '')",
        "status": f"CASE WHEN {NOBODY_CAME} THEN 'not_held' ELSE coalesce(status, 'held') END",
    },
    RecordKind.SATISFACTION_AGGREGATES: {"period_grain": "period_grain", "period_start": "period_start"},
    RecordKind.DISCIPLINE: {
        "summary": "coalesce(summary, '')",
        "persons_pseudonymised": "coalesce(persons, []::VARCHAR[])",
        "status": "coalesce(status, CASE WHEN rectification_completed IS NOT NULL THEN 'completed' "
        "WHEN rectification_deadline IS NOT NULL THEN 'in_progress' ELSE 'not_required' END)",
    },
}


ID_COLUMN = {RecordKind.ACTIVITIES: "activity_id", RecordKind.DISCIPLINE: "record_id"}


# Kinds that describe the organisation: stored as versions, each valid from a day.
REGISTERS = frozenset({RecordKind.BRANCHES, RecordKind.DEPARTMENTS})


# Codes of errors a clerk resolves by choosing to replace what is stored (the page's button, --replace).
RESOLVABLE = frozenset({"conflict", "overlapping-responses", "looks-corrected"})


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
    store this file's (for an overlapping export: the answers stored between `start` and `end`; for a
    ledger that looks like a corrected version: the records of `batch` the file no longer holds)."""

    code: Literal["conflict", "overlapping-responses", "looks-corrected"]
    rows: int
    start: str | None = None
    end: str | None = None
    batch: int | None = None


class FileReport(BaseModel):
    file: str
    sheet: str | None = None  # the workbook sheet this report is of
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
    user: str | None = None  # who imports (the signed-in user; the OS user on the command line)
    client: str | None = None  # from where (the client address the app saw; `cli@host` on the command line)
    # The kinds of file the user's role may import (None: every kind); a file of another kind is refused.
    kinds: frozenset[RecordKind] | None = None
    today: dt.date | None = None  # the day dates may not lie after (default: today)
    # A register (branches, departments) holds from this day (default: the import day; with `replaces`, the
    # corrected batch's day); earlier periods keep the organisation as it was.
    valid_from: dt.date | None = None
    replaces: int | None = None  # the batch this file corrects: its records are set aside, the file's stored
    include_hidden: bool = False  # import a workbook's hidden (filtered-out) rows too
    mapping: dict[str, str] = PydanticField(default_factory=dict)  # raw header → field name ('' ignores)
    # What a file may hold before it is read (the database's setting: `settings.import_limits`).
    limits: ImportLimits = PydanticField(default_factory=ImportLimits)


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


@dataclass
class Prepared:
    """One table to import: a CSV, or one sheet of a workbook (several sheets give several)."""

    source: SourceFile
    report: FileReport
    raw: RawTable | None = None
    match: HeaderMatch | None = None
    part: str | None = None  # the sheet, when the workbook has several tables

    @property
    def sha256(self) -> str:
        """What 'the same file imported again' compares: the file's hash, and the sheet of a workbook part."""
        if self.part is None:
            return self.source.sha256
        return hashlib.sha256(f"{self.source.sha256}:{self.part}".encode()).hexdigest()


def file_error(report: FileReport, code: str, lang: str, **values: object) -> None:
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


@dataclass(frozen=True)
class TempNames:
    index: int

    def __getattr__(self, part: str) -> str:
        return f"pbi_{part}_{self.index}"


def stored_columns(kind: RecordKind) -> list[str]:
    keys, values = KEYS[kind]
    return [*keys, *values]


def stored_values(kind: RecordKind) -> list[str]:
    """SQL for each stored column of `kind` from the parsed fields (`stored_columns` order, defaults applied)."""
    return [DERIVED.get(kind, {}).get(column, column) for column in stored_columns(kind)]


def key_headers(raw: RawTable, match: HeaderMatch, lang: str, keys: list[str] | None = None) -> str:
    keys = keys if keys is not None else KEYS[match.kind][0]
    headers = [raw.headers[match.columns[k][0]] for k in keys if k in match.columns]
    if match.kind is RecordKind.SATISFACTION_AGGREGATES and keys == KEYS[match.kind][0]:
        headers.insert(1, raw.headers[match.columns["period"][0]])
    return "、".join(headers) if lang == "zh" else ", ".join(headers)


def num(value: float | None) -> str:
    return "" if value is None else (str(int(value)) if float(value).is_integer() else f"{value:g}")
