"""The demo hospital: deterministic, realistic in size, and carrying the relations its docstring documents.

The planted relations are re-derived here from the stored tables with pandas and scipy alone: the 三会一课
compliance and service hours are recomputed from the activities, satisfaction from the one source each
department × quarter × population has (the national platform's aggregates before the hospital's own survey
went live in 2024Q3, the hospital's own responses from then on).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analytics import demo, summary
from analytics.db import Database
from analytics.privacy import pseudonymise
from analytics.queries import RECORD_TABLES

# 三会一课: the four meetings (not the theme party day), with their quarterly requirement.
REQUIRED_PER_QUARTER = {
    "branch_committee_meeting": 3,
    "party_group_meeting": 3,
    "branch_general_meeting": 1,
    "party_lecture": 1,
}
SERVICE = ["volunteer_service", "free_clinic", "health_education"]


def read_tables(path) -> dict[str, pd.DataFrame]:
    with Database(path) as db:
        return {t: db.reader().execute(f"SELECT * FROM {t}").df() for t in RECORD_TABLES if t != "import_batches"}


@pytest.fixture(scope="module")
def tables(demo_db_path) -> dict[str, pd.DataFrame]:
    return read_tables(demo_db_path)


def test_the_same_seed_gives_identical_tables_and_another_seed_does_not(demo_db_path, tmp_path):
    again = tmp_path / "again.duckdb"
    with Database(again) as db:
        # The same pseudonymisation secret, so the persons' pseudonyms are comparable too.
        with Database(demo_db_path) as original:
            secret = original.pseudonym_secret()
        Path(f"{again}.key").write_text(secret)
        demo.build(db, seed=1)
    first, second = read_tables(demo_db_path), read_tables(again)
    for name in first:
        pd.testing.assert_frame_equal(first[name], second[name], obj=name)

    other = demo.generate(seed=2)
    assert not other.activities.equals(demo.generate(seed=1).activities)


def test_the_demo_hospital_is_sized_like_a_1500_bed_hospital(tables):
    assert len(tables["branches"]) == 24
    assert len(tables["departments"]) == 40
    assert tables["branches"]["is_joint"].sum() >= 6
    assert set(tables["departments"]["branch_code"]) == set(tables["branches"]["branch_code"])
    assert 12_000 <= len(tables["satisfaction_responses"]) <= 18_000  # six quarters of the hospital's own survey
    quarters = pd.PeriodIndex(tables["activities"]["activity_date"], freq="Q")
    assert quarters.min() == pd.Period("2023Q1") and quarters.max() == pd.Period("2025Q4")
    assert set(tables["satisfaction_aggregates"]["population"]) == {"outpatient", "inpatient", "staff"}
    assert (tables["satisfaction_aggregates"]["respondents"] < 10).any(), "some small groups to suppress"
    assert tables["discipline_records"]["category"].nunique() >= 10


def test_one_satisfaction_source_per_cell_the_platform_before_the_own_survey_and_the_responses_after(
    tables, demo_db_path
):
    """Before the hospital's own survey went live (2024Q3) only the national platform's quarterly aggregates,
    from then on only the hospital's own responses, of the same departments and populations: no department ×
    quarter × population has two sources, so every aggregate counts and the satisfaction page leaves none out."""
    responses, aggregates = tables["satisfaction_responses"], tables["satisfaction_aggregates"]
    answered = pd.PeriodIndex(responses["submitted_at"], freq="Q")
    aggregated = pd.PeriodIndex(pd.to_datetime(aggregates["period_start"]), freq="Q")
    assert answered.min() == pd.Period("2024Q3") and answered.max() == pd.Period("2025Q4")
    assert aggregated.min() == pd.Period("2023Q1") and aggregated.max() == pd.Period("2024Q2")
    assert set(aggregates["period_grain"]) == {"quarter"}
    assert set(responses["population"]) == set(aggregates["population"]) == {"outpatient", "inpatient", "staff"}
    # The platform reports every department and population it surveys in each of the six quarters, once.
    platform = aggregates.groupby(["department_code", "population"])["period_start"].nunique()
    assert (platform == 6).all() and len(aggregates) == 6 * len(platform) == 612
    own = pd.DataFrame({"d": responses["department_code"], "p": responses["population"]}).drop_duplicates()
    assert set(zip(own["d"], own["p"], strict=True)) == set(platform.index)  # the same groups, surveyed by both
    with Database(demo_db_path) as db:
        assert summary.uncounted_aggregates(db).empty
        assert summary.respondents(db) == len(responses) + aggregates["respondents"].sum()


def test_scale_multiplies_only_the_responses():
    small, big = demo.generate(seed=3, scale=1), demo.generate(seed=3, scale=4)
    assert 3.6 < len(big.responses) / len(small.responses) < 4.4
    assert len(big.activities) == len(small.activities)
    assert len(big.aggregates) == len(small.aggregates)


def test_no_person_is_stored_by_name(demo_db_path):
    generated = demo.generate(seed=1).discipline
    names = {name for persons in generated["persons"] for name in persons}
    assert names
    with Database(demo_db_path) as db:
        stored = db.reader().execute("SELECT persons_pseudonymised FROM discipline_records").df()
        secret = db.pseudonym_secret()
        dump = db.reader().execute("SELECT * FROM discipline_records").df().to_string()
    pseudonyms = {p for persons in stored["persons_pseudonymised"] for p in persons}
    assert pseudonyms == {pseudonymise(name, secret) for name in names}
    assert not any(name in dump for name in names)


def quarterly_metrics(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """三会一课 compliance (%) and service hours per member, per branch × quarter, from the activities."""
    activities = tables["activities"].assign(q=lambda d: pd.PeriodIndex(d["activity_date"], freq="Q"))
    branches = tables["branches"].set_index("branch_code")
    grid = pd.MultiIndex.from_product(
        [branches.index, pd.period_range("2023Q1", "2025Q4", freq="Q")], names=["branch_code", "q"]
    )
    held = activities.groupby(["branch_code", "q", "activity_type"]).size().unstack(fill_value=0).reindex(grid)
    held = held.fillna(0)
    compliance = sum(np.minimum(held[k] / n, 1) for k, n in REQUIRED_PER_QUARTER.items())
    service = activities[activities["activity_type"].isin(SERVICE)]
    person_hours = (service["hours"] * service["attended"]).groupby([service["branch_code"], service["q"]]).sum()
    members = branches["member_count"].reindex(grid.get_level_values("branch_code")).to_numpy()
    metrics = pd.DataFrame(
        {
            "meeting_compliance": 100 * compliance / len(REQUIRED_PER_QUARTER),
            "service_hours_per_member": person_hours.reindex(grid, fill_value=0) / members,
        }
    ).reset_index()
    return metrics


def satisfaction(tables, population: str) -> pd.DataFrame:
    """Department × quarter satisfaction (`score`) from its one source: the mean of the responses, or the
    platform's quarterly aggregate score where the quarter has no responses."""
    responses = tables["satisfaction_responses"]
    responses = responses[responses["population"] == population].assign(
        q=lambda d: pd.PeriodIndex(d["submitted_at"], freq="Q")
    )
    answered = responses.groupby(["department_code", "q"], as_index=False)["score"].mean()
    aggregates = tables["satisfaction_aggregates"]
    aggregates = aggregates[aggregates["population"] == population]
    aggregated = pd.DataFrame(
        {
            "department_code": aggregates["department_code"],
            "q": pd.PeriodIndex(pd.to_datetime(aggregates["period_start"]), freq="Q"),
            "score": aggregates["score"],
        }
    )
    y = pd.concat([answered, aggregated], ignore_index=True)
    assert not y.duplicated(["department_code", "q"]).any(), "two sources for one department-quarter"
    return y


def within_department(tables, population: str, metric: str, lag: int) -> tuple[float, float, float]:
    """Slope, r and p of department × quarter satisfaction on the lagged metric, both demeaned
    by department and by quarter (two-way within transformation)."""
    metrics = quarterly_metrics(tables)
    metrics["x"] = metrics.groupby("branch_code")[metric].shift(lag)
    y = satisfaction(tables, population)
    panel = y.merge(tables["departments"][["department_code", "branch_code"]]).merge(metrics).dropna(subset=["x"])
    for column in ("x", "score"):
        col = panel[column]
        panel[column] = (
            col
            - col.groupby(panel["department_code"]).transform("mean")
            - col.groupby(panel["q"]).transform("mean")
            + col.mean()
        )
    slope = stats.linregress(panel["x"], panel["score"]).slope
    r, p = stats.pearsonr(panel["x"], panel["score"])
    return slope, r, p


@pytest.mark.parametrize("planted", demo.PLANTED, ids=lambda p: f"{p.metric}->{p.outcome.value}")
def test_each_planted_relation_is_there_with_its_lag_and_strength(tables, planted):
    slope, r, p = within_department(tables, planted.outcome.value, planted.metric, planted.lag)
    assert p < 1e-6 and r > 0.3
    assert planted.slope * 0.75 < slope < planted.slope * 1.25, (slope, planted.slope)
    # At a wrong lag the relation is gone: the lag is part of what was planted.
    _, r_wrong_lag, _ = within_department(tables, planted.outcome.value, planted.metric, 1 - planted.lag)
    assert abs(r_wrong_lag) < 0.15


def test_staff_satisfaction_is_the_planted_null(tables):
    """No party metric relates to staff satisfaction at lag 0 or 1: no correlation of any size, and none
    significant once the four tests are corrected for together (Benjamini-Hochberg, as the analyses do)."""
    assert demo.PLANTED_NULL.value == "staff"
    results = [
        within_department(tables, "staff", metric, lag)
        for metric in ("meeting_compliance", "service_hours_per_member")
        for lag in (0, 1)
    ]
    assert all(abs(r) < 0.12 for _, r, _ in results), results
    q_values = stats.false_discovery_control([p for _, _, p in results])
    assert min(q_values) > 0.05, results
