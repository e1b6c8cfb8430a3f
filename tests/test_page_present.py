"""The 投屏模式 page through AppTest: it opens on the first step of the deck `presentation.steps` makes of the
meeting material, the buttons move one step each way (and stop at the ends), the URL's `step` opens that step
and keeps the place, an out-of-range or garbled step falls back, and the period and scope are the shared
filters'."""

from __future__ import annotations

import pytest

from analytics import presentation, report
from analytics.accounts import Role
from analytics.charts import plain
from analytics.db import Database
from analytics.i18n import rag_tag
from analytics.periods import spoken
from pages._ui import today
from tests.page_support import open_app_page, plotly_specs

TIMEOUT = 240


def unescaped(text: str) -> str:
    return text.replace("\\", "")


@pytest.fixture(scope="module")
def deck(demo_db_path):
    with Database(demo_db_path) as db:
        material = report.build(db, "2025Q4", "hospital", "zh", as_of=today(), sections=presentation.SECTIONS)
    return presentation.steps(material)


def shown(at) -> tuple[str, str]:
    """The step's title and the counter ("3 / 10")."""
    texts = [unescaped(m.value) for m in at.markdown]
    counter = next(x for x in texts if " / " in x and x.replace(" / ", "").isdigit())
    return unescaped(at.title[0].value), counter


def test_it_opens_on_the_title_and_the_buttons_step_through(demo_db_copy, monkeypatch, deck):
    at = open_app_page("pages/present.py", demo_db_copy, monkeypatch, "zh", TIMEOUT, role=Role.VIEWER)
    total = len(deck)
    assert shown(at) == (deck[0].title, f"1 / {total}")
    assert at.button(key="present_previous").disabled and not at.button(key="present_next").disabled
    assert at.query_params["step"] == "1"
    at.button(key="present_next").click().run(timeout=TIMEOUT)
    at.button(key="present_next").click().run(timeout=TIMEOUT)
    assert not at.exception, at.exception
    assert shown(at) == (deck[2].title, f"3 / {total}")
    assert at.query_params["step"] == "3"
    metrics = [(unescaped(m.label), unescaped(m.value)) for m in at.metric]
    assert metrics == [(f.label, f.value) for f in deck[2].figures]
    at.button(key="present_previous").click().run(timeout=TIMEOUT)
    assert shown(at) == (deck[1].title, f"2 / {total}")
    # The index's RAG colour has its shape and word in the label.
    index = next(m for m in at.metric if unescaped(m.label).startswith("党建指数"))
    assert deck[1].figures[0].rag and unescaped(index.label).endswith(rag_tag(deck[1].figures[0].rag, "zh") + "]")


def test_the_url_opens_a_step_and_a_bad_one_falls_back(demo_db_copy, monkeypatch, deck):
    at = open_app_page("pages/present.py", demo_db_copy, monkeypatch, "zh", TIMEOUT)
    total = len(deck)
    warnings = next(i for i, s in enumerate(deck, start=1) if s.key == "warnings")
    at.query_params["step"] = str(warnings)
    at.run(timeout=TIMEOUT)
    assert shown(at) == (deck[warnings - 1].title, f"{warnings} / {total}")
    lines = unescaped(next(m.value for m in at.markdown if "■" in m.value))
    assert deck[warnings - 1].items[0].text in lines
    for asked, expected in (("99", total), ("0", 1), ("x", 1), ("-3", 1)):
        at.query_params["step"] = asked
        at.run(timeout=TIMEOUT)
        assert not at.exception, at.exception
        assert shown(at) == (deck[expected - 1].title, f"{expected} / {total}"), asked
        assert at.query_params["step"] == str(expected)
        assert at.button(key="present_next").disabled == (expected == total)  # no step past the last


def test_the_period_and_scope_are_the_shared_filters(demo_db_copy, monkeypatch):
    at = open_app_page(
        "pages/present.py", demo_db_copy, monkeypatch, "en", TIMEOUT, f_grain="quarter", f_to="2025Q2", f_branch="DZB02"
    )
    with Database(demo_db_copy) as db:
        material = report.build(db, "2025Q2", "DZB02", "en", as_of=today(), sections=presentation.SECTIONS)
    deck = presentation.steps(material)
    assert shown(at) == (deck[0].title, f"1 / {len(deck)}")
    assert [unescaped(m.value) for m in at.markdown if unescaped(m.value) == deck[0].subtitle]
    ranking = next(i for i, s in enumerate(deck, start=1) if s.key == "party_index")
    at.query_params["step"] = str(ranking)
    at.run(timeout=TIMEOUT)
    (chart,) = plotly_specs(at)
    assert chart["layout"]["title"]["text"] == plain(deck[ranking - 1].chart.title)  # the branch's components
    assert spoken("2025Q2", "en") in deck[ranking - 1].chart.title
    assert chart["data"][0]["y"] == [plain(c) for c in deck[ranking - 1].chart.categories]
