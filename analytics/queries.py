"""Named SQL: every query the analytics run, in one place, parameterised with `?`.

Table and column names are fixed here, never built from user input.
"""

# Rows stored per kind of record (satisfaction counts both grains; see `summary.record_counts`).
RECORD_COUNTS = """
SELECT
    (SELECT count(*) FROM branches_now)            AS branches,
    (SELECT count(*) FROM departments_now)         AS departments,
    (SELECT count(*) FROM activities)              AS activities,
    (SELECT count(*) FROM satisfaction_responses)  AS satisfaction_responses,
    (SELECT count(*) FROM satisfaction_aggregates) AS satisfaction_aggregates,
    (SELECT count(*) FROM discipline_records)      AS discipline,
    (SELECT count(*) FROM import_batches)          AS batches
"""

# One satisfaction source per department × period × population: the finest one counts (individual responses,
# then monthly, quarterly and yearly aggregates). An aggregate row counts only if no finer source of its
# department and population (responses, or aggregates of a finer grain) has data inside its period; the others
# stay stored but are not added. `judged_aggregates.covered_by` is the finest source covering a row (0
# responses, 1 monthly, 2 quarterly aggregates; null: it counts). Counted rows never overlap each other or the
# responses, so any sum of them counts each respondent once. The start of a WITH list:
# `WITH {COUNTED_AGGREGATES} SELECT … FROM counted_aggregates`.
COUNTED_AGGREGATES = """
ranked_aggregates AS (
    SELECT *, CASE period_grain WHEN 'month' THEN 1 WHEN 'quarter' THEN 2 ELSE 3 END AS fineness
    FROM satisfaction_aggregates
),
satisfaction_sources AS (
    SELECT DISTINCT department_code, population, CAST(date_trunc('month', submitted_at) AS DATE) AS period_start,
           0 AS fineness
    FROM satisfaction_responses
    UNION ALL
    SELECT department_code, population, period_start, fineness FROM ranked_aggregates
),
judged_aggregates AS (
    SELECT a.*, (
        SELECT min(s.fineness) FROM satisfaction_sources s
        WHERE s.department_code = a.department_code AND s.population = a.population AND s.fineness < a.fineness
          AND CAST(date_trunc(a.period_grain, s.period_start) AS DATE) = a.period_start
    ) AS covered_by
    FROM ranked_aggregates a
),
counted_aggregates AS (SELECT * FROM judged_aggregates WHERE covered_by IS NULL)
"""

# Respondents behind the satisfaction figures: responses count one each, counted aggregates their `respondents`.
RESPONDENTS = f"""
WITH {COUNTED_AGGREGATES}
SELECT (SELECT count(*) FROM satisfaction_responses)
     + (SELECT coalesce(sum(respondents), 0) FROM counted_aggregates)
"""

# Stored aggregate rows that do not count, per population and what covers them ('responses' or finer
# 'aggregates'), with their respondents.
UNCOUNTED_AGGREGATES = f"""
WITH {COUNTED_AGGREGATES}
SELECT j.population, CASE j.covered_by WHEN 0 THEN 'responses' ELSE 'aggregates' END AS covered_by,
       count(*) AS aggregates, sum(j.respondents)::BIGINT AS respondents
FROM judged_aggregates j
WHERE j.covered_by IS NOT NULL
GROUP BY ALL
ORDER BY ALL
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
FROM departments_now
GROUP BY category
ORDER BY category
"""

META_VALUE = "SELECT value FROM meta WHERE key = ?"
SET_META = "INSERT OR REPLACE INTO meta VALUES (?, ?)"


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


# --- Import: value parsing ------------------------------------------------------------------------------
# Macros the importer's validation uses; defined as temporary macros on each writing connection (and the
# preview's), so they always match this code and opening a database writes nothing. Each takes a raw cell
# (VARCHAR) and returns NULL when it cannot be read.
PARSE_MACROS = r"""
-- Full-width digits, letters and punctuation to ASCII, trimmed; '' becomes NULL. translate() is costly
-- (about 1.3 s per million cells), so it runs only on the cells that hold a full-width character.
CREATE OR REPLACE TEMP MACRO pbi_norm(v) AS nullif(trim(CASE
    WHEN regexp_matches(v, '[０１２３４５６７８９．－／：　，（）＋％ＱＹＮＴＦｑｙｎｔｆ]') THEN translate(v,
        '０１２３４５６７８９．－／：　，（）＋％ＱＹＮＴＦＱｑｙｎｔｆ', '0123456789.-/: ,()+%QYNTFQqynft')
    ELSE v END), '');
-- Every full-width ASCII character (ＩＣＵ, （）, ［］) half-width: for names and labels, not run on every cell.
CREATE OR REPLACE TEMP MACRO pbi_half(v) AS CASE WHEN regexp_matches(v, '[！-～]') THEN translate(v,
    '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～',
    '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~')
    ELSE v END;
-- A spelling key for labels and names: normalised, half-width, no spaces, lower case (内科（一） = 内科(一)).
CREATE OR REPLACE TEMP MACRO pbi_key(v) AS lower(regexp_replace(pbi_norm(pbi_half(v)), '\s+', '', 'g'));
-- Numbers may carry thousands separators (1,234) or a per cent sign (85.5%).
CREATE OR REPLACE TEMP MACRO pbi_number_text(n) AS CASE
    WHEN regexp_full_match(n, '[+-]?\d{1,3}(,\d{3})+(\.\d*)?%?') THEN replace(n, ',', '') ELSE n END;
CREATE OR REPLACE TEMP MACRO pbi_int(n) AS CASE WHEN regexp_full_match(pbi_number_text(n), '[+-]?\d+(\.0*)?')
    THEN TRY_CAST(TRY_CAST(pbi_number_text(n) AS DOUBLE) AS BIGINT) END;
-- Finite numbers only: DuckDB also casts 'nan', 'inf' and 'infinity', which are not a count or a score.
CREATE OR REPLACE TEMP MACRO pbi_finite(x) AS CASE WHEN isfinite(x) THEN x END;
CREATE OR REPLACE TEMP MACRO pbi_float(n) AS pbi_finite(TRY_CAST(rtrim(pbi_number_text(n), '%') AS DOUBLE));
-- Durations in hours, with the units clerks write: 3小时, 3 小时, 3h, 1.5个小时, 90分钟, 1小时30分钟.
CREATE OR REPLACE TEMP MACRO pbi_hour_parts(n) AS regexp_extract(lower(n),
    '^(?:(\d+(?:\.\d+)?)\s*(?:个?小时|h|hr|hrs|hour|hours))?\s*(?:(\d+(?:\.\d+)?)\s*(?:分钟|分|min|mins|minutes?))?$',
    ['h', 'm']);
CREATE OR REPLACE TEMP MACRO pbi_hours(n) AS CASE
    WHEN pbi_float(n) IS NOT NULL THEN pbi_float(n)
    WHEN pbi_hour_parts(n).h <> '' OR pbi_hour_parts(n).m <> ''
    THEN coalesce(TRY_CAST(nullif(pbi_hour_parts(n).h, '') AS DOUBLE), 0)
         + coalesce(TRY_CAST(nullif(pbi_hour_parts(n).m, '') AS DOUBLE), 0) / 60 END;
CREATE OR REPLACE TEMP MACRO pbi_bool(n) AS CASE
    WHEN lower(n) IN ('是', 'y', 'yes', 'true', 't', '1', '√', '✓', '有') THEN true
    WHEN lower(n) IN ('否', 'n', 'no', 'false', 'f', '0', '×', '✗', '无') THEN false END;
-- Dates: 2024-03-05, 2024/3/5, 2024年3月5日, 2024.3.5, with an optional time (14:30, 14:30:15, 14时30分, 下午3点,
-- 3:00 PM, 下午3:00, 3:00 下午: 上午/下午 or AM/PM before (p) or after (q) the time); or an Excel serial number.
CREATE OR REPLACE TEMP MACRO pbi_parts(n) AS regexp_extract(n,
    '^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*(?:[ T]?\s*(上午|下午)?\s*(\d{1,2})\s*(?:[:时点]\s*(\d{1,2})\s*分?(?:\s*:?\s*(\d{1,2}(?:\.\d+)?)\s*秒?)?|[时点]整?)\s*((?:[AaPp]\.?[Mm]\.?|上午|下午)?))?$',
    ['y', 'm', 'd', 'p', 'h', 'i', 's', 'q']);
-- The hour of `pbi_parts` on the 24-hour clock. With 上午/下午 or AM/PM only 1–12 (12 AM is 0:00, 12 PM noon);
-- 13:00 PM, or a meridiem both before and after the time, is no time (NULL).
CREATE OR REPLACE TEMP MACRO pbi_hour(parts) AS CASE
    WHEN parts.p = '' AND parts.q = '' THEN TRY_CAST(coalesce(nullif(parts.h, ''), '0') AS BIGINT)
    WHEN (parts.p = '' OR parts.q = '') AND TRY_CAST(parts.h AS BIGINT) BETWEEN 1 AND 12
    THEN TRY_CAST(parts.h AS BIGINT) % 12 + CASE WHEN upper(left(parts.p || parts.q, 1)) IN ('P', '下') THEN 12 ELSE 0 END END;
CREATE OR REPLACE TEMP MACRO pbi_serial(n) AS CASE
    WHEN regexp_full_match(n, '\d{5}(\.\d+)?') AND TRY_CAST(n AS DOUBLE) BETWEEN 20000 AND 80000
    THEN TIMESTAMP '1899-12-30' + to_microseconds(CAST(round(TRY_CAST(n AS DOUBLE) * 86400e6) AS BIGINT)) END;
-- A cell DuckDB's own cast reads as written (after '/' → '-'): 2024-03-05, 2024/3/5 14:30, 2024-03-05T14:30:15.5
-- (and 24/3/5 as the year 24, an out-of-range error). Nothing else may reach that cast: it reads 'epoch' as 1970
-- and drops a 'PM' or an offset (+08:00, ' 08:00').
CREATE OR REPLACE TEMP MACRO pbi_plain_datetime(n) AS regexp_full_match(n,
    '\d+[-/]\d{1,2}[-/]\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?');
-- A date and time without a zone, as written. `list_transform([x], lambda v: …)[1]` reads x once: DuckDB repeats a
-- macro's argument wherever it is used, and inside a CASE (the importer's) it would run each regexp that often.
CREATE OR REPLACE TEMP MACRO pbi_local_timestamp(n) AS list_transform([n], lambda pbi_n: coalesce(
    CASE WHEN pbi_plain_datetime(pbi_n) THEN TRY_CAST(replace(pbi_n, '/', '-') AS TIMESTAMP) END,
    list_transform([pbi_parts(pbi_n)], lambda pbi_p: TRY(make_timestamp(
        CAST(pbi_p.y AS BIGINT), CAST(pbi_p.m AS BIGINT), CAST(pbi_p.d AS BIGINT), pbi_hour(pbi_p),
        CAST(coalesce(nullif(pbi_p.i, ''), '0') AS BIGINT), CAST(coalesce(nullif(pbi_p.s, ''), '0') AS DOUBLE))))[1],
    pbi_serial(pbi_n)))[1];
-- A time zone after a time (Z, UTC, GMT, +08:00, +0800, +08, -05:00, UTC+8): the time before it and the zone.
CREATE OR REPLACE TEMP MACRO pbi_zone(n) AS regexp_extract(n,
    '^(.*\d:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*(?:[AaPp]\.?[Mm]\.?|上午|下午))?)\s*([Zz]|(?:UTC|GMT)(?:\s*[+-]\d{1,2}(?::?\d{2})?)?|[+-]\d{2}(?::?\d{2})?)$',
    ['local', 'zone']);
-- A zone's offset from UTC in minutes (Z, UTC, GMT: 0); NULL past 14 hours or 59 minutes.
CREATE OR REPLACE TEMP MACRO pbi_offset_parts(z) AS regexp_extract(z, '([+-])(\d{1,2}):?(\d{2})?$', ['sign', 'h', 'm']);
CREATE OR REPLACE TEMP MACRO pbi_offset(z) AS list_transform([pbi_offset_parts(z)], lambda pbi_o: CASE
    WHEN pbi_o.sign = '' THEN 0
    WHEN TRY_CAST(pbi_o.h AS BIGINT) <= 14 AND coalesce(TRY_CAST(nullif(pbi_o.m, '') AS BIGINT), 0) < 60
    THEN (TRY_CAST(pbi_o.h AS BIGINT) * 60 + coalesce(TRY_CAST(nullif(pbi_o.m, '') AS BIGINT), 0))
        * CASE pbi_o.sign WHEN '-' THEN -1 ELSE 1 END END)[1];
-- Beijing time (UTC+8, no summer time), naive: a time written with a zone is converted, one without is as written.
CREATE OR REPLACE TEMP MACRO pbi_timestamp(n) AS list_transform([n], lambda pbi_t: list_transform([pbi_zone(pbi_t)],
    lambda pbi_z: pbi_local_timestamp(coalesce(nullif(pbi_z.local, ''), pbi_t))
        + to_minutes(CASE WHEN pbi_z.zone = '' THEN 0 ELSE 480 - pbi_offset(pbi_z.zone) END))[1])[1];
CREATE OR REPLACE TEMP MACRO pbi_date(n) AS CAST(pbi_timestamp(n) AS DATE);
-- The same for a workbook in the 1904 date system (old Mac Excel): its serials count from 1904-01-01, 1462
-- days after 1899-12-30.
CREATE OR REPLACE TEMP MACRO pbi_timestamp1904(n) AS CASE
    WHEN pbi_serial(n) IS NOT NULL THEN pbi_serial(n) + INTERVAL 1462 DAY ELSE pbi_timestamp(n) END;
CREATE OR REPLACE TEMP MACRO pbi_date1904(n) AS CAST(pbi_timestamp1904(n) AS DATE);
-- Periods: 2024Q1, 2024-Q1, 2024年第1季度, 2024年第一季度, 2024年一季度 (quarter); 2024-03, 2024年3月, or a date
-- on the first of a month (month); 2024, 2024年 (year). TRY_CAST throughout: DuckDB evaluates every branch.
CREATE OR REPLACE TEMP MACRO pbi_quarter_ok(n) AS regexp_full_match(translate(n, '一二三四', '1234'),
    '\d{4}\s*(?:年\s*第?|-?\s*[Qq]|\s+[Qq]|年?\s*第)\s*[1-4]\s*(?:季度|季)?');
CREATE OR REPLACE TEMP MACRO pbi_month(n) AS regexp_extract(n,
    '^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:月|[-/.]0?1(?:\s+0{1,2}:0{2}(?::0{2})?)?)?$', ['y', 'm']);
-- 2024.1 may be January or October (Excel stores a typed 2024.10 as the number 2024.1): no period at all.
CREATE OR REPLACE TEMP MACRO pbi_period_ambiguous(n) AS regexp_full_match(n, '\d{4}\s*\.\s*1');
CREATE OR REPLACE TEMP MACRO pbi_period_grain(n) AS CASE
    WHEN pbi_period_ambiguous(n) THEN NULL
    WHEN pbi_quarter_ok(n) THEN 'quarter'
    WHEN pbi_month(n).y <> '' AND TRY_CAST(pbi_month(n).m AS INTEGER) BETWEEN 1 AND 12 THEN 'month'
    WHEN regexp_full_match(n, '\d{4}\s*年?度?') THEN 'year' END;
CREATE OR REPLACE TEMP MACRO pbi_period_start(n) AS CASE pbi_period_grain(n)
    WHEN 'quarter' THEN TRY(make_date(TRY_CAST(left(n, 4) AS BIGINT),
        TRY_CAST(regexp_extract(translate(n, '一二三四', '1234'), '([1-4])\s*(?:季度|季)?$', 1) AS BIGINT) * 3 - 2, 1))
    WHEN 'month' THEN TRY(make_date(TRY_CAST(pbi_month(n).y AS BIGINT), TRY_CAST(pbi_month(n).m AS BIGINT), 1))
    WHEN 'year' THEN TRY(make_date(TRY_CAST(left(n, 4) AS BIGINT), 1, 1)) END;
"""


# --- Import: lookups, batches, history, undo ----------------------------------------------------------

# Every spelling of a branch or department (code or name, normalised) → its code: today's names first, then
# former names (a name a code gave up and another took means the one that holds it today).
IMPORT_REFS = """
CREATE OR REPLACE TEMP TABLE pbi_refs AS
SELECT ref, key, arg_min(code, (former, code)) AS code FROM (
    SELECT 'branch' AS ref, pbi_key(branch_code) AS key, branch_code AS code, 0 AS former FROM branches_now
    UNION ALL SELECT 'branch', pbi_key(name), branch_code, 0 FROM branches_now
    UNION ALL SELECT 'branch', pbi_key(name), branch_code, 1 FROM branches
    UNION ALL SELECT 'department', pbi_key(department_code), department_code, 0 FROM departments_now
    UNION ALL SELECT 'department', pbi_key(name), department_code, 0 FROM departments_now
    UNION ALL SELECT 'department', pbi_key(name), department_code, 1 FROM departments
) GROUP BY ref, key
"""


# Branches and departments added to the register after its first import, with the day they came (their
# first version): a record dated before it cannot be attributed (`metrics.in_force` has no row for the code
# then). Codes of the first register import stand for all earlier periods, whatever their versions' days.
IMPORT_FOUNDED = """
CREATE OR REPLACE TEMP TABLE pbi_founded AS
WITH versions AS (
    SELECT 'branch' AS ref, branch_code AS code, valid_from, coalesce(batch_id, 0) AS batch FROM branches
    UNION ALL SELECT 'department', department_code, valid_from, coalesce(batch_id, 0) FROM departments
),
firsts AS (SELECT ref, code, min(valid_from) AS founded, min(batch) AS batch FROM versions GROUP BY ALL)
SELECT f.ref, f.code, f.founded FROM firsts f
WHERE f.batch > (SELECT min(batch) FROM versions v WHERE v.ref = f.ref)
"""


def scale_stats(number: str, percent: str) -> str:
    """How the distinct cells `?` (with their counts `?`) of a score column spread over the scales the
    importer knows (`importer.detect_scale`): `number` parses a cell `v`, `percent` says it has a % sign."""
    return f"""
        WITH d AS (SELECT unnest(?) AS v, unnest(?) AS n),
        p AS (SELECT {number} AS x, {percent} AS pct, pbi_finite(TRY_CAST(v AS DOUBLE)) IS NULL AS slow, n FROM d),
        plain AS (SELECT * FROM p WHERE NOT pct)
        SELECT coalesce(sum(n) FILTER (x IS NOT NULL), 0),
               coalesce(sum(n) FILTER (x BETWEEN 0 AND 1), 0),
               coalesce(sum(n) FILTER (x BETWEEN 1 AND 5), 0),
               coalesce(sum(n) FILTER (x BETWEEN 0 AND 10), 0),
               coalesce(sum(n) FILTER (x > 5 AND x <= 10), 0),
               coalesce(sum(n) FILTER (x = 0), 0),
               coalesce(sum(n) FILTER (x > 0 AND x < 1), 0),
               min(x), max(x),
               (SELECT coalesce(sum(n), 0) FROM p WHERE pct),
               (SELECT coalesce(sum(n), 0) FROM p WHERE slow)
        FROM plain
    """


# Every branch's and department's code and name, for "did you mean" beside an unknown one.
KNOWN_BRANCHES = "SELECT branch_code, name FROM branches_now"
KNOWN_DEPARTMENTS = "SELECT department_code, name FROM departments_now"

# Batch → file it came from, to say where a stored value came from.
BATCH_FILES = "SELECT batch_id, file_name FROM import_batches"


def batches_of(rows: str) -> str:
    """The batches (with their file, row count and first and last answer) of the temp table `rows` of stored
    responses (`batch_id`, `submitted_at`), most rows first."""
    if not rows.isidentifier():
        raise ValueError(f"not a table name: {rows!r}")
    return f"""
        SELECT r.batch_id, b.file_name, count(*) AS n, min(r.submitted_at), max(r.submitted_at)
        FROM {rows} r JOIN import_batches b USING (batch_id)
        GROUP BY ALL ORDER BY n DESC, r.batch_id
    """


SAME_FILE = """
SELECT batch_id, imported_at FROM import_batches
WHERE sha256 = ? AND undone_at IS NULL
ORDER BY batch_id DESC LIMIT 1
"""

# A new batch (ids are max + 1, assigned by the single writer); its row counts follow with FINISH_BATCH.
INSERT_BATCH = """
INSERT INTO import_batches (batch_id, file_name, sha256, kind, rows, imported_by, imported_at, encoding)
SELECT coalesce(max(batch_id), 0) + 1, ?, ?, ?, 0, ?, ?, ? FROM import_batches
RETURNING batch_id
"""
FINISH_BATCH = "UPDATE import_batches SET rows = ?, unchanged = ?, replaced = ? WHERE batch_id = ?"
# What a batch corrects (`replaces`) and, for a register, the day it holds from.
SET_BATCH_ORIGIN = "UPDATE import_batches SET replaces = ?, valid_from = ? WHERE batch_id = ?"

HISTORY = """
SELECT batch_id, file_name, kind, rows, unchanged, replaced, replaces, valid_from, encoding, imported_by, imported_at,
       undone_at, sha256
FROM import_batches
ORDER BY batch_id DESC
"""
BATCH = "SELECT batch_id, kind, undone_at FROM import_batches WHERE batch_id = ?"
# A batch a file says it corrects: its kind, whether it was undone, its day (registers), its file.
CORRECTED_BATCH = "SELECT kind, undone_at, valid_from, file_name FROM import_batches WHERE batch_id = ?"
MARK_UNDONE = "UPDATE import_batches SET undone_at = ? WHERE batch_id = ?"

# Batches that replaced rows of batch ? (undo those first, or the rows they set aside would come back twice).
REPLACED_BY_LATER = """
SELECT DISTINCT replaced_by FROM (
    SELECT batch_id, replaced_by FROM branches_replaced
    UNION ALL SELECT batch_id, replaced_by FROM departments_replaced
    UNION ALL SELECT batch_id, replaced_by FROM activities_replaced
    UNION ALL SELECT batch_id, replaced_by FROM satisfaction_responses_replaced
    UNION ALL SELECT batch_id, replaced_by FROM satisfaction_aggregates_replaced
    UNION ALL SELECT batch_id, replaced_by FROM discipline_records_replaced
) WHERE batch_id = ? ORDER BY replaced_by
"""

# Records of other batches that still refer to codes an undo would remove (no other version left, none restored).
UNDO_DEPENDENTS = {
    "branches": """
        WITH gone AS (
            SELECT branch_code FROM branches WHERE batch_id = $1
            EXCEPT SELECT branch_code FROM branches WHERE batch_id <> $1
            EXCEPT SELECT branch_code FROM branches_replaced WHERE replaced_by = $1
        )
        SELECT (SELECT count(*) FROM departments WHERE batch_id <> $1 AND branch_code IN (SELECT * FROM gone))
             + (SELECT count(*) FROM activities WHERE batch_id <> $1 AND branch_code IN (SELECT * FROM gone))
    """,
    "departments": """
        WITH gone AS (
            SELECT department_code FROM departments WHERE batch_id = $1
            EXCEPT SELECT department_code FROM departments WHERE batch_id <> $1
            EXCEPT SELECT department_code FROM departments_replaced WHERE replaced_by = $1
        )
        SELECT (SELECT count(*) FROM satisfaction_responses
                WHERE batch_id <> $1 AND department_code IN (SELECT * FROM gone))
             + (SELECT count(*) FROM satisfaction_aggregates
                WHERE batch_id <> $1 AND department_code IN (SELECT * FROM gone))
             + (SELECT count(*) FROM discipline_records
                WHERE batch_id <> $1 AND department_code IN (SELECT * FROM gone))
    """,
}


# Codes records still refer to that no version of the register holds any more (after a correction of it).
ORPHANED = {
    "branches": """
        SELECT DISTINCT branch_code FROM (SELECT branch_code FROM departments UNION ALL SELECT branch_code FROM activities)
        WHERE branch_code NOT IN (SELECT branch_code FROM branches) ORDER BY 1
    """,
    "departments": """
        SELECT DISTINCT department_code FROM (
            SELECT department_code FROM satisfaction_responses
            UNION ALL SELECT department_code FROM satisfaction_aggregates
            UNION ALL SELECT department_code FROM discipline_records
        ) WHERE department_code NOT IN (SELECT department_code FROM departments) ORDER BY 1
    """,
}

# Names two codes hold today (spaces, full and half width aside): an undo that would put one back is refused.
NAME_CLASHES = """
SELECT min(name) FROM (SELECT branch_code AS code, name FROM branches_now
                       UNION ALL SELECT department_code, name FROM departments_now)
GROUP BY pbi_key(name) HAVING count(DISTINCT code) > 1
"""


def undo_statements(table: str) -> tuple[str, str, str]:
    """Delete a batch's rows, restore the rows it replaced, and clear them from the set-aside table."""
    if table not in RECORD_TABLES or table == "import_batches":
        raise ValueError(f"not a record table: {table}")
    return (
        f"DELETE FROM {table} WHERE batch_id = ?",
        # By name: columns added by later migrations sit in a different place in the set-aside table.
        f"INSERT INTO {table} BY NAME SELECT * EXCLUDE (replaced_by) FROM {table}_replaced WHERE replaced_by = ?",
        f"DELETE FROM {table}_replaced WHERE replaced_by = ?",
    )


def _record_table(table: str) -> str:
    if table not in RECORD_TABLES or table == "import_batches":
        raise ValueError(f"not a record table: {table}")
    return table


def delete_batch(table: str) -> str:
    """Remove the rows batch ? stored in `table` (inside its own import, before it commits)."""
    return f"DELETE FROM {_record_table(table)} WHERE batch_id = ?"


def delete_batch_rows(table: str, rows: str) -> str:
    """Remove the rows of batch ? that came from the file rows listed by the subquery `rows`."""
    return f"DELETE FROM {_record_table(table)} WHERE batch_id = ? AND source_row IN ({rows})"


def count_batch(table: str) -> str:
    return f"SELECT count(*) FROM {_record_table(table)} WHERE batch_id = ?"


def set_aside(table: str, rowids: str) -> tuple[str, str]:
    """Move the rows of `table` whose rowid is in the subquery `rowids` to `<table>_replaced`, marked with the
    replacing batch (the one parameter of the first statement); undoing that batch puts them back."""
    _record_table(table)
    return (
        f"INSERT INTO {table}_replaced BY NAME SELECT *, ? AS replaced_by FROM {table} WHERE rowid IN ({rowids})",
        f"DELETE FROM {table} WHERE rowid IN ({rowids})",
    )


# --- Settings (JSON values by key) ---------------------------------------------------------------------
GET_SETTING = "SELECT value FROM settings WHERE key = ?"
PUT_SETTING = "INSERT OR REPLACE INTO settings (key, value, updated_at, updated_by) VALUES (?, CAST(? AS JSON), ?, ?)"
SETTING_CHANGED = "SELECT updated_at, updated_by FROM settings WHERE key = ?"
DELETE_SETTING = "DELETE FROM settings WHERE key = ?"


# --- The department × period panel (`metrics.py`) ---------------------------------------------------------
# `?` grain parameters are 'month', 'quarter' or 'year'; periods are the truncated first day.

# Every version of every department and branch with the day it is valid from and the batch that stored it
# (`metrics.in_force` takes, for each period, the version in force on its first day).
PANEL_DEPARTMENTS = """
SELECT department_code, valid_from, coalesce(batch_id, 0) AS batch, name AS department_name, category, staff_count,
       branch_code
FROM departments
ORDER BY department_code, valid_from
"""

PANEL_BRANCHES = """
SELECT branch_code, valid_from, coalesce(batch_id, 0) AS batch, name AS branch_name, member_count
FROM branches
ORDER BY branch_code, valid_from
"""

# First and last day of each kind's data: inside a kind's span an empty period counts as zero, outside as no data.
PANEL_SPANS = """
SELECT 'activities' AS kind, min(activity_date) AS lo, max(activity_date) AS hi FROM activities
UNION ALL SELECT 'responses', min(submitted_at)::DATE, max(submitted_at)::DATE FROM satisfaction_responses
UNION ALL SELECT 'aggregates', min(period_start), max(period_start) FROM satisfaction_aggregates
UNION ALL SELECT 'discipline', min(record_date), max(record_date) FROM discipline_records
"""

# Which branches each activities ledger includes, and the periods it covers (`metrics.reported`): a ledger is an
# import batch of activities (rows stored without a batch count as one ledger together); it covers the periods
# from its first activity date to its last and includes every branch with a row in it, whatever the row's status.
# Parameters: the grain, twice.
PANEL_LEDGERS = """
WITH ledgers AS (
    SELECT coalesce(batch_id, 0) AS ledger, min(activity_date) AS first_day, max(activity_date) AS last_day
    FROM activities
    GROUP BY ALL
)
SELECT DISTINCT a.branch_code, l.ledger, CAST(date_trunc(?, l.first_day) AS DATE) AS first_start,
       CAST(date_trunc(?, l.last_day) AS DATE) AS last_start
FROM activities a JOIN ledgers l ON coalesce(a.batch_id, 0) = l.ledger
"""

PANEL_ACTIVITIES = """
SELECT branch_code, CAST(date_trunc(?, activity_date) AS DATE) AS period_start, activity_type,
       count(*) AS held,
       sum(attended) FILTER (WHERE expected > 0) AS attended,
       sum(expected) FILTER (WHERE expected > 0) AS expected,
       coalesce(sum(hours * attended), 0) AS person_hours
FROM activities
WHERE status = 'held'  -- a meeting not held or cancelled is kept in the ledger but counts for nothing
GROUP BY ALL
"""

PANEL_DIMENSIONS = """
SELECT branch_code, CAST(date_trunc(?, activity_date) AS DATE) AS period_start, dimension, count(*) AS activities
FROM activities
WHERE dimension IS NOT NULL AND status = 'held'
GROUP BY ALL
"""

# Individual responses: count, sum and sum of squares (for the Welch test and the pooled SD of responses,
# `metrics._pooled_sd`), and the dimension items' means.
PANEL_RESPONSES = """
SELECT department_code, population, CAST(date_trunc(?, submitted_at) AS DATE) AS period_start,
       count(*) AS n, sum(score) AS s, sum(score * score) AS ss,
       avg(item_environment) AS item_environment, avg(item_doctor_communication) AS item_doctor_communication,
       avg(item_nurse_communication) AS item_nurse_communication, avg(item_waiting_time) AS item_waiting_time,
       avg(item_privacy) AS item_privacy, avg(item_cost) AS item_cost, avg(item_pay_benefits) AS item_pay_benefits,
       avg(item_development) AS item_development, avg(item_work_environment) AS item_work_environment,
       avg(item_superior_relations) AS item_superior_relations, avg(item_peer_relations) AS item_peer_relations
FROM satisfaction_responses
GROUP BY ALL
"""

# Counted department aggregates (`COUNTED_AGGREGATES`) of a grain no coarser than the panel's (a quarterly
# score cannot be split into months).
PANEL_AGGREGATES = f"""
WITH {COUNTED_AGGREGATES}
SELECT department_code, population, CAST(date_trunc(?, period_start) AS DATE) AS period_start,
       sum(respondents) AS n, sum(score * respondents) AS s
FROM counted_aggregates
WHERE list_contains(?, period_grain)
GROUP BY ALL
"""

# Each discipline record's rectification state as of a day (the `?`), exactly one of: not_required, open,
# overdue, on_time, late, undated. A completion date means completed, whatever the status cell says (整改中 with
# a 完成日期 is done, on time or late by that date, never open or overdue); 已整改 without one is completed but
# its timeliness unknown (undated: neither on time nor late); 无需整改 stays not required even beside a deadline
# or a completion date. The importer names such rows in a warning (`importer.RECTIFICATION_WARNINGS`). No
# deadline: open, or on time once completed. The start of a WITH list.
RECTIFICATION_STATES = """
rectification_states AS (
    SELECT *, CASE
        WHEN status = 'not_required' THEN 'not_required'
        WHEN rectification_completed > rectification_deadline THEN 'late'
        WHEN rectification_completed IS NOT NULL THEN 'on_time'
        WHEN status = 'completed' THEN 'undated'
        WHEN rectification_deadline < ? THEN 'overdue'
        ELSE 'open' END AS rectification_state
    FROM discipline_records
)
"""

# Discipline records per department, period and category with their rectification states (`?` = the as-of
# day, then the grain). Closed = on time + late; days to close over those.
PANEL_DISCIPLINE = f"""
WITH {RECTIFICATION_STATES}
SELECT department_code, CAST(date_trunc(?, record_date) AS DATE) AS period_start, category,
       count(*) AS records,
       -- 人次: the distinct persons each record names (pseudonyms), a record naming no one counting as one
       sum(greatest(len(list_distinct(coalesce(persons_pseudonymised, []))), 1)) AS person_times,
       count(*) FILTER (WHERE rectification_state <> 'not_required') AS rectification_required,
       count(*) FILTER (WHERE rectification_state = 'on_time') AS rectification_on_time,
       count(*) FILTER (WHERE rectification_state = 'late') AS rectification_late,
       count(*) FILTER (WHERE rectification_state = 'undated') AS rectification_undated,
       count(*) FILTER (WHERE rectification_state = 'open') AS rectification_open,
       count(*) FILTER (WHERE rectification_state = 'overdue') AS rectification_overdue,
       count(*) FILTER (WHERE rectification_state IN ('on_time', 'late')) AS rectification_closed,
       coalesce(sum(date_diff('day', record_date, rectification_completed))
                FILTER (WHERE rectification_state IN ('on_time', 'late')), 0) AS days_to_close
FROM rectification_states
GROUP BY ALL
"""

# 整改台账: rectifications overdue (`RECTIFICATION_STATES`) as of the `?` day, oldest deadline first; no persons.
OVERDUE_LEDGER = f"""
WITH {RECTIFICATION_STATES}
SELECT r.record_id, r.record_date, r.department_code, d.name AS department_name, d.branch_code, d.category AS
       department_category, r.category, r.summary, r.rectification_deadline,
       date_diff('day', r.rectification_deadline, ?) AS days_overdue
FROM rectification_states r LEFT JOIN departments_now d USING (department_code)
WHERE r.rectification_state = 'overdue'
ORDER BY r.rectification_deadline, r.record_id
"""

# Record-level discipline rows (纪检记录明细), persons as pseudonyms: only for the roles allowed to see them
# (`accounts.Permission.DISCIPLINE_DETAILS`); all of them, newest first (the page cuts them to its filters).
DISCIPLINE_RECORDS = """
SELECT r.record_id, r.record_date, r.department_code, d.name AS department_name, d.branch_code,
       d.category AS department_category, r.category, r.summary, len(r.persons_pseudonymised) AS persons,
       array_to_string(r.persons_pseudonymised, ', ') AS pseudonyms, r.status, r.rectification_deadline,
       r.rectification_completed, r.source_id
FROM discipline_records r LEFT JOIN departments_now d USING (department_code)
ORDER BY r.record_date DESC, r.record_id DESC
"""

# The department register with its branch, for the department profile (科室画像).
DEPARTMENT_REGISTER = """
SELECT d.department_code, d.name AS department_name, d.category, d.staff_count, d.branch_code,
       coalesce(b.name, d.branch_code) AS branch_name, b.is_joint, b.member_count, b.secretary_double_leader,
       count(*) OVER (PARTITION BY d.branch_code) AS branch_departments
FROM departments_now d LEFT JOIN branches_now b USING (branch_code)
ORDER BY d.department_code
"""


# --- Accounts and the audit trail (`accounts.py`, `audit.py`) -----------------------------------------------
USER = """
SELECT name, display, role, active, source, password_hash, created_at, last_sign_in FROM users
WHERE lower(name) = lower(?)
"""
USERS = """
SELECT name, display, role, active, source, password_hash, created_at, last_sign_in FROM users ORDER BY name
"""
ADMINS = "SELECT count(*) FROM users WHERE role = 'admin' AND active"
ADD_USER = """
INSERT INTO users (name, display, role, active, source, password_hash, created_at) VALUES (?, ?, ?, true, ?, ?, ?)
"""
SET_PASSWORD = "UPDATE users SET password_hash = ? WHERE name = ?"
SET_ROLE = "UPDATE users SET role = ? WHERE name = ?"
SET_ACTIVE = "UPDATE users SET active = ? WHERE name = ?"
SET_DISPLAY = "UPDATE users SET display = ? WHERE name = ?"
SIGNED_IN = "UPDATE users SET last_sign_in = ? WHERE name = ?"

# The audit trail is only ever added to: no statement here changes or removes a row of it.
AUDIT_ADD = (
    "INSERT INTO audit_log (happened_at, user_name, client, action, detail) VALUES (?, ?, ?, ?, CAST(? AS JSON))"
)
AUDIT_ROWS = """
SELECT id, happened_at AS at, user_name, client, action, detail FROM audit_log
WHERE happened_at >= ? AND happened_at < ? AND (? IS NULL OR lower(user_name) = lower(?)) AND (? IS NULL OR action = ?)
ORDER BY id DESC
LIMIT ?
"""
# Lockout (`accounts.sign_in`): the latest event that starts or ends a run of failures under one typed name
# (lower case), then the failures since then; the same for one client address.
NAME_LAST_RESET = """
SELECT action, happened_at FROM audit_log
WHERE (action IN ('sign_in', 'lockout') AND lower(user_name) = ?)
   OR (action IN ('unlocked', 'password_reset', 'user_enabled') AND lower(detail ->> 'name') = ?)
ORDER BY id DESC LIMIT 1
"""
NAME_FAILURES_SINCE = (
    "SELECT count(*) FROM audit_log WHERE action = 'sign_in_failed' AND lower(user_name) = ? AND happened_at >= ?"
)
CLIENT_LAST_LOCKOUT = "SELECT max(happened_at) FROM audit_log WHERE action = 'client_lockout' AND client = ?"
CLIENT_FAILURES_SINCE = (
    "SELECT count(*) FROM audit_log WHERE action = 'sign_in_failed' AND client = ? AND happened_at >= ?"
)
