"""党建 Party building: the figures of the party page, cut from the panel (`metrics.py` defines every metric).

* `latest(rolled)`: the last period in a roll-up with a party-building index.
* `meetings(branches, panel, period)`: 三会一课 per branch and meeting type, held vs required.
* `meetings_trend(hospital, panel)`: the same for the hospital (or the filtered branches) per period.

The page rolls the panel up once per level and hands the roll-ups in (a roll-up takes a noticeable moment).
* `six_improvements(panel, filters)`: activities per 六提升 dimension, per branch and period.
* `departments(panel, filters, period)`: each department with its branch's index.
* `completeness(panel, filters)` and `completeness_lines(...)`: the data-completeness note, the branch ×
  periods not reported (未上报, see `metrics.py`: no activities ledger covering the period lists the branch).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from analytics.i18n import t
from analytics.metrics import Filters, Panel, not_reported, required_meetings, rollup, select
from analytics.periods import spoken
from analytics.risk import rag

SIX_COLUMNS = ["branch_code", "branch_name", "period", "period_start", "dimension", "activities"]


def latest(rolled: pd.DataFrame, column: str = "party_index") -> str | None:
    """The last period of a roll-up with a value in `column` (None when there is none)."""
    if rolled.empty or column not in rolled:
        return None
    known = rolled[rolled[column].notna()]
    return None if known.empty else str(known.loc[known["period_start"].idxmax(), "period"])


def meetings(branches: pd.DataFrame, panel: Panel, period: str) -> pd.DataFrame:
    """Per branch × meeting type assessed at the panel's grain, for one period of a branch roll-up
    (`rollup(panel, "branch", filters)`): `held`, `required` (per branch and period, from the settings) and
    `compliance` (min(held ÷ required, 1) × 100)."""
    rows = branches[branches["period"] == period]
    out = [
        pd.DataFrame(
            {
                "branch_code": rows["unit"].to_numpy(),
                "branch_name": rows["unit_name"].to_numpy(),
                "meeting_type": kind,
                "held": rows[f"held_{kind}"].to_numpy(dtype="float64"),
                "required": required_meetings(panel.settings, kind, panel.grain),
                "compliance": rows[f"compliance_{kind}"].to_numpy(dtype="float64"),
            }
        )
        for kind in panel.compliance_types
        if f"held_{kind}" in rows
    ]
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame()


def meetings_trend(hospital: pd.DataFrame, panel: Panel) -> pd.DataFrame:
    """Per period × meeting type of a hospital roll-up (`rollup(panel, "hospital", filters)`: the branches in
    the filters): `held` (all branches), `required` (per branch × branches) and `compliance` (the
    member-weighted mean of the branches')."""
    out = [
        pd.DataFrame(
            {
                "period": hospital["period"].to_numpy(),
                "meeting_type": kind,
                "held": hospital[f"held_{kind}"].to_numpy(dtype="float64"),
                "required": required_meetings(panel.settings, kind, panel.grain) * hospital["branches"].to_numpy(),
                "compliance": hospital[f"compliance_{kind}"].to_numpy(dtype="float64"),
            }
        )
        for kind in panel.compliance_types
        if f"held_{kind}" in hospital
    ]
    frame = pd.concat(out, ignore_index=True) if out else pd.DataFrame()
    return frame.dropna(subset=["compliance"]) if not frame.empty else frame


def six_improvements(panel: Panel, filters: Filters) -> pd.DataFrame:
    """六提升: activities tagged with each dimension, per branch × period, for the branches of the departments
    in the filters and the periods in range. Columns: branch_code, branch_name, period, period_start,
    dimension, activities."""
    six = panel.six
    if six is None or six.empty or panel.frame.empty:
        return pd.DataFrame(columns=SIX_COLUMNS)
    departments = select(
        panel.frame, Filters(grain=panel.grain, category=filters.category, branch=filters.branch), panel.grain
    )
    names = departments.drop_duplicates("branch_code").set_index("branch_code")["branch_name"]
    out = six[six["branch_code"].isin(names.index)]
    out = select(out, Filters(grain=panel.grain, start=filters.start, end=filters.end), panel.grain)
    out = out.assign(branch_name=out["branch_code"].map(names))
    return out[SIX_COLUMNS].reset_index(drop=True)


def departments(panel: Panel, filters: Filters, period: str) -> pd.DataFrame:
    """Each department in the filters with its branch's index for `period`, the change vs the previous
    period and the red/amber/green rating (`party_reported` false: its branch did not report); lowest index first."""
    rolled = rollup(panel, "department", filters)
    rows = rolled[rolled["period"] == period]
    columns = ["department_code", "department_name", "category", "branch_code", "branch_name", "party_index"]
    out = rows[[*columns, "party_reported"]].assign(
        delta_party_index=rows["delta_party_index"], rag=rag(rows["party_index"], panel)
    )
    return out.sort_values(["party_index", "department_code"], na_position="last", ignore_index=True)


def completeness(panel: Panel, filters: Filters) -> list[dict]:
    """The branch × periods not reported in the filters (`metrics.not_reported`), grouped by the set of branches
    missing: one dict per set, in period order, with `periods` (labels), `branches` (names) and `every` (the set
    is every branch in scope in each of those periods; `n` how many that is, at most). Empty when all reported."""
    missing = not_reported(panel, filters)
    if missing.empty:
        return []
    scope = select(panel.frame, filters, panel.grain).groupby("period")["branch_code"].nunique()
    groups: dict[object, dict] = {}
    for _, rows in missing.groupby("period_start", sort=True):
        label = str(rows["period"].iloc[0])
        every = len(rows) == scope.get(label, -1)
        key = "every" if every else tuple(rows["branch_code"])
        group = groups.setdefault(key, {"periods": [], "branches": list(rows["branch_name"]), "every": every, "n": 0})
        group["periods"].append(label)
        group["n"] = max(group["n"], len(rows))
    return list(groups.values())


def period_runs(periods: list[str], panel: Panel, lang: str) -> str:
    """Period codes as the reader says them, runs of consecutive ones written first to last:
    '2023年第一季度至2023年第四季度、2024年第三季度' / 'Q1 2023 – Q4 2023, Q3 2024'."""
    order = {label: i for i, label in enumerate(panel.periods)}
    runs: list[list[str]] = []
    for label in sorted(periods, key=lambda p: order.get(p, -1)):
        if runs and order.get(label, -2) == order.get(runs[-1][-1], -3) + 1:
            runs[-1].append(label)
        else:
            runs.append([label])
    separator = "、" if lang == "zh" else ", "
    return separator.join(
        spoken(run[0], lang)
        if len(run) == 1
        else t("period.run", lang, first=spoken(run[0], lang), last=spoken(run[-1], lang))
        for run in runs
    )


def completeness_lines(
    groups: list[dict], panel: Panel, lang: str, escape: Callable[[str], str] = lambda text: text
) -> list[str]:
    """The note's lines, one per group of `completeness`: '2024年第三季度、2025年第一季度：外科党支部、机关党支部'.
    Branch names are the register's text: `escape` (applied to the periods and the names) makes them safe for
    wherever the lines are rendered (markdown on the pages)."""
    separator = "、" if lang == "zh" else ", "
    return [
        t(
            "reported.line",
            lang,
            periods=escape(period_runs(group["periods"], panel, lang)),
            branches=escape(
                t("reported.every_branch", lang, n=group["n"])
                if group["every"]
                else separator.join(str(name) for name in group["branches"])
            ),
        )
        for group in groups
    ]
