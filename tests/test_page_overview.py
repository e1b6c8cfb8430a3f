"""The Overview (总览) through Streamlit's AppTest: its cards checked against figures recomputed with pandas
straight from the raw tables, in Chinese and English, with the shared filters changed, a suppressed group,
and databases that hold nothing or only the registers."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics import metrics, risk
from analytics.db import Database
from analytics.i18n import RAG_MARKS, rag_tag, t
from analytics.imports.importer import import_files
from analytics.imports.model import SourceFile
from analytics.queries import RECORD_TABLES
from analytics.schema import REQUIRED_MEETINGS_PER_YEAR
from pages._ui import md_escape
from tests.conftest import SAMPLES
from tests.page_support import add_test_accounts, signed_in
from tests.satisfaction_support import counted

TIMEOUT = 60
POPULATIONS = ("outpatient", "inpatient", "staff")
FORMS = ("form_1", "form_2", "form_3", "form_4")
THREE_ONE = ("branch_general_meeting", "branch_committee_meeting", "party_group_meeting", "party_lecture")
UNITS = {"zh": {"points": " 分", "pp": " 个百分点"}, "en": {"points": " pts", "pp": " pp"}}


@pytest.fixture(scope="module")
def raw(demo_db_path) -> dict[str, pd.DataFrame]:
    """The raw tables of the demo database, as stored (no analytics code involved)."""
    with Database(demo_db_path) as db:
        con = db.reader()
        return {name: con.execute(f"SELECT * FROM {name}").df() for name in RECORD_TABLES if name != "import_batches"}


@pytest.fixture
def app(demo_db_path, monkeypatch) -> AppTest:
    monkeypatch.setenv("PBI_DB", str(demo_db_path))
    return signed_in(AppTest.from_file("../app.py", default_timeout=TIMEOUT))


def cards(at: AppTest) -> dict[str, object]:
    return {m.label: m for m in at.metric}


# --- Independent computations on the raw tables -------------------------------------------------------------


def span(label: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """[first day, first day after) of '2025-12', '2025Q4' or '2025'."""
    if "Q" in label:
        period = pd.Period(label, freq="Q")
    elif "-" in label:
        period = pd.Period(label, freq="M")
    else:
        period = pd.Period(label, freq="Y")
    return period.start_time.normalize(), (period + 1).start_time.normalize()


def departments_in(raw, category: str | None = None, branch: str | None = None) -> set[str]:
    d = raw["departments"]
    if category:
        d = d[d["category"] == category]
    if branch:
        d = d[d["branch_code"] == branch]
    return set(d["department_code"])


def satisfaction(raw, label: str, pop: str, grains: tuple[str, ...], departments: set[str]) -> tuple[float, int]:
    """Respondent-weighted mean of individual responses and the department aggregates that count (one source
    per department × period × population; of the grains no coarser than the period's) for one population and
    period: (score, respondents)."""
    lo, hi = span(label)
    r = raw["satisfaction_responses"]
    r = r[(r["population"] == pop) & (r["submitted_at"] >= lo) & (r["submitted_at"] < hi)]
    r = r[r["department_code"].isin(departments)]
    a = raw["satisfaction_aggregates"]
    a = a[counted(a, raw["satisfaction_responses"])]
    starts = pd.to_datetime(a["period_start"])
    a = a[(a["population"] == pop) & (starts >= lo) & (starts < hi) & a["period_grain"].isin(grains)]
    a = a[a["department_code"].isin(departments)]
    n = len(r) + int(a["respondents"].sum())
    return (r["score"].sum() + (a["score"] * a["respondents"]).sum()) / n, n


def meeting_compliance(raw, label: str, months: int, branches: set[str] | None = None) -> float:
    """三会一课 compliance (%) from the activity ledger: per branch, the mean over the four meetings of 三会一课
    (not the theme party day) whose required frequency fits in the period of min(held ÷ required, 1);
    branches weighted by party members."""
    lo, hi = span(label)
    acts = raw["activities"]
    acts = acts[(pd.to_datetime(acts["activity_date"]) >= lo) & (pd.to_datetime(acts["activity_date"]) < hi)]
    per_year = {k.value: n for k, n in REQUIRED_MEETINGS_PER_YEAR.items() if 12 // n <= months and k in THREE_ONE}
    b = raw["branches"] if branches is None else raw["branches"][raw["branches"]["branch_code"].isin(branches)]
    held = acts.groupby(["branch_code", "activity_type"]).size()
    scores = []
    for code in b["branch_code"]:
        ratios = [min(held.get((code, kind), 0) / (n * months / 12), 1.0) for kind, n in per_year.items()]
        scores.append(np.mean(ratios) * 100)
    return float(np.average(scores, weights=b["member_count"]))


def four_forms_persons(raw, first: str, last: str, departments: set[str]) -> int:
    """运用“四种形态”处理 人次 from the first day of `first` to the end of `last`: per record of the four forms,
    its distinct persons (1 when it names none)."""
    lo, hi = span(first)[0], span(last)[1]
    d = raw["discipline_records"]
    day = pd.to_datetime(d["record_date"])
    d = d[(day >= lo) & (day < hi) & d["category"].isin(FORMS) & d["department_code"].isin(departments)]
    return int(sum(max(len(set(p)), 1) for p in d["persons_pseudonymised"]))


def overdue(raw, departments: set[str]) -> int:
    d = raw["discipline_records"]
    late = (d["status"] == "in_progress") & (pd.to_datetime(d["rectification_deadline"]) < pd.Timestamp.today())
    return int((late & d["department_code"].isin(departments)).sum())


def signed(change: float, unit: str = "points", lang: str = "zh") -> str:
    """A change as the cards write it: "+1.2 分", "-0.4 个百分点", or "0" when it rounds to zero."""
    return "0" if round(change, 1) == 0 else f"{change:+.1f}{UNITS[lang][unit]}"


def check_satisfaction_cards(at, raw, label, previous, grains, departments, said, lang="zh") -> None:
    """The population cards of period `label` against the raw tables; each help names the previous period as the
    reader says it (`said`, e.g. '2025年第三季度'), never by its code."""
    shown = cards(at)
    for pop in POPULATIONS:
        score, n = satisfaction(raw, label, pop, grains, departments)
        old, _ = satisfaction(raw, previous, pop, grains, departments)
        card = shown[t(f"metric.satisfaction_{pop}", lang)]
        assert card.value == f"{score:.1f}{UNITS[lang]['points']}", pop
        assert card.delta == signed(score - old, "points", lang), pop
        assert f"{n:,}" in card.help and said in card.help, pop
        assert previous not in card.help or said.startswith(previous), pop  # a year's code is its name


# --- Tests --------------------------------------------------------------------------------------------------


def test_the_cards_equal_the_raw_tables_for_the_latest_quarter(app, raw, demo_db_path):
    at = app.run()
    assert not at.exception
    assert at.title[0].value == "总览"
    assert any("2025年第四季度" in c.value and "2025年第三季度" in c.value for c in at.caption)
    assert not any("2025Q4" in c.value or "2025Q3" in c.value for c in at.caption)  # never the codes
    everyone = departments_in(raw)
    check_satisfaction_cards(at, raw, "2025Q4", "2025Q3", ("month", "quarter"), everyone, "2025年第三季度")

    shown = cards(at)
    compliance = meeting_compliance(raw, "2025Q4", 3)
    assert shown["三会一课完成率"].value == f"{compliance:.1f}%"
    assert shown["三会一课完成率"].delta == signed(compliance - meeting_compliance(raw, "2025Q3", 3), "pp")
    # The discipline cards cover the chosen range (here all of it), as the discipline page does.
    assert shown["运用“四种形态”处理"].value == f"{four_forms_persons(raw, '2023Q1', '2025Q4', everyone):,} 人次"
    assert shown["逾期整改"].value == f"{overdue(raw, everyone)} 项"
    # The index is the roll-up's (its compliance component is checked independently above).
    with Database(demo_db_path) as db:
        hospital = metrics.rollup(metrics.build_panel(db, "quarter", dt.date.today()), "hospital")
    row = hospital.set_index("period").loc["2025Q4"]
    assert row["meeting_compliance"] == pytest.approx(compliance)
    assert shown["党建指数"].value == f"{row['party_index']:.1f} 分"
    assert shown["党建指数"].delta == signed(row["delta_party_index"])


def test_warnings_and_scorecard_in_english(app, raw, demo_db_path):
    app.query_params["lang"] = "en"
    at = app.run()
    assert not at.exception
    assert at.title[0].value == "Overview"
    shown = cards(at)
    assert {
        "Party-building index",
        "三会一课 compliance",
        "Theme party day compliance",
        "Handled by the four forms",
        "Overdue rectifications",
    } <= set(shown)
    check_satisfaction_cards(at, raw, "2025Q4", "2025Q3", ("month", "quarter"), departments_in(raw), "Q3 2025", "en")
    assert any("Q4 2025" in c.value and "Q3 2025" in c.value for c in at.caption)
    assert not any("2025Q4" in c.value for c in [*at.caption, *at.subheader])

    with Database(demo_db_path) as db:
        panel = metrics.build_panel(db, "quarter", dt.date.today())
        expected = risk.warnings(panel, risk.overdue_ledger(db, dt.date.today()), "2025Q4")
        card = risk.scorecard(panel, "2025Q4")
    # The warnings, said once: one list, most severe first, each the analytics' sentence under its rule, each
    # severity's heading counting its warnings; one button per warning to its unit.
    items = [m.value for m in at.markdown if re.match(r"\*\*[^*]+\*\*: ", m.value)]
    in_order = pd.concat([expected[expected["severity"] == s] for s in ("high", "medium", "low")])
    assert items == [
        f"**{t(f'risk.rule.{r}', 'en')}**: {md_escape(e)}"
        for r, e in zip(in_order["rule"], in_order["explanation_en"], strict=True)
    ]
    headings = [m.value for m in at.markdown if m.value.startswith("##### ")]
    counts = expected["severity"].value_counts()
    assert headings == [
        f"##### {icon} {t(f'risk.severity.{s}', 'en')} ({counts[s]})"
        for s, icon in (("high", ":material/error:"), ("medium", ":material/report:"))
        if s in counts
    ]
    buttons = [b for b in at.button if b.key and b.key.startswith("warning_")]
    assert len(buttons) == len(expected)
    # Every overdue rectification of the raw table is behind one of the warnings.
    overdue_rows = expected[expected["rule"] == "rectification_overdue"]
    assert int(overdue_rows["value"].sum()) == overdue(raw, departments_in(raw))
    # The scorecard: every branch, lowest index first, the 三会一课 figure as recomputed from the ledger.
    scorecard = at.dataframe[-1].value  # the last table on the page
    assert len(scorecard) == len(raw["branches"]) == len(card)
    assert scorecard["Index"].to_list() == pytest.approx(card["party_index"].round(1).to_list())
    first = raw["branches"].set_index("branch_code").loc[[card["branch_code"].iloc[0]]].reset_index()
    compliance = meeting_compliance(raw, "2025Q4", 3, set(first["branch_code"]))
    # each score with its rating's shape as well as its colour
    assert scorecard["三会一课 compliance"].iloc[0] == f"{RAG_MARKS[card['compliance_rag'].iloc[0]]} {compliance:.0f}%"
    assert scorecard["Rating"].iloc[0] == rag_tag(card["index_rag"].iloc[0], "en")
    assert any("Q4 2025" in s.value for s in at.subheader)


def test_a_warning_opens_its_unit(app, demo_db_path):
    """A branch's warning opens the party page on that branch (the shared filter set); a department's opens
    its profile."""
    at = app.run()
    with Database(demo_db_path) as db:
        panel = metrics.build_panel(db, "quarter", dt.date.today())
        expected = risk.warnings(panel, risk.overdue_ledger(db, dt.date.today()), "2025Q4")
    in_order = pd.concat([expected[expected["severity"] == s] for s in ("high", "medium", "low")])
    keys = [f"warning_{s}_{i}" for s in ("high", "medium", "low") for i in range((expected["severity"] == s).sum())]
    department = next(k for k, level in zip(keys, in_order["unit_level"], strict=True) if level == "department")
    code = in_order["unit"].iloc[keys.index(department)]
    at.button(key=department).click().run()
    assert not at.exception
    assert at.title[0].value == t("profile.title")
    assert at.query_params["dept"] == code

    at.switch_page("pages/overview.py").run()
    branch = next(k for k, level in zip(keys, in_order["unit_level"], strict=True) if level == "branch")
    code = in_order["unit"].iloc[keys.index(branch)]
    at.button(key=branch).click().run()
    assert not at.exception
    assert at.title[0].value == t("party.title")
    assert at.session_state["f_branch"] == code
    assert at.query_params["branch"] == code


def test_the_filters_change_the_figures(app, raw):
    at = app.run()
    everyone = departments_in(raw)

    at.segmented_control(key="w_grain").set_value("month").run()
    assert not at.exception
    assert any("2025年12月" in c.value and "2025年11月" in c.value for c in at.caption)
    check_satisfaction_cards(at, raw, "2025-12", "2025-11", ("month",), everyone, "2025年11月")
    assert cards(at)["三会一课完成率"].value == f"{meeting_compliance(raw, '2025-12', 1):.1f}%"

    at.segmented_control(key="w_grain").set_value("year").run()
    assert not at.exception
    check_satisfaction_cards(at, raw, "2025", "2024", ("month", "quarter", "year"), everyone, "2024年")
    assert cards(at)["运用“四种形态”处理"].value == f"{four_forms_persons(raw, '2023', '2025', everyone):,} 人次"

    at.segmented_control(key="w_grain").set_value("quarter").run()
    at.select_slider(key="w_range_quarter").set_value(("2024Q1", "2024Q4")).run()
    assert not at.exception
    assert any("2024年第四季度" in c.value and "2024年第三季度" in c.value for c in at.caption)
    check_satisfaction_cards(at, raw, "2024Q4", "2024Q3", ("month", "quarter"), everyone, "2024年第三季度")
    assert any("2024年第一季度" in c.value and "2024年第四季度" in c.value for c in at.caption)  # the trend's range

    at.selectbox(key="w_cat").set_value("administrative").run()
    assert not at.exception
    admin = departments_in(raw, category="administrative")
    shown = cards(at)
    staff, _ = satisfaction(raw, "2024Q4", "staff", ("month", "quarter"), admin)
    assert shown["医务人员满意度"].value == f"{staff:.1f} 分"
    assert shown["门诊患者满意度"].value == "—"  # administrative departments see no patients
    assert shown["运用“四种形态”处理"].value == f"{four_forms_persons(raw, '2024Q1', '2024Q4', admin):,} 人次"
    assert shown["逾期整改"].value == f"{overdue(raw, admin)} 项"
    assert any("职能" in c.value for c in at.caption)

    at.selectbox(key="w_cat").set_value("").run()
    at.selectbox(key="w_branch").set_value("DZB02").run()
    assert not at.exception
    surgery = departments_in(raw, branch="DZB02")
    check_satisfaction_cards(at, raw, "2024Q4", "2024Q3", ("month", "quarter"), surgery, "2024年第三季度")
    assert cards(at)["三会一课完成率"].value == f"{meeting_compliance(raw, '2024Q4', 3, {'DZB02'}):.1f}%"
    assert len(at.dataframe[-1].value) == 1  # the scorecard: one branch


def test_a_group_below_the_threshold_shows_no_number(demo_db_copy, raw, monkeypatch):
    """机关第三党支部 (DZB24, 财务处) had 18 staff respondents in 2025Q4: with the threshold raised to 20 on
    the Settings page, its staff card says it is too small instead of showing a score, in both languages."""
    staff, n = satisfaction(raw, "2025Q4", "staff", ("month", "quarter"), departments_in(raw, branch="DZB24"))
    assert 10 <= n < 20
    monkeypatch.setenv("PBI_DB", str(demo_db_copy))
    at = signed_in(AppTest.from_file("../app.py", default_timeout=TIMEOUT)).run()
    at.selectbox(key="w_branch").set_value("DZB24").run()
    # At the default threshold of 10 it is not small, but the hospital total would give away a small branch
    # beside it (the one withheld branch of 2025Q4): it is withheld to protect that one, and says so.
    card = cards(at)["医务人员满意度"]
    assert card.value == "—" and card.delta == t("metric.withheld", "zh")
    assert f"{staff:.1f}" not in card.help and str(n) not in card.help

    at.switch_page("pages/settings.py").run()
    at.number_input(key="set_suppression_min_n").set_value(20)
    at.form_submit_button[0].click().run()
    assert not at.exception and not at.error
    at.switch_page("pages/overview.py").run()
    for lang in ("zh", "en"):
        at.session_state["lang"] = lang
        at.run()
        assert not at.exception
        card = cards(at)[t("metric.satisfaction_staff", lang)]
        assert card.value == "—"
        assert card.delta == t("metric.suppressed", lang)
        assert f"{staff:.1f}" not in card.help and str(n) not in card.help
        assert cards(at)[t("metric.satisfaction_outpatient", lang)].value == "—"  # no patients: no data


def test_only_the_registers_say_what_is_missing(tmp_path, monkeypatch):
    path = tmp_path / "registers.duckdb"
    with Database(path) as db:
        files = [SourceFile.from_path(SAMPLES / n) for n in ("branches_utf8bom.csv", "departments_gbk.csv")]
        assert import_files(db, files).ok
        add_test_accounts(db)
    monkeypatch.setenv("PBI_DB", str(path))
    at = signed_in(AppTest.from_file("../app.py", default_timeout=TIMEOUT)).run()
    assert not at.exception
    assert at.info[0].value == t("overview.registers_only", "zh")
    assert not at.metric
    assert at.get("page_link")  # the way to the import page


def test_only_satisfaction_shows_it_and_says_party_data_is_missing(tmp_path, monkeypatch):
    path = tmp_path / "satisfaction.duckdb"
    names = ("branches_utf8bom.csv", "departments_gbk.csv", "satisfaction_responses_gbk.csv")
    with Database(path) as db:
        assert import_files(db, [SourceFile.from_path(SAMPLES / n) for n in names]).ok
        responses = db.reader().execute("SELECT * FROM satisfaction_responses").df()
        add_test_accounts(db)
    monkeypatch.setenv("PBI_DB", str(path))
    at = signed_in(AppTest.from_file("../app.py", default_timeout=TIMEOUT)).run()
    assert not at.exception
    shown = cards(at)
    assert shown["党建指数"].value == "—"
    assert "运用“四种形态”处理" not in shown  # no discipline records: no discipline cards
    # The latest quarter's inpatient score, from the imported rows.
    caption = next(c.value for c in at.caption if "卡片为" in c.value)
    year, quarter = re.search(r"\*\*(\d{4})年第(.)季度\*\*", caption).groups()
    label = f"{year}Q{'一二三四'.index(quarter) + 1}"
    lo, hi = span(label)
    rows = responses[(responses["population"] == "inpatient") & responses["submitted_at"].between(lo, hi, "left")]
    assert len(rows) >= 10
    assert shown["住院患者满意度"].value == f"{rows['score'].mean():.1f} 分"
    assert t("overview.no_party", "zh") in [i.value for i in at.info]
