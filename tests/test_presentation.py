"""The presentation mode's steps (`analytics.presentation.steps`) on the demo hospital: every number is the one
the pages give (the headline party index as `metrics` gives it, the branch ranking in the scorecard's order
with each branch's index, the warnings in the Overview's order, only the relations findings that survive the
correction), every RAG colour has its shape and word, and a long list is split or counted, never cut."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analytics import charts, metrics, presentation, relations, report, risk
from analytics.db import Database
from analytics.i18n import RAG_MARKS, rag_tag, t
from analytics.metrics import Filters
from analytics.overview import overview
from analytics.presentation import (
    BRANCHES_PER_STEP,
    FIGURES_PER_STEP,
    FINDINGS_PER_STEP,
    WARNING_STEPS,
    WARNINGS_PER_STEP,
    chunks,
    steps,
)
from analytics.report_model import RAG_FILLS, Section, Table
from analytics.settings import COMPONENTS
from tests.report_support import INDEX, rag, sample_report

AS_OF = dt.date(2026, 1, 15)
PERIOD = "2025Q4"


@pytest.fixture(scope="module")
def panel(demo_db_path):
    with Database(demo_db_path) as db:
        return metrics.build_panel(db, "quarter", AS_OF)


@pytest.fixture(scope="module")
def material(demo_db_path, panel):
    with Database(demo_db_path) as db:
        return report.build(db, PERIOD, "hospital", "zh", as_of=AS_OF, sections=presentation.SECTIONS, panel=panel)


@pytest.fixture(scope="module")
def deck(material):
    return steps(material)


def of(deck, key: str) -> list[presentation.Step]:
    return [s for s in deck if s.key == key]


def test_the_deck_opens_on_the_title_then_the_four_sections_in_order(deck, material):
    first = deck[0]
    assert (first.key, first.title) == ("title", "党建与纪检工作情况")
    assert first.subtitle == "示范市第一人民医院 · 2025年第四季度 · 全院"
    assert [item.text for item in first.items] == ["主要指标", "党建指数", "风险预警", "党建与满意度的关联"]
    keys = [s.key for s in deck[1:]]
    assert keys == sorted(keys, key=presentation.SECTIONS.index), "each section's steps together, in order"
    assert set(keys) == set(presentation.SECTIONS)


def test_the_headline_figures_are_the_materials_and_the_index_is_metrics(deck, material, panel):
    shown = [f for s in of(deck, "headline") for f in s.figures]
    assert shown == material.section("headline").figures, "every figure once, in order, as the material says it"
    assert all(len(s.figures) <= FIGURES_PER_STEP for s in of(deck, "headline"))
    hospital = next(r for r in metrics.records(panel, "hospital") if r["period"] == PERIOD)
    index = shown[0]
    assert index.value == f"{hospital['party_index']:.1f} 分"
    expected_rag = "green" if hospital["party_index"] >= 80 else "amber" if hospital["party_index"] >= 60 else "red"
    assert index.rag == expected_rag
    assert of(deck, "headline")[0].title == material.section("headline").title


def test_the_branch_ranking_is_the_scorecards_order_with_each_rag_in_words(deck, panel):
    parts = of(deck, "party_index")
    assert len(parts) == 2 and all(len(p.chart.categories) <= BRANCHES_PER_STEP for p in parts)
    names = [name for p in parts for name in p.chart.categories]
    values = [v for p in parts for v in p.chart.series[0].values]
    labels = [label for p in parts for label in p.chart.point_labels]
    card = risk.scorecard(panel, PERIOD)
    ranked = card.sort_values(["party_index", "branch_code"], ascending=[False, True], na_position="last")
    assert names == ranked["branch_name"].tolist()
    assert values == pytest.approx(ranked["party_index"].tolist(), abs=1e-4)
    for value, label in zip(values, labels, strict=True):  # the colour's word, from the value and the lines
        band = "green" if value >= 80 else "amber" if value >= 60 else "red"
        assert label == f"{RAG_MARKS[band]} {t(f'rag.{band}', 'zh')}"
    assert parts[0].chart.title.endswith(f"第 1–12 名（共 {len(card)} 个党支部）")
    assert parts[1].title == "党建指数（续）"


def test_the_warnings_are_the_overviews_in_its_order_and_the_rest_are_counted(deck, demo_db_path, panel):
    with Database(demo_db_path) as db:
        view = overview(db, "quarter", AS_OF, Filters(grain="quarter", start=PERIOD, end=PERIOD), panel=panel)
    found = view.warnings
    parts = of(deck, "warnings")
    items = [item for p in parts for item in p.items]
    assert len(parts) == WARNING_STEPS and len(items) == WARNING_STEPS * WARNINGS_PER_STEP < len(found)
    assert [i.text for i in items] == found["explanation_zh"].head(len(items)).tolist(), "whole sentences"
    for item, severity in zip(items, found["severity"], strict=False):
        rag = "red" if severity == "high" else "amber"
        assert (item.rag, item.tag) == (rag, f"{RAG_MARKS[rag]} {t(f'risk.severity.{severity}', 'zh')}")
    assert parts[-1].more == f"还有 {len(found) - len(items)} 项，完整列表见总览页和会议材料。"
    assert not parts[0].more


def test_only_the_findings_that_survive_the_correction_are_shown(deck, panel):
    family = relations.analyse_all(panel)
    survivors = [r for r in family if r.q is not None and r.q < relations.ALPHA and r.fixed_effects["p"] < 0.05]
    assert survivors, "the demo plants relations that survive"
    parts = of(deck, "relations")
    shown = [item.text for p in parts for item in p.items]
    assert all(len(p.items) <= FINDINGS_PER_STEP for p in parts)
    assert len(shown) == len(survivors)
    assert {s.split(". ", 1)[1] for s in shown} == {r.finding["zh"] for r in survivors}
    for result in family:
        if result not in survivors:
            assert all(result.finding["zh"] not in s for s in shown)
    assert parts[-1].notes  # the note that the index's findings are not independent evidence


def test_a_branch_scope_shows_its_components_on_one_step(demo_db_path, panel):
    code = next(iter(report.party_branches(panel)))
    with Database(demo_db_path) as db:
        material = report.build(db, PERIOD, code, "en", as_of=AS_OF, sections=presentation.SECTIONS, panel=panel)
    (part,) = of(steps(material), "party_index")
    card = risk.scorecard(panel, PERIOD).set_index("branch_code")
    assert part.chart.series[0].values == pytest.approx([card.loc[code, k] for k in COMPONENTS], abs=1e-4)
    assert part.chart.point_labels == [rag_tag(card.loc[code, f"{k}_rag"], "en") or None for k in COMPONENTS]
    assert all(label is None or label.split(" ")[1] in {"Green", "Amber", "Red"} for label in part.chart.point_labels)


def test_chunks_are_even_and_lose_nothing():
    assert [len(r) for r in chunks(24, 12)] == [12, 12]
    assert [len(r) for r in chunks(10, 4)] == [4, 3, 3]
    assert [len(r) for r in chunks(7, 3)] == [3, 2, 2]
    assert chunks(0, 3) == []
    for count in range(1, 40):
        runs = chunks(count, 6)
        assert [j for run in runs for j in run] == list(range(count))
        assert max(len(r) for r in runs) - min(len(r) for r in runs) <= 1


def test_a_short_warning_list_fits_one_step_and_none_leaves_the_title(monkeypatch):
    material = sample_report("zh")
    rows = [["高", "党建指数偏低", "第1党支部", "很长的说明" * 30], ["中", "整改逾期", "外科", "说明"]]
    warnings = Section(
        key="warnings",
        heading="风险预警",
        title="风险预警 2 条",
        tables=[
            Table(
                columns=["等级", "预警", "单位", "说明"],
                rows=rows,
                fills=[[RAG_FILLS["red"], None, None, None], [RAG_FILLS["amber"], None, None, None]],
            )
        ],
    )
    deck = steps(material.model_copy(update={"sections": [*material.sections, warnings]}))
    (part,) = of(deck, "warnings")
    assert [i.text for i in part.items] == [rows[0][3], "说明"], "a long sentence whole"
    assert [i.tag for i in part.items] == ["■ 高", "▲ 中"] and not part.more
    quiet = warnings.model_copy(update={"title": "2025Q4 没有风险预警", "tables": []})
    deck = steps(material.model_copy(update={"sections": [quiet]}))
    assert [(s.key, s.title, s.items) for s in deck[1:]] == [("warnings", "2025Q4 没有风险预警", ())]
    # The sample's 24-bar ranking with an unreported branch: split in two, its note kept with its bar.
    parts = of(steps(material), "party_index")
    assert [len(p.chart.categories) for p in parts] == [12, 12]
    assert parts[1].chart.notes == {"第23党支部（内科）": "未上报"} and parts[0].chart.notes == {}
    assert parts[1].chart.series[0].values[10] is None


def test_every_rag_colour_in_the_charts_has_its_shape_and_word_too():
    """Colour-blind readers and black-and-white print: the ranking's bars, a branch's component grid and the
    material's bar charts write the band beside each colour."""
    material = sample_report("zh")
    ranking = charts.report_chart(material.section("party_index").chart.model_copy(update={"point_labels": None}))
    assert "▲" not in str(ranking.data[0].text)  # the hand-made chart has no labels: values alone
    built = material.section("party_index").chart.model_copy(
        update={"point_labels": [rag_tag(rag(v), "zh") or None for v in INDEX]}
    )
    bars = charts.report_chart(built, font_size=18).data[0]
    for value, text in zip(INDEX, bars.text, strict=True):
        assert text == (None if value is None else f"{value:.1f} {rag_tag(rag(value), 'zh')}")
    rows = pd.DataFrame({"name": ["甲", "乙", "丙"], "value": [85.0, 65.0, 40.0], "colour": "#000", "hover": ""})
    tagged = charts.ranked_bars(rows.assign(tag=[rag_tag(rag(v), "en") for v in rows["value"]]), "Index")
    assert list(tagged.data[0].text) == ["40.0 ■ Red", "65.0 ▲ Amber", "85.0 ● Green"]  # lowest drawn first
    assert list(charts.ranked_bars(rows, "Index").data[0].text) == ["40.0", "65.0", "85.0"]
    grid = charts.component_grid(pd.DataFrame({"2025Q4": [85.0, 65.0, 40.0, None]}, index=list("ABCD")), "zh", 60, 80)
    assert [row[0] for row in grid.data[0].text] == ["85 ●", "65 ▲", "40 ■", "—"]
    assert grid.layout.annotations[0].text == "● 良好   ▲ 关注   ■ 预警"
