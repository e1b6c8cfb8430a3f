"""The Settings page (设置) through AppTest: a saved weight changes the Overview's party index to the value
recomputed with it, invalid settings are refused with a message and nothing stored, defaults come back."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from analytics import metrics
from analytics import settings as store
from analytics.db import Database
from analytics.i18n import t
from analytics.settings import COMPONENTS, MetricSettings

TIMEOUT = 60


@pytest.fixture
def app(demo_db_copy, monkeypatch) -> AppTest:
    monkeypatch.setenv("PBI_DB", str(demo_db_copy))
    return AppTest.from_file("../app.py", default_timeout=TIMEOUT)


def open_settings(app: AppTest, lang: str = "zh") -> AppTest:
    app.query_params["lang"] = lang
    at = app.run()
    at.switch_page("pages/settings.py").run()
    assert not at.exception
    assert at.title[0].value == t("settings.title", lang)
    return at


def save(at: AppTest) -> AppTest:
    return at.form_submit_button[0].click().run()


def stored(path) -> tuple[object, int]:
    """What the settings table holds under `metrics`, and the data version."""
    with Database(path) as db:
        return store.get(db, store.METRICS_KEY), db.data_version()


def party_index_by_hand(path, weights: dict[str, float], period: str = "2025Q4") -> float:
    """The hospital's index for `period` with `weights`: per branch Σ(w × score) ÷ Σw over the component
    scores present, then the mean over branches weighted by their party members."""
    with Database(path) as db:
        frame = metrics.build_panel(db, "quarter", dt.date.today()).frame
    branches = frame[frame["period"] == period].drop_duplicates("branch_code")
    scores = branches[[f"score_{c}" for c in COMPONENTS]].to_numpy(dtype=float)
    w = np.array([weights[c] for c in COMPONENTS])
    present = ~np.isnan(scores)
    index = np.nansum(scores * w, axis=1) / (present * w).sum(axis=1)
    return float(np.average(index, weights=branches["member_count"]))


def test_a_saved_weight_changes_the_party_index_on_the_overview(app, demo_db_copy):
    at = app.run()
    before = next(m.value for m in at.metric if m.label == "党建指数")
    assert before == f"{party_index_by_hand(demo_db_copy, MetricSettings().weights):.1f}"

    at.switch_page("pages/settings.py").run()
    weight = at.number_input(key="set_weight_compliance")
    assert weight.value == 40 and "40" in weight.label  # the default beside the field
    weight.set_value(80.0)
    at = save(at)
    assert not at.exception and not at.error
    assert at.success[0].value == t("settings.saved_done", "zh")
    value, _ = stored(demo_db_copy)
    assert value["weights"]["compliance"] == 80
    assert any("三会一课权重 80（默认 40）" in c.value for c in at.caption)

    at.switch_page("pages/overview.py").run()
    assert not at.exception
    after = next(m.value for m in at.metric if m.label == "党建指数")
    expected = party_index_by_hand(demo_db_copy, {**MetricSettings().weights, "compliance": 80.0})
    assert after == f"{expected:.1f}" != before
    assert "三会一课 80" in next(m.help for m in at.metric if m.label == "党建指数")


def test_amber_above_green_is_refused_and_nothing_is_stored(app, demo_db_copy):
    _, version = stored(demo_db_copy)
    at = open_settings(app)
    at.number_input(key="set_amber").set_value(90.0)
    at.number_input(key="set_weight_service").set_value(0.0)
    at = save(at)
    assert not at.exception
    message = at.error[0].value
    assert t("settings.invalid", "zh") in message
    assert t("settings.error.amber_above_green", "zh", amber="90", green="80") in message
    assert stored(demo_db_copy) == (None, version)
    assert not at.success
    # The values stay in the form to be corrected.
    assert at.number_input(key="set_amber").value == 90


def test_all_weights_zero_is_refused_in_english(app, demo_db_copy):
    _, version = stored(demo_db_copy)
    at = open_settings(app, "en")
    for component in COMPONENTS:
        at.number_input(key=f"set_weight_{component}").set_value(0.0)
    at = save(at)
    assert not at.exception
    message = at.error[0].value
    assert t("settings.invalid", "en") in message
    assert t("settings.error.weights", "en") in message
    assert stored(demo_db_copy) == (None, version)

    # A field's own bound, in the user's words.
    at.number_input(key="set_weight_compliance").set_value(40.0)
    at.number_input(key="set_service_hours_per_member_year").set_value(0.0)
    at = save(at)
    message = at.error[0].value
    assert t("settings.error.greater_than", "en", field="Service hours per member per year", limit="0") in message
    assert t("settings.error.weights", "en") not in message
    assert stored(demo_db_copy) == (None, version)


def test_frequencies_and_thresholds_are_saved_then_the_defaults_restored(app, demo_db_copy):
    at = open_settings(app, "en")
    assert at.button(key="settings_reset").disabled  # nothing to restore yet
    at.selectbox(key="set_per_theme_party_day").set_value("quarter")
    at.number_input(key="set_count_theme_party_day").set_value(2)
    at.number_input(key="set_suppression_min_n").set_value(15)
    at.number_input(key="set_warn_index_low").set_value(70.0)
    at = save(at)
    assert not at.exception and not at.error
    assert at.success[0].value == t("settings.saved_done", "en")
    value, version = stored(demo_db_copy)
    chosen = MetricSettings.model_validate(value)
    assert chosen.frequencies["theme_party_day"].model_dump() == {"count": 2, "per": "quarter"}
    assert (chosen.suppression_min_n, chosen.warnings.index_low) == (15, 70)
    status = next(c.value for c in at.caption if c.value.startswith("Settings that differ"))
    assert "Theme party day 2 per quarter (default 1 per month)" in status

    # Saving the same values again changes nothing.
    at = save(at)
    assert at.info[0].value == t("settings.unchanged", "en")
    assert stored(demo_db_copy)[1] == version

    at.button(key="settings_reset").click().run()
    assert not at.exception
    assert at.success[0].value == t("settings.reset_done", "en")
    assert stored(demo_db_copy)[0] is None
    assert at.number_input(key="set_suppression_min_n").value == 10
    assert at.selectbox(key="set_per_theme_party_day").value == "month"
    assert t("settings.status.default", "en") in [c.value for c in at.caption]


def test_every_setting_has_a_default_and_an_explanation(app):
    at = open_settings(app)
    for lang in ("zh", "en"):
        at.session_state["lang"] = lang
        at.run()
        assert at.title[0].value == t("settings.title", lang)
        marker = t("settings.default", lang, value="").strip()[:3]
        for widget in at.number_input:
            assert widget.help, widget.key
            if not widget.key.startswith("set_count_"):  # meeting counts show their default in a column
                assert marker in widget.label, widget.label
        assert len(at.number_input) == len(COMPONENTS) + 7 + 3 + 2 + 2 + 6 + 2
