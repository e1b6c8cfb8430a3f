"""One satisfaction source per department × period × population: the finest stored source counts (individual
responses, then monthly, quarterly and yearly aggregates); the others stay stored and are not added. Each case
of the issue is imported from generated CSV files into a fresh database, and the panel, its roll-ups and the
CLI records are checked against the rule computed here with pandas from the rows written into the files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import numpy as np
import pandas as pd
import pytest

from analytics import metrics, summary
from analytics.db import Database
from analytics.i18n import t
from analytics.imports.importer import import_files
from analytics.imports.model import ImportOptions, SourceFile
from analytics.schema import Population
from tests.import_support import registers
from tests.page_support import add_test_accounts, open_app_page

OPTIONS = ImportOptions(today=dt.date(2026, 6, 30))
AS_OF = dt.date(2025, 6, 30)
MIN_N = 10  # the default suppression threshold, written out rather than imported
POPULATIONS = ("outpatient", "inpatient", "staff")
FREQ = {"month": "M", "quarter": "Q", "year": "Y"}
# Finer sources come first: responses, then monthly, quarterly and yearly aggregates.
FINENESS = {"responses": 0, "M": 1, "Q": 2, "Y": 3}


def aggregate(period: str, department: str, population: str, score: float, respondents: int) -> dict:
    """One department aggregate: `period` as pandas reads it ('2024-01', '2024Q1', '2024')."""
    freq = "M" if "-" in period else "Q" if "Q" in period else "Y"
    return {
        "period": pd.Period(period, freq),
        "department_code": department,
        "population": population,
        "score": score,
        "respondents": respondents,
    }


def aggregates_csv(rows: list[dict]) -> SourceFile:
    """The survey platform's export: months as 2024-01, quarters as 2024年第1季度, years as 2024年度."""
    lines = ["期间,科室编码,调查对象,满意度得分,样本量"]
    for row in rows:
        period = row["period"]
        text = {"M": period.strftime("%Y-%m"), "Q": f"{period.year}年第{period.quarter}季度"}.get(
            period.freqstr[0], f"{period.year}年度"
        )
        population = Population(row["population"]).zh
        lines.append(f"{text},{row['department_code']},{population},{row['score']},{row['respondents']}")
    return SourceFile("aggregates.csv", "\n".join(lines).encode())


def responses_csv(rows: list[dict]) -> SourceFile:
    """The hospital's own survey: one answer per row, scored 0–100."""
    lines = ["提交时间,科室编码,调查对象,总体满意度"]
    for row in rows:
        population = Population(row["population"]).zh
        lines.append(f"{row['submitted_at']:%Y-%m-%d %H:%M},{row['department_code']},{population},{row['score']}")
    return SourceFile("responses.csv", "\n".join(lines).encode())


def answers(department: str, population: str, month: int, scores: list[float]) -> list[dict]:
    """Answers in `month` of 2024, one a day from the 2nd."""
    return [
        {
            "submitted_at": dt.datetime(2024, month, 2 + i, 9, 30),
            "department_code": department,
            "population": population,
            "score": score,
        }
        for i, score in enumerate(scores)
    ]


@pytest.fixture
def planted(tmp_path) -> Iterator[Callable[..., Database]]:
    """`planted(aggregates, responses)`: a fresh database holding the registers and the given rows, imported
    from CSV files (closed after the test)."""
    opened: list[Database] = []

    def plant(aggregates: list[dict], responses: list[dict] = ()) -> Database:
        db = Database(tmp_path / "x.duckdb")
        opened.append(db)
        files = [*registers(), aggregates_csv(aggregates)] + ([responses_csv(list(responses))] if responses else [])
        result = import_files(db, files, OPTIONS)
        assert result.ok, [f.errors for f in result.files]
        return db

    yield plant
    for db in opened:
        db.close()


# --- The rule, written out with pandas ---------------------------------------------------------------------


def fineness(periods: pd.Series) -> pd.Series:
    """1 for months, 2 for quarters, 3 for years."""
    return pd.Series([FINENESS[p.freqstr[0]] for p in periods], index=periods.index)


def counted(aggregates: pd.DataFrame, responses: pd.DataFrame) -> pd.Series:
    """For each aggregate row: whether it counts, i.e. no response and no aggregate of a finer grain of the same
    department and population falls inside its period."""
    flags = []
    for row in aggregates.itertuples():
        rank, start, end = FINENESS[row.period.freqstr[0]], row.period.start_time, row.period.end_time
        mine = (responses["department_code"] == row.department_code) & (responses["population"] == row.population)
        inside = responses.loc[mine, "submitted_at"].between(start, end)
        same = (aggregates["department_code"] == row.department_code) & (aggregates["population"] == row.population)
        finer = aggregates.loc[same & (fineness(aggregates["period"]) < rank), "period"]
        finer_inside = any(start <= p.start_time <= end for p in finer)
        flags.append(not inside.any() and not finer_inside)
    return pd.Series(flags, index=aggregates.index, dtype=bool)


def expected(aggregates: list[dict], responses: list[dict], grain: str) -> pd.DataFrame:
    """Per department × period × population at `grain`: n and the respondent-weighted mean (null under MIN_N),
    from the responses and the counted aggregates no coarser than the grain."""
    agg = pd.DataFrame(aggregates)
    resp = pd.DataFrame(list(responses), columns=["submitted_at", "department_code", "population", "score"])
    resp["submitted_at"] = pd.to_datetime(resp["submitted_at"])
    agg = agg[counted(agg, resp)]
    agg = agg[fineness(agg["period"]) <= FINENESS[FREQ[grain]]]
    parts = [
        pd.DataFrame(
            {
                "department_code": resp["department_code"],
                "period": resp["submitted_at"].dt.to_period(FREQ[grain]).astype(str),
                "population": resp["population"],
                "n": 1,
                "total": resp["score"],
            }
        ),
        pd.DataFrame(
            {
                "department_code": agg["department_code"],
                "period": [str(p.start_time.to_period(FREQ[grain])) for p in agg["period"]],
                "population": agg["population"],
                "n": agg["respondents"],
                "total": agg["score"] * agg["respondents"],
            }
        ),
    ]
    cells = pd.concat(parts).groupby(["department_code", "period", "population"])[["n", "total"]].sum()
    cells["mean"] = (cells["total"] / cells["n"]).where(cells["n"] >= MIN_N)
    return cells


def hospital(cells: pd.DataFrame) -> pd.DataFrame:
    out = cells.groupby(["period", "population"])[["n", "total"]].sum()
    out["mean"] = (out["total"] / out["n"]).where(out["n"] >= MIN_N)
    return out


def assert_matches(frame: pd.DataFrame, want: pd.DataFrame, unit: str) -> None:
    """Every row of a panel or roll-up frame (`unit` names its unit column) against the pandas cells: n,
    score (null when suppressed) and the suppression flag; cells without data have n 0, and no cell is missing."""
    for pop in POPULATIONS:
        assert frame[f"n_{pop}"].sum() == want.loc[want.index.get_level_values("population") == pop, "n"].sum()
    for row in frame.itertuples():
        for pop in POPULATIONS:
            key = (getattr(row, unit), row.period, pop) if unit != "hospital" else (row.period, pop)
            n, mean = (int(want.at[key, "n"]), want.at[key, "mean"]) if key in want.index else (0, np.nan)
            assert getattr(row, f"n_{pop}") == n, key
            got = getattr(row, f"satisfaction_{pop}")
            assert (np.isnan(got) and np.isnan(mean)) or got == pytest.approx(mean, rel=1e-12), key
            assert getattr(row, f"suppressed_{pop}") == (0 < n < MIN_N), key


def check(db: Database, aggregates: list[dict], responses: list[dict] = ()) -> dict[str, metrics.Panel]:
    """Department panels and hospital roll-ups at every grain against the pandas rule; returns the panels."""
    panels = {}
    for grain in metrics.GRAINS:
        panel = metrics.build_panel(db, grain, as_of=AS_OF)
        cells = expected(aggregates, responses, grain)
        assert_matches(panel.frame, cells, "department_code")
        # The counting rule itself; complementary suppression on top of it is tests/test_suppression.py's.
        assert_matches(metrics.rollup(panel, "hospital", protect=False), hospital(cells), "hospital")
        panels[grain] = panel
    return panels


def cell(panel: metrics.Panel, department: str, period: str) -> pd.Series:
    return panel.frame.set_index(["department_code", "period"]).loc[(department, period)]


# --- The cases ---------------------------------------------------------------------------------------------

# Monthly aggregates for January and February and the quarterly aggregate of the same six respondents, beside
# a department with 30 respondents at 90: the quarter has 6 respondents (suppressed), the hospital 85.0.
MONTHS_AND_QUARTER = [
    aggregate("2024-01", "D1", "outpatient", 60.0, 3),
    aggregate("2024-02", "D1", "outpatient", 60.0, 3),
    aggregate("2024Q1", "D1", "outpatient", 60.0, 6),
    aggregate("2024Q1", "D2", "outpatient", 90.0, 30),
]


def test_monthly_rows_and_the_quarterly_row_of_the_same_quarter_count_once(planted):
    db = planted(MONTHS_AND_QUARTER)
    panels = check(db, MONTHS_AND_QUARTER)
    d1 = cell(panels["quarter"], "D1", "2024Q1")
    assert d1["n_outpatient"] == 6  # not 12
    assert d1["suppressed_outpatient"] and np.isnan(d1["satisfaction_outpatient"])  # not shown as 60.0
    quarter = metrics.rollup(panels["quarter"], "hospital").set_index("period").loc["2024Q1"]
    assert quarter["n_outpatient"] == 36
    assert quarter["satisfaction_outpatient"] == pytest.approx((6 * 60 + 30 * 90) / 36) == 85.0  # not 81.4
    [record] = [r for r in metrics.records(panels["quarter"], "hospital") if r["period"] == "2024Q1"]
    assert (record["n_outpatient"], record["satisfaction_outpatient"]) == (36, 85.0)
    [d1_record] = [r for r in metrics.records(panels["quarter"]) if (r["unit"], r["period"]) == ("D1", "2024Q1")]
    # Withheld: no mean and no exact n (issue 13, point 5); D2 is withheld with it, or D1 = hospital − D2.
    assert (d1_record["n_outpatient"], d1_record["satisfaction_outpatient"]) == (None, None)
    [d2_record] = [r for r in metrics.records(panels["quarter"]) if (r["unit"], r["period"]) == ("D2", "2024Q1")]
    assert (d2_record["n_outpatient"], d2_record["satisfaction_outpatient"]) == (None, None)
    # The year is January + February as well; the months are each their own aggregate.
    assert cell(panels["year"], "D1", "2024")["n_outpatient"] == 6
    assert cell(panels["month"], "D1", "2024-02")["n_outpatient"] == 3
    # The quarterly row stays stored, and is reported as not counted.
    assert db.reader().execute("SELECT count(*) FROM satisfaction_aggregates").fetchone()[0] == 4
    uncounted = summary.uncounted_aggregates(db)
    assert uncounted.to_dict("records") == [
        {"population": "outpatient", "covered_by": "aggregates", "aggregates": 1, "respondents": 6}
    ]
    assert summary.respondents(db) == 36


def test_a_quarter_with_only_some_months_is_those_months_and_the_rest_quarterly_elsewhere(planted):
    rows = [
        aggregate("2024-01", "D1", "staff", 70.0, 8),
        aggregate("2024Q1", "D1", "staff", 75.0, 30),  # covered by January
        aggregate("2024Q2", "D1", "staff", 80.0, 12),  # no month of Q2: counts
        aggregate("2024Q1", "D1", "inpatient", 85.0, 20),  # another population: counts
    ]
    panels = check(planted(rows), rows)
    assert cell(panels["quarter"], "D1", "2024Q1")["n_staff"] == 8
    assert cell(panels["quarter"], "D1", "2024Q2")["n_staff"] == 12
    assert cell(panels["quarter"], "D1", "2024Q1")["n_inpatient"] == 20
    year = cell(panels["year"], "D1", "2024")
    assert year["n_staff"] == 20 and year["satisfaction_staff"] == pytest.approx((8 * 70 + 12 * 80) / 20)


QUARTERS_AND_YEAR = [
    aggregate("2024Q1", "D1", "staff", 72.0, 12),
    aggregate("2024Q2", "D1", "staff", 74.0, 15),
    aggregate("2024Q3", "D1", "staff", 71.0, 11),
    aggregate("2024Q4", "D1", "staff", 78.0, 20),
    aggregate("2024", "D1", "staff", 74.0, 58),  # 2024年度: the same 58 staff
]


def test_a_yearly_row_beside_the_quarterly_rows_does_not_double_the_year(planted):
    db = planted(QUARTERS_AND_YEAR)
    panels = check(db, QUARTERS_AND_YEAR)
    year = cell(panels["year"], "D1", "2024")
    quarters = panels["quarter"].frame.query("department_code == 'D1'")
    assert year["n_staff"] == quarters["n_staff"].sum() == 58  # not 116
    assert year["satisfaction_staff"] == pytest.approx((12 * 72 + 15 * 74 + 11 * 71 + 20 * 78) / 58)
    assert summary.uncounted_aggregates(db)[["covered_by", "aggregates"]].to_dict("records") == [
        {"covered_by": "aggregates", "aggregates": 1}
    ]


RESPONSES = answers("D1", "inpatient", 4, [70, 75, 80, 85, 90, 95, 60, 65, 88, 92, 77, 83])
PLATFORM = [aggregate("2024Q2", "D1", "inpatient", round(float(np.mean([r["score"] for r in RESPONSES])), 4), 12)]


def test_responses_and_the_platforms_aggregate_of_the_same_answers_count_once(planted):
    db = planted(PLATFORM, RESPONSES)
    panels = check(db, PLATFORM, RESPONSES)
    q2 = cell(panels["quarter"], "D1", "2024Q2")
    assert q2["n_inpatient"] == q2["nresp_inpatient"] == 12  # not 24
    assert q2["satisfaction_inpatient"] == pytest.approx(np.mean([r["score"] for r in RESPONSES]))
    assert cell(panels["year"], "D1", "2024")["n_inpatient"] == 12
    assert summary.uncounted_aggregates(db).to_dict("records") == [
        {"population": "inpatient", "covered_by": "responses", "aggregates": 1, "respondents": 12}
    ]
    assert summary.respondents(db) == 12


def test_a_yearly_aggregate_alone_still_counts_at_the_year_grain(planted):
    rows = [aggregate("2024", "D2", "staff", 75.0, 40)]
    db = planted(rows)
    panels = check(db, rows)
    year = cell(panels["year"], "D2", "2024")
    assert (year["n_staff"], year["satisfaction_staff"]) == (40, 75.0)
    assert panels["quarter"].frame["n_staff"].sum() == 0  # a yearly score is not split into quarters
    assert summary.uncounted_aggregates(db).empty
    assert summary.respondents(db) == 40


def test_every_case_together_in_one_database(planted):
    """The cases do not disturb each other: per department and population, each keeps its own finest source."""
    rows = [*MONTHS_AND_QUARTER, *QUARTERS_AND_YEAR, *PLATFORM, aggregate("2024", "D2", "staff", 75.0, 40)]
    db = planted(rows, RESPONSES)
    check(db, rows, RESPONSES)
    uncounted = summary.uncounted_aggregates(db)
    assert uncounted.groupby("covered_by")["aggregates"].sum().to_dict() == {"aggregates": 2, "responses": 1}
    assert summary.respondents(db) == 36 + 58 + 12 + 40


# --- What the satisfaction page says -----------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_satisfaction_page_says_how_many_aggregates_do_not_count(planted, tmp_path, monkeypatch, lang):
    planted([*MONTHS_AND_QUARTER, *PLATFORM], RESPONSES).close()
    add_test_accounts(tmp_path / "x.duckdb")
    at = open_app_page("pages/satisfaction.py", tmp_path / "x.duckdb", monkeypatch, lang)
    note = t("sat.uncounted", lang, n=2, by_responses=1, by_aggregates=1)
    assert note in [i.value for i in at.info]
    assert ("规则见“关于数据”页" if lang == "zh" else "About the data") in note


def test_no_note_when_every_aggregate_counts(planted, tmp_path, monkeypatch):
    planted([aggregate("2024", "D2", "staff", 75.0, 40), *QUARTERS_AND_YEAR[:4]]).close()
    add_test_accounts(tmp_path / "x.duckdb")
    at = open_app_page("pages/satisfaction.py", tmp_path / "x.duckdb", monkeypatch, "zh")
    assert not any("未计入" in i.value for i in at.info)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_about_page_states_the_rule(tmp_path, monkeypatch, lang):
    add_test_accounts(tmp_path / "empty.duckdb")
    at = open_app_page("pages/about.py", tmp_path / "empty.duckdb", monkeypatch, lang)
    assert f"- {t('about.rules.sources', lang)}" in [m.value for m in at.markdown]
