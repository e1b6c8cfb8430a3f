"""The department × period panel (`analytics.metrics`), checked against an independent pandas/scipy computation.

A small hospital is generated here (3 branches, one of them a joint branch over 3 departments; 5 departments)
with random activities, satisfaction responses and aggregates and discipline records, plus planted cells
(an empty quarter, over-held meetings, attendance above expected, small groups to suppress, aggregates of
every grain). Every expected value below is recomputed from those raw rows with pandas and scipy alone,
from the metric definitions, never with the product's helpers.
"""

from __future__ import annotations

import datetime as dt
import functools
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analytics import metrics
from analytics.db import Database
from analytics.schema import ActivityType
from analytics.settings import Frequency, MetricSettings
from tests.conftest import ORGANISATIONAL_LIFE_CODES
from tests.satisfaction_support import counted

# --- The definitions, written out independently ----------------------------------------------------------

FREQ = {"month": "M", "quarter": "Q", "year": "Y"}
MONTHS = {"month": 1, "quarter": 3, "year": 12}
# Required meetings: (count, per) — 三会一课 and organisational life (the default settings).
REQUIRED = {
    "branch_committee_meeting": (1, "month"),
    "party_group_meeting": (1, "month"),
    "theme_party_day": (1, "month"),
    "branch_general_meeting": (1, "quarter"),
    "party_lecture": (1, "quarter"),
    "organizational_life_meeting": (1, "year"),
    "democratic_appraisal": (1, "year"),
}
# What that means per grain, spelled out: quarterly types are not assessed per month, yearly only per year.
REQUIRED_AT = {
    "month": {"branch_committee_meeting": 1, "party_group_meeting": 1, "theme_party_day": 1},
    "quarter": {
        "branch_committee_meeting": 3,
        "party_group_meeting": 3,
        "theme_party_day": 3,
        "branch_general_meeting": 1,
        "party_lecture": 1,
    },
    "year": {
        "branch_committee_meeting": 12,
        "party_group_meeting": 12,
        "theme_party_day": 12,
        "branch_general_meeting": 4,
        "party_lecture": 4,
        "organizational_life_meeting": 1,
        "democratic_appraisal": 1,
    },
}
SERVICE = ("volunteer_service", "free_clinic", "health_education")
# 三会一课 is these four; the theme party day is its own figure and component (issue 13, point 7).
THREE_ONE = ("branch_general_meeting", "branch_committee_meeting", "party_group_meeting", "party_lecture")
THEME_PLUS = ("party_plus_project", "demonstration_post")
INTEGRITY = ("warning_education", "integrity_talk")
DEFAULT_WEIGHTS = {
    "compliance": 35,
    "theme_day": 10,
    "attendance": 20,
    "service": 15,
    "theme_plus": 10,
    "integrity": 10,
}
DEFAULT_TARGETS = {"service": 4.0, "theme_plus": 2.0, "integrity": 2.0}  # per year, judged year to date
CATEGORIES = (
    "form_1",
    "form_2",
    "form_3",
    "form_4",
    "integrity_talk",
    "petition_report",
    "ethics_complaint",
    "hotline_complaint",
    "supervision_proposal",
    "warning_education",
    "eight_point_violation",
    "praise_letter",
    "red_envelope_refused",
)
CASES = ("form_1", "form_2", "form_3", "form_4", "eight_point_violation")
FORM2PLUS = ("form_2", "form_3", "form_4")
COMPLAINTS = ("petition_report", "ethics_complaint", "hotline_complaint")
POPS = ("outpatient", "inpatient", "staff")
MIN_N = 10
ASSUMED_SD = 12.0
AS_OF = dt.date(2024, 8, 1)
CLI_KEYS = [
    "unit",
    "period",
    "party_index",
    "meeting_compliance",
    "attendance_rate",
    "service_hours_per_member",
    "satisfaction_outpatient",
    "satisfaction_inpatient",
    "satisfaction_staff",
    "n_outpatient",
    "n_inpatient",
    "n_staff",
    "discipline_cases",
    "discipline_form2plus",
    "rectification_overdue",
]

BRANCHES = pd.DataFrame(
    {
        "branch_code": ["B1", "B2", "B3"],
        "name": ["内科联合党支部", "外科党支部", "机关党支部"],
        "is_joint": [True, False, False],
        "member_count": [20, 10, 5],
    }
)
DEPARTMENTS = pd.DataFrame(
    {
        "department_code": ["D1", "D2", "D3", "D4", "D5"],
        "name": ["心内科", "呼吸科", "检验科", "普外科", "院办"],
        "category": ["clinical", "clinical", "medical_technical", "clinical", "administrative"],
        "staff_count": [40, 30, 20, 50, 10],
        "branch_code": ["B1", "B1", "B1", "B2", "B3"],
    }
)
BRANCH_OF = DEPARTMENTS.set_index("department_code")["branch_code"]
MEMBERS = BRANCHES.set_index("branch_code")["member_count"]
STAFF = DEPARTMENTS.set_index("department_code")["staff_count"]

ACTIVITY_RATE = {  # Poisson mean per branch and month
    "branch_committee_meeting": 0.9,
    "party_group_meeting": 0.9,
    "theme_party_day": 0.9,
    "branch_general_meeting": 0.4,
    "party_lecture": 0.4,
    "organizational_life_meeting": 0.1,
    "democratic_appraisal": 0.1,
    "volunteer_service": 0.5,
    "free_clinic": 0.3,
    "health_education": 0.3,
    "warning_education": 0.15,
    "integrity_talk": 0.15,
    "party_plus_project": 0.3,
    "demonstration_post": 0.2,
    "theory_study": 0.5,
    "training": 0.2,
}
RESPONDING = {
    "D1": ("outpatient", "inpatient", "staff"),
    "D2": ("outpatient", "inpatient", "staff"),
    "D3": ("outpatient", "staff"),
    "D4": ("outpatient", "staff"),  # D4's inpatients only come as quarterly aggregates
    "D5": ("staff",),
}
QUARTERS = pd.period_range("2024Q1", "2025Q1", freq="Q")


def labels(dates, grain: str) -> np.ndarray:
    """'2024-03', '2024Q1' or '2024' for each date (pandas periods)."""
    return pd.to_datetime(pd.Series(dates)).dt.to_period(FREQ[grain]).astype(str).to_numpy()


def period_grid(data: dict[str, pd.DataFrame], grain: str) -> list[str]:
    dates = pd.concat(
        [
            pd.to_datetime(data["activities"]["activity_date"]),
            pd.to_datetime(data["responses"]["submitted_at"]),
            pd.to_datetime(data["aggregates"]["period_start"]),
            pd.to_datetime(data["discipline"]["record_date"]),
        ]
    )
    first, last = dates.min().to_period(FREQ[grain]), dates.max().to_period(FREQ[grain])
    return [str(p) for p in pd.period_range(first, last, freq=FREQ[grain])]


def span_labels(dates, grain: str) -> set[str]:
    dates = pd.to_datetime(pd.Series(dates))
    if dates.empty:
        return set()
    first, last = dates.min().to_period(FREQ[grain]), dates.max().to_period(FREQ[grain])
    return {str(p) for p in pd.period_range(first, last, freq=FREQ[grain])}


# --- The generated hospital ------------------------------------------------------------------------------


def generate(seed: int = 20240601) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    rows = []

    def activity(day, branch, kind, attended, expected, hours):
        rows.append((day, branch, kind, int(attended), expected, hours))

    for branch, members in MEMBERS.items():
        for month in range(1, 13):
            if branch == "B3" and month in (4, 5, 6):
                continue  # planted: B3 holds nothing in 2024Q2 (inside the activity span)
            for kind, rate in ACTIVITY_RATE.items():
                for _ in range(rng.poisson(rate)):
                    day = dt.date(2024, month, int(rng.integers(3, 28)))
                    how = rng.choice(["none", "zero", "members"], p=[0.2, 0.1, 0.7])
                    expected = None if how == "none" else 0 if how == "zero" else int(members)
                    attended = int(rng.integers(0, members + 1))
                    if branch == "B3" and month == 8:
                        expected = None  # planted: no attendance measurable in 2024-08
                    if branch == "B3" and month >= 10 and expected:
                        attended = expected + 2  # planted: attendance above 100% in 2024Q4
                    if kind in SERVICE:
                        hours = None if rng.random() < 0.1 else float(rng.choice([0.5, 1, 1.5, 2, 3, 4]))
                    else:
                        hours = None if rng.random() < 0.5 else 1.5
                    activity(day, branch, kind, attended, expected, hours)
    for day in range(4, 11):  # planted: 7 committee meetings in 2024-02 (required 1 a month, 3 a quarter)
        activity(dt.date(2024, 2, day), "B2", "branch_committee_meeting", 8, 10, 1.0)
    activity(dt.date(2024, 1, 2), "B1", "theory_study", 15, 20, 2.0)  # the first activity
    activity(dt.date(2024, 12, 28), "B1", "theory_study", 15, 20, 2.0)  # the last activity
    activities = pd.DataFrame(
        rows, columns=["activity_date", "branch_code", "activity_type", "attended", "expected", "hours"]
    )
    activities.insert(0, "activity_id", np.arange(1, len(activities) + 1))
    activities["activity_date"] = pd.to_datetime(activities["activity_date"])
    activities["expected"] = activities["expected"].astype("Int64")
    activities["hours"] = activities["hours"].astype("Float64")

    effect = {d: rng.normal(0, 3) for d in DEPARTMENTS["department_code"]}
    shift = {"outpatient": 4.0, "inpatient": 6.0, "staff": 0.0}
    responses = []
    for dep, pops in RESPONDING.items():
        for pop in pops:
            for q, quarter in enumerate(QUARTERS):
                n = int(rng.poisson(14))
                if (dep, pop) == ("D3", "staff"):
                    n = 4  # planted: always suppressed (and rolled into B1 and the hospital)
                if (dep, pop) == ("D5", "staff"):
                    n = 6  # planted: suppressed, and B3 (its only department) too
                if (dep, pop) == ("D2", "staff"):
                    n = {0: 9, 1: 10}.get(q, n)  # planted: 9 is suppressed, 10 is shown
                if (dep, pop) == ("D1", "outpatient"):
                    n = max(n, 12)  # planted: always shown (the Welch test below)
                if (dep, pop) == ("D4", "outpatient") and q == 1:
                    n = 1  # planted: one response beside monthly aggregates (z-test with the pooled SD)
                start = quarter.start_time
                seconds = rng.integers(0, 89 * 86400, n)
                scores = np.clip(np.round(rng.normal(78 + effect[dep] + shift[pop] + q, 10, n)), 0, 100)
                for s, score in zip(seconds, scores, strict=True):
                    responses.append((start + pd.Timedelta(seconds=int(s)), dep, pop, float(score)))
    responses = pd.DataFrame(responses, columns=["submitted_at", "department_code", "population", "score"])

    aggregates = []
    for quarter in QUARTERS:  # D1 inpatients: quarterly aggregates beside the responses (never counted)
        aggregates.append(
            ("D1", "quarter", quarter.start_time, "inpatient", round(rng.normal(85, 2), 1), int(rng.integers(15, 60)))
        )
    for q, quarter in enumerate(QUARTERS[:4]):  # D4 inpatients: quarterly aggregates only
        n = 6 if q == 2 else int(rng.integers(12, 40))  # planted: 2024Q3 too small
        aggregates.append(("D4", "quarter", quarter.start_time, "inpatient", round(rng.normal(80, 3), 1), n))
    for month in range(1, 7):  # D4 outpatients: monthly aggregates, counted in the months without responses
        aggregates.append(
            (
                "D4",
                "month",
                pd.Timestamp(2024, month, 1),
                "outpatient",
                round(rng.normal(88, 3), 1),
                int(rng.integers(3, 20)),
            )
        )
    aggregates.append(("D2", "year", pd.Timestamp(2024, 1, 1), "outpatient", 90.0, 100))  # beside responses
    aggregates = pd.DataFrame(
        aggregates, columns=["department_code", "period_grain", "period_start", "population", "score", "respondents"]
    )

    discipline = []
    lo, hi = pd.Timestamp(2023, 11, 15), pd.Timestamp(2024, 9, 20)
    for dep in ("D1", "D2", "D3", "D4"):  # D5 has no records (zero inside the span)
        for _ in range(int(rng.poisson(15))):
            day = lo + pd.Timedelta(days=int(rng.integers(0, (hi - lo).days + 1)))
            status = str(rng.choice(["not_required", "in_progress", "completed"], p=[0.4, 0.3, 0.3]))
            deadline = done = None
            if status != "not_required" and rng.random() > 0.1:
                deadline = day + pd.Timedelta(days=int(rng.integers(10, 120)))
            if status == "completed" and rng.random() > 0.1:
                done = day + pd.Timedelta(days=int(rng.integers(1, 150)))
            discipline.append((day, dep, str(rng.choice(CATEGORIES)), status, deadline, done))
    # Planted edges: due on the as-of day (still open, not overdue), and closed on the deadline day (on time).
    due = pd.Timestamp(AS_OF)
    discipline.append((due - pd.Timedelta(days=20), "D2", "form_1", "in_progress", due, None))
    discipline.append((due - pd.Timedelta(days=60), "D3", "ethics_complaint", "completed", due, due))
    discipline.append((lo, "D1", "praise_letter", "not_required", None, None))  # the first record
    discipline.append((hi, "D4", "form_2", "in_progress", hi + pd.Timedelta(days=30), None))  # the last record
    discipline = pd.DataFrame(
        discipline,
        columns=[
            "record_date",
            "department_code",
            "category",
            "status",
            "rectification_deadline",
            "rectification_completed",
        ],
    )
    discipline.insert(0, "record_id", np.arange(1, len(discipline) + 1))
    for column in ("record_date", "rectification_deadline", "rectification_completed"):
        discipline[column] = pd.to_datetime(discipline[column])
    return {
        "activities": activities,
        "responses": responses,
        "aggregates": aggregates,
        "discipline": discipline,
    }


def insert(db: Database, table: str, frame: pd.DataFrame) -> None:
    with db.writer() as cur:
        cur.register("source_frame", frame)
        names = ", ".join(frame.columns)
        cur.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM source_frame")
        cur.unregister("source_frame")


def load(db: Database, data: dict[str, pd.DataFrame], branches=BRANCHES, departments=DEPARTMENTS) -> None:
    insert(db, "branches", branches)
    insert(db, "departments", departments)
    tables = {
        "activities": "activities",
        "responses": "satisfaction_responses",
        "aggregates": "satisfaction_aggregates",
        "discipline": "discipline_records",
    }
    for key, table in tables.items():
        if key in data and not data[key].empty:
            insert(db, table, data[key])


@pytest.fixture(scope="module")
def data() -> dict[str, pd.DataFrame]:
    return generate()


@pytest.fixture(scope="module")
def db(data, tmp_path_factory):
    database = Database(tmp_path_factory.mktemp("metrics") / "x.duckdb")
    load(database, data)
    yield database
    database.close()


@pytest.fixture(scope="module")
def panels(db) -> dict[str, metrics.Panel]:
    return {grain: metrics.build_panel(db, grain, as_of=AS_OF) for grain in metrics.GRAINS}


@pytest.fixture(scope="module")
def rollups(panels):
    """`rollups(grain, level)`: the unfiltered roll-up, made once per module, with primary suppression only
    (the arithmetic of the roll-up; complementary suppression is tests/test_suppression.py's)."""
    return functools.cache(lambda grain, level: metrics.rollup(panels[grain], level, protect=False))


def memo(function):
    """Cache an expected-value computation per data set and arguments (they are only ever read)."""
    cache = {}

    @functools.wraps(function)
    def wrapper(data, *args, **kwargs):
        key = (id(data), repr(args), repr(sorted(kwargs.items())))
        if key not in cache:
            cache[key] = function(data, *args, **kwargs)
        return cache[key]

    return wrapper


def by_cell(frame: pd.DataFrame, unit: str = "department_code") -> pd.DataFrame:
    return frame.set_index([unit, "period"]).sort_index()


def for_departments(branch_values: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """Branch × period expected values lined up with a department × period frame (its branch's row)."""
    departments, periods = frame.index.get_level_values(0), frame.index.get_level_values(1)
    return branch_values.reindex(pd.MultiIndex.from_arrays([BRANCH_OF.reindex(departments).to_numpy(), periods]))


def assert_close(actual, expected, what: str = "") -> None:
    np.testing.assert_allclose(
        np.asarray(actual, dtype="float64"), np.asarray(expected, dtype="float64"), rtol=1e-10, atol=1e-9, err_msg=what
    )


# --- Independent computations ----------------------------------------------------------------------------


@memo
def expected_party(
    data,
    grain: str,
    weights=DEFAULT_WEIGHTS,
    targets=DEFAULT_TARGETS,
    required: dict[str, int] | None = None,
) -> pd.DataFrame:
    """Per branch × period: held per type, compliance, attendance, service hours, counts, scores, index.
    The yearly targets are judged year to date: the figures summed over the year's periods so far (inside the
    data's span) against the target × the months they cover ÷ 12."""
    required = REQUIRED_AT[grain] if required is None else required
    acts = data["activities"].copy()
    acts["period"] = labels(acts["activity_date"], grain)
    inside = span_labels(acts["activity_date"], grain)
    groups = dict(iter(acts.groupby(["branch_code", "period"])))
    rows = []
    for branch, members in MEMBERS.items():
        so_far: dict[str, dict[str, float]] = {}  # per year: months, person hours, 党建+, integrity
        for period in period_grid(data, grain):
            row = {"branch_code": branch, "period": period}
            if period not in inside:
                rows.append(row)  # all null
                continue
            cell = groups.get((branch, period), acts.iloc[:0])
            held = cell["activity_type"].value_counts()
            for kind, need in required.items():
                row[f"held_{kind}"] = held.get(kind, 0)
                row[f"compliance_{kind}"] = min(held.get(kind, 0) / need, 1.0) * 100
            row["meeting_compliance"] = np.mean([row[f"compliance_{k}"] for k in required if k in THREE_ONE])
            theme_day = row.get("compliance_theme_party_day", np.nan)
            row["theme_day_compliance"] = theme_day
            # Attendance over organisational-life meetings only (not service events: issue 13, point 2).
            measured = cell[(cell["expected"].fillna(0) > 0) & cell["activity_type"].isin(ORGANISATIONAL_LIFE_CODES)]
            row["attended_total"] = measured["attended"].sum()
            row["expected_total"] = measured["expected"].sum()
            row["attendance_rate"] = (
                100 * measured["attended"].sum() / measured["expected"].sum() if len(measured) else np.nan
            )
            service = cell[cell["activity_type"].isin(SERVICE)]
            row["person_hours"] = float((service["hours"].astype("float64") * service["attended"]).sum())
            row["service_hours_per_member"] = row["person_hours"] / members if members else np.nan
            row["theme_plus_activities"] = int(cell["activity_type"].isin(THEME_PLUS).sum())
            row["integrity_activities"] = int(cell["activity_type"].isin(INTEGRITY).sum())
            year = so_far.setdefault(period[:4], {"months": 0, "hours": 0.0, "theme": 0, "integrity": 0})
            year["months"] += MONTHS[grain]
            year["hours"] += row["person_hours"]
            year["theme"] += row["theme_plus_activities"]
            year["integrity"] += row["integrity_activities"]
            row["ytd_months"] = year["months"]
            row["ytd_service_hours_per_member"] = year["hours"] / members
            row["ytd_theme_plus_activities"] = year["theme"]
            row["ytd_integrity_activities"] = year["integrity"]
            pro_rata = year["months"] / 12
            scores = {
                "compliance": row["meeting_compliance"],
                "theme_day": theme_day,
                "attendance": min(row["attendance_rate"], 100.0) if len(measured) else np.nan,
                "service": min(row["ytd_service_hours_per_member"] / (targets["service"] * pro_rata) * 100, 100.0),
                "theme_plus": min(year["theme"] / (targets["theme_plus"] * pro_rata) * 100, 100.0),
                "integrity": min(year["integrity"] / (targets["integrity"] * pro_rata) * 100, 100.0),
            }
            for name, value in scores.items():
                row[f"score_{name}"] = value
            present = {k: v for k, v in scores.items() if not math.isnan(v) and weights.get(k, 0) > 0}
            total = sum(weights[k] for k in present)
            row["party_index"] = sum(weights[k] * v for k, v in present.items()) / total if total else np.nan
            rows.append(row)
    return pd.DataFrame(rows).set_index(["branch_code", "period"])


PARTY_COLUMNS = [
    "meeting_compliance",
    "theme_day_compliance",
    "attendance_rate",
    "service_hours_per_member",
    "theme_plus_activities",
    "integrity_activities",
    "ytd_months",
    "ytd_service_hours_per_member",
    "ytd_theme_plus_activities",
    "ytd_integrity_activities",
    "score_compliance",
    "score_theme_day",
    "score_attendance",
    "score_service",
    "score_theme_plus",
    "score_integrity",
    "party_index",
]


@memo
def satisfaction_cells(data, grain: str, departments=None) -> pd.DataFrame:
    """Per department × period × population: the raw responses (list), counted aggregates' respondents and
    score sums."""
    resp = data["responses"].assign(period=labels(data["responses"]["submitted_at"], grain))
    allowed = {"month": {"month"}, "quarter": {"month", "quarter"}, "year": {"month", "quarter", "year"}}[grain]
    agg = data["aggregates"][counted(data["aggregates"], data["responses"])]  # one source per cell
    agg = agg[agg["period_grain"].isin(allowed)]
    agg = agg.assign(period=labels(agg["period_start"], grain), weighted=agg["score"] * agg["respondents"])
    responses = {
        key: group["score"].to_numpy() for key, group in resp.groupby(["department_code", "period", "population"])
    }
    aggregated = agg.groupby(["department_code", "period", "population"])[["respondents", "weighted"]].sum()
    rows = []
    for dep in DEPARTMENTS["department_code"] if departments is None else departments:
        for period in period_grid(data, grain):
            for pop in POPS:
                a = aggregated.loc[(dep, period, pop)] if (dep, period, pop) in aggregated.index else None
                rows.append(
                    {
                        "department_code": dep,
                        "branch_code": BRANCH_OF[dep],
                        "period": period,
                        "population": pop,
                        "scores": responses.get((dep, period, pop), np.array([])),
                        "agg_n": 0 if a is None else int(a["respondents"]),
                        "agg_s": 0.0 if a is None else float(a["weighted"]),
                    }
                )
    return pd.DataFrame(rows)


def pool(cells: pd.DataFrame, unit: str) -> pd.DataFrame:
    """Cells pooled to `unit` ('department_code', 'branch_code' or 'hospital'): n, mean, suppression."""
    keys = ["period", "population"] if unit == "hospital" else [unit, "period", "population"]
    out = cells.groupby(keys, sort=False).agg(
        scores=("scores", lambda s: np.concatenate(list(s))), agg_n=("agg_n", "sum"), agg_s=("agg_s", "sum")
    )
    out["n"] = out["scores"].map(len) + out["agg_n"]
    out["sum"] = out["scores"].map(np.sum) + out["agg_s"]
    out["mean"] = np.where(out["n"] >= MIN_N, out["sum"] / out["n"].where(out["n"] > 0), np.nan)
    out["suppressed"] = (out["n"] > 0) & (out["n"] < MIN_N)
    out = out.reset_index()
    if unit == "hospital":
        out["hospital"] = "hospital"
    return out.set_index(["hospital" if unit == "hospital" else unit, "period", "population"])


@memo
def pooled_sd(data, grain: str) -> dict[str, float]:
    """Within department × period SD of individual responses, pooled over all cells, per population."""
    resp = data["responses"].assign(period=labels(data["responses"]["submitted_at"], grain))
    out = {}
    for pop, group in resp.groupby("population"):
        deviations = group["score"] - group.groupby(["department_code", "period"])["score"].transform("mean")
        cells = group.groupby(["department_code", "period"]).ngroups
        out[pop] = math.sqrt((deviations**2).sum() / (len(group) - cells))
    return out


def change_p(now, before, sd_pooled: float) -> tuple[float, str | None]:
    """p of the change between two pooled cells: Welch on raw responses if both are only responses (≥ 2),
    else a two-sided z-test with SE² = Σ sd²/n (sd of the cell's responses if ≥ 2, else the pooled SD)."""
    if math.isnan(now["mean"]) or math.isnan(before["mean"]):
        return math.nan, None
    a, b = now["scores"], before["scores"]
    if now["agg_n"] == 0 and before["agg_n"] == 0 and len(a) >= 2 and len(b) >= 2:
        return float(stats.ttest_ind(a, b, equal_var=False).pvalue), "welch"
    sd1 = np.std(a, ddof=1) if len(a) >= 2 else sd_pooled
    sd0 = np.std(b, ddof=1) if len(b) >= 2 else sd_pooled
    se = math.sqrt(sd1**2 / now["n"] + sd0**2 / before["n"])
    return float(2 * stats.norm.sf(abs(now["mean"] - before["mean"]) / se)), "z"


@memo
def expected_discipline(data, grain: str, as_of: dt.date, departments=None) -> pd.DataFrame:
    """Per department × period: counts by category and group, rectification states as of `as_of`."""
    d = data["discipline"]
    done, deadline, day = d["rectification_completed"], d["rectification_deadline"], d["record_date"]
    completed, in_progress = d["status"] == "completed", d["status"] == "in_progress"
    required = d["status"] != "not_required"  # a completion date means completed, whatever the status says
    as_of = pd.Timestamp(as_of)
    flags = {f"discipline_{c}": d["category"] == c for c in CATEGORIES}
    flags |= {
        "discipline_records": pd.Series(True, index=d.index),
        "discipline_cases": d["category"].isin(CASES),
        "discipline_form2plus": d["category"].isin(FORM2PLUS),
        "discipline_complaints": d["category"].isin(COMPLAINTS),
        "rectification_required": required,
        "rectification_on_time": required & done.notna() & ~(done > deadline),
        "rectification_late": required & (done > deadline),
        "rectification_undated": completed & done.isna(),
        "rectification_open": in_progress & done.isna() & (deadline.isna() | (deadline >= as_of)),
        "rectification_overdue": in_progress & done.isna() & (deadline < as_of),
        "rectification_closed": required & done.notna(),
        "days_to_close": (done - day).dt.days.where(required & done.notna(), 0),
    }
    sums = pd.DataFrame(flags).astype("float64").groupby([d["department_code"], labels(day, grain)]).sum()
    deps = list(DEPARTMENTS["department_code"] if departments is None else departments)
    grid = pd.MultiIndex.from_product([deps, period_grid(data, grain)], names=["department_code", "period"])
    out = sums.reindex(grid, fill_value=0.0)
    outside = ~grid.get_level_values("period").isin(list(span_labels(day, grain)))
    out.loc[outside, :] = np.nan
    out["cases_per_100_staff"] = out["discipline_cases"] * 100 / STAFF.reindex(grid.get_level_values(0)).to_numpy()
    return out


DISCIPLINE_COLUMNS = [
    *(f"discipline_{c}" for c in CATEGORIES),
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
    "rectification_closed",
    "days_to_close",
]


# --- 1. 三会一课 compliance ----------------------------------------------------------------------------------


@pytest.mark.parametrize("grain", metrics.GRAINS)
def test_meeting_compliance_per_type_and_overall(panels, data, grain):
    panel = panels[grain]
    assert set(panel.compliance_types) == set(REQUIRED_AT[grain])
    assert [c for c in panel.frame if c.startswith("compliance_")] == [
        f"compliance_{k}" for k in panel.compliance_types
    ]
    assert list(panel.periods) == period_grid(data, grain)
    expected = expected_party(data, grain)
    frame = by_cell(panel.frame)
    assert len(frame) == len(DEPARTMENTS) * len(panel.periods)
    want = for_departments(expected, frame)
    for column in ["meeting_compliance", *(f"compliance_{k}" for k in REQUIRED_AT[grain])]:
        assert_close(frame[column], want[column], f"{grain} {column}")
    # The data exercises the cap (more held than required) and partial compliance.
    held = want[[f"held_{k}" for k in REQUIRED_AT[grain]]].to_numpy(dtype="float64")
    need = np.array(list(REQUIRED_AT[grain].values()), dtype="float64")
    assert (held > need).any() and (held == 0).any()
    assert grain == "month" or ((held > 0) & (held < need)).any()  # a month requires 1 of each
    assert ((want["meeting_compliance"] > 0) & (want["meeting_compliance"] < 100)).any()
    assert frame["meeting_compliance"].max() <= 100


def test_compliance_planted_cells(panels):
    month, quarter, year = (by_cell(panels[g].frame) for g in ("month", "quarter", "year"))
    # B2 (D4) held 7 committee meetings in 2024-02 and more in the quarter: capped at 100, not 700 or 233.
    assert month.loc[("D4", "2024-02"), "compliance_branch_committee_meeting"] == 100
    assert quarter.loc[("D4", "2024Q1"), "compliance_branch_committee_meeting"] == 100
    # B3 (D5) held nothing in 2024Q2, inside the activity span: zero, not null.
    for period in ("2024-04", "2024-05", "2024-06"):
        assert month.loc[("D5", period), "meeting_compliance"] == 0
        assert month.loc[("D5", period), "service_hours_per_member"] == 0
        assert month.loc[("D5", period), "theme_day_compliance"] == 0
        # Not 0 any more: the service, 党建+ and integrity scores are year to date (issue 13, point 7).
        assert month.loc[("D5", period), "party_index"] > 0
    assert quarter.loc[("D5", "2024Q2"), "meeting_compliance"] == 0
    assert quarter.loc[("D5", "2024Q2"), "theme_plus_activities"] == 0
    assert np.isnan(quarter.loc[("D5", "2024Q2"), "attendance_rate"])  # nothing expected: not measurable
    # Outside the activity span (2024-01-02 … 2024-12-28) nothing is known: null, at every grain.
    for frame, periods in (
        (month, ("2023-11", "2023-12", "2025-01", "2025-03")),
        (quarter, ("2023Q4", "2025Q1")),
        (year, ("2023", "2025")),
    ):
        for period in periods:
            row = frame.loc[("D1", period)]
            assert row[PARTY_COLUMNS].isna().all(), (period, row[PARTY_COLUMNS])
    assert not year.loc[("D1", "2024"), PARTY_COLUMNS].isna().any()
    # Only the monthly types are assessed per month; the yearly ones only per year.
    assert "compliance_party_lecture" not in month and "compliance_party_lecture" in quarter
    assert "compliance_democratic_appraisal" not in quarter and "compliance_democratic_appraisal" in year


# --- 2. The other components, scores and the index ---------------------------------------------------------


@pytest.mark.parametrize("grain", metrics.GRAINS)
def test_party_components_scores_and_index(panels, data, grain):
    frame = by_cell(panels[grain].frame)
    expected = expected_party(data, grain)
    want = for_departments(expected, frame)
    for column in PARTY_COLUMNS:
        assert_close(frame[column], want[column], f"{grain} {column}")
    # Not vacuous: the caps bite somewhere and not everywhere, and an index without attendance exists.
    if grain == "quarter":
        for score in ("score_service", "score_theme_plus", "score_attendance"):
            assert (want[score] == 100).any() and ((want[score] > 0) & (want[score] < 100)).any(), score
        assert (want["integrity_activities"] > 0.5).any() and (want["integrity_activities"] == 0).any()
        assert (want["attendance_rate"] > 100).any()
    if grain != "year":
        assert (want["attendance_rate"].isna() & want["party_index"].notna()).any()


def test_planted_attendance_above_expected_scores_100(panels):
    quarter = by_cell(panels["quarter"].frame)
    assert quarter.loc[("D5", "2024Q4"), "attendance_rate"] > 100
    assert quarter.loc[("D5", "2024Q4"), "score_attendance"] == 100
    # 2024-08: B3's activities give no expected number: attendance null, and the index is the mean of the rest.
    month = by_cell(panels["month"].frame).loc[("D5", "2024-08")]
    assert np.isnan(month["attendance_rate"]) and np.isnan(month["score_attendance"])
    rest = {k: month[f"score_{k}"] for k in DEFAULT_WEIGHTS if k != "attendance"}
    assert month["party_index"] == pytest.approx(
        sum(DEFAULT_WEIGHTS[k] * v for k, v in rest.items()) / sum(DEFAULT_WEIGHTS[k] for k in rest), rel=1e-12
    )


def test_yearly_targets_are_judged_year_to_date_against_the_pro_rated_target(panels, data):
    """Everything B1 did from 1 January through the period's end, against the yearly target × the months
    elapsed ÷ 12 (the activity data start on 2024-01-02, so every month of 2024 counts)."""
    acts = data["activities"]
    b1 = acts[acts["branch_code"] == "B1"]
    for grain, label, end, elapsed in (
        ("month", "2024-03", "2024-04-01", 3),
        ("quarter", "2024Q1", "2024-04-01", 3),
        ("quarter", "2024Q3", "2024-10-01", 9),
        ("year", "2024", "2025-01-01", 12),
    ):
        cell = b1[pd.to_datetime(b1["activity_date"]) < pd.Timestamp(end)]
        service = cell[cell["activity_type"].isin(SERVICE)]
        hours = (service["hours"].astype("float64") * service["attended"]).sum() / 20
        theme = cell["activity_type"].isin(THEME_PLUS).sum()
        integrity = cell["activity_type"].isin(INTEGRITY).sum()
        row = by_cell(panels[grain].frame).loc[("D1", label)]
        assert row["score_service"] == pytest.approx(min(100 * hours / (4 * elapsed / 12), 100), rel=1e-12)
        assert row["score_theme_plus"] == pytest.approx(min(100 * theme / (2 * elapsed / 12), 100), rel=1e-12)
        assert row["score_integrity"] == pytest.approx(min(100 * integrity / (2 * elapsed / 12), 100), rel=1e-12)


def test_index_weights_targets_and_frequencies_come_from_the_settings(db, data, panels):
    weights = {
        "compliance": 1.0,
        "theme_day": 0.5,
        "attendance": 0.0,
        "service": 2.0,
        "theme_plus": 0.0,
        "integrity": 3.0,
    }
    targets = {"service": 8.0, "theme_plus": 24.0, "integrity": 6.0}
    frequencies = {ActivityType(k): Frequency(count=c, per=per) for k, (c, per) in REQUIRED.items()}
    frequencies[ActivityType.PARTY_LECTURE] = Frequency(count=2, per="quarter")
    frequencies[ActivityType.DEMOCRATIC_APPRAISAL] = Frequency(count=0, per="year")  # not assessed
    settings = MetricSettings(
        weights={k: v for k, v in weights.items() if v},  # a component left out weighs nothing
        frequencies=frequencies,
        service_hours_per_member_year=targets["service"],
        theme_plus_per_year=targets["theme_plus"],
        integrity_per_year=targets["integrity"],
    )
    required = {**REQUIRED_AT["quarter"], "party_lecture": 2}
    panel = metrics.build_panel(db, "quarter", as_of=AS_OF, settings=settings)
    assert set(panel.compliance_types) == set(required)
    frame = by_cell(panel.frame)
    want = expected_party(data, "quarter", weights=weights, targets=targets, required=required)
    want = for_departments(want, frame)
    for column in PARTY_COLUMNS:
        assert_close(frame[column], want[column], column)
    default = by_cell(panels["quarter"].frame)["party_index"]
    assert (abs(frame["party_index"] - default) > 1).any()
    year = by_cell(metrics.build_panel(db, "year", as_of=AS_OF, settings=settings).frame)
    assert "compliance_democratic_appraisal" not in year and "compliance_organizational_life_meeting" in year


def test_every_department_gets_its_branchs_party_metrics(panels, data):
    frame = panels["quarter"].frame
    expected = expected_party(data, "quarter")
    for period in ("2024Q1", "2024Q3"):
        rows = frame[(frame["branch_code"] == "B1") & (frame["period"] == period)].set_index("department_code")
        assert sorted(rows.index) == ["D1", "D2", "D3"]
        for column in PARTY_COLUMNS:
            assert_close(rows[column], [expected.loc[("B1", period), column]] * 3, column)
        assert (rows["member_count"] == 20).all()


# --- 3. Satisfaction -------------------------------------------------------------------------------------


@pytest.mark.parametrize("grain", metrics.GRAINS)
def test_satisfaction_pools_responses_and_aggregates_by_respondents(panels, data, grain):
    frame = by_cell(panels[grain].frame)
    pooled = pool(satisfaction_cells(data, grain), "department_code")
    for pop in POPS:
        want = pooled.xs(pop, level="population").reindex(frame.index)
        assert_close(frame[f"n_{pop}"], want["n"], f"{grain} n_{pop}")
        assert_close(frame[f"satisfaction_{pop}"], want["mean"], f"{grain} satisfaction_{pop}")
        assert (frame[f"suppressed_{pop}"] == want["suppressed"]).all(), pop
    assert frame["suppressed_staff"].any()


def test_aggregates_coarser_than_the_grain_or_covered_by_finer_data_are_left_out(panels, data):
    resp, agg = data["responses"], data["aggregates"]
    month, quarter, year = (by_cell(panels[g].frame) for g in ("month", "quarter", "year"))
    # D4's inpatients come only as quarterly aggregates: counted by quarter and year, never split into months.
    d4_inpatient = agg[(agg["department_code"] == "D4") & (agg["population"] == "inpatient")]
    assert month.xs("D4")["n_inpatient"].sum() == 0
    assert quarter.loc[("D4", "2024Q1"), "n_inpatient"] == d4_inpatient["respondents"].iloc[0]
    assert year.loc[("D4", "2024"), "n_inpatient"] == d4_inpatient["respondents"].sum()
    # D1's quarterly inpatient aggregates sit beside D1's inpatient responses: only the responses count.
    d1_inpatient = resp[(resp["department_code"] == "D1") & (resp["population"] == "inpatient")]
    q1 = d1_inpatient[labels(d1_inpatient["submitted_at"], "quarter") == "2024Q1"]
    assert quarter.loc[("D1", "2024Q1"), "n_inpatient"] == quarter.loc[("D1", "2024Q1"), "nresp_inpatient"] == len(q1)
    assert quarter.loc[("D1", "2024Q1"), "satisfaction_inpatient"] == pytest.approx(q1["score"].mean(), rel=1e-12)
    # D2's yearly outpatient aggregate (100 respondents at 90) sits beside D2's outpatient responses: not counted.
    d2 = resp[(resp["department_code"] == "D2") & (resp["population"] == "outpatient")]
    assert year.loc[("D2", "2024"), "n_outpatient"] == (d2["submitted_at"].dt.year == 2024).sum()
    assert quarter.xs("D2")["n_outpatient"].sum() == len(d2)
    # D4's monthly outpatient aggregates count in the months without D4 outpatient responses, at every grain.
    monthly = agg[(agg["department_code"] == "D4") & (agg["population"] == "outpatient")]
    d4 = resp[(resp["department_code"] == "D4") & (resp["population"] == "outpatient")]
    free = monthly[~np.isin(labels(monthly["period_start"], "month"), labels(d4["submitted_at"], "month"))]
    assert 0 < len(free) < len(monthly)  # some months covered by responses, some not
    assert month.xs("D4")["n_outpatient"].sum() == len(d4) + free["respondents"].sum()
    assert year.xs("D4")["n_outpatient"].sum() == len(d4) + free["respondents"].sum()


def test_small_groups_are_suppressed_at_department_level(panels):
    quarter = by_cell(panels["quarter"].frame)
    for cell in (("D3", "2024Q1"), ("D5", "2024Q3"), ("D2", "2024Q1")):  # 4, 6 and 9 respondents
        assert 0 < quarter.loc[cell, "n_staff"] < MIN_N
        assert quarter.loc[cell, "suppressed_staff"] and np.isnan(quarter.loc[cell, "satisfaction_staff"])
    assert quarter.loc[("D2", "2024Q2"), "n_staff"] == MIN_N  # exactly the threshold is shown
    assert not quarter.loc[("D2", "2024Q2"), "suppressed_staff"]
    assert np.isfinite(quarter.loc[("D2", "2024Q2"), "satisfaction_staff"])
    assert quarter.loc[("D4", "2024Q3"), "n_inpatient"] == 6 and quarter.loc[("D4", "2024Q3"), "suppressed_inpatient"]
    # No respondents at all: null but not "suppressed".
    assert quarter.loc[("D5", "2024Q1"), "n_outpatient"] == 0
    assert not quarter.loc[("D5", "2024Q1"), "suppressed_outpatient"]
    assert np.isnan(quarter.loc[("D5", "2024Q1"), "satisfaction_outpatient"])


def test_the_suppression_threshold_is_a_setting(db):
    frame = by_cell(metrics.build_panel(db, "quarter", as_of=AS_OF, settings=MetricSettings(suppression_min_n=5)).frame)
    assert frame.loc[("D3", "2024Q1"), "suppressed_staff"]  # 4 < 5
    assert not frame.loc[("D5", "2024Q1"), "suppressed_staff"]  # 6 ≥ 5
    assert np.isfinite(frame.loc[("D5", "2024Q1"), "satisfaction_staff"])


@pytest.mark.parametrize("grain", metrics.GRAINS)
@pytest.mark.parametrize("level", ["branch", "hospital"])
def test_satisfaction_rolls_up_by_respondents_with_suppression(rollups, data, grain, level):
    rolled = by_cell(rollups(grain, level), "unit")
    unit = "branch_code" if level == "branch" else "hospital"
    pooled = pool(satisfaction_cells(data, grain), unit)
    for pop in POPS:
        want = pooled.xs(pop, level="population").reindex(rolled.index)
        assert_close(rolled[f"n_{pop}"], want["n"], f"{level} {grain} n_{pop}")
        assert_close(rolled[f"satisfaction_{pop}"], want["mean"], f"{level} {grain} satisfaction_{pop}")
        assert (rolled[f"suppressed_{pop}"] == want["suppressed"]).all()


def test_rollup_counts_suppressed_groups_respondents(rollups, data):
    rolled = by_cell(rollups("quarter", "branch"), "unit")
    resp = data["responses"][data["responses"]["population"] == "staff"]
    resp = resp[labels(resp["submitted_at"], "quarter") == "2024Q1"]
    b1 = resp[resp["department_code"].isin(["D1", "D2", "D3"])]
    assert rolled.loc[("B1", "2024Q1"), "n_staff"] == len(b1)  # D2's 9 and D3's 4 count
    assert rolled.loc[("B1", "2024Q1"), "satisfaction_staff"] == pytest.approx(b1["score"].mean(), rel=1e-12)
    # B3's only department has 6 staff respondents: still suppressed after the roll-up.
    assert rolled.loc[("B3", "2024Q1"), "suppressed_staff"] and np.isnan(
        rolled.loc[("B3", "2024Q1"), "satisfaction_staff"]
    )
    hospital = by_cell(rollups("quarter", "hospital"), "unit").loc[("hospital", "2024Q1")]
    assert hospital["n_staff"] == len(resp)
    assert hospital["satisfaction_staff"] == pytest.approx(resp["score"].mean(), rel=1e-12)


@pytest.mark.parametrize(
    ("grain", "level"),
    [
        ("quarter", "department"),
        ("quarter", "branch"),
        ("quarter", "hospital"),
        ("month", "branch"),
        ("year", "hospital"),
    ],
)
def test_change_tests_against_scipy(rollups, data, grain, level):
    rolled = rollups(grain, level)
    unit = {"department": "department_code", "branch": "branch_code", "hospital": "hospital"}[level]
    pooled = pool(satisfaction_cells(data, grain), unit)
    sd = pooled_sd(data, grain)
    freq = FREQ[grain]
    lag_year = {"month": 12, "quarter": 4, "year": 1}[grain]
    seen = {"welch": 0, "z": 0}
    for row in rolled.itertuples(index=False):
        row = row._asdict()
        for pop in POPS:
            now = pooled.loc[(row["unit"], row["period"], pop)]
            for prefix, lag, prev_name in (("", 1, f"prev_{pop}"), ("yoy_", lag_year, f"yoy_{pop}")):
                earlier = str(pd.Period(row["period"], freq=freq) - lag)
                key = (row["unit"], earlier, pop)
                if key not in pooled.index:
                    assert np.isnan(row[f"p_{prefix}{pop}"]) and np.isnan(row[prev_name])
                    continue
                before = pooled.loc[key]
                p, test = change_p(now, before, sd[pop])
                assert_close(row[prev_name], before["mean"], f"{prev_name} {row['unit']} {row['period']}")
                assert_close(row[f"delta_{prefix}{pop}"], now["mean"] - before["mean"])
                assert_close(row[f"p_{prefix}{pop}"], p, f"p_{prefix}{pop} {row['unit']} {row['period']} {test}")
                assert (pd.isna(row[f"test_{prefix}{pop}"]) and test is None) or row[f"test_{prefix}{pop}"] == test
                if test:
                    seen[test] += 1
    assert seen["welch"] > 0 and seen["z"] > 0, seen


def test_welch_on_the_raw_responses_and_year_over_year(rollups, data):
    rolled = by_cell(rollups("quarter", "department"), "unit")
    resp = data["responses"]
    d1 = resp[(resp["department_code"] == "D1") & (resp["population"] == "outpatient")]
    q = labels(d1["submitted_at"], "quarter")
    q1, q2, q5 = d1["score"][q == "2024Q1"], d1["score"][q == "2024Q2"], d1["score"][q == "2025Q1"]
    row = rolled.loc[("D1", "2024Q2")]
    assert row["test_outpatient"] == "welch"
    assert row["p_outpatient"] == pytest.approx(stats.ttest_ind(q2, q1, equal_var=False).pvalue, rel=1e-9)
    assert row["delta_outpatient"] == pytest.approx(q2.mean() - q1.mean(), rel=1e-12)
    later = rolled.loc[("D1", "2025Q1")]  # year over year: 4 quarters back, not 1
    assert later["yoy_outpatient"] == pytest.approx(q1.mean(), rel=1e-12)
    assert later["p_yoy_outpatient"] == pytest.approx(stats.ttest_ind(q5, q1, equal_var=False).pvalue, rel=1e-9)
    assert later["test_yoy_outpatient"] == "welch"


def test_z_test_uses_the_assumed_sd_when_there_are_no_responses(tmp_path):
    aggregates = pd.DataFrame(
        {
            "department_code": ["D1", "D1"],
            "period_grain": ["quarter", "quarter"],
            "period_start": pd.to_datetime(["2024-01-01", "2024-04-01"]),
            "population": ["inpatient", "inpatient"],
            "score": [80.0, 83.5],
            "respondents": [40, 25],
        }
    )
    with Database(tmp_path / "x.duckdb") as db:
        load(db, {"aggregates": aggregates}, departments=DEPARTMENTS.iloc[:1])
        panel = metrics.build_panel(db, "quarter", settings=MetricSettings(assumed_sd=7.5))
        row = by_cell(metrics.rollup(panel, "department"), "unit").loc[("D1", "2024Q2")]
    se = math.sqrt(7.5**2 / 25 + 7.5**2 / 40)
    assert row["test_inpatient"] == "z"
    assert row["p_inpatient"] == pytest.approx(2 * stats.norm.sf(3.5 / se), rel=1e-9)
    assert np.isnan(row["p_outpatient"]) and pd.isna(row["test_outpatient"])


# --- 4. Discipline ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("grain", metrics.GRAINS)
def test_discipline_counts_and_rectification(panels, data, grain):
    frame = by_cell(panels[grain].frame)
    want = expected_discipline(data, grain, AS_OF).reindex(frame.index)
    for column in [*DISCIPLINE_COLUMNS, "cases_per_100_staff"]:
        assert_close(frame[column], want[column], f"{grain} {column}")
    assert frame.xs("D5")["discipline_records"].dropna().eq(0).all()  # no records, inside the span: zero
    assert frame.xs("D5")["discipline_records"].notna().any()
    # Not vacuous: every rectification state occurs.
    for column in (
        "rectification_on_time",
        "rectification_late",
        "rectification_undated",
        "rectification_open",
        "rectification_overdue",
    ):
        assert want[column].sum() > 0, column


def test_discipline_outside_its_span_is_null_and_zero_inside(panels):
    quarter, month = by_cell(panels["quarter"].frame), by_cell(panels["month"].frame)
    # Records run from 2023-11-15 to 2024-09-20; satisfaction runs on into 2025Q1.
    assert quarter.loc[("D1", "2024Q4"), [*DISCIPLINE_COLUMNS, "cases_per_100_staff"]].isna().all()
    assert np.isnan(quarter.loc[("D1", "2025Q1"), "discipline_cases"])
    assert month.loc[("D5", "2024-09"), "discipline_records"] == 0
    assert np.isnan(month.loc[("D5", "2024-10"), "discipline_records"])
    assert month.loc[("D5", "2023-11"), "cases_per_100_staff"] == 0


def test_rectification_is_judged_as_of_the_given_day(db, data, panels):
    late_day = dt.date(2025, 6, 30)
    frame = metrics.build_panel(db, "quarter", as_of=late_day).frame
    want = expected_discipline(data, "quarter", late_day).reindex(by_cell(frame).index)
    for column in ("rectification_open", "rectification_overdue"):
        assert_close(by_cell(frame)[column], want[column], column)
    disc = data["discipline"]
    in_progress = disc[disc["status"] == "in_progress"]
    assert frame["rectification_overdue"].sum() == in_progress["rectification_deadline"].notna().sum()
    assert frame["rectification_open"].sum() == in_progress["rectification_deadline"].isna().sum()
    early = panels["quarter"].frame  # as of 2024-08-01
    assert early["rectification_overdue"].sum() < frame["rectification_overdue"].sum()
    assert early["rectification_on_time"].sum() == frame["rectification_on_time"].sum()


@pytest.mark.parametrize("level", ["branch", "hospital"])
def test_discipline_rolls_up_by_summing_departments(rollups, data, level):
    rolled = by_cell(rollups("quarter", level), "unit")
    want = expected_discipline(data, "quarter", AS_OF).reset_index()
    want["unit"] = want["department_code"].map(BRANCH_OF) if level == "branch" else "hospital"
    want["staff"] = want["department_code"].map(STAFF)
    sums = want.groupby(["unit", "period"])[[*DISCIPLINE_COLUMNS, "staff"]].sum(min_count=1).reindex(rolled.index)
    for column in DISCIPLINE_COLUMNS:
        assert_close(rolled[column], sums[column], f"{level} {column}")
    assert_close(rolled["staff_count"], sums["staff"])
    assert_close(rolled["cases_per_100_staff"], sums["discipline_cases"] * 100 / sums["staff"])
    assert np.isnan(rolled.loc[(rolled.index[0][0], "2024Q4"), "discipline_cases"])  # null outside the span


# --- 5. Roll-ups of party metrics and filters -----------------------------------------------------------


def expected_party_rollup(data, grain: str, branches: list[str]) -> pd.DataFrame:
    """Member-weighted across distinct branches; attendance and service from their sums; counts summed."""
    party = expected_party(data, grain).reset_index()
    party = party[party["branch_code"].isin(branches)]
    party["members"] = party["branch_code"].map(MEMBERS).astype("float64")
    rows = {}
    for period, group in party.groupby("period"):
        row = {}
        weighted = ["meeting_compliance", "theme_day_compliance", "ytd_months", "ytd_service_hours_per_member"]
        weighted += [c for c in group if c.startswith(("compliance_", "score_"))] + ["party_index"]
        for column in weighted:
            ok = group[column].notna()
            row[column] = (
                (group[column][ok] * group["members"][ok]).sum() / group["members"][ok].sum() if ok.any() else np.nan
            )
        measured = group["expected_total"] > 0
        row["attendance_rate"] = (
            100 * group["attended_total"][measured].sum() / group["expected_total"][measured].sum()
            if measured.any()
            else np.nan
        )
        known = group["person_hours"].notna()
        row["service_hours_per_member"] = (
            group["person_hours"][known].sum() / group["members"][known].sum() if known.any() else np.nan
        )
        for column in (
            "theme_plus_activities",
            "integrity_activities",
            "ytd_theme_plus_activities",
            "ytd_integrity_activities",
        ):
            row[column] = group[column].sum(min_count=1)
        rows[period] = row
    return pd.DataFrame.from_dict(rows, orient="index")


@pytest.mark.parametrize("grain", metrics.GRAINS)
def test_hospital_party_metrics_weight_each_branch_once_by_members(rollups, panels, data, grain):
    rolled = rollups(grain, "hospital").set_index("period")
    want = expected_party_rollup(data, grain, ["B1", "B2", "B3"]).reindex(rolled.index)
    for column in [*PARTY_COLUMNS, *(f"compliance_{k}" for k in REQUIRED_AT[grain])]:
        assert_close(rolled[column], want[column], f"{grain} {column}")
    assert (rolled["unit"] == "hospital").all()
    assert (rolled["member_count"] == 35).all()  # 20 + 10 + 5: the joint branch once, not three times
    # Weighting by departments instead would differ: B1 has three departments.
    frame = panels[grain].frame
    by_department = frame.groupby("period")["meeting_compliance"].mean().reindex(rolled.index)
    assert (abs(by_department - rolled["meeting_compliance"]) > 0.5).any()


def test_branch_rollup_of_party_metrics_is_the_branch(rollups, data):
    rolled = by_cell(rollups("quarter", "branch"), "unit")
    expected = expected_party(data, "quarter").reindex(rolled.index)
    for column in PARTY_COLUMNS:
        assert_close(rolled[column], expected[column], column)
    assert sorted(rolled.index.get_level_values(0).unique()) == ["B1", "B2", "B3"]


def test_category_and_branch_filters_choose_the_departments(panels, data):
    panel = panels["quarter"]
    clinical = metrics.rollup(panel, "hospital", metrics.Filters(category="clinical")).set_index("period")
    want = expected_party_rollup(data, "quarter", ["B1", "B2"]).reindex(clinical.index)
    for column in PARTY_COLUMNS:
        assert_close(clinical[column], want[column], f"clinical {column}")
    assert (clinical["member_count"] == 30).all()
    cells = pool(satisfaction_cells(data, "quarter", ["D1", "D2", "D4"]), "hospital")
    for pop in POPS:
        got = clinical[f"satisfaction_{pop}"]
        assert_close(got, cells.xs(pop, level="population").droplevel(0).reindex(got.index)["mean"], pop)
    disc = expected_discipline(data, "quarter", AS_OF, ["D1", "D2", "D4"]).groupby("period").sum(min_count=1)
    assert_close(clinical["discipline_cases"], disc["discipline_cases"].reindex(clinical.index))
    assert_close(clinical["cases_per_100_staff"], disc["discipline_cases"].reindex(clinical.index) * 100 / 120)

    departments = metrics.rollup(panel, "department", metrics.Filters(branch="B1"))
    assert sorted(departments["unit"].unique()) == ["D1", "D2", "D3"]
    medtech = metrics.rollup(panel, "department", metrics.Filters(category="medical_technical"))
    assert sorted(medtech["unit"].unique()) == ["D3"]
    b1 = metrics.rollup(panel, "hospital", metrics.Filters(branch="B1")).set_index("period")
    for column in PARTY_COLUMNS:
        assert_close(b1[column], expected_party(data, "quarter").xs("B1").reindex(b1.index)[column], column)
    assert metrics.rollup(panel, "hospital", metrics.Filters(branch="nope")).empty
    # select() applies the same filters to a department frame.
    chosen = metrics.select(panel.frame, metrics.Filters(category="clinical", branch="B1"), "quarter")
    assert sorted(chosen["department_code"].unique()) == ["D1", "D2"]


def test_the_period_range_filter_cuts_after_the_changes(rollups, panels):
    panel = panels["quarter"]
    full = by_cell(rollups("quarter", "hospital"), "unit")
    cut = metrics.rollup(panel, "hospital", metrics.Filters(start="2024Q2", end="2024Q3"))
    assert list(cut["period"]) == ["2024Q2", "2024Q3"]
    # The first period kept still has its change against the (cut away) period before.
    assert cut.iloc[0]["prev_outpatient"] == pytest.approx(full.loc[("hospital", "2024Q1"), "satisfaction_outpatient"])
    assert np.isfinite(cut.iloc[0]["p_outpatient"])
    months = metrics.rollup(panels["month"], "department", metrics.Filters(grain="month", start="2024-11"))
    assert sorted(months["period"].unique()) == ["2024-11", "2024-12", "2025-01", "2025-02", "2025-03"]
    selected = metrics.select(panel.frame, metrics.Filters(end="2024Q1"), "quarter")
    assert sorted(selected["period"].unique()) == ["2023Q4", "2024Q1"]


# --- 6. What the CLI prints ------------------------------------------------------------------------------


@pytest.mark.parametrize(("grain", "example"), [("quarter", "2024Q1"), ("month", "2024-03"), ("year", "2024")])
def test_records_are_json_ready(rollups, panels, data, grain, example):
    panel = panels[grain]
    hospital = metrics.records(panel, "hospital")
    assert all(list(r) == [*CLI_KEYS, "not_reported"] for r in hospital)
    # One ledger (the rows, stored without a batch) holding every branch: all report inside its span, none outside.
    inside = span_labels(data["activities"]["activity_date"], grain)
    assert all(r["not_reported"] == ([] if r["period"] in inside else ["B1", "B2", "B3"]) for r in hospital)
    assert {r["unit"] for r in hospital} == {"hospital"}
    assert [r["period"] for r in hospital] == period_grid(data, grain)
    first = next(r for r in hospital if r["period"] == example)
    rolled = metrics.rollup(panel, "hospital").set_index("period").loc[example]
    for key in CLI_KEYS[2:]:
        if key.startswith("n_") and rolled[f"suppressed_{key[2:]}"]:
            assert first[key] is None, key  # a withheld cell prints no n
        elif not np.isfinite(rolled[key]):
            assert first[key] is None, key
        elif key.startswith(("n_", "discipline_", "rectification_")):
            assert isinstance(first[key], int) and first[key] == rolled[key]
        else:
            assert isinstance(first[key], float) and first[key] == round(float(rolled[key]), 4)  # 4 decimals
    departments = {(r["unit"], r["period"]): r for r in metrics.records(panel, "department")}
    assert len(departments) == len(DEPARTMENTS) * len(panel.periods)
    assert all(list(r) == [*CLI_KEYS[:1], "branch", *CLI_KEYS[1:], "not_reported"] for r in departments.values())
    assert all(r["branch"] == BRANCH_OF[unit] for (unit, _), r in departments.items())


def test_records_hold_null_where_suppressed_or_without_data(panels):
    departments = {(r["unit"], r["period"]): r for r in metrics.records(panels["quarter"], "department")}
    suppressed = departments[("D3", "2024Q2")]
    assert suppressed["satisfaction_staff"] is None and suppressed["n_staff"] is None  # 4: not printed
    assert departments[("D5", "2024Q2")]["satisfaction_outpatient"] is None
    assert departments[("D5", "2024Q2")]["n_outpatient"] == 0
    outside = departments[("D1", "2025Q1")]  # after the activity and discipline data
    for key in ("party_index", "meeting_compliance", "attendance_rate", "service_hours_per_member"):
        assert outside[key] is None
    for key in ("discipline_cases", "discipline_form2plus", "rectification_overdue"):
        assert outside[key] is None
    assert departments[("D1", "2023Q4")]["discipline_cases"] is not None
    assert departments[("D1", "2023Q4")]["party_index"] is None
    # B3 held nothing in 2024Q2: no attendance, no 三会一课; its index is what it did earlier in the year
    # (the yearly targets are judged year to date), not 0.
    assert departments[("D5", "2024Q2")]["attendance_rate"] is None
    assert departments[("D5", "2024Q2")]["meeting_compliance"] == 0
    branches = {(r["unit"], r["period"]): r for r in metrics.records(panels["quarter"], "branch")}
    assert branches[("B3", "2024Q1")]["satisfaction_staff"] is None and branches[("B3", "2024Q1")]["n_staff"] is None
    filtered = metrics.records(panels["quarter"], "hospital", metrics.Filters(start="2024Q3", end="2024Q3"))
    assert [r["period"] for r in filtered] == ["2024Q3"]


# --- 7. The demo hospital and edge cases -----------------------------------------------------------------


def within_r(frame: pd.DataFrame, metric: str, population: str, lag: int) -> float:
    """Pearson r of satisfaction on the metric lagged `lag` quarters, both demeaned by department and quarter."""
    d = frame.sort_values(["department_code", "period_start"]).copy()
    d["x"] = d.groupby("department_code")[metric].shift(lag)
    d["y"] = d[f"satisfaction_{population}"]
    d = d.dropna(subset=["x", "y"])
    for column in ("x", "y"):
        c = d[column]
        d[column] = (
            c - c.groupby(d["department_code"]).transform("mean") - c.groupby(d["period"]).transform("mean") + c.mean()
        )
    return stats.pearsonr(d["x"], d["y"]).statistic


def test_the_demo_relations_are_visible_in_the_panel(demo_db_path):
    with Database(demo_db_path) as db:
        frame = metrics.build_panel(db, "quarter", as_of=dt.date(2025, 12, 31)).frame
    assert list(frame["period"].unique()) == [f"{y}Q{q}" for y in (2023, 2024, 2025) for q in (1, 2, 3, 4)]
    assert within_r(frame, "meeting_compliance", "inpatient", 1) > 0.3
    assert within_r(frame, "service_hours_per_member", "outpatient", 0) > 0.3
    assert abs(within_r(frame, "meeting_compliance", "inpatient", 0)) < 0.15  # the lag matters
    for metric in ("meeting_compliance", "service_hours_per_member"):
        for lag in (0, 1):
            assert abs(within_r(frame, metric, "staff", lag)) < 0.15, (metric, lag)


def test_an_empty_database_gives_an_empty_panel(tmp_path):
    with Database(tmp_path / "empty.duckdb") as db:
        for grain in metrics.GRAINS:
            panel = metrics.build_panel(db, grain)
            assert panel.empty() and panel.periods == ()
            assert metrics.rollup(panel, "hospital").empty
            assert metrics.records(panel, "hospital") == []
        load(db, {})  # the organisation but no dated records yet
        panel = metrics.build_panel(db, "quarter")
        assert panel.empty() and metrics.records(panel, "department") == []


def test_a_database_with_only_discipline_records(tmp_path):
    discipline = pd.DataFrame(
        {
            "record_id": [1, 2],
            "record_date": pd.to_datetime(["2024-02-10", "2024-08-01"]),
            "department_code": ["D4", "D4"],
            "category": ["form_3", "praise_letter"],
            "status": ["in_progress", "not_required"],
            "rectification_deadline": pd.to_datetime(["2024-03-01", None]),
        }
    )
    with Database(tmp_path / "x.duckdb") as db:
        load(db, {"discipline": discipline})
        panel = metrics.build_panel(db, "quarter", as_of=dt.date(2024, 6, 30))
    frame = by_cell(panel.frame)
    assert panel.periods == ("2024Q1", "2024Q2", "2024Q3")
    assert frame[PARTY_COLUMNS].isna().all().all()
    assert frame.loc[("D4", "2024Q1"), "discipline_form2plus"] == 1
    assert frame.loc[("D4", "2024Q1"), "rectification_overdue"] == 1
    assert frame.loc[("D4", "2024Q1"), "cases_per_100_staff"] == pytest.approx(2.0)
    assert frame.loc[("D4", "2024Q2"), "discipline_records"] == 0
    assert frame.loc[("D1", "2024Q3"), "discipline_records"] == 0
    records = metrics.records(panel, "hospital")
    assert [r["discipline_cases"] for r in records] == [1, 0, 0]
    assert all(r["party_index"] is None and r["satisfaction_staff"] is None for r in records)


def test_a_database_with_only_responses(tmp_path):
    scores = [70.0, 80.0, 90.0, 60.0] * 3
    responses = pd.DataFrame(
        {
            "submitted_at": pd.date_range("2024-02-01 09:00", periods=12, freq="4D"),  # 8 in February, 4 in March
            "department_code": "D2",
            "population": "outpatient",
            "score": scores,
        }
    )
    with Database(tmp_path / "x.duckdb") as db:
        load(db, {"responses": responses})
        month = metrics.build_panel(db, "month")
        quarter = by_cell(metrics.build_panel(db, "quarter").frame)
    frame = by_cell(month.frame)
    assert month.periods == ("2024-02", "2024-03")
    assert frame.loc[("D2", "2024-02"), "n_outpatient"] == 8 and frame.loc[("D2", "2024-02"), "suppressed_outpatient"]
    assert frame[PARTY_COLUMNS].isna().all().all() and frame["discipline_records"].isna().all()
    assert by_cell(metrics.rollup(month, "hospital"), "unit").loc[("hospital", "2024-02"), "n_outpatient"] == 8
    assert quarter.loc[("D2", "2024Q1"), "n_outpatient"] == 12
    assert quarter.loc[("D2", "2024Q1"), "satisfaction_outpatient"] == pytest.approx(np.mean(scores), rel=1e-12)
    # The pooled within-cell SD the z-tests fall back on: Σ squared deviations from each month's mean ÷ (12 − 2).
    february, march = np.array(scores[:8]), np.array(scores[8:])
    squares = ((february - february.mean()) ** 2).sum() + ((march - march.mean()) ** 2).sum()
    assert month.response_sd["outpatient"] == pytest.approx(math.sqrt(squares / 10), rel=1e-12)
