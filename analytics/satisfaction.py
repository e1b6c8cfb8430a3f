"""满意度 Satisfaction: the figures of the satisfaction page, cut from the panel (`metrics.py` defines the
scores, their weighting by respondents, suppression and the change tests).

* `trend(rolled)`: scores per unit × period × population of a roll-up, long.
* `latest(rolled, population)`: the last period of a roll-up with respondents of a population.
* `changes(rolled, population, period)`: each unit's score, n, and its change vs the previous period and
  the same period a year before, with p-values and the test used.
* `items(panel, filters, population, period, level)`: dimension item means (就医环境, 薪酬福利 …).

`rolled` is `metrics.rollup(panel, level, filters)`: the page rolls up once per level and hands it in.

Suppressed cells (fewer respondents than the threshold, and the cells withheld so that they cannot be
recovered by subtraction, see `suppression`) carry no score: `score` is null and `suppressed` true, so that
no caller can show the number by mistake; `complementary` marks the second kind. Their n is for weighting
only: a table shows `suppression.n_label` instead.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics import suppression
from analytics.metrics import POPULATIONS, Filters, Panel, select
from analytics.schema import SatisfactionItem

TREND_COLUMNS = [
    "unit",
    "unit_name",
    "period",
    "period_start",
    "population",
    "score",
    "n",
    "suppressed",
    "complementary",
]
ITEM_ORDER = {item.value: i for i, item in enumerate(SatisfactionItem)}


def has_data(panel: Panel) -> bool:
    """Whether the panel holds any satisfaction respondents at all."""
    return not panel.empty() and any(panel.frame[f"n_{pop}"].sum() > 0 for pop in POPULATIONS)


def trend(rolled: pd.DataFrame) -> pd.DataFrame:
    """Per unit × period × population of a roll-up: `score` (null when suppressed or without
    respondents), `n`, `suppressed`. Periods without any respondents of a population are left out."""
    if rolled.empty:
        return pd.DataFrame(columns=TREND_COLUMNS)
    parts = [
        pd.DataFrame(
            {
                "unit": rolled["unit"],
                "unit_name": rolled["unit_name"],
                "period": rolled["period"],
                "period_start": rolled["period_start"],
                "population": pop,
                "score": rolled[f"satisfaction_{pop}"].astype("float64"),
                "n": rolled[f"n_{pop}"].astype("int64"),
                "suppressed": rolled[f"suppressed_{pop}"].astype(bool),
                "complementary": rolled[f"complementary_{pop}"].astype(bool),
            }
        )
        for pop in POPULATIONS
    ]
    out = pd.concat(parts, ignore_index=True)
    return out[out["n"] > 0].reset_index(drop=True)


def latest(rolled: pd.DataFrame, population: str) -> str | None:
    """The last period of a roll-up (or panel frame) with respondents of `population`."""
    if rolled.empty:
        return None
    known = rolled[rolled[f"n_{population}"] > 0]
    return None if known.empty else str(known.loc[known["period_start"].idxmax(), "period"])


def changes(rolled: pd.DataFrame, population: str, period: str) -> pd.DataFrame:
    """Each unit of a roll-up with respondents of `population` in `period`: score (null if suppressed), n,
    suppressed, previous score, delta and p (test 'welch' or 'z'; `assumed_sd` the SD a z-test assumed for
    want of individual responses, else null) vs the previous period, and vs a year before; departments also
    carry their branch and category. Highest score first, suppressed last."""
    if rolled.empty:
        return pd.DataFrame()
    rows = rolled[(rolled["period"] == period) & (rolled[f"n_{population}"] > 0)]
    pop = population
    out = pd.DataFrame(
        {
            "unit": rows["unit"],
            "unit_name": rows["unit_name"],
            "score": rows[f"satisfaction_{pop}"].astype("float64"),
            "n": rows[f"n_{pop}"].astype("int64"),
            "suppressed": rows[f"suppressed_{pop}"].astype(bool),
            "complementary": rows[f"complementary_{pop}"].astype(bool),
            "previous": rows[f"prev_{pop}"].astype("float64"),
            "delta": rows[f"delta_{pop}"].astype("float64"),
            "p": rows[f"p_{pop}"].astype("float64"),
            "test": rows[f"test_{pop}"],
            "assumed_sd": rows[f"assumed_sd_{pop}"].astype("float64"),
            "year_before": rows[f"yoy_{pop}"].astype("float64"),
            "delta_yoy": rows[f"delta_yoy_{pop}"].astype("float64"),
            "p_yoy": rows[f"p_yoy_{pop}"].astype("float64"),
            "test_yoy": rows[f"test_yoy_{pop}"],
            "assumed_sd_yoy": rows[f"assumed_sd_yoy_{pop}"].astype("float64"),
        }
    )
    if "department_code" in rows:
        for column in ("branch_code", "branch_name", "category"):
            out[column] = rows[column]
    return out.sort_values(["score", "unit"], ascending=[False, True], na_position="last", ignore_index=True)


def items(panel: Panel, filters: Filters, population: str, period: str, level: str = "hospital") -> pd.DataFrame:
    """Dimension item means of the individual responses of `population` in `period`, per unit: columns
    unit, unit_name, item, mean (null when suppressed), n (responses), suppressed, complementary. Branch and
    hospital means weight each department's item mean by its responses; a unit with fewer responses than
    the threshold is suppressed like any score, and so is each cell withheld to protect one
    (`Panel.withheld_items`; `complementary` true: not a small group itself)."""
    columns = ["unit", "unit_name", "item", "mean", "n", "suppressed", "complementary"]
    dims = panel.dimensions
    if dims is None or dims.empty:
        return pd.DataFrame(columns=columns)
    dims = select(dims, Filters(grain=panel.grain, category=filters.category, branch=filters.branch), panel.grain)
    dims = dims[(dims["population"] == population) & (dims["period"] == period)]
    if dims.empty:
        return pd.DataFrame(columns=columns)
    names = panel.frame.drop_duplicates("department_code").set_index("department_code")
    if level == "department":
        out = dims.assign(unit=dims["department_code"], unit_name=dims["department_code"].map(names["department_name"]))
    else:
        keys = ["branch_code", "item"] if level == "branch" else ["item"]
        out = dims.groupby(keys, as_index=False)[["total", "n"]].sum()
        out["period_start"] = dims["period_start"].iloc[0]
        hidden, complementary = suppression.withheld_mask(
            out, panel.withheld_items, level, filters.category, filters.branch, population=population, item=out["item"]
        )
        out["suppressed"] = (out["n"] < panel.settings.suppression_min_n) | hidden
        out["complementary"] = complementary
        out["mean"] = (out["total"] / out["n"]).where(~out["suppressed"], np.nan)
        if level == "branch":
            branch_names = names.drop_duplicates("branch_code").set_index("branch_code")["branch_name"]
            out = out.assign(unit=out["branch_code"], unit_name=out["branch_code"].map(branch_names))
        else:
            out = out.assign(unit="hospital", unit_name="")
    if "complementary" not in out:
        out = out.assign(complementary=False)
    out = out[columns].assign(order=out["item"].map(ITEM_ORDER))
    return out.sort_values(["unit", "order"], ignore_index=True).drop(columns="order")
