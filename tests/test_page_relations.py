"""The relations page (关联分析) through AppTest: the planted relation found in words and in the regression
table (checked against an independent statsmodels fit), the planted null said as a null, both languages,
filters and the branch level, the sample files (too few departments: said clearly) and an empty database."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from streamlit.testing.v1 import AppTest

from analytics import metrics, relations
from analytics.db import Database
from analytics.i18n import t
from analytics.imports.importer import import_files
from analytics.imports.model import SourceFile
from tests.conftest import SAMPLES
from tests.page_support import add_test_accounts, open_app_page, plotly_specs

TIMEOUT = 90


def plain(markdown: str) -> str:
    """The text a reader sees: the page escapes markdown characters in data-made sentences."""
    return markdown.replace("\\", "")


def open_page(db_path, monkeypatch, lang: str = "zh", **state: str) -> AppTest:
    """The page after the app's first run, with filters preset in session state (f_grain, f_from ...)."""
    return open_app_page("pages/relations.py", db_path, monkeypatch, lang, TIMEOUT, **state)


def choose(at: AppTest, metric: str, outcome: str, lag: int) -> AppTest:
    at.selectbox(key="rel_metric").set_value(metric)
    at.selectbox(key="rel_outcome").set_value(outcome)
    at.selectbox(key="rel_lag").set_value(lag).run()
    assert not at.exception, at.exception
    return at


def regression_rows(at: AppTest, lang: str) -> pd.DataFrame:
    frame = next(df.value for df in at.dataframe if t("relations.col.effect", lang) in df.value.columns)
    return frame.set_index(t("relations.col.lag", lang))


def within_coefficients(db_path) -> pd.Series:
    """Inpatient satisfaction on 三会一课 compliance 0–4 quarters earlier in one model, department and quarter
    effects, fitted here with a statsmodels formula on the panel's columns."""
    with Database(db_path) as db:
        frame = metrics.build_panel(db, "quarter").frame
    frame = frame.sort_values(["department_code", "period_start"])
    for lag in range(5):
        frame[f"x{lag}"] = frame.groupby("department_code")["meeting_compliance"].shift(lag)
    data = frame.dropna(subset=[*(f"x{lag}" for lag in range(5)), "satisfaction_inpatient"])
    data = data.rename(columns={"satisfaction_inpatient": "y"})
    return smf.ols("y ~ x0 + x1 + x2 + x3 + x4 + C(department_code) + C(period)", data).fit().params


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_planted_relation_is_found_and_said_in_words(demo_db_path, monkeypatch, lang):
    at = choose(open_page(demo_db_path, monkeypatch, lang), "meeting_compliance", "inpatient", 1)
    assert at.title[0].value == t("relations.title", lang)
    finding = plain(at.success[0].value)
    # Per 10 points of compliance, from the independent fit: the planted 0.8, estimated (0.7 on seed 1).
    coefficient = within_coefficients(demo_db_path)["x1"]
    assert 0.06 < coefficient < 0.10
    higher = f"高 {10 * coefficient:.1f} 分" if lang == "zh" else f"{10 * coefficient:.1f} points higher"
    assert higher in finding and ("不能证明因果" in finding or "not proof of cause" in finding)
    rows = regression_rows(at, lang)
    assert list(rows.index) == [0, 1, 2, 3, 4]
    assert float(rows.loc[1, t("relations.col.effect", lang)]) == pytest.approx(10 * coefficient, abs=5e-3)
    assert rows.loc[1, t("relations.col.q", lang)] == "< 0.001"
    # The leaders' table names no test; the method, SE, p and the descriptive correlations are in the details.
    assert t("relations.col.inference", lang) not in rows.columns and t("relations.col.p", lang) not in rows.columns
    details = next(df.value for df in at.dataframe if t("relations.col.inference", lang) in df.value.columns)
    assert set(details[t("relations.col.inference", lang)]) == {t("relations.inference.wild_bootstrap", lang)}


def test_the_page_opens_on_the_strongest_surviving_finding_with_a_scatter_of_its_sign(demo_db_path, monkeypatch):
    """Unpicked, the page shows every finding that survives correction and opens on the strongest; its scatter
    is of within-department deviations, and the least-squares slope through the drawn points (numpy) is the
    finding's effect, with the finding's sign; the heatmap's colour is that same effect per step."""
    at = open_page(demo_db_path, monkeypatch, "en")
    with Database(demo_db_path) as db:
        found = relations.surviving(relations.analyse_all(metrics.build_panel(db, "quarter")))
    first = found[0]
    chosen = (at.session_state["rel_metric"], at.session_state["rel_outcome"], at.session_state["rel_lag"])
    assert chosen == (first.metric, first.outcome, first.lag)
    assert chosen in {("service_hours_per_member", "outpatient", 0), ("meeting_compliance", "inpatient", 1)}
    listed = plain(next(m.value for m in at.markdown if m.value.startswith("1. ")))
    assert all(r.finding["en"] in listed for r in found) and listed.count("\n") == len(found) - 1
    assert plain(at.success[0].value) == first.finding["en"]
    specs = plotly_specs(at)
    scatter = next(s for s in specs if any(tr.get("name") == t("relations.chart.fit", "en") for tr in s["data"]))
    points = [tr for tr in scatter["data"] if tr.get("mode") == "markers"]
    x = np.concatenate([np.asarray(tr["x"], dtype=float) for tr in points])
    y = np.concatenate([np.asarray(tr["y"], dtype=float) for tr in points])
    slope = np.polyfit(x, y, 1)[0]
    assert slope == pytest.approx(first.fixed_effects["coef"], rel=1e-6) and slope > 0
    fit = next(tr for tr in scatter["data"] if tr.get("name") == t("relations.chart.fit", "en"))
    assert np.sign(fit["y"][-1] - fit["y"][0]) == np.sign(first.fixed_effects["coef"])
    heatmap = next(s for s in specs if s["data"][0]["type"] == "heatmap")["data"][0]
    row = heatmap["y"].index(t(f"metric.{first.metric}", "en"))
    column = heatmap["x"].index(t(f"metric.satisfaction_{first.outcome}", "en"))
    effect = first.fixed_effects["coef"] * relations.STEP[first.metric]
    assert heatmap["z"][row][column] == pytest.approx(effect) and heatmap["text"][row][column].endswith("★")


def test_the_planted_null_is_said_as_a_null(demo_db_path, monkeypatch):
    at = choose(open_page(demo_db_path, monkeypatch, "en"), "service_hours_per_member", "staff", 0)
    assert not at.success
    assert any(plain(box.value).startswith("No reliable within-department association") for box in at.info)


def test_filters_and_the_branch_level_change_the_analysis(demo_db_path, monkeypatch):
    at = choose(open_page(demo_db_path, monkeypatch, "zh"), "meeting_compliance", "inpatient", 1)
    departments = regression_rows(at, "zh").loc[1, t("relations.col.departments", "zh")]
    at.selectbox(key="rel_level").set_value("branch").run()
    assert not at.exception
    branches = regression_rows(at, "zh").loc[1, t("relations.col.departments", "zh")]
    assert branches < departments  # 24 branches hold the 28 clinical departments with inpatients
    at.selectbox(key="rel_level").set_value("department").run()
    unweighted = regression_rows(at, "zh").loc[1, t("relations.col.effect", "zh")]
    at.toggle(key="rel_weighted").set_value(True).run()
    weighted = regression_rows(at, "zh").loc[1, t("relations.col.effect", "zh")]
    assert weighted != unweighted and float(weighted) > 0  # WLS by respondents, still the planted sign
    at.toggle(key="rel_weighted").set_value(False).run()
    at.sidebar.selectbox(key="w_cat").set_value("administrative").run()
    assert not at.exception
    # Administrative departments have no inpatients: nothing pairs up, and the page says so.
    assert any(t("relations.reason.not_enough_data", "zh") in str(v) for v in regression_rows(at, "zh").iloc[:, -1])
    assert any("数据不足" in plain(box.value) for box in at.info)


def test_on_the_sample_files_the_page_says_why_data_is_insufficient(tmp_path, monkeypatch):
    path = tmp_path / "samples.duckdb"
    with Database(path) as db:
        names = ["branches_utf8bom.csv", "departments_gbk.csv", "activities_2024_utf8bom.csv"]
        names += ["satisfaction_responses_gbk.csv", "satisfaction_quarterly_2024.xlsx", "discipline_2024.xlsx"]
        assert import_files(db, [SourceFile.from_path(SAMPLES / n) for n in names]).ok
        add_test_accounts(db)
    at = open_page(path, monkeypatch, "en")
    text = plain(at.info[0].value)
    assert text.startswith("Not enough data") and "below the minimum sample" in text
    assert not at.success


def test_an_empty_database_points_to_the_import_page(tmp_path, monkeypatch):
    add_test_accounts(tmp_path / "empty.duckdb")
    at = open_page(tmp_path / "empty.duckdb", monkeypatch, "zh")
    assert "请导入满意度和党建活动数据" in plain(at.info[0].value)
