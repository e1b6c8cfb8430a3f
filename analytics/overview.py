"""总览 Overview: the headline figures leadership looks at before a committee meeting.

`overview(db, grain, as_of, filters)` gathers, for the last period of the chosen range and the departments
the category/branch filters select: the hospital-level roll-up of that period and the one before (party
index, 三会一课 and 主题党日 compliance, satisfaction per population with n and the change test), the
discipline figures **over the chosen range** (运用“四种形态”处理 人次 per form, 立案 件: the same scope and
names as the discipline page, `discipline`), the count of rectifications overdue as of `as_of`, the
hospital-level trend over the range, the risk warnings and the 党建体检 scorecard of that period. Every
figure comes from `metrics.rollup` and `risk`; nothing here re-derives a metric.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analytics import risk
from analytics.db import Database
from analytics.metrics import FORM_PERSONS, Filters, Panel, build_panel, rollup, select

# The discipline figures of the Overview, summed over the chosen range as the discipline page sums them.
DISCIPLINE_FIGURES = ("discipline_forms_persons", *FORM_PERSONS, "discipline_filed", "discipline_records")


@dataclass(frozen=True)
class Overview:
    period: str | None  # the cards' period: the last period of the chosen range
    previous: str | None  # the period before it (None for the first period with data)
    current: dict[str, Any]  # the hospital-level `rollup` row of `period` ({} without data)
    before: dict[str, Any]  # the row of `previous` ({} when there is none)
    trend: pd.DataFrame  # hospital-level rows over the chosen range
    overdue: int  # rectifications open past their deadline as of `as_of`, in the filters' scope
    as_of: dt.date
    warnings: pd.DataFrame = field(default_factory=pd.DataFrame)
    scorecard: pd.DataFrame = field(default_factory=pd.DataFrame)
    discipline: dict[str, float] = field(default_factory=dict)  # DISCIPLINE_FIGURES summed over `trend`

    @property
    def discipline_range(self) -> tuple[str, str] | None:
        """The first and last period the discipline figures cover (the chosen range)."""
        if self.trend.empty:
            return None
        return str(self.trend["period"].iloc[0]), str(self.trend["period"].iloc[-1])

    def change(self, column: str) -> float | None:
        """`column` of this period minus the previous one, None when either is missing."""
        now, then = self.current.get(column), self.before.get(column)
        if now is None or then is None or pd.isna(now) or pd.isna(then):
            return None
        return float(now) - float(then)


def overview(db: Database, grain: str, as_of: dt.date, filters: Filters, panel: Panel | None = None) -> Overview:
    """The Overview's figures for `filters` (grain, period range, category, branch) as of `as_of`; `panel` is
    `build_panel(db, grain, as_of)`, built here unless handed in."""
    panel = panel if panel is not None else build_panel(db, grain, as_of)
    ledger = risk.overdue_ledger(db, as_of)
    if filters.category:
        ledger = ledger[ledger["department_category"] == filters.category]
    if filters.branch:
        ledger = ledger[ledger["branch_code"] == filters.branch]
    if panel.empty():
        return Overview(None, None, {}, {}, pd.DataFrame(), len(ledger), as_of)

    period = filters.end if filters.end in panel.periods else panel.periods[-1]
    i = panel.periods.index(period)
    previous = panel.periods[i - 1] if i > 0 else None
    scope = Filters(grain=grain, category=filters.category, branch=filters.branch)
    hospital = rollup(panel, "hospital", scope)
    if hospital.empty:  # the filters select no department
        return Overview(period, previous, {}, {}, pd.DataFrame(), len(ledger), as_of)
    by_period = hospital.set_index("period")
    current = by_period.loc[period].to_dict()
    before = by_period.loc[previous].to_dict() if previous else {}
    trend = select(hospital, Filters(grain=grain, start=filters.start, end=period), grain)
    known = trend["discipline_records"].notna()
    discipline = {c: float(trend.loc[known, c].sum()) for c in DISCIPLINE_FIGURES} if known.any() else {}
    return Overview(
        period=period,
        previous=previous,
        current=current,
        before=before,
        trend=trend.reset_index(drop=True),
        overdue=len(ledger),
        as_of=as_of,
        warnings=risk.warnings(panel, ledger, period, scope),
        scorecard=risk.scorecard(panel, period, scope),
        discipline=discipline,
    )
