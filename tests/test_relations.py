"""The relations analysis against scipy and an independently specified statsmodels model, on the demo
hospital's planted relations and its planted null; the minimum-sample rule; the findings' words."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats
from wildboottest.wildboottest import wildboottest

from analytics import metrics, relations
from analytics.db import Database
from analytics.relations import Relation
from tests.conftest import ORGANISATIONAL_LIFE_CODES


@pytest.fixture(scope="module")
def panel(demo_db_path) -> metrics.Panel:
    with Database(demo_db_path) as db:
        return metrics.build_panel(db, "quarter")


def lagged_frame(panel: metrics.Panel, metric: str, outcome: str, lags: range = range(5)) -> pd.DataFrame:
    """The model's rows, made here with pandas: x0 … x4 from 0 … 4 quarters earlier in the same department, y,
    and the department's branch in the quarter of y; only rows where all are known."""
    frame = panel.frame.copy()
    frame["quarter"] = pd.PeriodIndex(frame["period"], freq="Q")
    data = frame[["department_code", "branch_code", "quarter", f"satisfaction_{outcome}", f"n_{outcome}"]]
    for lag in lags:
        earlier = frame[["department_code", "quarter", metric]].assign(quarter=lambda d, k=lag: d["quarter"] + k)
        data = data.merge(earlier.rename(columns={metric: f"x{lag}"}), on=["department_code", "quarter"])
    data = data.rename(columns={f"satisfaction_{outcome}": "y", f"n_{outcome}": "n"})
    return data.dropna().assign(q=lambda d: d["quarter"].astype(str)).reset_index(drop=True)


@pytest.fixture(scope="module")
def family(panel) -> dict:
    return {(r.metric, r.outcome, r.lag): r for r in relations.analyse_all(panel)}


@pytest.mark.parametrize(
    ("metric", "outcome", "weighted"),
    [
        ("meeting_compliance", "inpatient", False),
        ("service_hours_per_member", "outpatient", False),
        ("meeting_compliance", "inpatient", True),
    ],
)
def test_the_distributed_lag_model_equals_statsmodels_and_the_wild_bootstrap_equals_wildboottest(
    panel, metric, outcome, weighted
):
    """Every lag from one model with lags 0–4 together, department and quarter effects, errors clustered by
    branch: coefficients, SEs and t(G − 1) p/CI against a statsmodels formula fit; with 18–21 branches (< 30)
    p comes from the wild cluster bootstrap, checked against the wildboottest package's own function on that
    full model (not the product's partialled one), and the CI's ends are where that test's p crosses 0.05."""
    profile = relations.analyse_profile(panel, metric, outcome, weighted=weighted)
    data = lagged_frame(panel, metric, outcome)
    assert [r.lag for r in profile] == [0, 1, 2, 3, 4] and {r.n for r in profile} == {len(data)}
    formula = "y ~ x0 + x1 + x2 + x3 + x4 + C(department_code) + C(q)"
    model = smf.wls(formula, data, weights=data["n"]) if weighted else smf.ols(formula, data)
    branches = np.unique(data["branch_code"], return_inverse=True)[1]  # clusters numbered in code order
    fit = model.fit(cov_type="cluster", cov_kwds={"groups": branches}, use_t=True)
    assert fit.df_resid_inference == data["branch_code"].nunique() - 1 < 29
    for result in profile:
        name, fe = f"x{result.lag}", result.fixed_effects
        assert fe["clusters"] == {"level": "branch", "n": data["branch_code"].nunique()}
        assert fe["coef"] == pytest.approx(fit.params[name], abs=1e-7)
        assert fe["se"] == pytest.approx(fit.bse[name], abs=1e-7)
        assert fe["cluster_t"]["p"] == pytest.approx(fit.pvalues[name], rel=1e-6, abs=1e-300)
        assert fe["cluster_t"]["ci"] == pytest.approx(list(fit.conf_int().loc[name]), abs=1e-7)
        x = data[name]
        assert result.pearson == {"r": pytest.approx(stats.pearsonr(x, data["y"]).statistic, abs=1e-12)}
        assert result.spearman == {"rho": pytest.approx(stats.spearmanr(x, data["y"]).statistic, abs=1e-12)}
        assert fe["inference"] == "wild_bootstrap" and fe["bootstrap"] == {"draws": 1999, "weights": "rademacher"}
    if weighted:
        return  # wildboottest's function takes no weights; the WLS rows are the scaled OLS ones checked above
    seed = relations._seed(metric, outcome)
    for result in profile[:2]:  # lag 0 (no effect planted) and lag 1 (planted, for compliance)
        name, fe = f"x{result.lag}", result.fixed_effects

        def library_p(null: float, name=name, lag=result.lag) -> float:
            shifted = smf.ols(formula, data.assign(y=data["y"] - null * data[name]))
            p = wildboottest(shifted, B=1999, cluster=branches, param=name, seed=seed + lag, show=False)
            return float(p["p-value"].iloc[0])

        assert fe["p"] == pytest.approx(library_p(0.0), abs=1e-12)
        if result.lag == 0:
            continue
        for end, outward in ((fe["ci"][0], -1), (fe["ci"][1], 1)):
            assert library_p(end - outward * 0.01 * fe["se"]) >= 0.05 > library_p(end + outward * 0.01 * fe["se"])


def test_the_planted_relations_are_found_with_their_sign_and_lag_and_nothing_unplanted(family):
    for metric, outcome, lag, slope in (
        ("meeting_compliance", "inpatient", 1, 0.08),
        ("service_hours_per_member", "outpatient", 0, 1.0),
    ):
        result = family[(metric, outcome, lag)]
        assert result.fixed_effects["coef"] > 0 and result.q < 0.05 and result.significant
        assert result.fixed_effects["ci"][0] < slope < result.fixed_effects["ci"][1] * 1.15
        assert "higher" in result.finding["en"] and "高" in result.finding["zh"]
    # Nothing survives at an outcome or lag the demo does not plant (party metrics are made of the planted
    # ones, so the index may share their findings); the planted null (staff) has none.
    found = {(r.metric, r.outcome, r.lag) for r in relations.surviving(list(family.values()))}
    planted = {("inpatient", 1), ("outpatient", 0)}
    assert {(outcome, lag) for _, outcome, lag in found} <= planted, found
    assert all(metric in metrics.PARTY_FIGURES for metric, _, _ in found), found
    for metric in relations.METRICS:
        for lag in relations.LAGS:
            result = family[(metric, "staff", lag)]
            assert not result.significant, (metric, lag, result.q)
            if result.fixed_effects is not None:
                assert result.finding["en"].startswith("No reliable within-department association")


def test_one_model_for_all_lags_does_not_smear_a_lag_one_effect_over_its_neighbours():
    """Generated data: a persistent metric (AR(1), ρ = 0.9) acts on y one period later only. Fitted one lag at a
    time, lags 0 and 2 soak up the lag-1 effect and look "significant"; in one model with lags 0–4 only lag 1
    is (issue 13, point 2)."""
    rng = np.random.default_rng(7)
    rows = []
    for d in range(40):
        x = [rng.normal(0, 1)]
        for _ in range(15):
            x.append(0.9 * x[-1] + rng.normal(0, 0.5))
        for period in range(1, 16):
            y = 80 + d % 5 + 0.8 * x[period - 1] + rng.normal(0, 0.5)
            rows.append({"department_code": f"D{d}", "period": f"P{period:02d}", "x_now": x[period], "y": y})
    frame = pd.DataFrame(rows).sort_values(["department_code", "period"])
    for lag in range(5):
        frame[f"x{lag}"] = frame.groupby("department_code")["x_now"].shift(lag)
    data = frame.dropna().assign(n=1.0)
    together = relations.fixed_effects(data, regressors=[f"x{lag}" for lag in range(5)])
    alone = {lag: relations.fixed_effects(data.assign(x=data[f"x{lag}"])) for lag in (0, 2)}
    assert together["x1"]["p"] < 0.001 and together["x1"]["ci"][0] < 0.8 < together["x1"]["ci"][1]
    assert all(together[f"x{lag}"]["p"] > 0.01 for lag in (0, 2, 3, 4))
    assert all(alone[lag]["p"] < 0.001 for lag in (0, 2))


def test_attendance_is_measured_over_organisational_life_so_service_leaves_no_artefact(panel, family, demo_db_path):
    """The demo plants nothing on attendance. Counted over every activity, attendance fell whenever a branch did
    more service (service events expect the whole branch, ~29 % come) and "related" to outpatient satisfaction
    (q < 0.001). Over organisational-life meetings only (issue 13, point 2), no attendance → outpatient finding
    survives at any lag; and the rate equals attended ÷ expected over those meetings, computed here."""
    for lag in relations.LAGS:
        assert family[("attendance_rate", "outpatient", lag)].q > 0.05, lag
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
        pearson={"r": 0.4},
        spearman={"rho": 0.4},
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
    # Correlations are descriptive: no p that would treat department-periods as independent.
    assert set(record["pearson"]) == {"r"} and set(record["spearman"]) == {"rho"}
    fields = {"coef", "se", "ci", "p", "clusters", "inference", "cluster_t", "bootstrap"}
    assert set(record["fixed_effects"]) == fields
    assert record["model"] == {"kind": "distributed_lag", "lags": [0, 1, 2, 3, 4]}
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
