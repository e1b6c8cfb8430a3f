"""Held nothing or not reported (未上报): a branch-period counts as zero only when an activities ledger covering
the period lists the branch; otherwise its party figures are missing, left out of the hospital's figures and the
warnings, and listed in a data-completeness note. And the SD assumed for aggregate-only satisfaction tests is
said beside every p it affects.

The hospital, built through the importer as a party office would: branches B1 (20 members), B2 (15), B3 (10),
one department each. Ledger 1 (the party office's file for 2024 H1) lists B1 in both quarters and B2 in Q1
only, so B2 held nothing in Q2; ledger 2 (B3's own file) covers Q1 only, so B3 did not report Q2.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics import metrics, party, risk, satisfaction
from analytics.cli import main
from analytics.db import Database
from analytics.i18n import t
from analytics.imports.importer import import_files, undo
from analytics.imports.model import SourceFile
from tests.conftest import copy_database
from tests.page_support import add_test_accounts, open_app_page

BRANCHES = "支部编码,支部名称,党员人数\nB1,内科党支部,20\nB2,外科党支部,15\nB3,机关党支部,10\n"
DEPARTMENTS = (
    "科室编码,科室名称,科室类别,职工人数,支部编码\nD1,心内科,临床,50,B1\nD2,普外科,临床,40,B2\nD3,院办,行政,10,B3\n"
)
HEADER = "活动日期,支部编码,活动类型,活动主题,参加人数,应到人数,时长(小时)\n"


def meetings(branch: str, months: range) -> str:
    """A branch's monthly committee meeting, party-group meeting and theme day, and a quarterly lecture."""
    rows = []
    for month in months:
        rows.append(f"2024-{month:02d}-10,{branch},支部委员会会议,例会,8,10,1")
        rows.append(f"2024-{month:02d}-12,{branch},党小组会,学习,8,10,1")
        rows.append(f"2024-{month:02d}-15,{branch},主题党日,主题党日,9,10,2")
        if month % 3 == 0:
            rows.append(f"2024-{month:02d}-20,{branch},党课,党课,9,10,1.5")
    return "\n".join(rows) + "\n"


LEDGER_HOSPITAL = HEADER + meetings("B1", range(1, 7)) + meetings("B2", range(1, 4))
LEDGER_B3 = HEADER + meetings("B3", range(1, 4))


def aggregates() -> str:
    """Outpatient scores per department × quarter, aggregates only (no individual responses anywhere): D1 falls
    by 9 points from Q1 to Q2."""
    rows = ["调查期间,科室编码,调查对象,满意度得分,样本量"]
    for quarter, scores in (("2024Q1", (90, 85, 80)), ("2024Q2", (81, 85, 80))):
        for code, score in zip(("D1", "D2", "D3"), scores, strict=True):
            rows.append(f"{quarter},{code},门诊患者,{score},200")
    return "\n".join(rows) + "\n"


@pytest.fixture(scope="module")
def db_path(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("not_reported") / "small.duckdb"
    with Database(path) as db:
        files = [
            SourceFile("branches.csv", BRANCHES.encode()),
            SourceFile("departments.csv", DEPARTMENTS.encode()),
            SourceFile("党办_2024上半年活动台账.csv", LEDGER_HOSPITAL.encode()),
            SourceFile("机关党支部_2024Q1活动台账.csv", LEDGER_B3.encode()),
            SourceFile("门诊满意度_季度.csv", aggregates().encode()),
        ]
        result = import_files(db, files)
        assert result.ok, [e.message for f in result.files for e in f.errors]
        add_test_accounts(db)
    return str(path)


@pytest.fixture(scope="module")
def panel(db_path) -> metrics.Panel:
    with Database(db_path) as db:
        return metrics.build_panel(db, "quarter")


def branch_rows(panel: metrics.Panel) -> pd.DataFrame:
    return panel.frame.drop_duplicates(["branch_code", "period"]).set_index(["branch_code", "period"])


def test_a_listed_branch_without_activities_held_nothing(panel):
    rows = branch_rows(panel)
    b2 = rows.loc[("B2", "2024Q2")]
    assert bool(b2["party_reported"])
    assert b2["meeting_compliance"] == 0 and b2["party_index"] == 0  # held nothing: a real zero
    assert b2["service_hours_per_member"] == 0
    assert rows.loc[("B1", "2024Q2"), "party_index"] > 0


def test_a_branch_in_no_ledger_of_the_period_is_not_reported(panel):
    rows = branch_rows(panel)
    b3 = rows.loc[("B3", "2024Q2")]
    assert not bool(b3["party_reported"])
    for column in metrics.PARTY_METRICS:
        assert pd.isna(b3[column]), column
    assert bool(rows.loc[("B3", "2024Q1"), "party_reported"]) and rows.loc[("B3", "2024Q1"), "party_index"] > 0
    listed = metrics.not_reported(panel)
    assert listed[["branch_code", "period"]].values.tolist() == [["B3", "2024Q2"]]


def test_the_hospital_leaves_not_reported_branches_out(panel):
    rows = branch_rows(panel).reset_index()
    q2 = rows[rows["period"] == "2024Q2"]
    present = q2[q2["party_index"].notna()]
    expected = np.average(present["party_index"], weights=present["member_count"])  # B1 and B2 only
    as_zero = np.average(q2["party_index"].fillna(0), weights=q2["member_count"])
    hospital = metrics.rollup(panel, "hospital").set_index("period").loc["2024Q2"]
    assert hospital["party_index"] == pytest.approx(expected)
    assert hospital["party_index"] != pytest.approx(as_zero)
    # Service hours per member: the hours of the reporting branches over their own members.
    assert hospital["branches_not_reported"] == 1 and not hospital["party_reported"]
    records = {r["period"]: r for r in metrics.records(panel, "hospital")}
    assert records["2024Q2"]["not_reported"] == ["B3"] and records["2024Q1"]["not_reported"] == []
    assert records["2024Q2"]["party_index"] == pytest.approx(expected, abs=1e-4)


def test_no_warning_fires_for_a_branch_that_did_not_report(panel):
    found = risk.warnings(panel, period="2024Q2")
    branch_rules = found[found["unit_level"] == "branch"]
    assert "B2" in set(branch_rules["unit"])  # held nothing: a real low index
    assert "B3" not in set(branch_rules["unit"])


def test_the_completeness_note_lists_what_is_missing(panel):
    groups = party.completeness(panel, metrics.Filters(grain="quarter"))
    lines = party.completeness_lines(groups, panel, "zh")
    assert lines == ["2024年第二季度：机关党支部"]
    assert party.completeness(panel, metrics.Filters(grain="quarter", end="2024Q1")) == []


def test_coverage_follows_the_ledgers_months(db_path):
    with Database(db_path) as db:
        months = metrics.build_panel(db, "month")
    missing = metrics.not_reported(months)
    assert missing[["branch_code", "period"]].values.tolist() == [["B3", f"2024-{m:02d}"] for m in range(4, 7)]
    assert branch_rows(months).loc[("B2", "2024-05"), "party_index"] == 0


def test_an_undone_ledger_no_longer_reports(db_path, tmp_path):
    copy = copy_database(Path(db_path), tmp_path)
    with Database(copy) as db:
        batch = db.reader().execute("SELECT batch_id FROM import_batches WHERE file_name LIKE '机关%'").fetchone()[0]
        assert undo(db, batch).ok
        missing = metrics.not_reported(metrics.build_panel(db, "quarter"))
    assert missing[["branch_code", "period"]].values.tolist() == [["B3", "2024Q1"], ["B3", "2024Q2"]]


def test_the_cli_lists_not_reported(db_path, capsys):
    assert main(["metrics", "--db", db_path, "--level", "branch", "--json"]) == 0
    rows = {(r["unit"], r["period"]): r for r in json.loads(capsys.readouterr().out)}
    assert rows[("B3", "2024Q2")]["not_reported"] == ["B3"] and rows[("B3", "2024Q2")]["party_index"] is None
    assert rows[("B2", "2024Q2")]["not_reported"] == [] and rows[("B2", "2024Q2")]["party_index"] == 0
    assert main(["metrics", "--db", db_path, "--level", "hospital", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert t("reported.cli", "en") in out and "Q2 2024: 机关党支部" in out


def test_pages_show_not_reported_and_the_note(db_path, monkeypatch):
    at = open_app_page("pages/party.py", db_path, monkeypatch)
    warnings = [w.value for w in at.warning]
    assert any(t("reported.list", "zh") in w and "机关党支部" in w and "2024年第二季度" in w for w in warnings), (
        warnings
    )
    ratings = at.dataframe[0].value[t("party.col.rating", "zh")].tolist()
    assert t("reported.not", "zh") in ratings
    at = open_app_page("pages/overview.py", db_path, monkeypatch)
    assert any("机关党支部" in w.value and "2024年第二季度" in w.value for w in at.warning)
    card = at.dataframe[-1].value if hasattr(at.dataframe[-1].value, "columns") else None
    assert card is not None and t("reported.not", "zh") in card[t("component.compliance", "zh")].tolist()


# --- The assumed SD, said beside the p it affects ---------------------------------------------------------


def test_aggregate_only_tests_carry_the_assumed_sd(panel):
    assert "outpatient" not in panel.response_sd  # no individual responses: the SD is the setting's
    departments = metrics.rollup(panel, "department").set_index(["department_code", "period"])
    d1 = departments.loc[("D1", "2024Q2")]
    assert d1["test_outpatient"] == "z" and d1["assumed_sd_outpatient"] == 12
    changes = satisfaction.changes(metrics.rollup(panel, "department"), "outpatient", "2024Q2")
    assert (changes["assumed_sd"] == 12).all()
    found = risk.warnings(panel, period="2024Q2")
    drop = found[found["rule"] == "satisfaction_drop"].iloc[0]
    assert drop["assumed_sd"] == 12
    assert t("assumed_sd.note", "zh", sd=12) in drop["explanation_zh"]
    assert t("assumed_sd.note", "en", sd=12) in drop["explanation_en"]


def test_the_cli_and_the_page_disclose_the_assumed_sd(db_path, monkeypatch, capsys):
    assert main(["warnings", "--db", db_path, "--period", "2024Q2", "--json"]) == 0
    rows = [r for r in json.loads(capsys.readouterr().out) if r["rule"] == "satisfaction_drop"]
    assert rows and rows[0]["assumed_sd"] == 12
    at = open_app_page("pages/satisfaction.py", db_path, monkeypatch)
    shown = " ".join(c.value for c in at.caption) + " ".join(
        " ".join(map(str, d.value.get(t("sat.col.test", "zh"), []))) for d in at.dataframe
    )
    assert t("assumed_sd.note", "zh", sd=12) in shown


def test_the_profile_discloses_the_assumed_sd_and_the_missing_periods(db_path, monkeypatch):
    at = open_app_page("pages/profile.py", db_path, monkeypatch, profile_dept="D1")
    captions = " ".join(c.value for c in at.caption)
    assert t("assumed_sd.note", "zh", sd=12) in captions  # beside the p of the latest change
    at = open_app_page("pages/profile.py", db_path, monkeypatch, profile_dept="D3")
    assert any(w.value == t("reported.department", "zh", periods="2024年第二季度") for w in at.warning)
