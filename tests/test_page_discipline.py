"""The discipline page (纪检监察) through AppTest: its figures against pandas on the raw demo tables, the filters,
the overdue ledger, the click into a department's profile, and that no person ever reaches the page of a role
without record details."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import pages._ui
from analytics import accounts, exports
from analytics.accounts import Permission, Role
from analytics.db import Database
from analytics.i18n import t
from tests.page_support import add_test_accounts, signed_in

TIMEOUT = 30
AS_OF = dt.date(2025, 12, 31)  # inside the demo's last quarter, so only some rectifications are overdue
# Written out here rather than imported, so the test does not share the definitions it checks.
CASES = {"form_1", "form_2", "form_3", "form_4", "eight_point_violation"}
FORM2PLUS = {"form_2", "form_3", "form_4"}
FORMS = ("form_1", "form_2", "form_3", "form_4")


def person_times(records: pd.DataFrame) -> int:
    """人次 of records: each record's distinct persons (pseudonyms), one when it names none."""
    return int(sum(max(len(set(p)), 1) for p in records["persons_pseudonymised"]))


PSEUDONYM = re.compile(r"P-[0-9a-f]{12}")


@pytest.fixture(scope="module")
def raw(demo_db_path) -> dict[str, pd.DataFrame]:
    """The raw demo tables, read once."""
    with Database(demo_db_path) as db:
        con = db.reader()
        tables = {name: con.execute(f"SELECT * FROM {name}").df() for name in ("discipline_records", "departments")}
    records = tables["discipline_records"]
    records["quarter"] = pd.PeriodIndex(pd.to_datetime(records["record_date"]), freq="Q").strftime("%YQ%q")
    tables["records"] = records.merge(
        tables["departments"].rename(columns={"name": "department_name", "category": "department_category"}),
        on="department_code",
    )
    return tables


@pytest.fixture
def downloaded(monkeypatch) -> list[pd.DataFrame]:
    """Every table handed to the CSV and Excel download buttons."""
    frames: list[pd.DataFrame] = []
    to_csv, to_excel = exports.to_csv_bytes, exports.to_excel_bytes

    def csv(frame, *args, **kwargs):
        frames.append(frame)
        return to_csv(frame, *args, **kwargs)

    def excel(frame, *args, **kwargs):
        frames.append(frame)
        return to_excel(frame, *args, **kwargs)

    monkeypatch.setattr(exports, "to_csv_bytes", csv)
    monkeypatch.setattr(exports, "to_excel_bytes", excel)
    return frames


def open_page(db_path, monkeypatch, lang: str = "zh", role: Role = Role.ADMIN) -> AppTest:
    monkeypatch.setenv("PBI_DB", str(db_path))
    monkeypatch.setattr(pages._ui, "today", lambda: AS_OF)
    at = signed_in(AppTest.from_file("../app.py", default_timeout=TIMEOUT), role)
    at.query_params["lang"] = lang
    at.run()  # app.py first (a signed-in session holds state: AppTest would not rerun a page into app.py)
    at.switch_page("pages/discipline.py").run()
    assert not at.exception, at.exception
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def frame(at: AppTest, key: str) -> pd.DataFrame:
    return next(df.value for df in at.dataframe if df.key == key)


def page_text(at: AppTest) -> str:
    """Everything the page shows: text, metrics, tables (on screen and as printed) and the charts' data."""
    parts = [e.value for kind in ("title", "subheader", "markdown", "caption", "info", "success") for e in at.get(kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [df.value.to_csv() for df in at.dataframe]
    parts += [printed.proto.body for printed in at.get("html")]
    parts += [chart.proto.spec for chart in at.get("plotly_chart")]
    return "\n".join(str(p) for p in parts)


def ledger_ids(raw, departments: set[str] | None = None) -> list[int]:
    records = raw["records"]
    overdue = records[(records["status"] == "in_progress") & (records["rectification_deadline"] < pd.Timestamp(AS_OF))]
    if departments is not None:
        overdue = overdue[overdue["department_code"].isin(departments)]
    return sorted(overdue["record_id"].astype(int))


def test_chinese_headline_figures_match_the_raw_records(demo_db_path, monkeypatch, raw):
    at = open_page(demo_db_path, monkeypatch)
    records = raw["records"]
    assert at.title[0].value == "纪检监察"
    shown = metrics(at)
    assert shown["纪检监察记录"] == f"{len(records):,} 条"
    # The four forms in 人次, the first form separately, 立案 in 件 (issue 13, point 7): no "执纪案件".
    forms = records[records["category"].isin(FORMS)]
    assert shown["运用“四种形态”处理"] == f"{person_times(forms):,} 人次"
    assert shown["其中第一种形态"] == f"{person_times(forms[forms['category'] == 'form_1']):,} 人次"
    assert shown["立案审查调查"] == f"{records['category'].isin({'form_3', 'form_4'}).sum():,} 件"
    assert "执纪案件" not in shown
    share = person_times(forms[forms["category"] == "form_1"]) / person_times(forms)
    # 第一种形态成为常态 is explained, with the share.
    assert any("第一种形态成为常态" in i.value and f"{share:.0%}" in i.value for i in at.info)
    # Record-level rows are withheld, and the page says so.
    assert t("discipline.privacy", "zh") in [c.value for c in at.caption]
    # Every department is in the table, with its name, never its code.
    table = frame(at, "discipline_departments")
    assert set(table["科室"]) == set(raw["departments"]["name"])
    assert not table["科室"].str.fullmatch(r"D\d+").any()


def test_one_quarter_form2plus_and_cases_per_100_staff_per_department(demo_db_path, monkeypatch, raw):
    records = raw["records"]
    serious = records[records["category"].isin(FORM2PLUS)].groupby(["quarter", "department_code"]).size()
    quarter, code = serious.sort_values(ascending=False, kind="stable").index[0]  # the busiest cell
    at = open_page(demo_db_path, monkeypatch)
    at.select_slider(key="w_range_quarter").set_value((quarter, quarter)).run()
    assert not at.exception
    in_quarter = records[records["quarter"] == quarter]
    mine = in_quarter[in_quarter["department_code"] == code]
    staff = int(raw["departments"].set_index("department_code").at[code, "staff_count"])
    name = mine["department_name"].iloc[0]

    row = frame(at, "discipline_departments").set_index("科室").loc[name]
    assert row["第二至四种形态记录（条）"] == serious[(quarter, code)] == mine["category"].isin(FORM2PLUS).sum() >= 1
    assert row["四种形态及违反八项规定记录（条）"] == mine["category"].isin(CASES).sum()
    assert row["每百名职工记录数（条）"] == pytest.approx(round(mine["category"].isin(CASES).sum() * 100 / staff, 2))
    assert row["运用“四种形态”处理（人次）"] == person_times(mine[mine["category"].isin(FORMS)])
    assert row["记录数（条）"] == len(mine)
    required = mine[mine["status"] != "not_required"]
    assert row["需整改"] == len(required)
    assert metrics(at)["纪检监察记录"] == f"{len(in_quarter):,} 条"


def test_overdue_ledger_is_the_open_records_past_their_deadline(demo_db_path, monkeypatch, raw, downloaded):
    at = open_page(demo_db_path, monkeypatch)
    ledger = frame(at, "discipline_ledger")
    expected = ledger_ids(raw)
    assert 0 < len(expected) < (raw["records"]["status"] == "in_progress").sum()  # the as-of day matters
    assert sorted(ledger["记录编号"]) == expected
    assert metrics(at)["逾期未整改"] == f"{len(expected)} 项"
    # Categories are labels and the days overdue count from the as-of day.
    by_id = raw["records"].set_index("record_id")
    for row in ledger.itertuples(index=False):
        record = by_id.loc[row[0]]
        assert row[-1] == (AS_OF - record["rectification_deadline"].date()).days
    assert not ledger["记录类别"].isin(raw["records"]["category"]).any()
    # The ledger is downloadable, exactly as shown.
    assert any(list(d.columns) == list(ledger.columns) and len(d) == len(ledger) for d in downloaded)


def test_category_and_branch_filters_cut_figures_table_and_ledger(demo_db_path, monkeypatch, raw):
    at = open_page(demo_db_path, monkeypatch)
    records = raw["records"]
    at.selectbox(key="w_cat").set_value("medical_technical").run()
    assert not at.exception
    technical = records[records["department_category"] == "medical_technical"]
    assert metrics(at)["纪检监察记录"] == f"{len(technical):,} 条"
    names = set(raw["departments"].query("category == 'medical_technical'")["name"])
    assert set(frame(at, "discipline_departments")["科室"]) == names

    at.selectbox(key="w_cat").set_value("").run()
    branch = records.loc[records["record_id"] == ledger_ids(raw)[-1], "branch_code"].iloc[0]
    at.selectbox(key="w_branch").set_value(branch).run()
    assert not at.exception
    in_branch = set(raw["departments"].query("branch_code == @branch")["department_code"])
    assert metrics(at)["纪检监察记录"] == f"{records['department_code'].isin(in_branch).sum():,} 条"
    ledger = frame(at, "discipline_ledger")
    assert sorted(ledger["记录编号"]) == ledger_ids(raw, in_branch)
    assert len(ledger) < len(ledger_ids(raw))


def test_yearly_grain_in_english_labels_every_category(demo_db_path, monkeypatch, raw):
    at = open_page(demo_db_path, monkeypatch, lang="en")
    at.segmented_control(key="w_grain").set_value("year").run()
    assert not at.exception
    assert at.title[0].value == "Discipline inspection"
    records = raw["records"]
    year = records[pd.to_datetime(records["record_date"]).dt.year == 2024]
    at.select_slider(key="w_range_year").set_value(("2024", "2024")).run()
    assert metrics(at)["Discipline records"] == f"{len(year):,} records"
    table = frame(at, "discipline_departments")
    assert {"Department", "Forms 2–4 records", "Records per 100 staff", "Overdue", "Mean days to close"} <= set(
        table.columns
    )
    text = page_text(at)
    assert "First form as the norm" in text and "Second form" in text and "Praise letter" in text
    # Raw category codes never reach the reader, in tables or charts.
    for code in records["category"].unique():
        assert f'"{code}"' not in text and f",{code}," not in text, code
    assert not re.search(r"[\u4e00-\u9fff]", "".join(table.columns))


@pytest.mark.parametrize(
    "role", [r for r in Role if not accounts.may(r, Permission.DISCIPLINE_DETAILS)], ids=lambda r: r.value
)
def test_no_person_or_pseudonym_anywhere_on_the_page_or_in_downloads(demo_db_path, monkeypatch, raw, downloaded, role):
    persons = {p for people in raw["records"]["persons_pseudonymised"] for p in people}
    assert persons  # the demo does name people: the test can fail
    at = open_page(demo_db_path, monkeypatch, role=role)
    assert not [df for df in at.dataframe if df.key == "discipline_details"]
    at.selectbox(key="w_branch").set_value(raw["departments"]["branch_code"].iloc[0]).run()
    texts = [page_text(at)] + [d.to_csv() for d in downloaded]
    assert len(downloaded) >= 4  # department table and ledger, CSV and Excel
    for text in texts:
        assert not PSEUDONYM.search(text)
        assert not any(person in text for person in persons)
    for table in downloaded:
        assert not any("persons" in str(c) or "人员" in str(c) for c in table.columns)


def test_a_printed_record_list_stops_at_its_limit_and_says_so(demo_db_path, monkeypatch, raw):
    # The record details (nearly a thousand rows) print their first PRINT_ROWS, with a line saying so; the
    # screen's grid and the downloads hold them all.
    at = open_page(demo_db_path, monkeypatch)
    shown = frame(at, "discipline_details")
    assert len(shown) == len(raw["records"]) > pages._ui.PRINT_ROWS
    [printed] = [h.proto.body for h in at.get("html") if h.proto.body.count("<tr>") > 100]  # the one long table
    assert printed.count("<tr>") == pages._ui.PRINT_ROWS + 1  # and the header
    note = t("print.rows_left_out", "zh", shown=f"{pages._ui.PRINT_ROWS:,}", n=f"{len(shown):,}")
    assert note in printed


def test_clicking_a_department_opens_its_profile(demo_db_path, monkeypatch, raw):
    at = open_page(demo_db_path, monkeypatch)
    table = frame(at, "discipline_departments")
    at.session_state["discipline_departments"] = {"selection": {"rows": [2], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    name = table["科室"].iloc[2]
    code = raw["departments"].set_index("name").at[name, "department_code"]
    assert at.query_params["dept"] == code
    assert at.session_state["profile_dept"] == code
    assert at.title[0].value == t("profile.title", "zh")
    assert at.header[0].value == name


def test_a_database_without_discipline_records_says_what_is_missing(demo_db_copy, monkeypatch):
    with Database(demo_db_copy) as db, db.writer() as cur:
        cur.execute("DELETE FROM discipline_records")
    at = open_page(demo_db_copy, monkeypatch)
    assert [i.value for i in at.info] == [t("discipline.empty", "zh")]
    assert not at.dataframe


def test_an_empty_database_says_what_is_missing(tmp_path, monkeypatch):
    add_test_accounts(tmp_path / "empty.duckdb")
    at = open_page(tmp_path / "empty.duckdb", monkeypatch, lang="en")
    assert [i.value for i in at.info] == [t("discipline.empty", "en")]
    assert any(link.proto.page.endswith("import.py") or "import" in link.proto.page for link in at.get("page_link"))


def test_the_page_runs_alone_as_in_streamlits_legacy_mode(demo_db_path, monkeypatch, raw):
    """AppTest runs a page without app.py after a switch (Streamlit's legacy pages mode): no sidebar language
    switch, no restored filters. (A session with some state: a fresh one would rerun into app.py, see
    `_ui.ensure_navigation`.)"""
    monkeypatch.setenv("PBI_DB", str(demo_db_path))
    at = signed_in(AppTest.from_file("../pages/discipline.py", default_timeout=TIMEOUT))
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    assert metrics(at)["Discipline records"] == f"{len(raw['records']):,} records"
