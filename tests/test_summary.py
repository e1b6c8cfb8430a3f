"""Counts and coverage shown on the Overview, checked against pandas on the stored tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics import charts, summary
from analytics.db import Database
from tests.satisfaction_support import counted


def test_coverage_equals_a_pandas_count_per_quarter(demo_db_path):
    with Database(demo_db_path) as db:
        coverage = summary.coverage(db)
        activities = db.reader().execute("SELECT activity_date FROM activities").df()
        responses = db.reader().execute("SELECT submitted_at FROM satisfaction_responses").df()
        span = summary.date_range(db)
    expected = pd.PeriodIndex(activities["activity_date"], freq="Q").value_counts()
    got = coverage[coverage["kind"] == "activities"].set_index("period")["records"]
    assert {str(p): n for p, n in expected.items()} == got.to_dict()
    by_quarter = pd.PeriodIndex(responses["submitted_at"], freq="Q").value_counts()
    got = coverage[coverage["kind"] == "satisfaction_responses"].set_index("period")["records"]
    assert {str(p): n for p, n in by_quarter.items()} == got.to_dict()
    assert span[0] == min(activities["activity_date"].min().date(), responses["submitted_at"].min().date())


def test_the_coverage_matrix_shows_a_missing_quarter_as_a_gap():
    coverage = pd.DataFrame(
        {
            "kind": ["activities", "activities", "discipline"],
            "period": ["2024Q1", "2024Q3", "2024Q2"],
            "records": [5, 7, 2],
        }
    )
    matrix = charts.coverage_matrix(coverage)
    assert list(matrix.columns) == ["2024Q1", "2024Q2", "2024Q3"]
    assert matrix.loc["activities"].tolist()[0] == 5 and np.isnan(matrix.loc["activities", "2024Q2"])
    assert matrix.loc["satisfaction_responses"].isna().all()
    figure = charts.coverage_heatmap(coverage, "en")
    assert list(figure.data[0].y) == [
        "Party-building activities",
        "Satisfaction (responses)",
        "Satisfaction (aggregates)",
        "Discipline records",
    ]


def test_respondents_count_responses_once_and_only_the_aggregates_that_count(demo_db_path):
    with Database(demo_db_path) as db:
        responses = db.reader().execute("SELECT * FROM satisfaction_responses").df()
        aggregates = db.reader().execute("SELECT * FROM satisfaction_aggregates").df()
        respondents, uncounted = summary.respondents(db), summary.uncounted_aggregates(db)
        assert summary.hospital_name(db) == "示范市第一人民医院"
    # One source per department × period × population: the demo's quarterly platform aggregates cover the
    # quarters before its own survey went live, its own answers the quarters after, so every aggregate counts.
    # (Aggregates left out are planted and counted in tests/test_one_source.py.)
    covered = ~counted(aggregates, responses)
    assert len(responses) and len(aggregates) and not covered.any()
    assert respondents == len(responses) + aggregates.loc[~covered, "respondents"].sum()
    assert uncounted.empty


def test_an_empty_database_has_no_date_range(tmp_path):
    with Database(tmp_path / "e.duckdb") as db:
        assert summary.date_range(db) is None
        assert summary.coverage(db).empty
        assert summary.hospital_name(db) == "本院"
