"""党建 Party building: the figures of the party page, cut from the panel (`metrics.py` defines every metric).

* `latest(rolled)`: the last period in a roll-up with a party-building index.
* `meetings(branches, panel, period)`: 三会一课 per branch and meeting type, held vs required.
* `meetings_trend(hospital, panel)`: the same for the hospital (or the filtered branches) per period.

The page rolls the panel up once per level and hands the roll-ups in (a roll-up takes a noticeable moment).
* `six_improvements(panel, filters)`: activities per 六提升 dimension, per branch and period.
* `departments(panel, filters, period)`: each department with its branch's index.
"""

from __future__ import annotations

import pandas as pd

from analytics.metrics import Filters, Panel, required_meetings, rollup, select
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
    period and the red/amber/green rating; lowest index first."""
    rolled = rollup(panel, "department", filters)
    rows = rolled[rolled["period"] == period]
    out = rows[["department_code", "department_name", "category", "branch_code", "branch_name", "party_index"]].assign(
        delta_party_index=rows["delta_party_index"], rag=rag(rows["party_index"], panel)
    )
    return out.sort_values(["party_index", "department_code"], na_position="last", ignore_index=True)
