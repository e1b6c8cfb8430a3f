"""The app shell and its pages, in Chinese and English, through Streamlit's AppTest."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from analytics import accounts, summary
from analytics.accounts import Role
from analytics.db import Database
from analytics.i18n import t
from analytics.schema import DepartmentCategory
from tests.page_support import add_test_accounts, signed_in

TIMEOUT = 30


@pytest.fixture
def app(demo_db_path, monkeypatch) -> AppTest:
    monkeypatch.setenv("PBI_DB", str(demo_db_path))
    return signed_in(AppTest.from_file("../app.py", default_timeout=TIMEOUT))


@pytest.fixture(scope="module")
def counts(demo_db_path) -> dict[str, int]:
    with Database(demo_db_path) as db:
        return summary.record_counts(db)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_about_in_chinese_shows_the_databases_counts(app, counts):
    at = app.run()
    assert not at.exception
    assert at.title[0].value == "总览"
    at.switch_page("pages/about.py").run()
    assert not at.exception
    assert at.header[0].value == "数据概况"
    shown = metrics(at)
    assert shown["党支部"] == f"{counts['branches']:,}" == "24"
    assert shown["科室"] == f"{counts['departments']:,}"
    assert shown["党建活动"] == f"{counts['activities']:,}"
    assert shown["满意度答卷"] == f"{counts['satisfaction_responses']:,}"
    assert shown["满意度科室汇总"] == f"{counts['satisfaction_aggregates']:,}"
    assert shown["纪检监察记录"] == f"{counts['discipline']:,}"
    assert shown["导入批次"] == "6"


def test_the_sidebar_names_the_hospital_and_the_data_range(app):
    at = app.run()
    sidebar = " ".join(m.value for m in at.sidebar.markdown)
    assert "示范市第一人民医院" in sidebar
    assert any("2023-01" in c.value and "2025-12" in c.value for c in at.sidebar.caption)


def test_switching_to_english_translates_the_page(app, counts):
    at = app.run()
    at.sidebar.radio[0].set_value("en").run()
    assert not at.exception
    assert at.title[0].value == "Overview"
    assert "Party-building index" in metrics(at)
    at.switch_page("pages/about.py").run()
    assert at.header[0].value == "What the database holds"
    assert metrics(at)["Party branches"] == "24"
    assert metrics(at)["Discipline records"] == f"{counts['discipline']:,}"


def test_a_shared_english_link_opens_in_english(app):
    app.query_params["lang"] = "en"
    at = app.run()
    assert at.title[0].value == "Overview"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_about_the_data_explains_every_kind(app, counts, lang):
    at = app.run()
    if lang == "en":
        at.sidebar.radio[0].set_value("en").run()
    at.switch_page("pages/about.py").run()
    assert not at.exception
    assert at.title[0].value == t("about.title", lang)
    headers = [h.value for h in at.header]
    for kind in ("branches", "departments", "activities", "satisfaction", "discipline"):
        assert t(f"kind.{kind}.title", lang) in headers
    captions = [c.value for c in at.caption]
    assert t("about.stored", lang, n=counts["activities"]) in captions
    assert t("about.demo.title", lang) in headers
    said = {"zh": "2024年第三季度", "en": "Q3 2024"}[lang]
    assert f"- {t('about.demo.sources', lang, period=said)}" in [m.value for m in at.markdown]
    assert t("about.rules.title", lang) in headers
    # Every department category a register may use, with the spellings accepted for it.
    categories = next(d.value for d in at.dataframe if "nursing" in set(d.value.iloc[:, 0]))
    labels = dict(zip(categories.iloc[:, 0], categories.iloc[:, 1], strict=True))
    assert labels == {
        "clinical": "临床",
        "medical_technical": "医技",
        "medical_support": "医辅",
        "nursing": "护理",
        "administrative": "职能",
        "logistics": "后勤",
        "research": "科研",
        "teaching": "教学",
    }
    aliases = dict(zip(categories.iloc[:, 0], categories[t("about.aliases", lang)], strict=True))
    assert "行政" in aliases["administrative"] and "管理" in aliases["administrative"]
    # The same categories are the sidebar's department filter.
    at.switch_page("pages/satisfaction.py").run()
    assert list(at.selectbox(key="w_cat").options)[1:] == [DepartmentCategory(c).label(lang) for c in labels]


def test_an_empty_database_says_how_to_load_data(tmp_path, monkeypatch):
    path = tmp_path / "empty.duckdb"
    add_test_accounts(path)  # no data, but someone to sign in
    monkeypatch.setenv("PBI_DB", str(path))
    at = signed_in(AppTest.from_file("../app.py", default_timeout=TIMEOUT)).run()
    assert not at.exception
    assert "python -m analytics demo" in at.info[0].value
    assert not at.metric
    assert at.get("page_link")  # the way to the import page
    at.switch_page("pages/about.py").run()
    assert not at.exception
    assert set(metrics(at).values()) == {"0"}


@pytest.mark.parametrize("holds", ["no account", "a viewer only"])
def test_a_database_without_an_admin_is_refused_with_the_command_to_add_one(tmp_path, monkeypatch, holds):
    path = tmp_path / "no-admin.duckdb"
    with Database(path) as db:
        if holds == "a viewer only":
            accounts.add_user(db, "viewer", Role.VIEWER, "viewer-password-1")
    monkeypatch.setenv("PBI_DB", str(path))
    at = AppTest.from_file("../app.py", default_timeout=TIMEOUT).run()
    assert not at.exception
    assert [e.value for e in at.error] == [t("auth.no_admin", "zh")]
    assert [c.value for c in at.code] == [f"python -m analytics user add --db {path} NAME --role admin"]
    assert not at.text_input  # no sign-in form
    assert not at.title and not at.metric and not at.sidebar.markdown  # no page, no data


def test_a_second_reader_of_cached_figures_opens_no_connection(app, demo_db_path, monkeypatch):
    """Once the Overview's figures are cached, a new session draws them without opening the database file at
    all (`Database.known_version`): no connection to wait for, none to open and close per cached figure."""
    from analytics import db as db_module

    monkeypatch.setattr(db_module, "RACY_SECONDS", 0.0)  # the demo file may be younger than that (test_db covers it)
    first = app.run()
    assert not first.exception and first.metric
    opened = []
    connect = db_module.connect_waiting
    monkeypatch.setattr(db_module, "connect_waiting", lambda *a, **k: opened.append(a) or connect(*a, **k))
    second = signed_in(AppTest.from_file("../app.py", default_timeout=TIMEOUT)).run()
    assert not second.exception
    assert [m.value for m in second.metric] == [m.value for m in first.metric]
    assert opened == []
