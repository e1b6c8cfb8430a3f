"""科室画像 Department profile: one department's figures from the register, the panel and the risk rules.

The page reads the department from its URL (`?dept=D01`); everything here takes that code and returns
plain frames, so the CLI or a report can show the same profile.
"""

from __future__ import annotations

import pandas as pd

from analytics import queries
from analytics.db import Database
from analytics.metrics import POPULATIONS, Filters, Panel, rollup, select
from analytics.risk import warnings


def department_register(db: Database) -> pd.DataFrame:
    """Every department with its branch: name, category, staff, branch name, joint or not, party members,
    whether the secretary is a double leader, and how many departments share the branch."""
    return db.reader().execute(queries.DEPARTMENT_REGISTER).df()


def department_rows(panel: Panel, code: str, filters: Filters) -> pd.DataFrame:
    """The department's panel rows in the filters' period range, with the changes vs the previous period
    (`metrics.rollup` at department level; the category and branch filters do not apply to one department)."""
    if panel.empty():
        return pd.DataFrame()
    frame = panel.frame[panel.frame["department_code"] == code]
    if frame.empty:
        return pd.DataFrame()
    scope = Filters(grain=panel.grain, start=filters.start, end=filters.end, branch=frame["branch_code"].iloc[0])
    rolled = rollup(panel, "department", scope)
    return rolled[rolled["department_code"] == code].reset_index(drop=True)


def satisfaction_long(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per period and population with respondents: score (null when suppressed), n, suppressed,
    the change vs the previous period and its p-value (`assumed_sd`: the SD its test assumed for want of
    individual responses, else null)."""
    parts = []
    for pop in POPULATIONS:
        part = pd.DataFrame(
            {
                "period": rows["period"],
                "population": pop,
                "score": rows[f"satisfaction_{pop}"],
                "n": rows[f"n_{pop}"].astype("int64"),
                "suppressed": rows[f"suppressed_{pop}"].astype(bool),
                "complementary": rows[f"complementary_{pop}"].astype(bool),
                "previous": rows[f"prev_{pop}"],
                "delta": rows[f"delta_{pop}"],
                "p": rows[f"p_{pop}"],
                "assumed_sd": rows[f"assumed_sd_{pop}"],
            }
        )
        parts.append(part[part["n"] > 0])
    if not parts:
        columns = ["period", "population", "score", "n", "suppressed", "complementary", "previous", "delta", "p"]
        return pd.DataFrame(columns=[*columns, "assumed_sd"])
    return pd.concat(parts, ignore_index=True)


def latest_satisfaction(long: pd.DataFrame) -> dict[str, pd.Series]:
    """Per population, its row for the last period in `long` with respondents."""
    return {pop: rows.iloc[-1] for pop, rows in long.groupby("population", sort=False) if not rows.empty}


def dimension_scores(panel: Panel, code: str, period: str) -> pd.DataFrame:
    """The department's item means for one period: population, item, mean (null when suppressed or withheld
    to protect a small group: `complementary`), n."""
    dims = panel.dimensions
    if dims is None or dims.empty:
        return pd.DataFrame(columns=["population", "item", "mean", "n", "suppressed", "complementary"])
    out = dims[(dims["department_code"] == code) & (dims["period"] == period)]
    return out[["population", "item", "mean", "n", "suppressed", "complementary"]].reset_index(drop=True)


def last_dimension_period(panel: Panel, code: str, filters: Filters) -> str | None:
    """The last period in the filters' range for which the department has item scores, preferring one
    with a score that is not suppressed."""
    dims = panel.dimensions
    if dims is None or dims.empty:
        return None
    mine = select(
        dims[dims["department_code"] == code],
        Filters(grain=panel.grain, start=filters.start, end=filters.end),
        panel.grain,
    )
    if mine.empty:
        return None
    shown = mine[mine["mean"].notna()]
    mine = shown if not shown.empty else mine
    return str(mine.loc[mine["period_start"].idxmax(), "period"])


def department_warnings(
    panel: Panel, ledger: pd.DataFrame | None, period: str, code: str, branch_code: str
) -> pd.DataFrame:
    """The warnings of `period` that concern the department itself or its branch."""
    found = warnings(panel, ledger, period, Filters(grain=panel.grain, branch=branch_code))
    mine = ((found["unit_level"] == "department") & (found["unit"] == code)) | (
        (found["unit_level"] == "branch") & (found["unit"] == branch_code)
    )
    return found[mine].reset_index(drop=True)


def p_cell(p: float | None) -> str | None:
    """A p-value for a table cell: '<0.001', '0.034', or None when there is none."""
    if p is None or pd.isna(p):
        return None
    return "<0.001" if p < 0.001 else f"{p:.3f}"
