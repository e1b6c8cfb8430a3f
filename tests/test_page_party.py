"""The party-building page (党建) through AppTest: the index, its components and 三会一课 compliance against
pandas on the raw activities of the demo database, the shared filters, both languages, the click into a
department's profile, and the empty states."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics.db import Database
from analytics.i18n import t
from analytics.imports.importer import import_files
from analytics.imports.model import SourceFile
from analytics.schema import SixImprovement
from tests.conftest import ORGANISATIONAL_LIFE_CODES, SAMPLES
from tests.page_support import add_test_accounts, chart, open_app_page

TIMEOUT = 60
# Written out here rather than imported, so that the test does not share the definitions it checks:
# the default minimum meetings per year (Regulations on the Work of Party Branches) ...
PER_YEAR = {
    "branch_general_meeting": 4,
    "branch_committee_meeting": 12,
    "party_group_meeting": 12,
    "party_lecture": 4,
    "theme_party_day": 12,
    "organizational_life_meeting": 1,
    "democratic_appraisal": 1,
}
# ... and the default index weights and yearly targets.
WEIGHTS = {"compliance": 35, "theme_day": 10, "attendance": 20, "service": 15, "theme_plus": 10, "integrity": 10}
# 三会一课 is four meetings; the theme party day is its own component (issue 13, point 7).
THREE_ONE = ("branch_general_meeting", "branch_committee_meeting", "party_group_meeting", "party_lecture")
SERVICE = {"volunteer_service", "free_clinic", "health_education"}
THEME_PLUS = {"party_plus_project", "demonstration_post"}
INTEGRITY = {"warning_education", "integrity_talk"}
TARGETS = {"service": 4.0, "theme_plus": 2.0, "integrity": 2.0}  # per year, judged year to date
MONTHS = {"month": 1, "quarter": 3, "year": 12}


@pytest.fixture(scope="module")
def raw(demo_db_path) -> dict[str, pd.DataFrame]:
    with Database(demo_db_path) as db:
        con = db.reader()
        tables = {name: con.execute(f"SELECT * FROM {name}").df() for name in ("activities", "branches", "departments")}
    acts = tables["activities"]
    day = pd.to_datetime(acts["activity_date"])
    acts["month"] = day.dt.strftime("%Y-%m")
    acts["quarter"] = pd.PeriodIndex(day, freq="Q").strftime("%YQ%q")
    acts["year"] = day.dt.strftime("%Y")
    return tables


def expected_branches(raw, grain: str, period: str) -> pd.DataFrame:
    """Per branch: 三会一课 compliance (four meetings), 主题党日 compliance, attendance, service hours per member
    and counts year to date (from 1 January through the period), scores and the index."""
    everything = raw["activities"]
    # The year so far: the demo's activities start on 1 January 2023, so every month of a year is known.
    so_far = everything[(everything["year"] == period[:4]) & (everything[grain] <= period)]
    acts = everything[everything[grain] == period]
    branches = raw["branches"].set_index("branch_code")
    months = MONTHS[grain]
    required = {k: n * months / 12 for k, n in PER_YEAR.items() if 12 / n <= months}
    held = acts.groupby(["branch_code", "activity_type"]).size().unstack(fill_value=0)
    held = held.reindex(index=branches.index, columns=list(required), fill_value=0)
    out = pd.DataFrame(index=branches.index)
    ratios = (held / pd.Series(required)).clip(upper=1) * 100
    out["compliance"] = ratios[[k for k in THREE_ONE if k in required]].mean(axis=1)
    out["theme_day"] = ratios["theme_party_day"]
    for kind in required:
        out[f"held_{kind}"] = held[kind]
    # Attendance over organisational-life meetings only (三会一课, 主题党日, 组织生活会), not service events.
    with_expected = acts[(acts["expected"] > 0) & acts["activity_type"].isin(ORGANISATIONAL_LIFE_CODES)]
    sums = with_expected.groupby("branch_code")[["attended", "expected"]].sum().reindex(branches.index)
    out["attendance"] = sums["attended"] / sums["expected"] * 100
    service = so_far[so_far["activity_type"].isin(SERVICE)]
    hours = (service["hours"].fillna(0) * service["attended"]).groupby(service["branch_code"]).sum()
    out["service"] = hours.reindex(branches.index, fill_value=0) / branches["member_count"]
    count = so_far.groupby("branch_code")["activity_type"]
    out["theme_plus"] = count.agg(lambda s: s.isin(THEME_PLUS).sum()).reindex(branches.index, fill_value=0)
    out["integrity"] = count.agg(lambda s: s.isin(INTEGRITY).sum()).reindex(branches.index, fill_value=0)
    elapsed = {"month": int(period[5:7]) if grain == "month" else 0, "quarter": 3 * int(period[-1:])}.get(grain, 12)
    scores = pd.DataFrame(
        {
            "compliance": out["compliance"],
            "theme_day": out["theme_day"],
            "attendance": out["attendance"].clip(upper=100),
            **{c: (out[c] / (TARGETS[c] * elapsed / 12) * 100).clip(upper=100) for c in TARGETS},
        }
    )
    weights = pd.Series(WEIGHTS)
    present = scores.notna().mul(weights, axis=1)
    out["index"] = scores.fillna(0).mul(weights, axis=1).sum(axis=1) / present.sum(axis=1)
    out["members"] = branches["member_count"]
    out["name"] = branches["name"]
    return out


@pytest.fixture(scope="module")
def q3(demo_db_path) -> AppTest:
    """The page for 2024Q1–2024Q3 by quarter, in Chinese, for the tests that only read it."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        yield open_page(demo_db_path, monkeypatch, f_from="2024Q1", f_to="2024Q3")


def open_page(db_path, monkeypatch, lang: str = "zh", **state: str) -> AppTest:
    """The page after the app's first run, with filters preset in session state (f_grain, f_from ...)."""
    return open_app_page("pages/party.py", db_path, monkeypatch, lang, TIMEOUT, **state)


# A table's key reaches AppTest only when its rows are clickable, so tables are found by their columns.
TABLES = {
    "party_components": "metric.meeting_compliance",
    "party_meetings": "party.col.meeting_type",
    "party_departments": "party.col.department",
}


def frame(at: AppTest, key: str, lang: str = "zh") -> pd.DataFrame:
    if key == "party_six_table":  # a branch column, then only 六提升 dimensions
        six = {d.label(lang) for d in SixImprovement}
        return next(df.value for df in at.dataframe if len(df.value.columns) > 1 and set(df.value.columns[1:]) <= six)
    return next(df.value for df in at.dataframe if t(TABLES[key], lang) in df.value.columns)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def by_branch(table: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    return table.set_index(t("party.col.branch", lang))


def test_health_check_matches_the_raw_activities_for_the_last_quarter_in_range(raw, q3):
    at = q3
    want = expected_branches(raw, "quarter", "2024Q3").set_index("name")
    assert at.title[0].value == "党建"
    assert t("party.components.title", "zh", period="2024年第三季度") in [s.value for s in at.subheader]
    # Every period the page writes is said as people say it, never by its code.
    written = [*(s.value for s in at.subheader), *(c.value for c in at.caption), *metrics(at)]
    assert not any(re.search(r"\d{4}Q\d", text) for text in written)

    shown = by_branch(frame(at, "party_components"))
    assert sorted(shown.index) == sorted(want.index)  # every branch, once
    for column, expected in (
        ("metric.meeting_compliance", "compliance"),
        ("metric.theme_day_compliance", "theme_day"),
        ("metric.attendance_rate", "attendance"),
        ("metric.ytd_service_hours_per_member", "service"),
        ("metric.ytd_theme_plus_activities", "theme_plus"),
        ("metric.ytd_integrity_activities", "integrity"),
    ):
        np.testing.assert_allclose(shown[t(column, "zh")], want.loc[shown.index, expected], rtol=1e-9, err_msg=column)
    np.testing.assert_allclose(shown["党建指数"], want.loc[shown.index, "index"], rtol=1e-9)
    np.testing.assert_array_equal(shown["党员数"], want.loc[shown.index, "members"])
    # Lowest index first, rated against the default lines (green 80, amber 60).
    assert list(shown["党建指数"]) == sorted(shown["党建指数"])
    ratings = np.where(shown["党建指数"] >= 80, "良好", np.where(shown["党建指数"] >= 60, "关注", "预警"))
    assert list(shown["评级"]) == list(ratings)

    # The headline index: the branches' mean weighted by party members.
    hospital = np.average(want["index"], weights=want["members"])
    assert metrics(at)["党建指数（2024年第三季度）"] == f"{hospital:.1f} 分"
    red = int((want["index"] < 60).sum())
    assert metrics(at)["预警支部"] == f"{red} / {len(want)} 个"

    # The bar chart: every branch, the latest quarter's index, coloured by its rating.
    bars = chart(at, "party_bars")["data"][0]
    drawn = dict(zip(bars["y"], bars["x"], strict=True))
    assert drawn == pytest.approx(want["index"].to_dict())


def test_meetings_by_type_held_against_required(raw, q3):
    at = q3
    want = expected_branches(raw, "quarter", "2024Q3")
    detail = frame(at, "party_meetings")
    assert set(detail["会议类型"]) == {"支部党员大会", "支部委员会会议", "党小组会", "党课", "主题党日"}
    committee = detail[detail["会议类型"] == "支部委员会会议"].set_index("党支部")
    names = want.set_index("name")
    np.testing.assert_array_equal(committee["实开（次）"], names.loc[committee.index, "held_branch_committee_meeting"])
    assert set(committee["应开（次）"]) == {3}
    lecture = detail[detail["会议类型"] == "党课"].set_index("党支部")
    assert set(lecture["应开（次）"]) == {1}
    np.testing.assert_allclose(
        lecture["完成率（%）"], names.loc[lecture.index, "held_party_lecture"].clip(upper=1) * 100
    )
    captions = " ".join(c.value for c in at.caption)
    assert "组织生活会、民主评议党员的要求周期长于一个季度" in captions
    # The heatmap writes held/required in each cell.
    heat = chart(at, "party_meeting_heatmap")["data"][0]
    row = heat["y"].index(want.iloc[0]["name"])
    column = heat["x"].index("支部委员会会议")
    assert heat["text"][row][column] == f"{want.iloc[0]['held_branch_committee_meeting']:.0f}/3"


def test_month_and_year_assess_the_meetings_their_period_can_hold(raw, demo_db_path, monkeypatch):
    at = open_page(demo_db_path, monkeypatch)
    for grain, first, period, said, types in (
        ("month", "2023-01", "2024-05", "2024年5月", 3),
        ("year", "2023", "2024", "2024年", 7),
    ):
        at.segmented_control(key="w_grain").set_value(grain).run()
        at.select_slider(key=f"w_range_{grain}").set_value((first, period)).run()
        assert not at.exception, at.exception
        assert t("party.components.title", "zh", period=said) in [s.value for s in at.subheader]
        want = expected_branches(raw, grain, period).set_index("name")
        shown = by_branch(frame(at, "party_components"))
        np.testing.assert_allclose(shown["三会一课完成率（%）"], want.loc[shown.index, "compliance"], rtol=1e-9)
        np.testing.assert_allclose(shown["党建指数"], want.loc[shown.index, "index"], rtol=1e-9)
        assert frame(at, "party_meetings")["会议类型"].nunique() == types
        captions = " ".join(c.value for c in at.caption)
        if grain == "month":
            assert "支部党员大会、党课、组织生活会、民主评议党员的要求周期长于一个月" in captions
        else:
            assert "要求周期长于" not in captions


def test_category_and_branch_filters_narrow_every_figure(raw, demo_db_path, monkeypatch):
    departments = raw["departments"]
    at = open_page(demo_db_path, monkeypatch, f_from="2025Q1", f_to="2025Q2")
    at.selectbox(key="w_cat").set_value("administrative").run()
    assert not at.exception, at.exception
    admin = departments[departments["category"] == "administrative"]
    admin_branches = raw["branches"][raw["branches"]["branch_code"].isin(admin["branch_code"])]
    assert set(chart(at, "party_bars")["data"][0]["y"]) == set(admin_branches["name"])
    assert set(frame(at, "party_components")["党支部"]) == set(admin_branches["name"])
    assert sorted(frame(at, "party_departments")["科室"]) == sorted(admin["name"])
    want = expected_branches(raw, "quarter", "2025Q2").loc[admin_branches["branch_code"]]
    headline = np.average(want["index"], weights=want["members"])
    assert metrics(at)["党建指数（2025年第二季度）"] == f"{headline:.1f} 分"

    at.selectbox(key="w_cat").set_value("").run()
    at.selectbox(key="w_branch").set_value("DZB06").run()
    assert not at.exception, at.exception
    branch = expected_branches(raw, "quarter", "2025Q2").loc["DZB06"]
    assert metrics(at)["党建指数（2025年第二季度）"] == f"{branch['index']:.1f} 分"
    assert list(frame(at, "party_components")["党支部"]) == [branch["name"]]
    assert sorted(frame(at, "party_departments")["科室"]) == sorted(
        departments.loc[departments["branch_code"] == "DZB06", "name"]
    )
    # Six improvements over the range, from the tagged activities.
    acts = raw["activities"]
    tagged = acts[(acts["branch_code"] == "DZB06") & acts["quarter"].isin(["2025Q1", "2025Q2"])]
    counts = tagged["dimension"].value_counts()
    six = frame(at, "party_six_table").set_index("党支部").loc[branch["name"]]
    labels = {"leadership": "领导力", "centripetal_force": "向心力", "combat_effectiveness": "战斗力"}
    labels |= {"cohesion": "凝聚力", "execution": "执行力", "internal_drive": "内驱力"}
    assert {labels[d]: int(n) for d, n in counts.items()} == {k: int(v) for k, v in six.items() if v}
    at.segmented_control(key="party_six_view").set_value("period").run()
    assert not at.exception, at.exception
    six_chart = chart(at, "party_six")
    assert set(six_chart["data"][0]["x"]) <= {"2025年第一季度", "2025年第二季度"}
    assert six_chart["layout"]["xaxis"]["categoryarray"] == ["2025年第一季度", "2025年第二季度"]


def test_the_trend_shows_the_index_and_each_component(raw, q3):
    at = q3  # only the trend depends on the unit chosen here, so sharing the page is safe
    at.selectbox(key="party_trend_unit").set_value("DZB06").run()
    assert not at.exception, at.exception
    series = {trace["name"]: trace for trace in chart(at, "party_trend")["data"]}
    assert list(series) == ["党建指数", "三会一课", "主题党日", "参会率", "志愿服务", "党建+", "廉洁教育"]
    want = [expected_branches(raw, "quarter", q).loc["DZB06"] for q in ("2024Q1", "2024Q2", "2024Q3")]
    assert series["党建指数"]["y"] == pytest.approx([w["index"] for w in want])
    assert series["三会一课"]["y"] == pytest.approx([w["compliance"] for w in want])
    assert series["党建指数"]["x"] == ["2024年<br>第一季度", "2024年<br>第二季度", "2024年<br>第三季度"]
    axis = chart(at, "party_trend")["layout"]["xaxis"]
    assert axis["categoryarray"] == series["党建指数"]["x"]  # in time order


def test_in_english(raw, demo_db_path, monkeypatch):
    at = open_page(demo_db_path, monkeypatch, lang="en", f_from="2024Q1", f_to="2024Q3")
    assert at.title[0].value == "Party building"
    assert list(metrics(at)) == [
        "Index (Q3 2024)",
        "三会一课 compliance",
        "Theme party day compliance",
        "Attendance rate",
        "Service h/member",
        "Branches in red",
    ]
    assert t("party.components.title", "en", period="Q3 2024") in [s.value for s in at.subheader]
    assert not any("2024Q3" in s.value for s in at.subheader)
    shown = frame(at, "party_components", "en")
    assert list(shown.columns[:5]) == ["Party branch", "Members", "Index", "Change", "Rating"]
    assert set(shown["Rating"]) <= {"Green", "Amber", "Red"}
    assert "Attendance rate (%)" in shown.columns
    assert set(frame(at, "party_meetings", "en")["Meeting type"]) == {
        "Branch general meeting",
        "Branch committee meeting",
        "Party group meeting",
        "Party lecture",
        "Theme party day",
    }
    assert list(frame(at, "party_departments", "en").columns) == [
        "Department",
        "Category",
        "Party branch",
        "Index",
        "Change",
        "Rating",
    ]
    assert any(
        c.value.startswith("**The party-building index (0–100 points)** is the weighted mean") for c in at.caption
    )
    legend = [trace["name"] for trace in chart(at, "party_six")["data"] if trace.get("showlegend", True)]
    assert legend and all(name.isascii() for name in legend)
    want = expected_branches(raw, "quarter", "2024Q3").set_index("name")
    np.testing.assert_allclose(
        shown.set_index("Party branch")["Index"], want.loc[shown["Party branch"], "index"], rtol=1e-9
    )


def test_clicking_a_department_opens_its_profile(raw, demo_db_path, monkeypatch):
    at = open_page(demo_db_path, monkeypatch, f_from="2024Q1", f_to="2024Q3")
    first = frame(at, "party_departments").iloc[0]["科室"]
    code = raw["departments"].set_index("name").loc[first, "department_code"]
    at.session_state["party_departments"] = {"selection": {"rows": [0], "columns": []}}
    at.run()
    assert at.session_state["profile_dept"] == code
    assert at.query_params["dept"] == code


def test_an_empty_database_and_registers_only_say_what_to_import(tmp_path, monkeypatch):
    empty = tmp_path / "empty.duckdb"
    add_test_accounts(empty)
    at = open_page(empty, monkeypatch)
    assert at.info[0].value == t("party.no_register", "zh")
    assert not at.metric

    registers = tmp_path / "registers.duckdb"
    with Database(registers) as db:
        import_files(
            db, [SourceFile.from_path(SAMPLES / name) for name in ("branches_utf8bom.csv", "departments_gbk.csv")]
        )
        counts = db.reader().execute("SELECT (SELECT count(*) FROM branches), (SELECT count(*) FROM departments)")
        branches, departments = counts.fetchone()
        add_test_accounts(db)
    at = open_page(registers, monkeypatch, lang="en")
    assert at.info[0].value == t("party.no_activities", "en", branches=branches, departments=departments)
    assert not at.metric and not at.dataframe
