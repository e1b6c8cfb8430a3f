"""Named SQL: every query the analytics run, in one place, parameterised with `?`.

Table and column names are fixed here, never built from user input.
"""

# Rows stored per kind of record (satisfaction counts both grains; see `summary.record_counts`).
RECORD_COUNTS = """
SELECT
    (SELECT count(*) FROM branches)                AS branches,
    (SELECT count(*) FROM departments)             AS departments,
    (SELECT count(*) FROM activities)              AS activities,
    (SELECT count(*) FROM satisfaction_responses)  AS satisfaction_responses,
    (SELECT count(*) FROM satisfaction_aggregates) AS satisfaction_aggregates,
    (SELECT count(*) FROM discipline_records)      AS discipline,
    (SELECT count(*) FROM import_batches)          AS batches
"""

# Respondents behind the stored satisfaction rows: responses count one each, aggregates their `respondents`.
RESPONDENTS = """
SELECT (SELECT count(*) FROM satisfaction_responses)
     + (SELECT coalesce(sum(respondents), 0) FROM satisfaction_aggregates)
"""

# Records per quarter and kind: which periods each kind of data covers.
COVERAGE_BY_QUARTER = """
WITH dated AS (
    SELECT 'activities' AS kind, date_trunc('quarter', activity_date) AS q, count(*) AS n
    FROM activities GROUP BY q
    UNION ALL
    SELECT 'satisfaction_responses', date_trunc('quarter', submitted_at), count(*)
    FROM satisfaction_responses GROUP BY 2
    UNION ALL
    SELECT 'satisfaction_aggregates', date_trunc('quarter', period_start), count(*)
    FROM satisfaction_aggregates GROUP BY 2
    UNION ALL
    SELECT 'discipline', date_trunc('quarter', record_date), count(*) FROM discipline_records GROUP BY 2
)
-- Truncate first, label after: the label is computed per quarter, not per row.
SELECT kind, period_label(q, 'quarter') AS period, sum(n)::BIGINT AS records
FROM dated
GROUP BY ALL
ORDER BY period, kind
"""

# First and last date of any dated record.
DATE_RANGE = """
WITH dated AS (
    SELECT min(activity_date) AS lo, max(activity_date) AS hi FROM activities
    UNION ALL
    SELECT min(CAST(submitted_at AS DATE)), max(CAST(submitted_at AS DATE)) FROM satisfaction_responses
    UNION ALL
    SELECT min(period_start), max(period_start) FROM satisfaction_aggregates
    UNION ALL
    SELECT min(record_date), max(record_date) FROM discipline_records
)
SELECT min(lo), max(hi) FROM dated
"""

DEPARTMENTS_BY_CATEGORY = """
SELECT category, count(*) AS departments, sum(staff_count)::BIGINT AS staff
FROM departments
GROUP BY category
ORDER BY category
"""

META_VALUE = "SELECT value FROM meta WHERE key = ?"
SET_META = "INSERT OR REPLACE INTO meta VALUES (?, ?)"

INSERT_BATCH = """
INSERT INTO import_batches (batch_id, file_name, sha256, kind, rows, imported_by, imported_at)
SELECT coalesce(max(batch_id), 0) + 1, ?, ?, ?, ?, ?, ? FROM import_batches
RETURNING batch_id
"""
BATCH_COUNT = "SELECT count(*) FROM import_batches"

# Tables holding records, in load order (organisation first).
RECORD_TABLES = (
    "import_batches",
    "branches",
    "departments",
    "activities",
    "satisfaction_responses",
    "satisfaction_aggregates",
    "discipline_records",
)


def delete_all(table: str) -> str:
    """Empty one of the record tables (the demo's `--force`)."""
    if table not in RECORD_TABLES:
        raise ValueError(f"not a record table: {table}")
    return f"DELETE FROM {table}"


def insert_from(table: str, columns: list[str], source: str) -> str:
    """Copy `columns` of a registered DataFrame `source` into the record table of the same columns."""
    if table not in RECORD_TABLES or not all(c.isidentifier() for c in [*columns, source]):
        raise ValueError(f"refusing to build an insert into {table!r}")
    names = ", ".join(columns)
    return f"INSERT INTO {table} ({names}) SELECT {names} FROM {source}"
