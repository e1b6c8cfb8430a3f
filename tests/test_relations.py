"""The relations analysis against scipy and an independently specified statsmodels model, on the demo
hospital's planted relations and its planted null; the minimum-sample rule; the findings' words."""

from __future__ import annotations

import dataclasses
import json
import math
import subprocess
import sys

import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats

from analytics import metrics, relations
from analytics.db import Database
from analytics.relations import Relation
from tests.conftest import ORGANISATIONAL_LIFE_CODES


@pytest.fixture(scope="module")
def panel(demo_db_path) -> metrics.Panel:
    with Database(demo_db_path) as db:
        return metrics.build_panel(db, "quarter")


def lagged_pairs(panel: metrics.Panel, metric: str, outcome: str, lag: int) -> pd.DataFrame:
    """The pairs, made here with pandas: x from `lag` quarters earlier in the same department."""
    frame = panel.frame.copy()
    frame["quarter"] = pd.PeriodIndex(frame["period"], freq="Q")
    earlier = frame[["department_code", "quarter", "branch_code", metric]].assign(quarter=lambda d: d["quarter"] + lag)
    data = frame[["department_code", "quarter", f"satisfaction_{outcome}", f"n_{outcome}"]].merge(
        earlier, on=["department_code", "quarter"]
    )
    data = data.rename(columns={metric: "x", f"satisfaction_{outcome}": "y", f"n_{outcome}": "n"})
    return data.dropna(subset=["x", "y"]).assign(q=lambda d: d["quarter"].astype(str))


@pytest.mark.parametrize(
    ("metric", "outcome", "lag", "weighted"),
    [
        ("meeting_compliance", "inpatient", 1, False),
        ("service_hours_per_member", "outpatient", 0, False),
        ("party_index", "staff", 2, False),
        ("meeting_compliance", "inpatient", 1, True),
    ],
)
def test_statistics_equal_scipy_and_statsmodels(panel, metric, outcome, lag, weighted):
    result = relations.analyse(panel, metric, outcome, lag, weighted=weighted)
    data = lagged_pairs(panel, metric, outcome, lag)
    assert result.n == len(data) and result.n_departments == data["department_code"].nunique()

    r, p = stats.pearsonr(data["x"], data["y"])
    z, se = math.atanh(r), 1 / math.sqrt(len(data) - 3)  # Fisher's z and its standard error
    assert result.pearson["r"] == pytest.approx(r, abs=1e-12)
    assert result.pearson["p"] == pytest.approx(p, rel=1e-9, abs=1e-300)
    z95 = stats.norm.ppf(0.975)
    assert result.pearson["ci"] == pytest.approx([math.tanh(z - z95 * se), math.tanh(z + z95 * se)], abs=1e-9)
    rho, p_rho = stats.spearmanr(data["x"], data["y"])
    assert result.spearman["rho"] == pytest.approx(rho, abs=1e-12)
    assert result.spearman["p"] == pytest.approx(p_rho, rel=1e-9, abs=1e-300)

    # Party metrics are their branch's: errors clustered by the branch whose figure x is, t with branches − 1 df.
    formula = "y ~ x + C(department_code) + C(q)"
    groups = pd.factorize(data["branch_code"])[0]
    model = smf.wls(formula, data, weights=data["n"]) if weighted else smf.ols(formula, data)
    fit = model.fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
    assert fit.df_resid_inference == data["branch_code"].nunique() - 1
    assert result.fixed_effects["clusters"] == {"level": "branch", "n": data["branch_code"].nunique()}
    assert f"{data['branch_code'].nunique()} 个党支部、{result.n_departments} 个科室" in result.finding["zh"]
    fe = result.fixed_effects
    assert fe["coef"] == pytest.approx(fit.params["x"], abs=1e-6)
    assert fe["se"] == pytest.approx(fit.bse["x"], abs=1e-6)
    assert fe["p"] == pytest.approx(fit.pvalues["x"], rel=1e-6, abs=1e-300)
    assert fe["ci"] == pytest.approx(list(fit.conf_int().loc["x"]), abs=1e-6)


def test_the_planted_relations_are_found_with_their_sign_and_lag(panel):
    found = {(r.metric, r.outcome, r.lag): r for r in relations.analyse_all(panel)}
    for metric, outcome, lag, slope in (
        ("meeting_compliance", "inpatient", 1, 0.08),
        ("service_hours_per_member", "outpatient", 0, 1.0),
    ):
        result = found[(metric, outcome, lag)]
        assert result.fixed_effects["coef"] > 0 and result.fixed_effects["p"] < 0.05 and result.q < 0.05
        assert result.fixed_effects["ci"][0] < slope < result.fixed_effects["ci"][1] * 1.1
        assert "higher" in result.finding["en"] and "高" in result.finding["zh"]
    # The planted null: staff satisfaction is related to neither planted metric at lag 0 or 1.
    for metric in ("meeting_compliance", "service_hours_per_member"):
        for lag in (0, 1):
            result = found[(metric, "staff", lag)]
            assert result.q > 0.05, (metric, lag, result.q)
            assert result.finding["en"].startswith("No reliable within-department association")


def test_attendance_is_measured_over_organisational_life_so_service_leaves_no_artefact(panel, demo_db_path):
    """The demo plants nothing on attendance. Counted over every activity, attendance fell whenever a branch did
    more service (service events expect the whole branch, ~29 % come) and "related" to outpatient satisfaction
    (q < 0.001). Over organisational-life meetings only (issue 13, point 2), no attendance → outpatient finding
    survives at any lag; and the rate equals attended ÷ expected over those meetings, computed here."""
    found = {(r.metric, r.outcome, r.lag): r for r in relations.analyse_all(panel)}
    for lag in relations.LAGS:
        assert found[("attendance_rate", "outpatient", lag)].q > 0.05, lag
    with Database(demo_db_path) as db:
        raw = db.reader().execute("SELECT * FROM activities WHERE status = 'held' AND expected > 0").df()
    raw["period"] = pd.PeriodIndex(raw["activity_date"], freq="Q").astype(str)  # "2024Q1", as the panel
    meetings = raw[raw["activity_type"].isin(ORGANISATIONAL_LIFE_CODES)]
    rates = (
        100
        * meetings.groupby(["branch_code", "period"])["attended"].sum()
        / meetings.groupby(["branch_code", "period"])["expected"].sum()
    )
    shown = panel.frame.drop_duplicates(["branch_code", "period"]).set_index(["branch_code", "period"])
    common = rates.index.intersection(shown.index)
    assert len(common) > 100
    assert shown.loc[common, "attendance_rate"].to_numpy() == pytest.approx(rates.loc[common].to_numpy())


def test_below_the_minimum_sample_no_statistic_is_reported(panel):
    strict = dataclasses.replace(
        panel, settings=panel.settings.model_copy(update={"relations_min_n": 1000, "relations_min_departments": 8})
    )
    result = relations.analyse(strict, "meeting_compliance", "inpatient", 1)
    assert result.reason == "not_enough_data"
    assert result.pearson is None and result.spearman is None and result.fixed_effects is None
    assert "Not enough data" in result.finding["en"] and "数据不足" in result.finding["zh"]
    assert str(result.n) in result.finding["en"]
    few = dataclasses.replace(
        panel, settings=panel.settings.model_copy(update={"relations_min_n": 30, "relations_min_departments": 41})
    )
    assert relations.analyse(few, "party_index", "staff", 0).reason == "not_enough_data"


def relation(coef: float, lo: float, hi: float, p: float, q: float | None = None) -> Relation:
    result = Relation(
        "party_index",
        "inpatient",
        1,
        396,
        36,
        pearson={"r": 0.4, "ci": [0.3, 0.5], "p": 0.001},
        spearman={"rho": 0.4, "p": 0.001},
        fixed_effects={"coef": coef, "se": 0.03, "ci": [lo, hi], "p": p},
        q=q,
    )
    result.finding = relations.finding(result)
    return result


def test_findings_in_both_languages_for_positive_negative_and_null_results():
    positive = relation(0.18, 0.11, 0.25, 0.0001, q=0.001).finding
    assert positive["en"] == (
        "Departments whose party-building index rose by 10 saw inpatient satisfaction 1.8 points higher the next "
        "quarter (95% CI 1.1 to 2.5; p < 0.001; q = 0.001 after correcting for the many pairs tested; "
        "within-department; 36 departments, 396 department-periods). This is an association, not proof of cause."
    )
    assert "党建指数每提高 10" in positive["zh"] and "高 1.8 分" in positive["zh"] and "不能证明因果" in positive["zh"]
    negative = relation(-0.05, -0.08, -0.02, 0.002).finding
    assert "0.5 points lower" in negative["en"] and "95% CI -0.8 to -0.2" in negative["en"]
    assert "低 0.5 分" in negative["zh"]
    # Significant alone but not after correcting for many pairs: said as a null result.
    null = relation(0.05, -0.01, 0.11, 0.04, q=0.3).finding
    assert null["en"].startswith("No reliable within-department association")
    assert "does not prove there is none" in null["en"]
    assert null["zh"].startswith("未发现") and "不等于证明没有关联" in null["zh"]


def test_cli_relations_prints_the_specified_json(demo_db_copy):
    command = [sys.executable, "-m", "analytics", "relations", "--db", str(demo_db_copy)]
    result = subprocess.run(
        [*command, "--metric", "meeting_compliance", "--outcome", "inpatient", "--lag", "1", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert set(record) >= {"metric", "outcome", "lag", "n", "n_departments", "pearson", "spearman", "fixed_effects"}
    assert set(record["pearson"]) == {"r", "ci", "p"} and set(record["spearman"]) == {"rho", "p"}
    assert set(record["fixed_effects"]) == {"coef", "se", "ci", "p", "clusters"}
    assert set(record["finding"]) == {"zh", "en"}
    # The 18 branches whose departments have inpatients (medical-technical and administrative ones have none).
    assert record["fixed_effects"]["clusters"] == {"level": "branch", "n": 18}
    assert record["fixed_effects"]["coef"] > 0 and record["fixed_effects"]["p"] < 0.05
    every = subprocess.run([*command, "--all", "--json"], capture_output=True, text=True, check=False)
    assert every.returncode == 0, every.stderr
    rows = json.loads(every.stdout)
    assert len(rows) == len(relations.METRICS) * len(relations.OUTCOMES) * len(relations.LAGS)
    assert all(r["q"] is None or 0 <= r["q"] <= 1 for r in rows)
    # The single pair reports its family's q, and so says what --all says about it (issue 13, point 4).
    (same,) = [r for r in rows if (r["metric"], r["outcome"], r["lag"]) == ("meeting_compliance", "inpatient", 1)]
    assert record["q"] == same["q"] is not None and record["finding"] == same["finding"]
    tested = [r for r in rows if r["fixed_effects"] is not None]
    expected = stats.false_discovery_control([r["fixed_effects"]["p"] for r in tested], method="bh")
    assert record["q"] == pytest.approx(expected[tested.index(same)])
    usage = subprocess.run([*command, "--metric", "party_index"], capture_output=True, text=True, check=False)
    assert usage.returncode == 2 and "--outcome" in usage.stderr
