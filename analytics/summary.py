"""What the database holds: counts per kind, respondents and the aggregates that do not count, coverage by
period, date range, hospital name."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from analytics import queries
from analytics.db import DEFAULT_HOSPITAL_NAME, Database, schema_version
from analytics.schema import StatusReport


def record_counts(db: Database) -> dict[str, int]:
    """Rows stored per kind; `satisfaction` is the sum of both grains (responses and aggregates)."""
    row = db.reader().execute(queries.RECORD_COUNTS).df().iloc[0]
    counts = {key: int(value) for key, value in row.items()}
    counts["satisfaction"] = counts["satisfaction_responses"] + counts["satisfaction_aggregates"]
    return counts


def status(db: Database) -> StatusReport:
    counts = record_counts(db)
    return StatusReport(
        schema_version=schema_version(db.reader()),
        counts={k: counts[k] for k in ("branches", "departments", "activities", "satisfaction", "discipline")},
        batches=counts["batches"],
    )


def respondents(db: Database) -> int:
    """People behind the satisfaction figures: one per response plus each counted aggregate's respondents
    (one source per department × period × population, see `uncounted_aggregates`)."""
    return int(db.reader().execute(queries.RESPONDENTS).fetchone()[0])


def uncounted_aggregates(db: Database) -> pd.DataFrame:
    """Stored department aggregates that do not count because the same department and population has finer
    data inside their period (`queries.COUNTED_AGGREGATES`): columns `population`, `covered_by` ('responses'
    or finer 'aggregates'), `aggregates` (rows) and `respondents`; no rows when every aggregate counts."""
    return db.reader().execute(queries.UNCOUNTED_AGGREGATES).df()


def coverage(db: Database) -> pd.DataFrame:
    """Records per quarter and kind: columns `kind`, `period` ('2024Q1'), `records`."""
    return db.reader().execute(queries.COVERAGE_BY_QUARTER).df()


def date_range(db: Database) -> tuple[dt.date, dt.date] | None:
    """First and last date of any dated record, or None for a database without records."""
    lo, hi = db.reader().execute(queries.DATE_RANGE).fetchone()
    return (lo, hi) if lo is not None else None


def departments_by_category(db: Database) -> pd.DataFrame:
    return db.reader().execute(queries.DEPARTMENTS_BY_CATEGORY).df()


def hospital_name(db: Database) -> str:
    return db.meta("hospital_name") or DEFAULT_HOSPITAL_NAME
