"""A page's own view choices live in the URL (pages/_ui.py, `view_param`): a link opens exactly that view, a
change is written back, a value the page does not know falls back to the default without a word; and the
warm-up (`warm_default_views`) leaves the first visitor's pages nothing to compute."""

from __future__ import annotations

import functools

import numpy as np
from streamlit.testing.v1 import AppTest

from analytics import metrics, relations, report
from analytics import overview as overview_module
from analytics.db import Database
from analytics.i18n import t
from analytics.metrics import Filters
from analytics.periods import spoken
from analytics.schema import Population
from tests.page_support import chart, open_app_page, plotly_specs

TIMEOUT = 120


def plain(markdown: str) -> str:
    return markdown.replace("\\", "")


def open_link(page: str, db_path, monkeypatch, lang: str = "en", **params: str) -> AppTest:
    """`page` opened from a link carrying `params` (the app's first run, then the page with them in the URL)."""
    return open_app_page(page, db_path, monkeypatch, lang, TIMEOUT, params=params)


def quiet(at: AppTest) -> None:
    """No exception, no warning or error box: a link's unknown values fall back silently."""
    assert not at.exception, at.exception
    assert not at.warning and not at.error, [*at.warning, *at.error]


def family_of(db_path, filters: Filters) -> list[relations.Relation]:
    with Database(db_path) as db:
        return relations.all_results(db, "quarter", "department", filters, False)


def test_a_relations_link_opens_that_metric_outcome_and_lag(demo_db_path, monkeypatch):
    at = open_link(
        "pages/relations.py", demo_db_path, monkeypatch, metric="attendance_rate", outcome="outpatient", lag="2"
    )
    quiet(at)
    picked = (at.session_state["rel_metric"], at.session_state["rel_outcome"], at.session_state["rel_lag"])
    assert picked == ("attendance_rate", "outpatient", 2)
    # Its name and lag in the headings and axis titles …
    assert t("relations.heatmap.title", "en", lag=2) in [s.value for s in at.subheader]
    specs = plotly_specs(at)
    metric_name = t("relations.metric.attendance_rate", "en")
    scatter = next(s for s in specs if metric_name in str(s["layout"].get("xaxis", {}).get("title")))
    x_title = str(scatter["layout"]["xaxis"]["title"])
    assert t("relations.chart.earlier", "en", lag=2, grain=t("relations.grain.quarter", "en")) in x_title
    assert t("relations.outcome.outpatient", "en") in str(scatter["layout"]["yaxis"]["title"])
    # … its own model's numbers in the lag chart (fitted here, apart from the page's caches) …
    with Database(demo_db_path) as db:
        data = metrics.build_panel(db, "quarter")
    filters = Filters("quarter", data.periods[0], data.periods[-1])
    own = relations.analyse_profile(relations.scoped(data, filters), "attendance_rate", "outpatient")
    lags = next(s for s in specs if s["layout"].get("xaxis", {}).get("dtick") == 1)["data"][0]
    expected = [r.fixed_effects["coef"] * relations.STEP["attendance_rate"] for r in own if r.fixed_effects]
    assert np.allclose(np.asarray(lags["y"], dtype=float), expected)
    # … and, in words, the finding its family says of it (with the family's q, never a bare p).
    chosen = next(r for r in family_of(demo_db_path, filters) if (r.metric, r.outcome, r.lag) == picked)
    assert chosen.q is not None
    assert chosen.finding["en"] in [plain(box.value) for box in [*at.success, *at.info]]
    assert {k: at.query_params[k] for k in ("metric", "outcome", "lag")} == {
        "metric": "attendance_rate",
        "outcome": "outpatient",
        "lag": "2",
    }
    # A change is written back to the URL, so the link copied then opens it.
    at.selectbox(key="rel_lag").set_value(3).run()
    at.selectbox(key="rel_metric").set_value("party_index").run()
    quiet(at)
    assert (at.query_params["metric"], at.query_params["lag"]) == ("party_index", "3")
    assert t("relations.heatmap.title", "en", lag=3) in [s.value for s in at.subheader]


def test_a_relations_link_with_unknown_values_opens_the_default_view_silently(demo_db_path, monkeypatch):
    at = open_link("pages/relations.py", demo_db_path, monkeypatch, metric="no_such_metric", outcome="staff", lag="9")
    quiet(at)
    with Database(demo_db_path) as db:
        data = metrics.build_panel(db, "quarter")
    strongest = relations.surviving(family_of(demo_db_path, Filters("quarter", data.periods[0], data.periods[-1])))[0]
    picked = (at.session_state["rel_metric"], at.session_state["rel_outcome"], at.session_state["rel_lag"])
    assert picked == (strongest.metric, "staff", strongest.lag)  # the known value kept, the others the default's
    assert (at.query_params["metric"], at.query_params["lag"]) == (strongest.metric, str(strongest.lag))


def test_a_satisfaction_link_opens_that_population(demo_db_path, monkeypatch):
    at = open_link("pages/satisfaction.py", demo_db_path, monkeypatch, "zh", pop="staff")
    quiet(at)
    assert at.segmented_control(key="sat_population").value == "staff"
    staff = Population("staff").label("zh")
    headings = [s.value for s in at.subheader]
    assert any(staff in h for h in headings) and not any(Population("outpatient").label("zh") in h for h in headings)
    at.segmented_control(key="sat_population").set_value("inpatient").run()
    quiet(at)
    assert at.query_params["pop"] == "inpatient"
    assert any(Population("inpatient").label("zh") in s.value for s in at.subheader)


def test_a_party_link_opens_that_branch_trend_and_the_six_by_period(demo_db_path, monkeypatch):
    with Database(demo_db_path) as db:
        data = metrics.build_panel(db, "quarter")
    branch = sorted(data.frame["branch_code"].unique())[1]
    at = open_link("pages/party.py", demo_db_path, monkeypatch, unit=branch, six="period")
    quiet(at)
    assert at.selectbox(key="party_trend_unit").value == branch
    assert at.segmented_control(key="party_six_view").value == "period"
    by = {x for trace in chart(at, "party_six")["data"] for x in trace["x"]}
    said = {spoken(p, at.session_state["lang"]) for p in data.periods}
    assert by and by <= said  # by period (as said in the page's language), not by branch
    at.selectbox(key="party_trend_unit").set_value("").run()
    quiet(at)
    assert "unit" not in at.query_params  # the whole hospital: the default, left out of the URL
    assert at.query_params["six"] == "period"


def test_a_report_link_opens_that_material(demo_db_copy, monkeypatch):
    at = open_link(
        "pages/report.py",
        demo_db_copy,
        monkeypatch,
        "zh",
        rgrain="year",
        period="2024",
        rlang="en",
        sections="headline,unknown,party_index",
    )
    quiet(at)
    assert at.segmented_control(key="report_grain").value == "year"
    assert at.selectbox(key="report_period_year").value == "2024"
    assert at.selectbox(key="report_language").value == "en"
    assert at.multiselect(key="report_sections_year").value == ["headline", "party_index"]
    titles = [m.value for m in at.markdown if m.value.startswith("#### ")]
    assert len(titles) == 2, titles
    assert at.query_params["sections"] == "headline,party_index"


def counted(monkeypatch, module, name: str) -> list[int]:
    """Count the calls of `module.name` (the wrapper keeps its name, so the caches key it as before)."""
    calls = [0]
    original = getattr(module, name)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        calls[0] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return calls


def test_after_the_warm_up_the_first_visit_computes_nothing(demo_db_copy, monkeypatch):
    from pages import _ui

    monkeypatch.setenv("PBI_DB", str(demo_db_copy))
    panels = counted(monkeypatch, metrics, "build_panel")
    overviews = counted(monkeypatch, overview_module, "overview")
    families = counted(monkeypatch, relations, "analyse_all")
    rollups = counted(monkeypatch, metrics, "rollup")
    materials = counted(monkeypatch, report, "build_for_page")
    _ui.warm_default_views()
    # (the meeting material reads the overview's figures and its own relations family; figures roll the panel up)
    assert panels[0] >= 1 and overviews[0] >= 1 and families[0] >= 1 and rollups[0] >= 3 and materials[0] == 1
    before = (panels[0], overviews[0], families[0], rollups[0], materials[0])
    at = open_app_page("pages/overview.py", demo_db_copy, monkeypatch, "zh", TIMEOUT)
    assert not at.exception, at.exception
    for page in ("relations", "party", "satisfaction", "report"):
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, (page, at.exception)
    assert at.session_state["report_scope"] == "hospital"
    assert (panels[0], overviews[0], families[0], rollups[0], materials[0]) == before
    # A write changes the data version: the next warm-up computes again (a round of its own).
    warmer = _ui.Warmer(str(demo_db_copy))
    warmer.check()
    assert warmer.rounds == 1 and (overviews[0], families[0]) == (before[1], before[2])
    with _ui.database().writer() as cur:
        cur.execute("UPDATE departments SET name = name")
    warmer.check()
    assert warmer.rounds == 2 and (overviews[0], families[0]) == (2 * before[1], 2 * before[2])
    warmer.check()
    assert warmer.rounds == 2
