"""Discipline records whose rectification status and dates disagree: each such row is named in a warning at
import, and every record counts exactly one way — not required, open, overdue, completed on time, completed
late or completed without a date. A completion date means completed whatever the status says; 已整改 without
one is completed with its timeliness unknown; 无需整改 stays not required beside a date. The ledgers are
generated CSV files; expected counts are computed here with pandas from the rows written into them."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pandas as pd
import pytest

import pages._ui
from analytics import metrics, risk
from analytics.db import Database
from analytics.i18n import t
from analytics.imports.importer import import_files
from analytics.imports.model import ImportOptions, SourceFile
from tests.import_support import registers
from tests.page_support import add_test_accounts, open_app_page

OPTIONS = ImportOptions(today=dt.date(2026, 6, 30))
AS_OF = dt.date(2024, 6, 30)
HEADER = ("日期", "科室编码", "类别", "摘要", "状态", "整改期限", "完成日期")
STATUS = {"无需整改": "not_required", "整改中": "in_progress", "已整改": "completed", "": None}
STATES = ("not_required", "open", "overdue", "on_time", "late", "undated")

# (date, department, category, summary, status, deadline, completed); file row = index + 2.
LEDGER = [
    ("2024-01-10", "D1", "第一种形态", "谈话提醒", "整改中", "2024-02-10", "2024-02-05"),  # 2: dated → on time
    ("2024-01-11", "D1", "第二种形态", "诫勉", "整改中", "2024-02-10", "2024-03-01"),  # 3: dated → late
    ("2024-01-12", "D1", "医德医风投诉", "态度生硬", "已整改", "2024-02-10", ""),  # 4: undated
    ("2024-01-13", "D2", "信访举报", "收费疑问", "无需整改", "2024-02-10", ""),  # 5: not required, a deadline
    ("2024-01-14", "D2", "表扬信", "患者致谢", "无需整改", "", "2024-01-20"),  # 6: not required, a date
    ("2024-01-15", "D2", "第一种形态", "函询", "整改中", "2024-02-15", ""),  # 7: overdue
    ("2024-01-16", "D2", "第一种形态", "提醒谈话", "整改中", "2024-12-31", ""),  # 8: open, not yet due
    ("2024-01-17", "D1", "第一种形态", "批评教育", "已整改", "2024-02-17", "2024-02-10"),  # 9: on time
    ("2024-01-18", "D1", "第一种形态", "谈话函询", "已整改", "2024-02-17", "2024-03-10"),  # 10: late
    ("2024-01-19", "D1", "廉政谈话", "节前提醒", "无需整改", "", ""),  # 11: not required
    ("2024-01-20", "D2", "第一种形态", "约谈", "整改中", "", ""),  # 12: open, no deadline
    ("2024-01-21", "D2", "第一种形态", "通报", "已整改", "", "2024-03-01"),  # 13: on time, no deadline
    ("2024-02-22", "D2", "第一种形态", "督办", "", "2024-03-01", ""),  # 14: no status, a deadline → overdue
    ("2024-02-23", "D2", "第一种形态", "销号", "", "2024-03-01", "2024-02-28"),  # 15: no status, done → on time
]


def ledger_csv(rows: list[tuple], name: str = "discipline.csv") -> SourceFile:
    return SourceFile(name, "\n".join(",".join(row) for row in [HEADER, *rows]).encode())


@pytest.fixture
def db(tmp_path) -> Iterator[Database]:
    with Database(tmp_path / "x.duckdb") as database:
        result = import_files(database, registers(), OPTIONS)
        assert result.ok, [f.errors for f in result.files]
        yield database


def imported(db: Database, rows: list[tuple], **options: object) -> list[str]:
    """Import a ledger; returns the file's warnings."""
    result = import_files(db, [ledger_csv(rows)], OPTIONS.model_copy(update=options))
    assert result.ok, result.files[0].errors
    return result.files[0].warnings


# --- The rule, written out with pandas ---------------------------------------------------------------------


def state(status: str | None, deadline, done, as_of: dt.date) -> str:
    """One record's state, as the README states the rule; a blank status follows the dates (a completion date:
    completed; a deadline: in progress; neither: not required)."""
    if status is None:
        status = "completed" if pd.notna(done) else "in_progress" if pd.notna(deadline) else "not_required"
    if status == "not_required":
        return "not_required"
    if pd.notna(done):
        return "late" if pd.notna(deadline) and done > deadline else "on_time"
    if status == "completed":
        return "undated"
    return "overdue" if pd.notna(deadline) and deadline < pd.Timestamp(as_of) else "open"


def states(rows: list[tuple], as_of: dt.date) -> pd.DataFrame:
    """The ledger rows with their dates read and each one's state as of `as_of`."""
    frame = pd.DataFrame(rows, columns=["date", "department", "category", "summary", "status", "deadline", "done"])
    for column in ("date", "deadline", "done"):
        frame[column] = pd.to_datetime(frame[column].replace("", None))
    frame["state"] = [
        state(STATUS[s], deadline, done, as_of)
        for s, deadline, done in zip(frame["status"], frame["deadline"], frame["done"], strict=True)
    ]
    return frame


def test_a_ledger_whose_statuses_and_dates_disagree_names_each_row_and_says_how_it_counts(db):
    warnings = imported(db, LEDGER)
    assert t("warn.rectification-in-progress-dated", "zh", n=2, rows="2, 3") in warnings
    assert t("warn.rectification-completed-undated", "zh", n=1, rows="4") in warnings
    assert t("warn.rectification-not-required-dated", "zh", n=2, rows="5, 6") in warnings
    assert any("状态为整改中但填写了完成日期：按已整改（完成日期）计算" in w for w in warnings)
    # The records are stored as the clerk wrote them; only the counting applies the rule.
    stored = db.reader().execute("SELECT status FROM discipline_records ORDER BY source_row").fetchall()
    assert [s for (s,) in stored][:3] == ["in_progress", "in_progress", "completed"]


def test_the_warnings_in_english(db):
    result = import_files(db, [ledger_csv(LEDGER)], OPTIONS.model_copy(update={"lang": "en"}))
    assert t("warn.rectification-in-progress-dated", "en", n=2, rows="2, 3") in result.files[0].warnings
    assert "counted as completed on that date" in t("warn.rectification-in-progress-dated", "en", n=2, rows="2, 3")


def test_a_consistent_ledger_has_no_rectification_warning(db):
    consistent = [row for i, row in enumerate(LEDGER, start=2) if i not in (2, 3, 4, 5, 6)]
    assert not [w for w in imported(db, consistent) if "整改" in w]


@pytest.mark.parametrize("grain", metrics.GRAINS)
def test_each_record_counts_exactly_one_way(db, grain):
    imported(db, LEDGER)
    frame = metrics.build_panel(db, grain, as_of=AS_OF).frame
    want = states(LEDGER, AS_OF)
    freq = {"month": "M", "quarter": "Q", "year": "Y"}[grain]
    want["period"] = want["date"].dt.to_period(freq).astype(str)
    counts = want.groupby(["department", "period", "state"]).size().unstack("state", fill_value=0)
    counts = counts.reindex(columns=list(STATES), fill_value=0)
    got = frame.set_index(["department_code", "period"])
    for (department, period), row in counts.iterrows():
        cell = got.loc[(department, period)]
        for state in STATES[1:]:
            assert cell[f"rectification_{state}"] == row[state], (department, period, state)
        assert cell["rectification_required"] == row[list(STATES[1:])].sum()
        assert cell["discipline_records"] == row.sum()
        assert cell["rectification_closed"] == row["on_time"] + row["late"]
    # The six states partition the records: required = open + overdue + on time + late + undated, everywhere.
    required = frame[[f"rectification_{s}" for s in STATES[1:]]].sum(axis=1)
    assert (required == frame["rectification_required"]).all()
    assert frame["discipline_records"].sum() == len(LEDGER)
    totals = want["state"].value_counts().reindex(list(STATES), fill_value=0)
    assert totals.to_dict() == {
        "not_required": 3,
        "open": 2,
        "overdue": 2,
        "on_time": 4,
        "late": 2,
        "undated": 1,
    }


def test_days_to_close_count_every_completed_record_with_a_date(db):
    imported(db, LEDGER)
    quarter = metrics.rollup(metrics.build_panel(db, "quarter", as_of=AS_OF), "hospital").iloc[0]
    want = states(LEDGER, AS_OF)
    closed = want[want["state"].isin(["on_time", "late"])]
    assert quarter["rectification_closed"] == len(closed) == 6
    assert quarter["days_to_close"] == (closed["done"] - closed["date"]).dt.days.sum()
    assert quarter["rectification_undated"] == 1


def test_only_open_records_past_their_deadline_are_in_the_overdue_ledger(db):
    imported(db, LEDGER)
    ledger = risk.overdue_ledger(db, AS_OF)
    want = states(LEDGER, AS_OF)
    assert set(ledger["summary"]) == set(want.loc[want["state"] == "overdue", "summary"])
    assert list(ledger["summary"]) == ["函询", "督办"]  # oldest deadline first
    assert "谈话提醒" not in set(ledger["summary"])  # 整改中 with a completion date: done, not overdue
    assert "态度生硬" not in set(ledger["summary"])  # 已整改 without a date: done, timeliness unknown


# --- The corrected ledger of the issue ---------------------------------------------------------------------

OPEN_CASE = ("2024-03-04", "D1", "第二种形态", "处方点评整改", "整改中", "2024-04-04", "")


def overdue_warnings(db: Database) -> pd.DataFrame:
    panel = metrics.build_panel(db, "quarter", as_of=AS_OF)
    found = risk.warnings(panel, risk.overdue_ledger(db, AS_OF), period="2024Q1")
    return found[found["rule"] == "rectification_overdue"]


@pytest.mark.parametrize(
    "corrected",
    [
        ("已整改", "2024-04-04", "2024-04-01"),  # corrected properly
        ("整改中", "2024-04-04", "2024-04-01"),  # the status left stale, the completion date filled in
        ("已整改", "2024-04-04", ""),  # completed, the date not filled in
    ],
)
def test_a_corrected_ledger_raises_no_false_overdue_warning(db, corrected):
    imported(db, [OPEN_CASE])
    assert len(overdue_warnings(db)) == 1  # open past its deadline: a true warning
    status, deadline, done = corrected
    warnings = imported(db, [(*OPEN_CASE[:4], status, deadline, done)], replace=True)
    assert t("warn.replaced", "zh", n=1) in warnings
    assert overdue_warnings(db).empty
    assert risk.overdue_ledger(db, AS_OF).empty
    cell = metrics.build_panel(db, "quarter", as_of=AS_OF).frame.set_index(["department_code", "period"])
    counts = cell.loc[("D1", "2024Q1"), [f"rectification_{s}" for s in STATES[1:]]]
    assert counts.sum() == 1 and counts["rectification_overdue"] == 0
    assert counts["rectification_undated" if not done else "rectification_on_time"] == 1


# --- What the pages show -----------------------------------------------------------------------------------


def test_the_discipline_page_shows_completed_without_a_date_apart(db, tmp_path, monkeypatch):
    imported(db, LEDGER)
    add_test_accounts(db)
    db.close()
    monkeypatch.setattr(pages._ui, "today", lambda: AS_OF)
    at = open_app_page("pages/discipline.py", tmp_path / "x.duckdb", monkeypatch, "zh")
    table = next(df.value for df in at.dataframe if df.key == "discipline_departments").set_index("科室")
    want = states(LEDGER, AS_OF).groupby("department")["state"].value_counts().unstack(fill_value=0)
    for code, name in (("D1", "心血管内科"), ("D2", "呼吸内科")):
        counts = want.reindex(columns=list(STATES), fill_value=0).loc[code]
        row = table.loc[name]
        assert row["已整改无完成日期"] == counts["undated"]
        assert (row["按期完成"], row["逾期完成"]) == (counts["on_time"], counts["late"])
        assert (row["整改中未到期"], row["逾期未完成"]) == (counts["open"], counts["overdue"])
        assert row["需整改"] == counts[list(STATES[1:])].sum()
    # The donut's slices add up to the rectifications required, the undated one among them.
    donut = json.loads(next(c for c in at.get("plotly_chart") if c.key == "chart_rectification").proto.spec)
    slices = dict(zip(donut["data"][0]["labels"], donut["data"][0]["values"], strict=True))
    totals = want.sum().reindex(list(STATES), fill_value=0)
    assert slices["已整改（无完成日期）"] == totals["undated"] == 1
    assert sum(slices.values()) == totals[list(STATES[1:])].sum() == 11


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_about_page_states_the_rule(tmp_path, monkeypatch, lang):
    add_test_accounts(tmp_path / "empty.duckdb")
    at = open_app_page("pages/about.py", tmp_path / "empty.duckdb", monkeypatch, lang)
    assert f"- {t('about.rules.rectification', lang)}" in [m.value for m in at.markdown]
