"""Risk warnings (风险预警) and the party-building health check (党建体检) scorecard, from the panel.

Warnings for one period (default: the latest), thresholds from `settings.WarningRules`:

* `index_low` (branch): 党建指数 below `index_low`; high if 10+ points below, else medium.
* `index_drop` (branch): 党建指数 fell by `index_drop` or more vs the previous period; medium.
* `meetings_missed` (branch): 三会一课 compliance (the four meetings, not 主题党日) below `meetings_low` this
  period and the previous one; medium.
* `satisfaction_drop` (department): a population's score fell by `satisfaction_drop` points or more vs the
  previous period and the fall survives correction for the many tests of the period: its Benjamini–Hochberg q
  over every department × population change tested in the period, hospital-wide (so a filter does not change
  it), is below `alpha`; high if the fall is twice that, else medium. The warning says how many were tested,
  and, when the test had no individual responses to estimate the SD from, the SD it assumed (`assumed_sd`).
* `serious_discipline` (department): a form-2, -3 or -4 case (四种形态) in the period; high for forms 3–4.
* `rectification_overdue` (department): rectifications open past their deadline as of the panel's day
  (whatever period the record is from); high if one is `overdue_high_days` late, else medium.

Components with a yearly target (service hours, 党建+, integrity education) are scored year to date against
the pro-rated target (`metrics._year_to_date`), so the index, its warnings and the scorecard's colours do not
turn a branch red in every quarter without its once- or twice-a-year activity.

Party-building rules are raised once per branch (its departments share its activities); each warning names
the departments concerned. Every warning carries the numbers behind it and a sentence in zh and en.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from analytics import queries
from analytics.db import Database
from analytics.i18n import assumed_sd_note, p_phrase, t
from analytics.metrics import POPULATIONS, Filters, Panel, latest_period, rollup, ytd_target
from analytics.periods import spoken
from analytics.schema import ActivityType, Population
from analytics.settings import COMPONENTS

RULES = (
    "index_low",
    "index_drop",
    "meetings_missed",
    "satisfaction_drop",
    "serious_discipline",
    "rectification_overdue",
)
SEVERITIES = ("high", "medium", "low")
RAG = ("green", "amber", "red")

WARNING_COLUMNS = [
    "period",
    "unit_level",
    "unit",
    "unit_name",
    "departments",
    "rule",
    "severity",
    "value",
    "threshold",
    "assumed_sd",
    "explanation_zh",
    "explanation_en",
]


def _fmt(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}"


def warnings(
    panel: Panel, ledger: pd.DataFrame | None = None, period: str | None = None, filters: Filters | None = None
) -> pd.DataFrame:
    """Every warning raised for `period` (default: the latest period with any data), most severe first.
    `ledger` is `overdue_ledger(db, panel.as_of)` (no overdue warnings without it)."""
    if panel.empty():
        return pd.DataFrame(columns=WARNING_COLUMNS)
    period = period or latest_period(panel)
    if period not in panel.periods:
        raise ValueError(f"no period {period!r} in the data (periods run {panel.periods[0]}–{panel.periods[-1]})")
    i = panel.periods.index(period)
    previous = panel.periods[i - 1] if i > 0 else None
    rules = panel.settings.warnings
    scope = Filters(grain=panel.grain, category=(filters or Filters()).category, branch=(filters or Filters()).branch)
    found: list[dict] = []

    branches = rollup(panel, "branch", scope)
    departments = rollup(panel, "department", scope)
    dept_names = (
        departments.drop_duplicates("department_code")
        .groupby("branch_code")["department_name"]
        .agg(lambda names: "、".join(names))
    )
    now = branches[branches["period"] == period].set_index("unit")
    before = branches[branches["period"] == previous].set_index("unit") if previous else None

    def said(numbers: dict, lang: str) -> dict:
        """The previous period in an explanation as the reader says it ('2025年第三季度'), not its code."""
        return {**numbers, "previous": spoken(numbers["previous"], lang)} if "previous" in numbers else numbers

    def add(level, unit, name, rule, severity, figure, line, key, assumed_sd=None, **numbers):
        found.append(
            {
                "period": period,
                "unit_level": level,
                "unit": unit,
                "unit_name": name,
                "departments": dept_names.get(unit, "") if level == "branch" else name,
                "rule": rule,
                "severity": severity,
                "value": figure,
                "threshold": line,
                "assumed_sd": assumed_sd,
                "explanation_zh": t(key, "zh", name=name, **said(numbers, "zh")),
                "explanation_en": t(key, "en", name=name, **said(numbers, "en")),
            }
        )

    for unit, row in now.iterrows():
        index = row["party_index"]
        if pd.notna(index) and index < rules.index_low:
            severity = "high" if index < rules.index_low - 10 else "medium"
            add(
                "branch",
                unit,
                row["unit_name"],
                "index_low",
                severity,
                index,
                rules.index_low,
                "risk.index_low",
                value=_fmt(index),
                threshold=_fmt(rules.index_low, 0),
                **_weakest(row, panel),
            )
        if before is not None and unit in before.index:
            old = before.at[unit, "party_index"]
            if pd.notna(index) and pd.notna(old) and old - index >= rules.index_drop:
                add(
                    "branch",
                    unit,
                    row["unit_name"],
                    "index_drop",
                    "medium",
                    index - old,
                    -rules.index_drop,
                    "risk.index_drop",
                    old=_fmt(old),
                    value=_fmt(index),
                    previous=previous,
                    drop=_fmt(old - index),
                )
            compliance, old_compliance = row["meeting_compliance"], before.at[unit, "meeting_compliance"]
            if (
                pd.notna(compliance)
                and pd.notna(old_compliance)
                and compliance < rules.meetings_low
                and old_compliance < rules.meetings_low
            ):
                add(
                    "branch",
                    unit,
                    row["unit_name"],
                    "meetings_missed",
                    "medium",
                    compliance,
                    rules.meetings_low,
                    "risk.meetings_missed",
                    value=_fmt(compliance, 0),
                    old=_fmt(old_compliance, 0),
                    previous=previous,
                    threshold=_fmt(rules.meetings_low, 0),
                    **_missing_meetings(row, panel),
                )

    dept_now = departments[departments["period"] == period]
    hospital = departments if scope.category is None and scope.branch is None else rollup(panel, "department")
    q_values, tested = satisfaction_q(hospital[hospital["period"] == period])
    for row in dept_now.itertuples():
        for pop in POPULATIONS:
            delta, p = getattr(row, f"delta_{pop}"), getattr(row, f"p_{pop}")
            q = q_values.get((row.department_code, pop))
            if pd.notna(delta) and q is not None and -delta >= rules.satisfaction_drop and q < rules.alpha:
                sd = getattr(row, f"assumed_sd_{pop}")
                sd = None if pd.isna(sd) else float(sd)
                add(
                    "department",
                    row.department_code,
                    row.department_name,
                    "satisfaction_drop",
                    "high" if -delta >= 2 * rules.satisfaction_drop else "medium",
                    delta,
                    -rules.satisfaction_drop,
                    "risk.satisfaction_drop",
                    population_zh=Population(pop).zh,
                    population_en=pop,
                    old=_fmt(getattr(row, f"prev_{pop}")),
                    value=_fmt(getattr(row, f"satisfaction_{pop}")),
                    drop=_fmt(-delta),
                    previous=previous,
                    p=p_phrase(p),
                    q=p_phrase(q),
                    tested=tested,
                    n=int(getattr(row, f"n_{pop}")),
                    assumed_sd=sd,
                    sd_zh="；" + assumed_sd_note(sd, "zh") if sd else "",
                    sd_en="; " + assumed_sd_note(sd, "en") if sd else "",
                )
        form2plus = row.discipline_form2plus
        if pd.notna(form2plus) and form2plus > 0:
            heavy = int(row.discipline_form_3 + row.discipline_form_4)
            add(
                "department",
                row.department_code,
                row.department_name,
                "serious_discipline",
                "high" if heavy else "medium",
                form2plus,
                0,
                "risk.serious_discipline",
                n=int(form2plus),
                form2=int(row.discipline_form_2),
                heavy=heavy,
            )

    if ledger is not None and not ledger.empty:
        ledger = ledger[ledger["department_code"].isin(set(departments["department_code"]))]
    if ledger is not None and not ledger.empty:
        for code, items in ledger.groupby("department_code", sort=True):
            worst = int(items["days_overdue"].max())
            add(
                "department",
                code,
                items["department_name"].iloc[0],
                "rectification_overdue",
                "high" if worst >= rules.overdue_high_days else "medium",
                len(items),
                0,
                "risk.rectification_overdue",
                n=len(items),
                days=worst,
                as_of=panel.as_of.isoformat(),
            )

    out = pd.DataFrame(found, columns=WARNING_COLUMNS)
    rank = {name: i for i, name in enumerate((*SEVERITIES, *RULES))}
    return out.sort_values(
        ["severity", "rule", "unit"], key=lambda c: c.map(rank) if c.name != "unit" else c, ignore_index=True
    )


def satisfaction_q(departments: pd.DataFrame) -> tuple[dict[tuple[str, str], float], int]:
    """Benjamini–Hochberg q of every department × population change tested in `departments` (one period's
    rows), keyed by (department code, population), and how many were tested."""
    from scipy import stats  # here: the command line's other commands need not load scipy.stats (1 s)

    keys, ps = [], []
    for row in departments.itertuples():
        for pop in POPULATIONS:
            p = getattr(row, f"p_{pop}")
            if pd.notna(p):
                keys.append((row.department_code, pop))
                ps.append(float(p))
    if not ps:
        return {}, 0
    return dict(zip(keys, stats.false_discovery_control(ps, method="bh"), strict=True)), len(ps)


def overdue_ledger(db: Database, as_of: dt.date | None = None) -> pd.DataFrame:
    """整改台账: rectifications still open past their deadline as of `as_of` (today), oldest first. No
    persons: the ledger is shown to leadership, record-level rows only to the discipline office."""
    as_of = as_of or dt.date.today()
    return db.reader().execute(queries.OVERDUE_LEDGER, [as_of, as_of]).df()


def _weakest(row: pd.Series, panel: Panel) -> dict[str, str]:
    """The lowest-scoring weighted component and its score, named in both languages."""
    scores = {c: row.get(f"score_{c}") for c in COMPONENTS if panel.settings.weight(c) > 0}
    scores = {c: v for c, v in scores.items() if pd.notna(v)}
    if not scores:
        return {"weakest_zh": "—", "weakest_en": "—"}
    worst = min(scores, key=scores.get)
    return {f"weakest_{lang}": f"{t(f'component.{worst}', lang)} {scores[worst]:.0f}" for lang in ("zh", "en")}


def _missing_meetings(row: pd.Series, panel: Panel) -> dict[str, str]:
    """The 三会一课 meeting types held fewer times than required this period, named in both languages."""
    short = [
        ActivityType(k)
        for k in panel.meeting_types
        if pd.notna(row.get(f"compliance_{k}")) and row[f"compliance_{k}"] < 100
    ]
    return {"missing_zh": "、".join(k.zh for k in short) or "—", "missing_en": ", ".join(k.en for k in short) or "—"}


# --- 党建体检 scorecard --------------------------------------------------------------------------------------


def scorecard(panel: Panel, period: str | None = None, filters: Filters | None = None) -> pd.DataFrame:
    """Per branch for one period: each component's score with red/amber/green and the figure behind it.

    Columns: branch_code, branch_name, period, members, party_index, reported (false: 未上报, no ledger of the
    period lists the branch, so no scores), index_rag, and per component `<component>` (score 0–100),
    `<component>_rag`, `<component>_value` (the figure behind the score: %, or for the components with a yearly
    target the year-to-date hours or count) and `<component>_target` (the yearly target pro-rated to the months
    elapsed; null for the percentages)."""
    if panel.empty():
        return pd.DataFrame()
    period = period or latest_period(panel, "party_index") or latest_period(panel)
    scope = Filters(grain=panel.grain, category=(filters or Filters()).category, branch=(filters or Filters()).branch)
    branches = rollup(panel, "branch", scope)
    rows = branches[branches["period"] == period]
    raw = SCORED_FIGURES
    out = pd.DataFrame(
        {
            "branch_code": rows["unit"].to_numpy(),
            "branch_name": rows["unit_name"].to_numpy(),
            "period": period,
            "members": rows["member_count"].to_numpy(),
            "party_index": rows["party_index"].to_numpy(),
            "reported": rows["party_reported"].to_numpy(dtype=bool),
        }
    )
    out["index_rag"] = rag(out["party_index"], panel)
    for component in COMPONENTS:
        out[component] = rows[f"score_{component}"].to_numpy()
        out[f"{component}_rag"] = rag(out[component], panel)
        out[f"{component}_value"] = rows[raw[component]].to_numpy()
        months = rows["ytd_months"].to_numpy(dtype="float64")
        out[f"{component}_target"] = (
            ytd_target(panel.settings, component, months) if component in YEARLY_TARGETS else np.nan
        )
    return out.sort_values("party_index", na_position="last", ignore_index=True)


# The figure behind each component's score: percentages as they are, the yearly-target ones year to date.
SCORED_FIGURES = {
    "compliance": "meeting_compliance",
    "theme_day": "theme_day_compliance",
    "attendance": "attendance_rate",
    "service": "ytd_service_hours_per_member",
    "theme_plus": "ytd_theme_plus_activities",
    "integrity": "ytd_integrity_activities",
}
YEARLY_TARGETS = ("service", "theme_plus", "integrity")


def rag(scores: pd.Series, panel: Panel) -> pd.Series:
    """'green' from the green line, 'amber' from the amber line, else 'red'; None where no score."""
    values = pd.to_numeric(scores, errors="coerce")
    out = np.where(values >= panel.settings.green, "green", np.where(values >= panel.settings.amber, "amber", "red"))
    return pd.Series(np.where(values.isna(), None, out), index=scores.index, dtype="object")


# How each component's figure is written in the scorecard (the yearly-target ones year to date, beside the
# pro-rated target).
FIGURE_TEXTS = {
    "compliance": "overview.figure.percent",
    "theme_day": "overview.figure.percent",
    "attendance": "overview.figure.percent",
    "service": "overview.figure.ytd_hours",
    "theme_plus": "overview.figure.ytd_count",
    "integrity": "overview.figure.ytd_count",
}


def scorecard_text(card: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The scorecard as people read it (the Overview and the meeting material): branch, members, index (a
    number) and per component the figure behind its score ("65%", "年初至今 4.0 小时/人 / 应达 6 小时/人（67 分）"),
    "未上报" for a branch no ledger reports; and the RAG of the index and each component, a frame with the same
    column names (no column for branch and members)."""
    branch, members, index = (t(f"overview.col.{c}", lang) for c in ("branch", "members", "index"))
    names = {c: t(f"component.{c}", lang) for c in COMPONENTS}
    not_reported = t("reported.not", lang)

    def cell(score: float, figure: float, target: float, component: str, reported: bool) -> str:
        if not reported:
            return not_reported
        if pd.isna(score):
            return "—"
        text = FIGURE_TEXTS[component]
        shown = t(text, lang, value=figure) if pd.notna(figure) else "—"
        if text == "overview.figure.percent":  # the score is the percentage itself
            return shown
        if pd.notna(target):  # year to date against the pro-rated yearly target
            shown = t("overview.figure.ytd", lang, figure=shown, target=t(text, lang, value=round(float(target), 2)))
        return t("overview.figure.scored", lang, figure=shown, score=f"{score:.0f}")

    shown = pd.DataFrame(
        {
            branch: card["branch_name"],
            members: card["members"],
            index: card["party_index"].round(1),  # a number (sortable); a branch not reported says so in each score
            **{
                names[c]: [
                    cell(s, v, g, c, ok)
                    for s, v, g, ok in zip(
                        card[c], card[f"{c}_value"], card[f"{c}_target"], card["reported"], strict=True
                    )
                ]
                for c in COMPONENTS
            },
        }
    )
    rags = pd.DataFrame({index: card["index_rag"], **{names[c]: card[f"{c}_rag"] for c in COMPONENTS}})
    return shown, rags
