"""The department × period panel: every metric the pages, the CLI and the relations analysis read.

`build_panel(db, grain)` reads the database once per grain (four grouped scans, see `queries.PANEL_*`)
and returns a `Panel`: one row per department and period (month `2024-03`, quarter `2024Q1`, year `2024`),
every department in the register and every period from the first to the last with any data.

**Party-building metrics** belong to a department's branch (a branch's activities serve all its departments):

* `meeting_compliance` (三会一课 compliance, %): the mean, over the four meetings of 三会一课 (支部党员大会,
  支委会, 党小组会, 党课: `schema.THREE_MEETINGS_ONE_LESSON`) whose required frequency fits in the period (a
  quarterly meeting is not assessed per month), of min(held ÷ required, 1) × 100. The theme party day is not
  one of them, nor are 组织生活会 and 民主评议党员 (assessed per year).
  Requirements are settings (`settings.MetricSettings.frequencies`, see `required_meetings`);
  `compliance_<type>` holds each type assessed at the grain (三会一课, 主题党日, and the yearly ones at year
  grain) and `held_<type>` how many were held (branch roll-ups sum them).
* `theme_day_compliance` (主题党日 compliance, %): min(held ÷ required, 1) × 100 for the theme party day (1 a
  month by default), its own index component (`score_theme_day`); null where not assessed at the grain.
* `attendance_rate` (%): attended ÷ expected over the organisational-life meetings that give an expected
  number (三会一课, 主题党日, 组织生活会: `schema.ORGANISATIONAL_LIFE`); service events, which expect the whole
  branch while a few serve, do not count.
* `service_hours_per_member`: Σ(hours × attendees) of volunteer service, free clinics and health
  education ÷ the branch's party members.
* `theme_plus_activities`: 党建+ projects and demonstration posts held (theme party days have their own figure).
* `integrity_activities`: warning-education and integrity-talk activities held.
* Each is scored 0–100 (`score_<component>`: the two compliances as they are; attendance capped at 100; the
  three with a yearly target **year to date**: the figure summed from the year's first period through this
  one (`ytd_service_hours_per_member`, `ytd_theme_plus_activities`, `ytd_integrity_activities`) as a share
  of the yearly target pro-rated to the months elapsed (`ytd_months` ÷ 12: by the end of Q2 one of two
  integrity activities), capped at 100) and `party_index` is the weighted mean of the scores present
  (weights are settings; a missing component drops out). A branch that held its one integrity activity of
  the year in Q1 is not red in Q2 (issue 13).

**Held nothing or not reported (未上报).** A branch × period counts as zero ("held nothing") only when an
activities ledger covering that period includes the branch; otherwise it is not reported: every party figure,
score and count of it is null (so the index, compliance, attendance and service hours are missing, the relations
analysis leaves it out, no warning fires for it, hospital and filtered figures are computed without it) and
`party_reported` is false (`not_reported(panel, filters)` lists such branch × periods; the pages and the CLI
show them as 未上报). A **ledger** is one import batch of activities (`queries.PANEL_LEDGERS`; rows stored
without a batch, as by older versions, count as one ledger together). It **covers** the periods from the one of
its first activity date to the one of its last (the file says no more about its period), and **includes** every
branch that has a row in it, held or not (a meeting recorded as not held or cancelled is a report too). So a
hospital-wide ledger for 2024 makes a branch it lists with nothing in Q3 a zero for Q3; a branch it does not list
at all, or a quarter that no ledger of the branch reaches, is not reported. Rows that an import found already
stored (unchanged) stay with the batch that first stored them, and a batch undone no longer counts.

**Satisfaction** per population (`outpatient`, `inpatient`, `staff`): **one source per department ×
period × population**, the finest stored: individual responses before monthly before quarterly before yearly
aggregates. An aggregate row counts only if no finer source of the same department and population (responses,
or aggregates of a finer grain) has data inside its period (`queries.COUNTED_AGGREGATES`): beside monthly
rows for January and February a Q1 row does not count, and the quarter is January + February; the rows left
out stay stored (`summary.uncounted_aggregates` says how many, and the satisfaction page says so). Responses
and counted aggregates (weighted by their respondents, only when their grain is no coarser than the panel's)
then add up: `n_<pop>` respondents, `sum_<pop>` the score total, `satisfaction_<pop>` = sum ÷ n, **null when n
is below the suppression threshold** (`suppressed_<pop>` is then true). `nresp_<pop>`/`ssq_<pop>`/`sresp_<pop>`
carry the individual responses' count, sum of squares and sum for the significance tests.

**Discipline** per department: `discipline_<category>` counts records (条/件), `discipline_records` (all),
`discipline_cases` (records of the four forms and Eight-point Regulation violations; not "执纪案件": a
first-form talk is everyday supervision, not a case), `discipline_form2plus` (forms 2–4 records),
`discipline_complaints` (petitions, ethics and hotline complaints), `rectification_*` and
`cases_per_100_staff`. The four forms are counted in **person-times (人次)**, as the 纪委 reports them:
`discipline_persons_<form>` = Σ over the form's records of the distinct persons the record names (its
pseudonyms), a record naming no one counting as one; `discipline_forms_persons` (运用“四种形态”处理 人次) is
their sum. `discipline_filed` (立案审查调查, 件) counts the records of forms 3 and 4: the records carry no
立案 flag, so a serious form-2 matter placed on file cannot be told apart and is not counted.
Each record is exactly one of: not required, or a required rectification
(`rectification_required`) that is open, overdue (past its deadline as of `as_of`), completed on time,
completed late or completed undated (`queries.RECTIFICATION_STATES`). A completion date means completed
whatever the status says (on time unless after the deadline); 已整改 without a date is `rectification_undated`,
neither on time nor late; 无需整改 stays not required beside a date. `rectification_closed` = on time + late,
`days_to_close` their days from record to completion.

`rollup(panel, level)` sums these up to branches or the hospital with the right weights: satisfaction by
respondents, party metrics by party members (branches counted once), rates from their sums.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analytics import queries, suppression
from analytics.db import Database
from analytics.schema import (
    FOUR_FORMS,
    ORGANISATIONAL_LIFE,
    SERVICE_ACTIVITIES,
    THREE_MEETINGS_ONE_LESSON,
    ActivityType,
    DisciplineCategory,
    Population,
    SatisfactionItem,
)
from analytics.settings import COMPONENTS, PERIOD_MONTHS, MetricSettings, metric_settings

GRAINS = ("month", "quarter", "year")
LEVELS = ("hospital", "branch", "department")
POPULATIONS = tuple(p.value for p in Population)
PERIODS_PER_YEAR = {"month": 12, "quarter": 4, "year": 1}

THEME_PLUS_ACTIVITIES = (
    ActivityType.PARTY_PLUS_PROJECT,
    ActivityType.DEMONSTRATION_POST,
)
INTEGRITY_ACTIVITIES = (ActivityType.WARNING_EDUCATION, ActivityType.INTEGRITY_TALK)
CASE_CATEGORIES = (*FOUR_FORMS, DisciplineCategory.EIGHT_POINT_VIOLATION)
FORM2PLUS = FOUR_FORMS[1:]
COMPLAINT_CATEGORIES = (
    DisciplineCategory.PETITION_REPORT,
    DisciplineCategory.ETHICS_COMPLAINT,
    DisciplineCategory.HOTLINE_COMPLAINT,
)
RECTIFICATION = (
    "rectification_required",
    "rectification_on_time",
    "rectification_late",
    "rectification_undated",
    "rectification_open",
    "rectification_overdue",
    "rectification_closed",
    "days_to_close",
)
# The party-building figures a branch has per period; with their 0–100 scores, the panel's party columns.
PARTY_FIGURES = (
    "party_index",
    "meeting_compliance",
    "attendance_rate",
    "service_hours_per_member",
    "theme_plus_activities",
    "integrity_activities",
)
# 主题党日 compliance is a party figure beside these, kept out of PARTY_FIGURES (which the relations analysis
# iterates) until relations gives it a step.
THEME_DAY = ActivityType.THEME_PARTY_DAY.value
# Year-to-date figures behind the three scores judged against a pro-rated yearly target (`_year_to_date`).
YTD_COUNTS = ("ytd_theme_plus_activities", "ytd_integrity_activities")
YTD_MEANS = ("ytd_service_hours_per_member", "ytd_months")
PARTY_METRICS = (*PARTY_FIGURES, "theme_day_compliance", *(f"score_{c}" for c in COMPONENTS), *YTD_MEANS)
FORM_PERSONS = tuple(f"discipline_persons_{c.value}" for c in FOUR_FORMS)
DISCIPLINE_COUNTS = (
    "discipline_records",
    "discipline_forms_persons",
    *FORM_PERSONS,
    "discipline_filed",
    "discipline_cases",
    "discipline_form2plus",
    "discipline_complaints",
    *(f"discipline_{c.value}" for c in DisciplineCategory),
    *RECTIFICATION,
)


@dataclass(frozen=True)
class Filters:
    """What the pages' shared filters select: a period range (labels, inclusive), a department category
    and a branch (None = all)."""

    grain: str = "quarter"
    start: str | None = None
    end: str | None = None
    category: str | None = None
    branch: str | None = None


@dataclass(frozen=True)
class Panel:
    frame: pd.DataFrame  # department × period
    grain: str
    settings: MetricSettings
    as_of: dt.date
    periods: tuple[str, ...]  # every period label, in order
    response_sd: dict[str, float] = field(default_factory=dict)  # pooled SD of responses per population
    dimensions: pd.DataFrame | None = None  # department × period × population × item: mean, n, total
    six: pd.DataFrame | None = None  # branch × period × 六提升 dimension: activities
    compliance_types: tuple[str, ...] = ()  # meeting types assessed at this grain
    # Satisfaction cells withheld (small, or complementary to a small one) at this grain, every level:
    # level, unit, period_start, population (, item), n, primary (see `suppression`).
    withheld: pd.DataFrame | None = None
    withheld_items: pd.DataFrame | None = None

    def empty(self) -> bool:
        return self.frame.empty

    @property
    def meeting_types(self) -> tuple[str, ...]:
        """The 三会一课 meeting types assessed at this grain: those `meeting_compliance` is the mean of."""
        return tuple(k for k in self.compliance_types if k in {a.value for a in THREE_MEETINGS_ONE_LESSON})


# --- Periods -----------------------------------------------------------------------------------------------


def period_labels(starts: pd.Series | pd.DatetimeIndex, grain: str) -> list[str]:
    """'2024-03', '2024Q1' or '2024' for each period start (the Python twin of the SQL `period_label`)."""
    # Each distinct start is labelled once (a long frame repeats a few dozen periods many times).
    codes, uniques = pd.factorize(pd.DatetimeIndex(starts), use_na_sentinel=False)
    if grain == "month":
        labels = list(uniques.strftime("%Y-%m"))
    elif grain == "quarter":
        labels = [f"{d.year}Q{d.quarter}" for d in uniques]
    else:
        labels = [str(d.year) for d in uniques]
    return list(np.array(labels, dtype=object)[codes]) if len(codes) else []


def period_start(label: str, grain: str) -> pd.Timestamp:
    """The first day of a period label (the inverse of `period_labels`)."""
    if grain == "quarter":
        return pd.Period(label, freq="Q").start_time
    return pd.Timestamp(label if grain == "month" else f"{label}-01-01")


def _grid_starts(first: pd.Timestamp, last: pd.Timestamp, grain: str) -> pd.DatetimeIndex:
    freq = {"month": "MS", "quarter": "QS", "year": "YS"}[grain]
    return pd.date_range(first, last, freq=freq)


def _truncate(day: dt.date, grain: str) -> pd.Timestamp:
    ts = pd.Timestamp(day)
    if grain == "month":
        return ts.to_period("M").start_time
    if grain == "quarter":
        return ts.to_period("Q").start_time
    return ts.to_period("Y").start_time


# --- The panel ---------------------------------------------------------------------------------------------


def build_panel(
    db: Database, grain: str = "quarter", as_of: dt.date | None = None, settings: MetricSettings | None = None
) -> Panel:
    """Every metric per department × period at `grain`; rectifications are judged as of `as_of` (today)."""
    if grain not in GRAINS:
        raise ValueError(f"grain must be one of {GRAINS}, not {grain!r}")
    settings = settings or metric_settings(db)
    as_of = as_of or dt.date.today()
    con = db.reader()
    departments = con.execute(queries.PANEL_DEPARTMENTS).df()
    branches = con.execute(queries.PANEL_BRANCHES).df()
    spans = {
        row.kind: (row.lo, row.hi) for row in con.execute(queries.PANEL_SPANS).df().itertuples() if pd.notna(row.lo)
    }
    compliance_types = tuple(
        kind.value
        for kind, freq in settings.frequencies.items()
        if freq.count > 0 and PERIOD_MONTHS[freq.per] <= PERIOD_MONTHS[grain]
    )
    if departments.empty or not spans:
        return Panel(_empty_frame(), grain, settings, as_of, (), compliance_types=compliance_types)

    starts = _grid_starts(
        min(_truncate(lo, grain) for lo, _ in spans.values()),
        max(_truncate(hi, grain) for _, hi in spans.values()),
        grain,
    )
    organisation = in_force(branches, "branch_code", starts, grain)
    grid = in_force(departments, "department_code", starts, grain).merge(
        organisation[["branch_code", "period_start", "branch_name", "member_count"]],
        on=["branch_code", "period_start"],
        how="left",
    )
    grid["branch_name"] = grid["branch_name"].fillna(grid["branch_code"])
    grid.insert(0, "period", period_labels(grid["period_start"], grain))

    organisation["party_reported"] = reported(con, organisation, grain)
    party = _party_metrics(con, grain, settings, organisation, compliance_types)
    frame = grid.merge(party, on=["branch_code", "period_start"], how="left")
    frame["party_reported"] = frame["party_reported"].fillna(False).astype(bool)
    satisfaction, dimensions, sd = _satisfaction(con, grain, settings)
    frame = frame.merge(satisfaction, on=["department_code", "period_start"], how="left")
    for pop in POPULATIONS:
        for column in (f"n_{pop}", f"sum_{pop}", f"nresp_{pop}", f"sresp_{pop}", f"ssq_{pop}"):
            frame[column] = frame[column].fillna(0)
        frame[f"n_{pop}"] = frame[f"n_{pop}"].astype("int64")
        frame[f"nresp_{pop}"] = frame[f"nresp_{pop}"].astype("int64")
    frame = _score_satisfaction(frame, settings.suppression_min_n)
    frame = frame.merge(_discipline(con, grain, as_of), on=["department_code", "period_start"], how="left")
    frame = _fill_within_span(frame, DISCIPLINE_COUNTS, spans.get("discipline"), grain)
    frame["cases_per_100_staff"] = _ratio(frame["discipline_cases"] * 100, frame["staff_count"])
    frame = frame.sort_values(["department_code", "period_start"], ignore_index=True)

    six = con.execute(queries.PANEL_DIMENSIONS, [grain]).df()
    six["period_start"] = pd.to_datetime(six["period_start"])
    six["period"] = period_labels(six["period_start"], grain)
    withheld, withheld_items = _withheld(con, departments, spans, settings, grain, (satisfaction, dimensions))
    if not dimensions.empty:
        at_the_time = grid[["department_code", "period_start", "branch_code", "category"]]
        dimensions = dimensions.merge(at_the_time, on=["department_code", "period_start"], how="left")
        dimensions = _withhold_items(dimensions, withheld_items)
    return Panel(
        frame=frame,
        grain=grain,
        settings=settings,
        as_of=as_of,
        periods=tuple(period_labels(starts, grain)),
        response_sd=sd,
        dimensions=dimensions,
        six=six,
        compliance_types=compliance_types,
        withheld=withheld,
        withheld_items=withheld_items,
    )


def _empty_frame() -> pd.DataFrame:
    columns = ["period", "department_code", "department_name", "category", "staff_count", "branch_code"]
    columns += ["branch_name", "member_count", "period_start", "party_reported", *PARTY_METRICS]
    for pop in POPULATIONS:
        columns += [f"n_{pop}", f"satisfaction_{pop}", f"suppressed_{pop}"]
    columns += [*DISCIPLINE_COUNTS, "cases_per_100_staff"]
    return pd.DataFrame(columns=columns)


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator ÷ denominator as floats, null where the denominator is zero or null."""
    den = pd.to_numeric(denominator, errors="coerce").astype("float64")
    return pd.to_numeric(numerator, errors="coerce").astype("float64") / den.where(den > 0)


def _capped_score(value: pd.Series, target: float) -> pd.Series:
    return np.minimum(value / target * 100, 100.0)


def in_force(versions: pd.DataFrame, key: str, starts: pd.DatetimeIndex, grain: str) -> pd.DataFrame:
    """Each code of `versions` (rows with `key`, `valid_from` and `batch`) × each period it exists in: the
    version in force on the period's first day (the latest valid from that day or before). Before a code's
    first version: a code of the register's first import stands for all earlier periods (the register knows
    nothing earlier); a code added by a later import (a department or branch founded since) exists from the
    period its first version falls in, with that version."""
    starts = pd.DatetimeIndex(starts)
    valid_from = pd.to_datetime(versions["valid_from"]).astype(starts.dtype)
    versions = versions.assign(valid_from=valid_from).sort_values("valid_from")
    grid = versions[[key]].drop_duplicates().merge(pd.DataFrame({"period_start": starts}), how="cross")
    grid = grid.sort_values("period_start", ignore_index=True)
    found = pd.merge_asof(grid, versions, left_on="period_start", right_on="valid_from", by=key)
    earlier = found["valid_from"].isna().to_numpy()
    first = versions.drop_duplicates(key)
    initial = versions.groupby(key)["batch"].min() == versions["batch"].min()
    before = grid[earlier].merge(first, on=key, how="left")
    ends = before["period_start"] + pd.DateOffset(months=PERIOD_MONTHS[grain])
    exists = before[key].map(initial).to_numpy(dtype=bool) | (before["valid_from"] < ends).to_numpy()
    out = pd.concat([found[~earlier], before[exists]], ignore_index=True)
    return out.drop(columns=["valid_from", "batch"]).sort_values([key, "period_start"], ignore_index=True)


def reported(con, organisation: pd.DataFrame, grain: str) -> np.ndarray:
    """For each branch × period row of `organisation`: whether an activities ledger covering the period
    includes the branch (see the module docstring; `queries.PANEL_LEDGERS`)."""
    ledgers = con.execute(queries.PANEL_LEDGERS, [grain, grain]).df()
    starts = organisation["period_start"]
    pairs = organisation[["branch_code", "period_start"]].reset_index(drop=True).reset_index()
    pairs = pairs.merge(ledgers, on="branch_code")
    first = pd.to_datetime(pairs["first_start"]).astype(starts.dtype)
    last = pd.to_datetime(pairs["last_start"]).astype(starts.dtype)
    covered = pairs.loc[(pairs["period_start"] >= first) & (pairs["period_start"] <= last), "index"]
    out = np.zeros(len(organisation), dtype=bool)
    out[covered.to_numpy(dtype="int64")] = True
    return out


def _party_metrics(con, grain, settings, organisation, compliance_types) -> pd.DataFrame:
    """Per branch × period: compliance per type and overall, attendance, service, theme/党建+, integrity,
    their 0–100 scores and the index; per-member figures use each period's party members (`organisation`:
    the branches as they were in each period, see `in_force`, and whether each reported, see `reported`)."""
    grid = organisation[["branch_code", "period_start", "member_count", "party_reported"]]
    held = con.execute(queries.PANEL_ACTIVITIES, [grain]).df()
    held["period_start"] = pd.to_datetime(held["period_start"])
    keys = ["branch_code", "period_start"]
    by_type = held.groupby([*keys, "activity_type"])["held"].sum().unstack("activity_type", fill_value=0)
    life = held[held["activity_type"].isin([a.value for a in ORGANISATIONAL_LIFE])]
    totals = life.groupby(keys)[["attended", "expected"]].sum(min_count=1)
    service = held[held["activity_type"].isin([a.value for a in SERVICE_ACTIVITIES])]
    person_hours = service.groupby(keys)["person_hours"].sum()
    out = grid.set_index(keys).join(by_type).join(totals).join(person_hours)

    months = PERIOD_MONTHS[grain]
    for kind in (*compliance_types, *(a.value for a in (*THEME_PLUS_ACTIVITIES, *INTEGRITY_ACTIVITIES))):
        if kind not in out:
            out[kind] = 0.0
    out = out.fillna({kind: 0 for kind in out.columns if kind in set(ActivityType)} | {"person_hours": 0.0})
    for kind in compliance_types:
        required = required_meetings(settings, kind, grain)
        out[f"compliance_{kind}"] = np.minimum(out[kind] / required, 1.0) * 100
        out[f"held_{kind}"] = out[kind].astype("float64")
    compliance = [f"compliance_{k}" for k in compliance_types]
    held_counts = [f"held_{k}" for k in compliance_types]
    three_one = [f"compliance_{a.value}" for a in THREE_MEETINGS_ONE_LESSON if a.value in compliance_types]
    out["meeting_compliance"] = out[three_one].mean(axis=1) if three_one else np.nan
    out["theme_day_compliance"] = out[f"compliance_{THEME_DAY}"] if THEME_DAY in compliance_types else np.nan
    out["attendance_rate"] = _ratio(out["attended"] * 100, out["expected"])
    out["service_hours_per_member"] = _ratio(out["person_hours"], out["member_count"])
    out["theme_plus_activities"] = out[[a.value for a in THEME_PLUS_ACTIVITIES]].sum(axis=1)
    out["integrity_activities"] = out[[a.value for a in INTEGRITY_ACTIVITIES]].sum(axis=1)
    out["activities"] = out[[c for c in out.columns if c in set(ActivityType)]].sum(axis=1)

    out["score_compliance"] = out["meeting_compliance"]
    out["score_theme_day"] = out["theme_day_compliance"]
    out["score_attendance"] = np.minimum(out["attendance_rate"], 100.0)
    out = out.reset_index()
    # A branch-period no ledger reports is unknown, not zero.
    inside = out["party_reported"].to_numpy(dtype=bool)
    measured = [
        "meeting_compliance",
        "theme_day_compliance",
        *compliance,
        *held_counts,
        "attendance_rate",
        "service_hours_per_member",
        "theme_plus_activities",
        "integrity_activities",
        "activities",
        *(f"score_{c}" for c in COMPONENTS),
        "attended",
        "expected",
        "person_hours",
    ]
    out.loc[~inside, measured] = np.nan
    out = _year_to_date(out, months, settings)
    out["party_index"] = party_index(out, settings)
    keep = ["branch_code", "period_start", "party_reported", *PARTY_METRICS, *YTD_COUNTS, *compliance, *held_counts]
    keep += ["activities"]
    keep += ["attended", "expected", "person_hours"]
    return out[keep].rename(columns={"attended": "attended_total", "expected": "expected_total"})


def _year_to_date(out: pd.DataFrame, months: int, settings: MetricSettings) -> pd.DataFrame:
    """The scores of the components with a yearly target (service hours, 党建+, integrity education), judged
    year to date: what the branch did from the year's first known period through this one, as a share of the
    yearly target pro-rated to the months those periods cover (`ytd_months`), capped at 100. A yearly target
    of 2 integrity activities asks for 0.5 by the end of Q1 and 1 by the end of Q2, not 0.5 in every
    quarter. Periods whose figure is unknown (null) add neither activities nor months."""
    out = out.sort_values(["branch_code", "period_start"])
    known = out["integrity_activities"].notna()
    by_year = [out["branch_code"], out["period_start"].dt.year]
    out["ytd_months"] = (known * months).groupby(by_year).cumsum().where(known)
    pro_rata = out["ytd_months"] / 12
    hours = out["person_hours"].where(known, 0.0).groupby(by_year).cumsum()
    out["ytd_service_hours_per_member"] = _ratio(hours, out["member_count"]).where(known)
    for figure in ("theme_plus_activities", "integrity_activities"):
        out[f"ytd_{figure}"] = out[figure].fillna(0).groupby(by_year).cumsum().where(known)
    targets = {
        "service": ("ytd_service_hours_per_member", settings.service_hours_per_member_year),
        "theme_plus": ("ytd_theme_plus_activities", settings.theme_plus_per_year),
        "integrity": ("ytd_integrity_activities", settings.integrity_per_year),
    }
    for component, (figure, per_year) in targets.items():
        out[f"score_{component}"] = _capped_score(out[figure], per_year * pro_rata)
    return out.sort_index()


def ytd_target(panel_settings: MetricSettings, component: str, ytd_months: float) -> float:
    """The yearly target of `component` (service, theme_plus, integrity) pro-rated to `ytd_months`."""
    per_year = {
        "service": panel_settings.service_hours_per_member_year,
        "theme_plus": panel_settings.theme_plus_per_year,
        "integrity": panel_settings.integrity_per_year,
    }[component]
    return per_year * ytd_months / 12


def required_meetings(settings: MetricSettings, kind: str, grain: str) -> float:
    """How many meetings of `kind` a branch must hold in one period of `grain` (e.g. 3 monthly ones a quarter)."""
    freq = settings.frequencies[ActivityType(kind)]
    return freq.count * PERIOD_MONTHS[grain] / PERIOD_MONTHS[freq.per]


def party_index(scores: pd.DataFrame, settings: MetricSettings) -> pd.Series:
    """The weighted mean of the component scores present in each row (a missing one drops out)."""
    weights = pd.Series({f"score_{c}": settings.weight(c) for c in COMPONENTS})
    # Only their ratios count: scaled to at most 1, weights that skipped validation (`model_copy`, up to
    # 1e308) cannot overflow Σ(w × score) into inf / inf = NaN.
    top = weights.max()
    if np.isfinite(top) and top > 0:
        weights = weights / top
    values = scores[weights.index].astype("float64")
    present = values.notna().mul(weights, axis=1)
    total = present.sum(axis=1)
    return (values.fillna(0).mul(weights, axis=1).sum(axis=1) / total.where(total > 0)).astype("float64")


def _inside_span(starts: pd.Series, span: tuple | None, grain: str) -> pd.Series:
    if span is None:
        return pd.Series(False, index=starts.index)
    return (starts >= _truncate(span[0], grain)) & (starts <= _truncate(span[1], grain))


def _fill_within_span(frame: pd.DataFrame, columns, span, grain) -> pd.DataFrame:
    """`columns` as floats: null → 0 inside the span of their data, everything null outside it."""
    inside = _inside_span(frame["period_start"], span, grain).to_numpy()
    for column in columns:
        if column not in frame:
            frame[column] = np.nan
    columns = list(columns)
    values = frame[columns].to_numpy(dtype="float64", na_value=np.nan)
    values[inside[:, None] & np.isnan(values)] = 0.0
    values[~inside] = np.nan
    frame[columns] = values
    return frame


def _satisfaction(con, grain: str, settings: MetricSettings) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, float]]:
    """Responses and counted aggregates (`queries.COUNTED_AGGREGATES`: one source per department × period ×
    population) per department × period, wide by population; item means long; the pooled SD of responses per
    population."""
    responses = con.execute(queries.PANEL_RESPONSES, [grain]).df()
    allowed = [g for g in GRAINS if PERIOD_MONTHS[g] <= PERIOD_MONTHS[grain]]
    aggregates = con.execute(queries.PANEL_AGGREGATES, [grain, allowed]).df()
    keys = ["department_code", "period_start", "population"]
    for df in (responses, aggregates):
        df["period_start"] = pd.to_datetime(df["period_start"])
    # Each cell's responses and aggregates side by side (what a cell lacks sums to 0), then wide by population.
    pooled = (
        pd.concat(
            [
                responses[[*keys, "n", "s", "ss"]].rename(columns={"n": "nresp", "s": "sresp", "ss": "ssq"}),
                aggregates[[*keys, "n", "s"]].rename(columns={"n": "nagg", "s": "sagg"}),
            ]
        )
        .groupby(keys)
        .sum()
    )
    pooled["n"] = pooled["nresp"] + pooled["nagg"]
    pooled["sum"] = pooled["sresp"] + pooled["sagg"]
    wide = pooled[["n", "sum", "nresp", "sresp", "ssq"]].unstack("population").sort_index(axis=1)
    wide.columns = [f"{value}_{pop}" for value, pop in wide.columns]
    for pop in POPULATIONS:
        for value in ("n", "sum", "nresp", "sresp", "ssq"):
            if f"{value}_{pop}" not in wide:
                wide[f"{value}_{pop}"] = 0.0
    items = [item.column for item in SatisfactionItem]
    dimensions = responses.melt(id_vars=[*keys, "n"], value_vars=items, var_name="item", value_name="mean")
    dimensions = dimensions.dropna(subset=["mean"])
    dimensions["item"] = dimensions["item"].str.removeprefix("item_")
    dimensions["total"] = dimensions["mean"] * dimensions["n"]  # for roll-ups to branches and the hospital
    dimensions["suppressed"] = dimensions["n"] < settings.suppression_min_n
    dimensions.loc[dimensions["suppressed"], "mean"] = np.nan
    dimensions["period"] = period_labels(dimensions["period_start"], grain)
    return wide.reset_index(), dimensions, _pooled_sd(responses)


def _withheld(con, departments, spans, settings: MetricSettings, grain: str, own) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The satisfaction cells (scores, and item means) withheld at `grain`, every level: primary and
    complementary suppression judged over all grains at once (`suppression.protect_cells`), since each grain
    can be shown or downloaded beside the others. `own`: `_satisfaction`'s cells and items at `grain`."""
    first = min(_truncate(lo, "year") for lo, _ in spans.values())
    last = max(_truncate(hi, "month") for _, hi in spans.values())
    scores, items = [], []
    for g in GRAINS:
        starts = _grid_starts(_truncate(first, g), _truncate(last, g), g)
        grid = in_force(departments, "department_code", starts, g)[
            ["department_code", "period_start", "branch_code", "category"]
        ]
        wide, dims = own if g == grain else _satisfaction(con, g, settings)[:2]
        long = wide.melt(
            id_vars=["department_code", "period_start"],
            value_vars=[f"n_{pop}" for pop in POPULATIONS],
            var_name="population",
            value_name="n",
        )
        long["population"] = long["population"].str.removeprefix("n_")
        scores.append(grid.merge(long, on=["department_code", "period_start"]).assign(grain=g))
        dims = dims[["department_code", "period_start", "population", "item", "n"]]
        items.append(grid.merge(dims, on=["department_code", "period_start"]).assign(grain=g))
    min_n = settings.suppression_min_n
    out = []
    for parts, keys in ((scores, ["population"]), (items, ["population", "item"])):
        cells = suppression.protect_cells(pd.concat(parts, ignore_index=True), min_n, keys)
        cells = cells[cells["withheld"] & (cells["grain"] == grain)]
        out.append(cells[["level", "unit", "period_start", *keys, "n", "primary"]].reset_index(drop=True))
    return out[0], out[1]


def _withhold_items(dimensions: pd.DataFrame, withheld_items: pd.DataFrame) -> pd.DataFrame:
    """Department item means: null (and `suppressed`) where withheld; `complementary` where withheld only to
    protect a small group. `total` stays, for the branch and hospital sums."""
    hidden, complementary = suppression.withheld_mask(
        dimensions,
        withheld_items,
        "department",
        None,
        None,
        population=dimensions["population"],
        item=dimensions["item"],
    )
    dimensions["suppressed"] = dimensions["suppressed"] | hidden
    dimensions["complementary"] = complementary
    dimensions.loc[dimensions["suppressed"], "mean"] = np.nan
    return dimensions


def _pooled_sd(responses: pd.DataFrame) -> dict[str, float]:
    """The pooled within-cell SD of individual responses per population, Σ(ss − s²/n) ÷ (Σn − cells), from
    the cells `PANEL_RESPONSES` already summed (no second scan of the responses). A population without
    any cell of two responses has none."""
    cells = responses.assign(dev=responses["ss"] - responses["s"] ** 2 / responses["n"])
    by_population = cells.groupby("population")
    dof = by_population["n"].sum() - by_population.size()
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.sqrt(by_population["dev"].sum() / dof.where(dof > 0))
    return {population: float(value) for population, value in sd.items() if np.isfinite(value)}


def _score_satisfaction(frame: pd.DataFrame, min_n: int) -> pd.DataFrame:
    """`satisfaction_<pop>` = sum ÷ n, null (and `suppressed_<pop>`) when 0 < n < min_n."""
    for pop in POPULATIONS:
        n = frame[f"n_{pop}"]
        frame[f"suppressed_{pop}"] = (n > 0) & (n < min_n)
        frame[f"satisfaction_{pop}"] = _ratio(frame[f"sum_{pop}"], n).where(n >= min_n)
    return frame


def _discipline(con, grain: str, as_of: dt.date) -> pd.DataFrame:
    records = con.execute(queries.PANEL_DISCIPLINE, [as_of, grain]).df()
    records["period_start"] = pd.to_datetime(records["period_start"])
    keys = ["department_code", "period_start"]
    counts = records.groupby([*keys, "category"])["records"].sum().unstack("category", fill_value=0)
    counts = counts.reindex(columns=[c.value for c in DisciplineCategory], fill_value=0)
    counts.columns = [f"discipline_{c}" for c in counts.columns]
    out = counts.join(records.groupby(keys)[list(RECTIFICATION)].sum())
    out["discipline_records"] = records.groupby(keys)["records"].sum()
    out["discipline_cases"] = out[[f"discipline_{c.value}" for c in CASE_CATEGORIES]].sum(axis=1)
    out["discipline_form2plus"] = out[[f"discipline_{c.value}" for c in FORM2PLUS]].sum(axis=1)
    out["discipline_complaints"] = out[[f"discipline_{c.value}" for c in COMPLAINT_CATEGORIES]].sum(axis=1)
    persons = records.groupby([*keys, "category"])["person_times"].sum().unstack("category", fill_value=0)
    persons = persons.reindex(columns=[c.value for c in FOUR_FORMS], fill_value=0)
    persons.columns = list(FORM_PERSONS)
    out = out.join(persons)
    out[list(FORM_PERSONS)] = out[list(FORM_PERSONS)].fillna(0)
    out["discipline_forms_persons"] = out[list(FORM_PERSONS)].sum(axis=1)
    out["discipline_filed"] = out[[f"discipline_{c.value}" for c in FOUR_FORMS[2:]]].sum(axis=1)
    return out.reset_index()


# --- Selecting and rolling up ------------------------------------------------------------------------------


def select(frame: pd.DataFrame, filters: Filters, grain: str) -> pd.DataFrame:
    """Rows of a panel (or roll-up) frame inside the filters' period range; category and branch filters
    apply to department-level frames (a roll-up is filtered before it is made, see `rollup`)."""
    out = frame
    if filters.start:
        out = out[out["period_start"] >= period_start(filters.start, grain)]
    if filters.end:
        out = out[out["period_start"] <= period_start(filters.end, grain)]
    if "department_code" in out:
        if filters.category:
            out = out[out["category"] == filters.category]
        if filters.branch:
            out = out[out["branch_code"] == filters.branch]
    return out


def not_reported(panel: Panel, filters: Filters | None = None) -> pd.DataFrame:
    """The branch × periods no activities ledger reports (未上报, see the module docstring) among the branches of
    the departments the filters select, in their period range: branch_code, branch_name, period, period_start,
    in period then branch order."""
    columns = ["branch_code", "branch_name", "period", "period_start"]
    if panel.empty():
        return pd.DataFrame(columns=columns)
    rows = select(panel.frame, filters or Filters(grain=panel.grain), panel.grain)
    rows = rows[~rows["party_reported"].astype(bool)].drop_duplicates(["branch_code", "period_start"])
    return rows.sort_values(["period_start", "branch_code"])[columns].reset_index(drop=True)


def rollup(panel: Panel, level: str = "hospital", filters: Filters | None = None, protect: bool = True) -> pd.DataFrame:
    """The panel summed up to `level` (hospital, branch or department) for every period, with the changes of
    satisfaction vs the previous period and the same period a year before (with p-values), then cut to the
    filters' period range. Category and branch filters choose the departments that roll up.

    Satisfaction cells withheld by small-number protection (`Panel.withheld`: small groups and the cells
    that protect them) have a null score, `suppressed_<pop>` true and `complementary_<pop>` true when the
    group is not small itself; their changes are null too. `protect=False` keeps the complementary cells'
    scores (primary suppression stays): for statistics that show no cell, such as the relations models."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
    filters = filters or Filters(grain=panel.grain)
    frame = panel.frame
    if filters.category:
        frame = frame[frame["category"] == filters.category]
    if filters.branch:
        frame = frame[frame["branch_code"] == filters.branch]
    if frame.empty:
        return pd.DataFrame()
    if level == "department":
        out = frame.assign(unit=frame["department_code"], unit_name=frame["department_name"])
    else:
        out = _rollup(frame, level, panel)
    out = out.sort_values(["unit", "period_start"], ignore_index=True)
    if protect:
        out = _withhold(out, panel, level, filters)
    else:
        out = out.assign(**{f"complementary_{pop}": False for pop in POPULATIONS})
    out = _with_changes(out, panel)
    return select(out, Filters(grain=panel.grain, start=filters.start, end=filters.end), panel.grain)


def _rollup(frame: pd.DataFrame, level: str, panel: Panel) -> pd.DataFrame:
    unit_keys = ["branch_code", "branch_name"] if level == "branch" else []
    keys = [*unit_keys, "period", "period_start"]
    sums = [f"{v}_{p}" for p in POPULATIONS for v in ("n", "sum", "nresp", "sresp", "ssq")]
    sums += [c for c in DISCIPLINE_COUNTS if c in frame]
    out = frame.groupby(keys, sort=False)[[*sums, "staff_count"]].sum(min_count=1)
    # Discipline columns are null outside their data span, and sum(min_count=1) keeps that.
    out[[f"n_{p}" for p in POPULATIONS]] = out[[f"n_{p}" for p in POPULATIONS]].fillna(0).astype("int64")

    # Party metrics: each branch once, weighted by its party members; branches not reported (null) left out.
    party_columns = [c for c in frame.columns if c in PARTY_METRICS or c.startswith("compliance_")]
    branches = frame.drop_duplicates(["branch_code", "period_start"])
    branches = branches.assign(
        reported_members=branches["member_count"].where(branches["party_reported"]),
        not_reported=~branches["party_reported"].astype(bool),
    )
    weight = branches["member_count"].fillna(0).astype("float64")
    weighted = branches[party_columns].astype("float64").mul(weight, axis=0)
    present = branches[party_columns].notna().mul(weight, axis=0)
    grouped_keys = [branches[k] for k in keys]
    member_sum = present.groupby(grouped_keys, sort=False).sum()
    party = weighted.groupby(grouped_keys, sort=False).sum(min_count=1) / member_sum.where(member_sum > 0)
    extra = branches.groupby(grouped_keys, sort=False)[
        ["attended_total", "expected_total", "person_hours", "member_count", "reported_members"]
    ].sum(min_count=1)
    extra["branches"] = branches.groupby(grouped_keys, sort=False).size()
    extra["branches_not_reported"] = branches.groupby(grouped_keys, sort=False)["not_reported"].sum()
    extra["party_reported"] = extra["branches_not_reported"] == 0
    party["attendance_rate"] = _ratio(extra["attended_total"] * 100, extra["expected_total"]).where(
        party["attendance_rate"].notna()
    )
    party["service_hours_per_member"] = _ratio(extra["person_hours"], extra["reported_members"]).where(
        party["service_hours_per_member"].notna()
    )
    # Counts of activities are totals, not member-weighted means.
    held_counts = [c for c in frame.columns if c.startswith("held_")]
    for column in ("theme_plus_activities", "integrity_activities", "activities", *YTD_COUNTS, *held_counts):
        party[column] = branches.groupby(grouped_keys, sort=False)[column].sum(min_count=1)
    out = out.join(party).join(extra[["member_count", "branches", "branches_not_reported", "party_reported"]])
    out["cases_per_100_staff"] = _ratio(out["discipline_cases"] * 100, out["staff_count"])
    out = _score_satisfaction(out, panel.settings.suppression_min_n).reset_index()
    if level == "branch":
        return out.assign(unit=out["branch_code"], unit_name=out["branch_name"])
    return out.assign(unit="hospital", unit_name="")


def _withhold(out: pd.DataFrame, panel: Panel, level: str, filters: Filters) -> pd.DataFrame:
    """Null the scores of the cells `panel.withheld` holds at this level under these filters (see `rollup`)."""
    out = out.copy()
    for pop in POPULATIONS:
        hidden, complementary = suppression.withheld_mask(
            out, panel.withheld, level, filters.category, filters.branch, population=pop
        )
        out[f"suppressed_{pop}"] = out[f"suppressed_{pop}"].astype(bool) | hidden
        out[f"complementary_{pop}"] = complementary
        out.loc[hidden, f"satisfaction_{pop}"] = np.nan
    return out


def _with_changes(out: pd.DataFrame, panel: Panel) -> pd.DataFrame:
    """Per population: `prev_<pop>`/`delta_<pop>`/`p_<pop>` against the previous period and
    `yoy_<pop>`/`delta_yoy_<pop>`/`p_yoy_<pop>` against the same period a year before, `test_<pop>`
    naming the test ('welch' on individual responses, 'z' when aggregates are involved), `assumed_sd_<pop>`
    (and `assumed_sd_yoy_<pop>`) the SD a z-test assumed (the setting) where it did, else null. Party index deltas
    too. The grid is complete (every unit has every period), so shifting within a unit is shifting in time."""
    by_unit = out.groupby("unit", sort=False)
    added = {"delta_party_index": out["party_index"] - by_unit["party_index"].shift(1)}
    for pop in POPULATIONS:
        for prefix, lag in (("", 1), ("yoy_", PERIODS_PER_YEAR[panel.grain])):
            shifted = by_unit[[f"satisfaction_{pop}", f"n_{pop}", f"nresp_{pop}", f"sresp_{pop}", f"ssq_{pop}"]]
            before = shifted.shift(lag)
            name = f"{prefix}{pop}" if prefix else f"prev_{pop}"
            added[name] = before[f"satisfaction_{pop}"]
            added[f"delta_{prefix}{pop}"] = out[f"satisfaction_{pop}"] - before[f"satisfaction_{pop}"]
            p, test = change_test(out, before, pop, panel)
            added[f"p_{prefix}{pop}"] = pd.Series(p, index=out.index)
            added[f"test_{prefix}{pop}"] = pd.Series(test, index=out.index, dtype=object)
            # The SD a z-test took from the `assumed_sd` setting (no individual responses of the population).
            assumed = panel.settings.assumed_sd if pop not in panel.response_sd else np.nan
            added[f"assumed_sd_{prefix}{pop}"] = pd.Series(np.where(test == "z", assumed, np.nan), index=out.index)
    # Added at once: one column at a time fragments the frame.
    return pd.concat([out.drop(columns=list(added), errors="ignore"), pd.DataFrame(added)], axis=1)


def _cell_sd(n, nresp, sresp, ssq, pooled: float) -> np.ndarray:
    """Sample SD of a cell's individual responses where it has ≥ 2, else the pooled SD."""
    nresp = np.asarray(nresp, dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        var = (np.asarray(ssq, dtype="float64") - np.asarray(sresp, dtype="float64") ** 2 / nresp) / (nresp - 1)
    sd = np.sqrt(np.clip(var, 0, None))
    return np.where(nresp >= 2, sd, pooled)


def change_test(now: pd.DataFrame, before: pd.DataFrame, pop: str, panel: Panel) -> tuple[np.ndarray, np.ndarray]:
    """p-values for the change of `satisfaction_<pop>` between two aligned frames of cells.

    Both cells all individual responses (≥ 2 each): Welch's t-test from their means, SDs and counts
    (`scipy.stats.ttest_ind_from_stats`). Otherwise a z-test on the pooled means, each cell's standard
    error = SD ÷ √n with the SD of its responses, or the hospital's pooled within-cell SD of responses of
    this population, or the `assumed_sd` setting when there are no responses at all."""
    from scipy import stats  # here: the command line's other commands need not load scipy.stats (1 s)

    pooled = panel.response_sd.get(pop, panel.settings.assumed_sd)
    n1, n0 = now[f"n_{pop}"].to_numpy(dtype="float64"), before[f"n_{pop}"].to_numpy(dtype="float64")
    m1, m0 = (
        now[f"satisfaction_{pop}"].to_numpy(dtype="float64"),
        before[f"satisfaction_{pop}"].to_numpy(dtype="float64"),
    )
    r1, r0 = now[f"nresp_{pop}"].to_numpy(dtype="float64"), before[f"nresp_{pop}"].to_numpy(dtype="float64")
    sd1 = _cell_sd(n1, r1, now[f"sresp_{pop}"], now[f"ssq_{pop}"], pooled)
    sd0 = _cell_sd(n0, r0, before[f"sresp_{pop}"], before[f"ssq_{pop}"], pooled)
    valid = np.isfinite(m1) & np.isfinite(m0)
    welch = valid & (r1 == n1) & (r0 == n0) & (r1 >= 2) & (r0 >= 2)
    p = np.full(len(now), np.nan)
    if welch.any():
        with np.errstate(invalid="ignore", divide="ignore"):
            p[welch] = stats.ttest_ind_from_stats(
                m1[welch], sd1[welch], n1[welch], m0[welch], sd0[welch], n0[welch], equal_var=False
            ).pvalue
    z = valid & ~welch
    if z.any():
        se = np.sqrt(sd1[z] ** 2 / n1[z] + sd0[z] ** 2 / n0[z])
        with np.errstate(invalid="ignore", divide="ignore"):
            p[z] = 2 * stats.norm.sf(np.abs(m1[z] - m0[z]) / se)
    test = np.where(welch, "welch", np.where(z, "z", None))
    return p, test


# --- What the CLI prints -----------------------------------------------------------------------------------

CLI_FIELDS = (
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
)


def records(panel: Panel, level: str = "department", filters: Filters | None = None, text: bool = False) -> list[dict]:
    """One JSON-ready record per unit × period (`python -m analytics metrics`): nulls where no data or
    suppressed; floats rounded to 4 decimals; `not_reported` the codes of the branches of the unit that no
    activities ledger reports in the period (未上报: their party figures are null, and left out of the
    hospital's). A withheld satisfaction cell (`rollup`: a small group, or one withheld so that a small group
    cannot be recovered by subtraction) has a null score **and a null n**; n is 0 where nobody answered.
    Department records carry their `branch` (its `unit` at branch level). With `text`, a withheld n reads
    '<10' (small) or '—' (complementary) instead, for printing."""
    rolled = rollup(panel, level, filters)
    missing = not_reported(panel, filters).groupby("period")["branch_code"].agg(list).to_dict()
    min_n = panel.settings.suppression_min_n
    out = []
    for row in rolled.to_dict("records"):
        record = {"unit": row["unit"]}
        if level == "department":
            record["branch"] = row["branch_code"]
        record["period"] = row["period"]
        for name in CLI_FIELDS:
            value = row.get(name)
            if name.startswith("n_") and row[f"suppressed_{name[2:]}"]:
                complementary = bool(row[f"complementary_{name[2:]}"])
                record[name] = suppression.n_label(value, True, complementary, min_n) if text else None
            elif value is None or (isinstance(value, float) and not np.isfinite(value)):
                record[name] = None
            elif name.startswith(("n_", "discipline_", "rectification_")):
                record[name] = int(value)
            else:
                record[name] = round(float(value), 4)
        codes = missing.get(row["period"], [])
        if level != "hospital":
            codes = [c for c in codes if c == row["branch_code" if level == "department" else "unit"]]
        record["not_reported"] = [str(c) for c in codes]
        out.append(record)
    return out


def latest_period(panel: Panel, column: str | None = None) -> str | None:
    """The last period (with data in `column`, if given)."""
    frame = panel.frame if column is None else panel.frame[panel.frame[column].notna()]
    if frame.empty:
        return None
    return str(frame.loc[frame["period_start"].idxmax(), "period"])
