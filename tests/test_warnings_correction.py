"""Satisfaction-fall warnings are corrected for the many changes tested in a period (issue 13, point 4): a fall
is warned about only if its Benjamini–Hochberg q over every department × population change tested that period,
hospital-wide, is below alpha; the warning says how many were tested. Checked against statsmodels' own BH."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from analytics import metrics, risk
from analytics.db import Database
from analytics.i18n import p_phrase
from analytics.metrics import POPULATIONS, Filters


@pytest.fixture(scope="module")
def panel(demo_db_path):
    with Database(demo_db_path) as db:
        return metrics.build_panel(db, "quarter", dt.date(2026, 1, 15))


def expected_falls(panel, period: str) -> tuple[set[tuple[str, str]], dict[tuple[str, str], float], int]:
    """The falls to warn about in `period`, computed here: every tested change of the period, BH by statsmodels."""
    rows = metrics.rollup(panel, "department")
    rows = rows[rows["period"] == period]
    tested = [
        (code, pop, p, delta)
        for code, group in rows.groupby("department_code")
        for pop in POPULATIONS
        for p, delta in zip(group[f"p_{pop}"], group[f"delta_{pop}"], strict=True)
        if pd.notna(p)
    ]
    q = multipletests([p for _, _, p, _ in tested], method="fdr_bh")[1]
    rules = panel.settings.warnings
    falls = {
        (code, pop)
        for (code, pop, _, delta), value in zip(tested, q, strict=True)
        if pd.notna(delta) and -delta >= rules.satisfaction_drop and value < rules.alpha
    }
    return falls, {(c, pop): v for (c, pop, _, _), v in zip(tested, q, strict=True)}, len(tested)


@pytest.mark.parametrize("period", ["2023Q3", "2024Q1", "2024Q3", "2025Q4"])
def test_falls_are_warned_about_only_when_they_survive_correction(panel, period):
    falls, q, tested = expected_falls(panel, period)
    found = risk.warnings(panel, None, period)
    found = found[found["rule"] == "satisfaction_drop"]
    populations = {pop: pop for pop in POPULATIONS}
    shown = {
        (row.unit, next(pop for pop in populations if f"{pop} satisfaction" in row.explanation_en))
        for row in found.itertuples()
    }
    assert shown == falls
    for row in found.itertuples():
        pop = next(pop for pop in POPULATIONS if f"{pop} satisfaction" in row.explanation_en)
        assert f"{tested} changes tested this period" in row.explanation_en
        assert f"q {p_phrase(q[(row.unit, pop)])} after correcting" in row.explanation_en
        assert f"本期共检验 {tested} 组变化" in row.explanation_zh


def test_uncorrected_p_would_warn_about_more(panel):
    """Across the demo's periods, correction removes falls that p < alpha alone would have raised."""
    rules = panel.settings.warnings
    rows = metrics.rollup(panel, "department")
    uncorrected = sum(
        int(((rows[f"p_{pop}"] < rules.alpha) & (-rows[f"delta_{pop}"] >= rules.satisfaction_drop)).sum())
        for pop in POPULATIONS
    )
    corrected = sum(len(expected_falls(panel, period)[0]) for period in panel.periods[1:])
    assert corrected < uncorrected


def test_a_filter_does_not_change_a_falls_q(panel):
    """The family is the hospital's: a branch filter shows the same warnings of that branch, with the same q."""
    period = "2024Q1"
    everything = risk.warnings(panel, None, period)
    everything = everything[everything["rule"] == "satisfaction_drop"]
    branch = everything["unit"].map(
        panel.frame.drop_duplicates("department_code").set_index("department_code")["branch_code"]
    )
    assert not everything.empty
    one = branch.iloc[0]
    cut = risk.warnings(panel, None, period, Filters(grain="quarter", branch=one))
    cut = cut[cut["rule"] == "satisfaction_drop"]
    mine = everything[branch == one]
    assert list(cut["explanation_en"]) == list(mine["explanation_en"])
