"""The meeting material's content (`analytics.report`) on the demo hospital: every number checked against the
figures `metrics` gives (as `metrics --json` prints them) or an independent count, the suppression of small
groups exactly as on the pages, the annual assessment's ranks recomputed with pandas, no persons anywhere,
and the refusals of an unknown period or branch."""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import pandas as pd
import pytest

from analytics import metrics, relations, report
from analytics.db import Database
from analytics.i18n import t
from analytics.schema import ActivityType
from analytics.settings import COMPONENTS

AS_OF = dt.date(2026, 1, 15)


@pytest.fixture(scope="module")
def quarter(demo_db_path):
    with Database(demo_db_path) as db:
        return report.build(db, "2025Q4", "hospital", "zh", as_of=AS_OF, generated_by="测试")


@pytest.fixture(scope="module")
def panels(demo_db_path):
    with Database(demo_db_path) as db:
        return {grain: metrics.build_panel(db, grain, AS_OF) for grain in ("quarter", "year")}


def branch_records(panel, period: str) -> pd.DataFrame:
    """What `metrics --level branch --json` prints for one period."""
    return pd.DataFrame(metrics.records(panel, "branch")).query("period == @period").set_index("unit")


def test_the_sections_of_a_quarter_and_their_titles_carry_the_number(quarter, panels):
    keys = [s.key for s in quarter.sections]
    assert keys == [k for k in report.SECTIONS if k != "assessment"]
    hospital = next(r for r in metrics.records(panels["quarter"], "hospital") if r["period"] == "2025Q4")
    before = next(r for r in metrics.records(panels["quarter"], "hospital") if r["period"] == "2025Q3")
    headline = quarter.section("headline")
    change = hospital["party_index"] - before["party_index"]
    word = "上升" if change > 0 else "下降"
    assert headline.title == f"党建指数 {hospital['party_index']:.1f} 分，较上季度{word} {abs(change):.1f} 分"
    assert headline.figures[0].value == f"{hospital['party_index']:.1f} 分"
    assert quarter.cover.period == "2025年第四季度" and quarter.cover.marking == "内部资料 注意保密"
    assert "测试" in quarter.cover.lines[-1]


def test_the_party_index_chart_holds_each_branchs_index_as_metrics_gives_it(quarter, panels):
    chart = quarter.section("party_index").chart
    records = branch_records(panels["quarter"], "2025Q4")
    names = panels["quarter"].frame.drop_duplicates("branch_code").set_index("branch_name")["branch_code"]
    values = dict(zip(chart.categories, chart.series[0].values, strict=True))
    assert len(values) == len(records)
    for name, value in values.items():
        expected = records.loc[names[name], "party_index"]
        assert value == (None if pd.isna(expected) else pytest.approx(expected, abs=1e-9)), name
    shown = [v for v in chart.series[0].values if v is not None]
    assert shown == sorted(shown, reverse=True), "highest first, as the party page ranks them"
    assert [r.value for r in chart.references] == [60, 80]
    red = sum(v < 60 for v in shown)
    assert quarter.section("party_index").title.startswith(f"{len(values)} 个党支部中 {red} 个低于 60 分")


def test_the_meetings_chart_counts_the_meetings_held_in_the_quarter(quarter, demo_db_path, panels):
    chart = quarter.section("meetings").chart
    held = dict(zip(chart.categories, chart.series[1].values, strict=True))
    with duckdb.connect(str(demo_db_path), read_only=True) as con:
        counted = con.execute(
            "SELECT activity_type, count(*) FROM activities WHERE status = 'held' AND activity_date >= DATE "
            "'2025-10-01' AND activity_date < DATE '2026-01-01' GROUP BY ALL"
        ).fetchall()
    counts = dict(counted)
    assert list(held) == [ActivityType(k).label("zh") for k in panels["quarter"].meeting_types], "三会一课 only"
    for kind in panels["quarter"].meeting_types:
        assert held[ActivityType(kind).label("zh")] == counts.get(kind, 0), kind


def test_satisfaction_shows_each_population_with_its_respondents(quarter, panels):
    hospital = next(r for r in metrics.records(panels["quarter"], "hospital") if r["period"] == "2025Q4")
    table = quarter.section("satisfaction").tables[0]
    for row, pop in zip(table.rows, metrics.POPULATIONS, strict=True):
        assert row[0] == t(f"metric.satisfaction_{pop}", "zh")
        assert row[1] == f"{hospital[f'satisfaction_{pop}']:.1f} 分"
        assert row[-1] == f"{hospital[f'n_{pop}']:,}"
    line = quarter.section("satisfaction").chart
    assert line.categories == ["2025年第一季度", "2025年第二季度", "2025年第三季度", "2025年第四季度"]
    assert line.series[0].values[-1] == pytest.approx(hospital["satisfaction_outpatient"], abs=1e-9)


def test_a_small_group_is_withheld_in_the_material_as_on_the_pages(demo_db_path, panels):
    """Branch DZB04's staff in 2025Q4 are a group `metrics --json` withholds (n null)."""
    records = branch_records(panels["quarter"], "2025Q4")
    assert pd.isna(records.loc["DZB04", "n_staff"]) and pd.isna(records.loc["DZB04", "satisfaction_staff"])
    with Database(demo_db_path) as db:
        material = report.build(db, "2025Q4", "DZB04", "zh", as_of=AS_OF, sections=["headline", "satisfaction"])
    staff = material.section("satisfaction").tables[0].rows[2]
    assert staff[1] == "—" and staff[-1] in ("<10", "—")
    figure = next(f for f in material.section("headline").figures if f.label == t("metric.satisfaction_staff", "zh"))
    assert figure.value == "—" and figure.note in (t("metric.suppressed", "zh"), t("metric.withheld", "zh"))
    assert material.section("satisfaction").chart.series[2].values[-1] is None
    assert "2025年第四季度" in material.section("satisfaction").chart.notes


def test_the_annual_assessment_ranks_every_branch_this_year_and_last(demo_db_path, panels):
    with Database(demo_db_path) as db:
        material = report.build(db, "2025", "hospital", "zh", as_of=AS_OF, sections=["assessment"])
        mine = report.build(db, "2025", "DZB02", "en", as_of=AS_OF, sections=["assessment"])
    records = pd.DataFrame(metrics.records(panels["year"], "branch"))
    ranks = {
        year: records[records["period"] == year].set_index("unit")["party_index"].rank(ascending=False, method="min")
        for year in ("2024", "2025")
    }
    names = panels["year"].frame.drop_duplicates("branch_code").set_index("branch_code")["branch_name"]
    table = material.section("assessment").tables[0]
    assert len(table.rows) == len(ranks["2025"].dropna())
    by_name = {row[0]: row for row in table.rows}
    for code, rank in ranks["2025"].dropna().items():
        row = by_name[names[code]]
        assert row[2] == f"{int(rank)}/{len(ranks['2025'].dropna())}"
        assert row[4] == f"{int(ranks['2024'][code])}"
    shown_ranks = [int(row[2].split("/")[0]) for row in table.rows]
    assert shown_ranks == sorted(shown_ranks), "best first"
    assert len(table.columns) == 6 + len(COMPONENTS) and table.fills is not None
    own = mine.section("assessment")
    assert [row[0] for row in own.tables[0].rows] == [names["DZB02"]]
    assert (
        own.title.startswith(f"{names['DZB02']}: 2025 index")
        and f"ranked {int(ranks['2025']['DZB02'])} of" in own.title
    )


def test_the_relations_section_lists_the_findings_that_survive_correction(quarter, panels):
    family = relations.analyse_all(panels["quarter"])
    found = relations.surviving(family)
    section = quarter.section("relations")
    tested = sum(r.q is not None for r in family)
    assert section.title == f"校正后仍成立的关联 {len(found)} 项（共检验 {tested} 组）"
    assert section.sentences[: len(found)] == [f"{i}. {r.finding['zh']}" for i, r in enumerate(found, start=1)]
    assert all("不能证明因果" in s for s in section.sentences[: len(found)])


def texts(value: object) -> list[str]:
    """Every string in a dumped model, however deep."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [x for v in value.values() for x in texts(v)]
    if isinstance(value, list | tuple):
        return [x for v in value for x in texts(v)]
    return []


def test_the_material_says_its_periods_as_people_do_never_by_their_code(quarter, demo_db_path):
    with Database(demo_db_path) as db:
        english = report.build(db, "2025Q4", "hospital", "en", as_of=AS_OF)
    for material, said, previous in ((quarter, "2025年第四季度", "2025年第三季度"), (english, "Q4 2025", "Q3 2025")):
        assert material.period == "2025Q4"  # the code stays the material's key (and its file name's)
        written = texts(material.model_dump(exclude={"period"}))
        assert not [x for x in written if re.search(r"\d{4}Q\d", x)]
        assert material.cover.period == said
        assert material.section("satisfaction").chart.categories[-2:] == [previous, said]
        assert said in material.section("party_index").chart.title
        assert said in material.section("scorecard").title
    assert "2025Q4" in report.file_name(quarter, "pdf")


def test_the_material_names_no_person(quarter, demo_db_path):
    with duckdb.connect(str(demo_db_path), read_only=True) as con:
        pseudonyms = [
            p for (ps,) in con.execute("SELECT persons_pseudonymised FROM discipline_records").fetchall() for p in ps
        ]
    text = quarter.model_dump_json()
    assert pseudonyms and not any(p in text for p in pseudonyms)
    ledger = quarter.section("discipline").tables[0]
    assert t("col.pseudonyms", "zh") not in ledger.columns and t("col.persons", "zh") not in ledger.columns


def test_an_unknown_period_or_branch_is_refused_in_the_users_language(demo_db_path):
    with Database(demo_db_path) as db:
        with pytest.raises(report.ReportError) as period:
            report.build(db, "2031Q1", "hospital", sections=["headline"])
        with pytest.raises(report.ReportError) as branch:
            report.build(db, "2025Q4", "NO-SUCH", sections=["headline"])
    assert period.value.message("zh").startswith("没有 2031Q1 的数据") and "2031Q1" in period.value.message("en")
    codes = ", ".join(f"DZB{i:02d}" for i in range(1, 25))  # the demo's 24 branches
    said = branch.value.message("zh")
    assert said == f"没有编码为 NO-SUCH 的党支部。请用 hospital（全院）或以下党支部编码之一：{codes}。"
