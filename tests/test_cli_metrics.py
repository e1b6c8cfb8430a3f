"""`python -m analytics metrics` and `warnings`, checked by hand computations on the raw sample files.

The sample files (../shared/samples, copied in tests/samples) are imported as a user would; the expected
figures are computed with pandas straight from the files, not from the database.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from analytics.db import Database
from analytics.imports.importer import import_files
from analytics.imports.model import SourceFile
from tests.conftest import SAMPLES

AS_OF = "2025-01-15"
SAMPLE_FILES = (
    "branches_utf8bom.csv",
    "departments_gbk.csv",
    "activities_2024_utf8bom.csv",
    "satisfaction_responses_gbk.csv",
    "satisfaction_quarterly_2024.xlsx",
    "discipline_2024.xlsx",
)
POPULATIONS = {"门诊患者": "outpatient", "住院患者": "inpatient", "医务人员": "staff"}
FOUR_FORMS_AND_EIGHT_POINT = {"第一种形态", "第二种形态", "第三种形态", "第四种形态", "违反八项规定"}


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analytics", *args], capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def samples_db(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("samples") / "samples.duckdb"
    with Database(path) as db:
        result = import_files(db, [SourceFile.from_path(SAMPLES / name) for name in SAMPLE_FILES])
        assert result.ok, result
    return str(path)


@pytest.fixture(scope="module")
def department_quarters(samples_db) -> dict[tuple[str, str], dict]:
    result = run_cli("metrics", "--db", samples_db, "--level", "department", "--as-of", AS_OF, "--json")
    assert result.returncode == 0, result.stderr
    return {(r["unit"], r["period"]): r for r in json.loads(result.stdout)}


def raw_satisfaction() -> pd.DataFrame:
    """Responses (Likert 1–5 → (x−1)×25) and the quarterly aggregates that count (those of a department, quarter
    and population without responses: one source each, the finest) from the files, as department × quarter ×
    population rows of (score total, respondents)."""
    departments = pd.read_csv(SAMPLES / "departments_gbk.csv", encoding="gbk")
    code_of = dict(zip(departments["科室名称"], departments["科室编码"], strict=True))
    responses = pd.read_csv(SAMPLES / "satisfaction_responses_gbk.csv", encoding="gbk")
    responses = pd.DataFrame(
        {
            "department": responses["科室"].map(code_of),
            "quarter": pd.PeriodIndex(pd.to_datetime(responses["提交时间"], format="%Y/%m/%d %H:%M"), freq="Q"),
            "population": responses["调查对象"].map(POPULATIONS),
            "total": (responses["总体满意度"] - 1) * 25.0,
            "n": 1,
        }
    )
    aggregates = pd.read_excel(SAMPLES / "satisfaction_quarterly_2024.xlsx", header=1)
    quarter = aggregates["期间"].str.extract(r"(\d{4})年第(\d)季度")
    aggregates = pd.DataFrame(
        {
            "department": aggregates["科室编码"],
            "quarter": pd.PeriodIndex([f"{y}Q{q}" for y, q in quarter.itertuples(index=False)], freq="Q"),
            "population": aggregates["调查对象"].map(POPULATIONS),
            "total": aggregates["满意度得分"] * aggregates["样本量"],
            "n": aggregates["样本量"],
        }
    )
    keys = ["department", "quarter", "population"]
    answered = aggregates.set_index(keys).index.isin(responses.set_index(keys).index)
    both = pd.concat([responses, aggregates[~answered]])
    return both.groupby(["department", "quarter", "population"])[["total", "n"]].sum()


def test_a_department_quarters_satisfaction_equals_the_hand_computation(department_quarters):
    expected = raw_satisfaction()
    checked = withheld = 0
    for (department, quarter, population), row in expected.iterrows():
        record = department_quarters[(department, str(quarter))]
        if row["n"] < 10:  # the default suppression threshold: neither the score nor the n is printed
            assert record[f"satisfaction_{population}"] is None and record[f"n_{population}"] is None
        elif record[f"n_{population}"] is None:  # withheld so that a small group cannot be recovered
            assert record[f"satisfaction_{population}"] is None
            withheld += 1
        else:
            assert record[f"n_{population}"] == row["n"]
            assert record[f"satisfaction_{population}"] == pytest.approx(row["total"] / row["n"], abs=1e-4)
            checked += 1
    # Six departments in four branches, most groups near the minimum: many cells protect a small one.
    assert checked >= 20 and withheld > 0, (checked, withheld)


def test_a_branch_quarters_meeting_compliance_equals_the_hand_computation(department_quarters):
    activities = pd.read_csv(SAMPLES / "activities_2024_utf8bom.csv", encoding="utf-8-sig").dropna(how="all")
    branches = pd.read_csv(SAMPLES / "branches_utf8bom.csv", encoding="utf-8-sig")
    code_of = dict(zip(branches.iloc[:, 1], branches.iloc[:, 0], strict=True))
    activities["branch"] = activities["支部名称"].map(code_of)
    dates = activities["活动日期"].str.replace(r"(\d{4})年(\d{1,2})月(\d{1,2})日", r"\1-\2-\3", regex=True)
    activities["quarter"] = pd.PeriodIndex(pd.to_datetime(dates.str.replace("/", "-"), format="%Y-%m-%d"), freq="Q")
    # 三会一课 only: the theme party day is not one of the four (issue 13, point 7).
    required = {"支部委员会会议": 3, "党小组会": 3, "支部党员大会": 1, "党课": 1}
    q1 = activities[(activities["branch"] == "DZB01") & (activities["quarter"] == pd.Period("2024Q1"))]
    held = q1["活动类型"].value_counts()
    expected = 100 * np.mean([min(held.get(kind, 0) / n, 1.0) for kind, n in required.items()])
    # D01 and D02 both belong to DZB01 and carry its figure.
    assert department_quarters[("D01", "2024Q1")]["meeting_compliance"] == pytest.approx(expected, abs=1e-4)
    assert department_quarters[("D02", "2024Q1")]["meeting_compliance"] == pytest.approx(expected, abs=1e-4)
    # Attendance over organisational-life meetings only: 三会一课, 主题党日, 组织生活会 (not service events).
    life = {"支部党员大会", "支部委员会会议", "支委会", "党小组会", "党课", "主题党日", "组织生活会"}
    with_expected = q1[q1["活动类型"].isin(life)].dropna(subset=["应到人数"])
    rate = 100 * with_expected["参加人数"].sum() / with_expected["应到人数"].sum()
    assert department_quarters[("D01", "2024Q1")]["attendance_rate"] == pytest.approx(rate, abs=1e-4)


def test_discipline_cases_and_overdue_rectifications_equal_the_hand_computation(department_quarters):
    records = pd.read_excel(SAMPLES / "discipline_2024.xlsx")
    records["quarter"] = pd.PeriodIndex(pd.to_datetime(records["日期"]), freq="Q")
    deadline = pd.to_datetime(records["整改期限"])
    records["overdue"] = (records["状态"] == "整改中") & (deadline < pd.Timestamp(AS_OF))
    records["case"] = records["类别"].isin(FOUR_FORMS_AND_EIGHT_POINT)
    records["form2plus"] = records["类别"].isin({"第二种形态", "第三种形态", "第四种形态"})
    expected = records.groupby(["科室编码", "quarter"])[["case", "form2plus", "overdue"]].sum()
    assert expected["overdue"].sum() > 0 and expected["form2plus"].sum() > 0
    for (department, quarter), row in expected.iterrows():
        record = department_quarters[(department, str(quarter))]
        assert record["discipline_cases"] == row["case"]
        assert record["discipline_form2plus"] == row["form2plus"]
        assert record["rectification_overdue"] == row["overdue"]
    # Inside the data's span, a department-quarter without records counts zero (not null).
    quiet = [r for (d, q), r in department_quarters.items() if (d, pd.Period(q)) not in expected.index]
    assert quiet and all(r["discipline_cases"] == 0 for r in quiet)


def test_hospital_level_is_respondent_weighted_and_labels_periods(samples_db):
    result = run_cli("metrics", "--db", samples_db, "--level", "hospital", "--grain", "year", "--json")
    assert result.returncode == 0, result.stderr
    (year,) = json.loads(result.stdout)
    assert year["unit"] == "hospital" and year["period"] == "2024"
    expected = raw_satisfaction().groupby("population")[["total", "n"]].sum()
    for population, row in expected.iterrows():
        assert year[f"n_{population}"] == row["n"]
        assert year[f"satisfaction_{population}"] == pytest.approx(row["total"] / row["n"], abs=1e-4)
    monthly = json.loads(
        run_cli("metrics", "--db", samples_db, "--level", "branch", "--grain", "month", "--json").stdout
    )
    assert {r["period"] for r in monthly} >= {"2024-01", "2024-12"}
    assert {r["unit"] for r in monthly} == {"DZB01", "DZB02", "DZB03", "DZB04"}


def test_the_table_output_has_every_field(samples_db):
    result = run_cli("metrics", "--db", samples_db, "--level", "hospital")
    assert result.returncode == 0, result.stderr
    header = result.stdout.splitlines()[0].split()
    assert header[:3] == ["unit", "period", "party_index"] and "rectification_overdue" in header


def test_warnings_lists_unit_rule_severity_and_explanation(samples_db):
    result = run_cli("warnings", "--db", samples_db, "--period", "2024Q4", "--as-of", AS_OF, "--json")
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found and all(set(w) >= {"unit", "rule", "severity", "explanation"} for w in found)
    # The sample's D02 has a second-form case in 2024Q4 whose rectification is open past its deadline.
    rules = {(w["unit"], w["rule"]) for w in found}
    assert ("D02", "serious_discipline") in rules and ("D02", "rectification_overdue") in rules
    english = json.loads(
        run_cli("warnings", "--db", samples_db, "--period", "2024Q4", "--as-of", AS_OF, "--lang", "en", "--json").stdout
    )
    assert [w["rule"] for w in english] == [w["rule"] for w in found]
    assert all(w["explanation"].isascii() or "：" not in w["explanation"] for w in english)


def test_warnings_for_a_period_without_data_fails_clearly(samples_db):
    result = run_cli("warnings", "--db", samples_db, "--period", "2030Q1")
    assert result.returncode == 1
    assert "2030Q1" in result.stderr and "2024Q1" in result.stderr
