"""纪检监察 figures for the discipline page and the department profile, from the panel and the overdue ledger.

Everything here is counted per department and period (`metrics.build_panel` defines each count); nothing
here reads or returns persons: record-level rows with pseudonyms stay in the database until a role system
lets the discipline office (纪委) see them.

* `category_counts`: records per period and category (long), for the stacked bars.
* `summarise`: the counts summed over any grouping (department, period) with the rates made from the sums:
  cases per 100 staff = cases × 100 ÷ staff; mean days to close = days_to_close ÷ rectification_closed.
* `rectification_status`: on time / late / completed without a date / open / overdue totals: with the items
  not required, every record is exactly one of them (`queries.RECTIFICATION_STATES`), so the five add up to
  the rectifications required.
* `form1_share`: the first form's share of the four forms in person-times (第一种形态成为常态: a high share is
  expected). The four forms are counted in 人次 (`metrics`: distinct persons per record), 立案 in 件.
* `form_person_counts`: 人次 per period and form (long), for the four-forms bars.
* `ledger_rows`: the overdue ledger (整改台账) cut to the category and branch filters or to one department.
* `counts_table`, `ledger_table`: the same frames as shown and downloaded, labelled in the user's language.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics import queries
from analytics.db import Database
from analytics.i18n import t
from analytics.metrics import DISCIPLINE_COUNTS, Filters, Panel, period_start, select
from analytics.periods import speak
from analytics.schema import FOUR_FORMS, DepartmentCategory, DisciplineCategory, RectificationStatus
from analytics.settings import PERIOD_MONTHS

CATEGORIES = tuple(c.value for c in DisciplineCategory)
FORMS = tuple(c.value for c in FOUR_FORMS)
STATUS = (
    "rectification_on_time",
    "rectification_late",
    "rectification_undated",
    "rectification_open",
    "rectification_overdue",
)
TABLE_COUNTS = (
    "discipline_forms_persons",
    "discipline_persons_form_1",
    "discipline_filed",
    "discipline_records",
    "discipline_cases",
    "discipline_form2plus",
    "discipline_complaints",
    "rectification_required",
    "rectification_on_time",
    "rectification_late",
    "rectification_undated",
    "rectification_open",
    "rectification_overdue",
)
DEPARTMENT_KEYS = ["department_code", "department_name", "branch_code", "branch_name", "category", "staff_count"]
PERIOD_KEYS = ["period", "period_start"]


def in_scope(panel: Panel, filters: Filters) -> pd.DataFrame:
    """The panel's department rows inside the filters (period range, category, branch) that have discipline
    data (outside the span of the discipline records the counts are null, not zero)."""
    frame = select(panel.frame, filters, panel.grain)
    return frame[frame["discipline_records"].notna()]


def has_data(panel: Panel) -> bool:
    return not panel.empty() and bool(panel.frame["discipline_records"].notna().any())


def category_counts(frame: pd.DataFrame, categories: tuple[str, ...] = CATEGORIES) -> pd.DataFrame:
    """Records per period and category: columns period, period_start, category, records (every period of
    `frame` and every category, zeros kept so the bars line up)."""
    columns = [f"discipline_{c}" for c in categories]
    wide = frame.groupby(PERIOD_KEYS, sort=True)[columns].sum()
    wide.columns = list(categories)
    long = wide.reset_index().melt(id_vars=PERIOD_KEYS, var_name="category", value_name="records")
    long["records"] = long["records"].astype("int64")
    return long


def summarise(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """The discipline counts of `frame` summed per `by`, with cases per 100 staff and mean days to close.
    `by` holds `staff_count`: staff is a department's register figure, never summed over periods."""
    counts = [c for c in DISCIPLINE_COUNTS if c in frame]
    out = frame.groupby(by, sort=False, dropna=False)[counts].sum(min_count=1).reset_index()
    out["cases_per_100_staff"] = _ratio(out["discipline_cases"] * 100, out["staff_count"])
    out["mean_days_to_close"] = _ratio(out["days_to_close"], out["rectification_closed"])
    return out


def department_table(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per department over the rows of `frame`: counts, rates and rectification figures, the
    departments with form-2+ cases and overdue rectifications first."""
    out = summarise(frame, DEPARTMENT_KEYS)
    return out.sort_values(
        ["discipline_form2plus", "rectification_overdue", "discipline_cases", "discipline_records", "department_code"],
        ascending=[False, False, False, False, True],
        ignore_index=True,
    )


def rectification_status(frame: pd.DataFrame) -> pd.Series:
    """On time / late / completed without a date / open (not yet due) / overdue rectifications over the rows of
    `frame`; they add up to the rectifications required."""
    return frame[list(STATUS)].sum().astype("int64")


def form_person_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """人次 per period and form: columns period, period_start, category (form_1 … form_4), records (人次)."""
    wide = frame.groupby(PERIOD_KEYS, sort=True)[[f"discipline_persons_{c}" for c in FORMS]].sum()
    wide.columns = list(FORMS)
    long = wide.reset_index().melt(id_vars=PERIOD_KEYS, var_name="category", value_name="records")
    long["records"] = long["records"].astype("int64")
    return long


def form1_share(frame: pd.DataFrame) -> float | None:
    """The first form's share (0–1) of the person-times (人次) handled by the four forms in `frame`; None
    without any."""
    forms = frame[[f"discipline_persons_{c}" for c in FORMS]].sum()
    total = float(forms.sum())
    return float(forms.iloc[0]) / total if total else None


def ledger_rows(
    ledger: pd.DataFrame, filters: Filters | None = None, department_code: str | None = None
) -> pd.DataFrame:
    """The overdue ledger (整改台账, `risk.overdue_ledger`) cut to the filters' department category and branch,
    or to one department. The ledger is as of a day, so the period range does not apply."""
    out = ledger
    if filters is not None and filters.category:
        out = out[out["department_category"] == filters.category]
    if filters is not None and filters.branch:
        out = out[out["branch_code"] == filters.branch]
    if department_code is not None:
        out = out[out["department_code"] == department_code]
    return out.reset_index(drop=True)


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    den = pd.to_numeric(denominator, errors="coerce").astype("float64")
    num = pd.to_numeric(numerator, errors="coerce").astype("float64")
    return (num / den.where(den > 0)).replace([np.inf, -np.inf], np.nan)


# --- Tables for people: columns named in the user's language, labels instead of codes, no persons ----------

COUNT_LABELS = {
    "discipline_forms_persons": "col.forms_persons",
    "discipline_persons_form_1": "col.form1_persons",
    "discipline_filed": "col.filed",
    "discipline_records": "col.records",
    "discipline_cases": "col.cases",
    "discipline_form2plus": "col.form2plus",
    "discipline_complaints": "col.complaints",
    "cases_per_100_staff": "col.cases_per_100",
    "rectification_required": "col.required",
    "rectification_on_time": "col.on_time",
    "rectification_late": "col.late",
    "rectification_undated": "col.undated",
    "rectification_open": "col.open",
    "rectification_overdue": "col.overdue",
    "mean_days_to_close": "col.mean_days",
}


def counts_table(summary: pd.DataFrame, lang: str, leading: dict[str, str]) -> pd.DataFrame:
    """`summarise` output as shown: the `leading` columns (column → label key) then the counts as whole
    numbers, cases per 100 staff to 2 decimals and mean days to 1; department categories as labels, periods as the
    reader says them."""
    out = summary[[*leading, *COUNT_LABELS]].copy()
    if "category" in out:
        out["category"] = [DepartmentCategory(c).label(lang) for c in out["category"]]
    if "period" in out:
        out["period"] = speak(out["period"], lang)
    for column in (*TABLE_COUNTS, *(c for c in ("staff_count",) if c in out)):
        out[column] = out[column].round().astype("Int64")
    out["cases_per_100_staff"] = out["cases_per_100_staff"].round(2)
    out["mean_days_to_close"] = out["mean_days_to_close"].round(1)
    return out.rename(columns={c: t(key, lang) for c, key in (leading | COUNT_LABELS).items()})


def ledger_table(rows: pd.DataFrame, lang: str, branches: dict[str, str] | None = None) -> pd.DataFrame:
    """Overdue ledger rows as shown: record number, dates, department (and branch, given their names),
    record category as a label, summary, days overdue."""
    out = {
        "col.record_id": rows["record_id"].astype("int64"),
        "col.record_date": pd.to_datetime(rows["record_date"]).dt.date,
        "col.department": rows["department_name"].fillna(rows["department_code"]),
    }
    if branches is not None:
        out["col.branch"] = [branches.get(b, b) for b in rows["branch_code"]]
    out |= {
        "col.discipline_category": [DisciplineCategory(c).label(lang) for c in rows["category"]],
        "col.summary": rows["summary"],
        "col.deadline": pd.to_datetime(rows["rectification_deadline"]).dt.date,
        "col.days_overdue": rows["days_overdue"].astype("int64"),
    }
    return pd.DataFrame({t(key, lang): values for key, values in out.items()}).reset_index(drop=True)


# --- Record details (纪检记录明细): only for the roles allowed to see them ----------------------------------


def record_details(db: Database) -> pd.DataFrame:
    """Every discipline record with its department, persons only as pseudonyms (`privacy.py`), newest first.
    Pages show it only to roles with `accounts.Permission.DISCIPLINE_DETAILS`."""
    return db.reader().execute(queries.DISCIPLINE_RECORDS).df()


def details_in_scope(rows: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The records of the filters' period range, department category and branch."""
    days = pd.to_datetime(rows["record_date"])
    keep = pd.Series(True, index=rows.index)
    if filters.start:
        keep &= days >= period_start(filters.start, filters.grain)
    if filters.end:
        keep &= days < period_start(filters.end, filters.grain) + pd.DateOffset(months=PERIOD_MONTHS[filters.grain])
    out = rows[keep]
    if filters.category:
        out = out[out["department_category"] == filters.category]
    if filters.branch:
        out = out[out["branch_code"] == filters.branch]
    return out.reset_index(drop=True)


def details_table(rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Record details as shown and downloaded: labels instead of codes, persons as pseudonyms."""
    out = {
        "col.record_id": rows["record_id"].astype("int64"),
        "col.source_id": rows["source_id"],
        "col.record_date": pd.to_datetime(rows["record_date"]).dt.date,
        "col.department": rows["department_name"].fillna(rows["department_code"]),
        "col.discipline_category": [DisciplineCategory(c).label(lang) for c in rows["category"]],
        "col.summary": rows["summary"],
        "col.persons": rows["persons"].astype("Int64"),
        "col.pseudonyms": rows["pseudonyms"],
        "col.status": [RectificationStatus(s).label(lang) for s in rows["status"]],
        "col.deadline": pd.to_datetime(rows["rectification_deadline"]).dt.date,
        "col.completed": pd.to_datetime(rows["rectification_completed"]).dt.date,
    }
    return pd.DataFrame({t(key, lang): values for key, values in out.items()}).reset_index(drop=True)
