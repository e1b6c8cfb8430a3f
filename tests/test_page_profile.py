"""The department profile (科室画像) through AppTest: opened by link (`?dept=`), by the session, by the
selectbox; its figures against pandas on the raw demo tables; suppression; unknown codes; missing data."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import pages._ui
from analytics import metrics, risk
from analytics.db import Database
from analytics.i18n import t
from tests.page_support import add_test_accounts, signed_in
from tests.satisfaction_support import counted

TIMEOUT = 30
AS_OF = dt.date(2025, 12, 31)
CASES = {"form_1", "form_2", "form_3", "form_4", "eight_point_violation"}
FORM2PLUS = {"form_2", "form_3", "form_4"}
TABLES = ("departments", "branches", "discipline_records", "satisfaction_responses", "satisfaction_aggregates")


@pytest.fixture(scope="module")
def raw(demo_db_path) -> dict[str, pd.DataFrame]:
    with Database(demo_db_path) as db:
        con = db.reader()
        return {name: con.execute(f"SELECT * FROM {name}").df() for name in TABLES}


def open_profile(db_path, monkeypatch, dept: str | None = "D01", lang: str = "zh", state: dict | None = None):
    monkeypatch.setenv("PBI_DB", str(db_path))
    monkeypatch.setattr(pages._ui, "today", lambda: AS_OF)
    at = signed_in(AppTest.from_file("../app.py", default_timeout=TIMEOUT))
    at.query_params["lang"] = lang
    for key, value in (state or {}).items():
        at.session_state[key] = value
    # app.py first (signed in, a session holds state: AppTest would not rerun a page into it), then the page
    # with the link's `dept`.
    at.run()
    if dept is not None:
        at.query_params["dept"] = dept
    at.switch_page("pages/profile.py").run()
    assert not at.exception, at.exception
    return at


def name_of(raw, code: str) -> str:
    return raw["departments"].set_index("department_code").at[code, "name"]


def heading(at: AppTest) -> str | None:
    return at.header[0].value if at.header else None


# The profile's tables, known by their first columns (AppTest keeps no key for a table without selection).
SATISFACTION = {"zh": ("期间", "人群", "得分"), "en": ("Period", "Population", "Score")}
DISCIPLINE = {"zh": ("期间", "运用“四种形态”处理（人次）"), "en": ("Period", "Four forms (person-times)")}
LEDGER = {"zh": ("记录编号",), "en": ("Record",)}


def frame(at: AppTest, columns: tuple[str, ...]) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if tuple(df.value.columns[: len(columns)]) == columns)


def satisfaction(raw, code: str, population: str, start: str, end: str) -> tuple[float, int, int]:
    """Score and respondents of one department: its responses plus its aggregates that count (one source per
    department × period × population) of a grain no coarser than the period, weighted by their respondents; and
    how many of the respondents are individual responses."""
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    responses = raw["satisfaction_responses"]
    mine = responses[
        (responses["department_code"] == code)
        & (responses["population"] == population)
        & (responses["submitted_at"] >= lo)
        & (responses["submitted_at"] < hi)
    ]
    aggregates = raw["satisfaction_aggregates"]
    aggregates = aggregates[counted(aggregates, responses)]
    agg = aggregates[
        (aggregates["department_code"] == code)
        & (aggregates["population"] == population)
        & (pd.to_datetime(aggregates["period_start"]) >= lo)
        & (pd.to_datetime(aggregates["period_start"]) < hi)
    ]
    if (hi - lo).days < 300:
        agg = agg[agg["period_grain"].isin(["month", "quarter"])]
    n = len(mine) + int(agg["respondents"].sum())
    return (mine["score"].sum() + (agg["score"] * agg["respondents"]).sum()) / n, n, len(mine)


def test_a_link_with_dept_opens_that_department_in_chinese(demo_db_path, monkeypatch, raw):
    at = open_profile(demo_db_path, monkeypatch, dept="D01")
    assert at.title[0].value == "科室画像"
    assert heading(at) == name_of(raw, "D01") == "心血管内科"
    assert at.selectbox(key="w_profile_dept").value == "D01"
    shown = {m.label: m.value for m in at.metric}
    department = raw["departments"].set_index("department_code").loc["D01"]
    branch = raw["branches"].set_index("branch_code").loc[department["branch_code"]]
    assert shown["职工人数"] == str(department["staff_count"])
    assert shown["所属党支部"] == branch["name"]
    assert shown["支部党员"] == str(branch["member_count"])
    assert shown["科室类别"] == "临床"
    assert at.query_params["dept"] == "D01"
    subheaders = [s.value for s in at.subheader]
    for key in ("profile.party.title", "profile.sat.title", "profile.disc.title", "profile.ledger.title"):
        assert t(key, "zh") in subheaders


def test_outpatient_score_for_a_quarter_counts_one_source(demo_db_path, monkeypatch, raw):
    at = open_profile(demo_db_path, monkeypatch, dept="D01")
    table = frame(at, SATISFACTION["zh"])
    row = table[(table["期间"] == "2025年第二季度") & (table["人群"] == "门诊患者")].iloc[0]
    score, n, responses = satisfaction(raw, "D01", "outpatient", "2025-04-01", "2025-07-01")
    assert n == responses > 0  # from 2024Q3 the demo's quarters are the hospital's own responses only
    assert row["受访人数"] == f"{n:,}"
    assert row["得分"] == f"{score:.1f}"
    # The latest quarter's card shows the same figure, with its n.
    last_score, last_n, _ = satisfaction(raw, "D01", "outpatient", "2025-10-01", "2026-01-01")
    card = next(m for m in at.metric if m.label == "门诊患者（2025年第四季度）")
    assert card.value == f"{last_score:.1f}"
    assert any(f"{last_n} 人受访" in c.value for c in at.caption)


def test_yearly_grain_pools_the_year(demo_db_path, monkeypatch, raw):
    at = open_profile(demo_db_path, monkeypatch, dept="D02", lang="en")
    at.segmented_control(key="w_grain").set_value("year").run()
    assert not at.exception
    assert heading(at) == name_of(raw, "D02")  # the department survives the rerun
    assert at.query_params["dept"] == "D02"
    table = frame(at, SATISFACTION["en"])
    row = table[(table["Period"] == "2024") & (table["Population"] == "Inpatients")].iloc[0]
    score, n, _ = satisfaction(raw, "D02", "inpatient", "2024-01-01", "2025-01-01")
    assert (row["Respondents"], row["Score"]) == (f"{n:,}", f"{score:.1f}")


def test_discipline_per_quarter_against_the_raw_records(demo_db_path, monkeypatch, raw):
    records = raw["discipline_records"]
    records = records.assign(quarter=pd.PeriodIndex(pd.to_datetime(records["record_date"]), freq="Q").strftime("%YQ%q"))
    serious = records[records["category"].isin(FORM2PLUS)].groupby(["department_code", "quarter"]).size()
    code, quarter = serious.sort_values(ascending=False, kind="stable").index[0]
    at = open_profile(demo_db_path, monkeypatch, dept=code)
    said = f"{quarter[:4]}年第{'一二三四'[int(quarter[-1]) - 1]}季度"  # '2024Q2' as the table says it
    row = frame(at, DISCIPLINE["zh"]).set_index("期间").loc[said]
    mine = records[(records["department_code"] == code) & (records["quarter"] == quarter)]
    staff = raw["departments"].set_index("department_code").at[code, "staff_count"]
    assert row["记录数（条）"] == len(mine)
    assert row["第二至四种形态记录（条）"] == mine["category"].isin(FORM2PLUS).sum() >= 1
    assert row["每百名职工记录数（条）"] == pytest.approx(round(mine["category"].isin(CASES).sum() * 100 / staff, 2))
    forms = mine[mine["category"].str.fullmatch(r"form_[1-4]")]
    assert row["运用“四种形态”处理（人次）"] == sum(max(len(set(p)), 1) for p in forms["persons_pseudonymised"])


def test_warnings_and_overdue_items_of_the_department(demo_db_path, monkeypatch, raw):
    records = raw["discipline_records"]
    overdue = records[(records["status"] == "in_progress") & (records["rectification_deadline"] < pd.Timestamp(AS_OF))]
    code = overdue["department_code"].iloc[0]
    at = open_profile(demo_db_path, monkeypatch, dept=code)
    ledger = frame(at, LEDGER["zh"])
    assert sorted(ledger["记录编号"]) == sorted(overdue.loc[overdue["department_code"] == code, "record_id"])
    shown = [w.value.replace("\\", "") for w in (*at.error, *at.warning)]  # markdown escapes undone
    assert any(t("risk.rule.rectification_overdue", "zh") in text for text in shown)
    # Exactly the warnings of the department and of its branch, none of anybody else's.
    with Database(demo_db_path) as db:
        panel = metrics.build_panel(db, "quarter", AS_OF)
        found = risk.warnings(panel, risk.overdue_ledger(db, AS_OF))
    branch = raw["departments"].set_index("department_code").at[code, "branch_code"]
    mine = found[(found["unit"] == code) | (found["unit"] == branch)]
    assert len(shown) == len(mine) > 0
    for explanation in mine["explanation_zh"]:
        assert any(explanation in text for text in shown), explanation


def test_a_small_staff_group_shows_the_suppression_note_not_a_number(demo_db_path, monkeypatch, raw):
    at = open_profile(demo_db_path, monkeypatch, dept="D06")
    table = frame(at, SATISFACTION["zh"])
    _, n, _ = satisfaction(raw, "D06", "staff", "2023-01-01", "2023-04-01")
    assert 0 < n < 10
    row = table[(table["期间"] == "2023年第一季度") & (table["人群"] == "医务人员")].iloc[0]
    assert row["得分"] == t("metric.suppressed", "zh")
    assert row["受访人数"] == "<10"  # not the exact n
    assert pd.isna(row["较上期"])


def test_the_session_department_opens_without_a_link_and_goes_into_the_url(demo_db_path, monkeypatch, raw):
    at = open_profile(demo_db_path, monkeypatch, dept=None, state={"profile_dept": "D03"})
    assert heading(at) == name_of(raw, "D03")
    assert at.query_params["dept"] == "D03"


def test_choosing_another_department_changes_page_and_link(demo_db_path, monkeypatch, raw):
    at = open_profile(demo_db_path, monkeypatch, dept="D01", lang="en")
    at.selectbox(key="w_profile_dept").set_value("D04").run()
    assert not at.exception
    assert heading(at) == name_of(raw, "D04")
    assert at.query_params["dept"] == "D04"
    assert at.session_state["profile_dept"] == "D04"
    assert at.title[0].value == "Department profile"
    at.select_slider(key="w_range_quarter").set_value(("2024Q1", "2024Q4")).run()
    assert heading(at) == name_of(raw, "D04")
    assert frame(at, DISCIPLINE["en"])["Period"].to_list() == ["Q1 2024", "Q2 2024", "Q3 2024", "Q4 2024"]


def test_open_profile_switches_to_the_profile_with_the_code_in_the_link(demo_db_path, monkeypatch, raw):
    """`_ui.open_profile`, which a table row click calls (the click itself: test_page_discipline)."""
    at = open_profile(demo_db_path, monkeypatch, dept="D01")
    at.session_state["profile_satisfaction"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.switch_page("pages/discipline.py").run()
    at.session_state["discipline_ledger"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    first = (
        raw["discipline_records"]
        .query("status == 'in_progress' and rectification_deadline < @pd.Timestamp(@AS_OF)")
        .sort_values(["rectification_deadline", "record_id"])
        .iloc[0]
    )
    assert at.query_params["dept"] == first["department_code"]
    assert heading(at) == name_of(raw, first["department_code"])


def test_an_unknown_code_says_so_and_offers_the_list(demo_db_path, monkeypatch):
    at = open_profile(demo_db_path, monkeypatch, dept="NOPE")
    assert [w.value for w in at.warning] == [t("profile.unknown", "zh", code="NOPE")]
    choose = at.selectbox(key="w_profile_dept")
    assert choose.value is None and len(choose.options) == 40
    assert heading(at) is None and not at.dataframe
    choose.set_value("D05").run()
    assert not at.exception
    assert t("profile.unknown", "zh", code="NOPE") not in [w.value for w in at.warning]
    assert at.query_params["dept"] == "D05"


def test_a_register_without_other_data_shows_the_facts_and_what_is_missing(demo_db_copy, monkeypatch, raw):
    with Database(demo_db_copy) as db, db.writer() as cur:
        for table in ("activities", "satisfaction_responses", "satisfaction_aggregates", "discipline_records"):
            cur.execute(f"DELETE FROM {table}")
    at = open_profile(demo_db_copy, monkeypatch, dept="D01", lang="en")
    assert heading(at) == name_of(raw, "D01")
    assert [i.value for i in at.info] == [t("profile.no_panel", "en")]


def test_an_empty_database_says_what_is_missing(tmp_path, monkeypatch):
    add_test_accounts(tmp_path / "empty.duckdb")
    at = open_profile(tmp_path / "empty.duckdb", monkeypatch, dept="D01")
    assert [i.value for i in at.info] == [t("profile.empty", "zh")]
    assert not at.selectbox


def test_the_page_runs_alone_as_in_streamlits_legacy_mode(demo_db_path, monkeypatch, raw):
    """AppTest runs a page without app.py after a switch (Streamlit's legacy pages mode): no sidebar language
    switch, no restored filters. (A session with some state: a fresh one would rerun into app.py, see
    `_ui.ensure_navigation`.)"""
    monkeypatch.setenv("PBI_DB", str(demo_db_path))
    at = signed_in(AppTest.from_file("../pages/profile.py", default_timeout=TIMEOUT))
    at.query_params["dept"] = "D07"
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception
    assert heading(at) == name_of(raw, "D07")
