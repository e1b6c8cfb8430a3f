"""The Settings page (设置) through AppTest: a saved weight changes the Overview's party index to the value
recomputed with it, invalid settings are refused with a message and nothing stored, defaults come back; a value
outside its range is refused in Chinese, and settings stored out of range before the bounds existed (the
tester's 1e308 weights, a negative weight, a suppression minimum of 1) still give the Overview and Party
figures, computed with the values brought within range, with a notice until they are saved again."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from analytics import metrics
from analytics import settings as store
from analytics.accounts import Role
from analytics.db import Database
from analytics.i18n import t
from analytics.imports.limits import ImportLimits
from analytics.settings import COMPONENTS, MetricSettings, SecuritySettings
from tests.page_support import TEST_ACCOUNTS, signed_in

TIMEOUT = 60


@pytest.fixture
def app(demo_db_copy, monkeypatch) -> AppTest:
    monkeypatch.setenv("PBI_DB", str(demo_db_copy))
    return signed_in(AppTest.from_file("../app.py", default_timeout=TIMEOUT))


def open_settings(app: AppTest, lang: str = "zh") -> AppTest:
    app.query_params["lang"] = lang
    at = app.run()
    at.switch_page("pages/settings.py").run()
    assert not at.exception
    assert at.title[0].value == t("settings.title", lang)
    return at


def save(at: AppTest) -> AppTest:
    return at.form_submit_button[0].click().run()


def restore_defaults(at: AppTest) -> AppTest:
    """The "restore defaults" button, then its confirmation."""
    at.button(key="settings_reset").click().run()
    assert not at.exception and t("settings.reset.confirm_text", at.session_state["lang"]) in [
        w.value for w in at.warning
    ]
    return at.button(key="settings_reset_yes").click().run()


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
    assert before == f"{party_index_by_hand(demo_db_copy, MetricSettings().weights):.1f} 分"

    at.switch_page("pages/settings.py").run()
    weight = at.number_input(key="set_weight_compliance")
    assert weight.value == 35 and "35" in weight.label  # the default beside the field
    weight.set_value(80.0)
    at = save(at)
    assert not at.exception and not at.error
    assert at.success[0].value == t("settings.saved_done", "zh")
    value, _ = stored(demo_db_copy)
    assert value["weights"]["compliance"] == 80
    with Database(demo_db_copy) as db:
        assert store.changed(db, store.METRICS_KEY)[1] == TEST_ACCOUNTS[Role.ADMIN]  # saved by the signed-in user
    assert any("三会一课权重 80（默认 35）" in c.value for c in at.caption)

    at.switch_page("pages/overview.py").run()
    assert not at.exception
    after = next(m.value for m in at.metric if m.label == "党建指数")
    expected = party_index_by_hand(demo_db_copy, {**MetricSettings().weights, "compliance": 80.0})
    assert after == f"{expected:.1f} 分" != before
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
    field = "Service hours per member per year"
    assert t("settings.error.greater_than_equal", "en", field=field, limit="0.1") in message
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

    at = restore_defaults(at)
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
        fields = len(ImportLimits.model_fields) + len(SecuritySettings.model_fields)
        assert len(at.number_input) == len(COMPONENTS) + 7 + 3 + 2 + 2 + 6 + 2 + fields


def test_an_out_of_range_value_is_refused_in_chinese_and_nothing_is_stored(app, demo_db_copy):
    _, version = stored(demo_db_copy)
    at = open_settings(app)
    # The widgets take any number (Streamlit's own range check speaks English and keeps the old value); the
    # allowed range is in each help, and the model refuses what is outside it.
    weight = at.number_input(key="set_weight_service")
    assert not weight.proto.has_min and not weight.proto.has_max
    assert t("settings.range", "zh", low="0", high="100") in weight.help
    assert "最低 5" in at.number_input(key="set_suppression_min_n").help
    weight.set_value(-5.0)
    at.number_input(key="set_weight_compliance").set_value(1e308)
    at.number_input(key="set_suppression_min_n").set_value(1)
    at = save(at)
    assert not at.exception and not at.success
    message = at.error[0].value
    assert t("settings.invalid", "zh") in message
    for expected in (
        t("settings.error.greater_than_equal", "zh", field="志愿服务权重", limit="0"),
        t("settings.error.less_than_equal", "zh", field="三会一课权重", limit="100"),
        t("settings.error.greater_than_equal", "zh", field="最少受访人数", limit="5"),
    ):
        assert expected in message
    assert "Input should" not in message  # nothing of pydantic's English
    assert stored(demo_db_copy) == (None, version)
    assert at.number_input(key="set_weight_service").value == -5  # left in the form to be corrected


TESTERS_ROWS = {
    # What the tester saved before the bounds existed, and the weights the pages use instead.
    "weights_1e308": ({"weights": dict.fromkeys(COMPONENTS, 1e308)}, dict.fromkeys(COMPONENTS, 100.0)),
    "negative_weight": (
        {"weights": {**MetricSettings().weights, "service": -5.0}},
        {**MetricSettings().weights, "service": 0.0},
    ),
    "suppression_1": ({"suppression_min_n": 1}, MetricSettings().weights),
}


@pytest.mark.parametrize("case", TESTERS_ROWS)
def test_stored_out_of_range_settings_still_show_the_figures_with_a_notice(app, demo_db_copy, case):
    change, weights = TESTERS_ROWS[case]
    with Database(demo_db_copy) as db:
        store.put(db, store.METRICS_KEY, {**MetricSettings().model_dump(mode="json"), **change})

    at = app.run()  # the Overview
    assert not at.exception
    index = next(m.value for m in at.metric if m.label == "党建指数")
    assert index == f"{party_index_by_hand(demo_db_copy, weights):.1f} 分"
    assert t("sidebar.settings_adjusted", "zh") in [w.value for w in at.sidebar.warning]

    at.switch_page("pages/party.py").run()
    assert not at.exception
    assert not any("还没有党建活动记录" in i.value for i in at.info)  # not "no activity data"
    headline = next(m.value for m in at.metric if m.label.startswith("党建指数"))
    assert headline.removesuffix(" 分").replace(".", "").isdigit()

    at.switch_page("pages/settings.py").run()
    assert not at.exception
    notice = next(w.value for w in at.warning if w.value.startswith(t("settings.adjusted", "zh", changes="")[:10]))
    if case == "weights_1e308":
        assert "三会一课权重 1e+308 → 100" in notice
        assert at.number_input(key="set_weight_compliance").value == 100
    elif case == "negative_weight":
        assert "志愿服务权重 -5 → 0" in notice
    else:
        assert "最少受访人数 1 → 5" in notice
        assert at.number_input(key="set_suppression_min_n").value == 5

    # Saving stores the values in use (even untouched), and the notices go.
    at = save(at)
    assert not at.exception and not at.error
    assert at.success[0].value == t("settings.saved_done", "zh")
    value, _ = stored(demo_db_copy)
    assert MetricSettings.model_validate(value).weights == weights
    assert not [w for w in at.warning if w.value.startswith(t("settings.adjusted", "zh", changes="")[:10])]
    assert not at.sidebar.warning


# --- Import limits (导入限制) ------------------------------------------------------------------------------


def stored_limits(path) -> object:
    with Database(path) as db:
        return store.get(db, store.LIMITS_KEY)


def test_an_import_limit_is_saved_and_a_bad_one_refused_with_its_range(app, demo_db_copy):
    at = open_settings(app)
    assert t("settings.limits.title", "zh") in [h.value for h in at.subheader]
    columns = at.number_input(key="set_limit_max_columns")
    assert columns.value == 16_384 and "（默认 16,384）" in columns.label
    assert t("settings.range", "zh", low="2", high="16,384") in columns.help
    columns.set_value(600)
    at = save(at)
    assert not at.exception and not at.error
    assert at.success[0].value == t("settings.saved_done", "zh")
    assert stored_limits(demo_db_copy) == {**ImportLimits().model_dump(), "max_columns": 600}
    assert stored(demo_db_copy)[0] is None  # the metric settings, unchanged, are not written
    assert any("最多列数 600（默认 16,384）" in c.value for c in at.caption)
    assert not at.button(key="settings_reset").disabled

    _, version = stored(demo_db_copy)
    at.number_input(key="set_limit_max_columns").set_value(1)
    at.number_input(key="set_limit_max_sheet_cells").set_value(50_000_000)
    at = save(at)
    assert not at.exception and not at.success
    message = at.error[0].value
    assert t("settings.error.greater_than_equal", "zh", field="最多列数", limit="2") in message
    assert t("settings.error.less_than_equal", "zh", field="工作簿最多单元格数", limit="20,000,000") in message
    assert stored_limits(demo_db_copy)["max_columns"] == 600 and stored(demo_db_copy)[1] == version


def test_a_bad_import_limit_is_refused_in_english(app, demo_db_copy):
    at = open_settings(app, "en")
    at.number_input(key="set_limit_max_packing_ratio").set_value(0)
    at = save(at)
    assert not at.exception and not at.success
    field = "Highest packing ratio (times)"
    assert t("settings.error.greater_than_equal", "en", field=field, limit="1") in at.error[0].value
    assert stored_limits(demo_db_copy) is None


def test_stored_out_of_range_import_limits_are_used_within_range_with_a_notice(app, demo_db_copy):
    with Database(demo_db_copy) as db:
        store.put(db, store.LIMITS_KEY, {"max_columns": 10**9, "max_text_rows": -1, "max_unpacked_mb": "lots"})
        assert store.import_limits(db) == ImportLimits(max_columns=16_384, max_text_rows=1)
    at = open_settings(app)
    notice = next(w.value for w in at.warning if w.value.startswith(t("settings.adjusted", "zh", changes="")[:10]))
    for change in ("最多列数 1,000,000,000 → 16,384", "CSV 文件最多行数 -1 → 1", "工作簿解压后最大（MB） lots → 1,024"):
        assert change in notice
    assert at.number_input(key="set_limit_max_columns").value == 16_384

    at.number_input(key="set_limit_max_text_rows").set_value(5_000_000)
    at = save(at)
    assert not at.exception and not at.error
    assert stored_limits(demo_db_copy) == {**ImportLimits().model_dump(), "max_text_rows": 5_000_000}
    assert not [w for w in at.warning if w.value.startswith(t("settings.adjusted", "zh", changes="")[:10])]

    at = restore_defaults(at)
    assert not at.exception
    assert at.number_input(key="set_limit_max_text_rows").value == 10_000_000
