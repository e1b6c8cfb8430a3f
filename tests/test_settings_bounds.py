"""Bounds on every metric setting (analytics/settings.py): each is refused outside its range with a message in
the user's language, whoever calls; a settings row stored before the bounds existed is used brought within
them, each change reported; and the party index cannot overflow whatever weights it is given."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from analytics.db import Database
from analytics.i18n import t
from analytics.metrics import party_index
from analytics.schema import ActivityType
from analytics.settings import (
    COMPONENTS,
    DROPPED,
    SUPPRESSION_FLOOR,
    WEIGHT_MAX,
    Adjustment,
    Frequency,
    MetricSettings,
    WarningRules,
    adjustment_messages,
    field_bounds,
    field_label,
    load_metric_settings,
    metric_settings,
    number_text,
    put,
    repair,
    validation_messages,
)

DEFAULT = MetricSettings().model_dump(mode="json")


def numeric_fields() -> list[tuple[tuple[str, ...], float, float]]:
    """Every number in `MetricSettings` with its path and inclusive range."""
    out = []
    for name, info in MetricSettings.model_fields.items():
        if info.annotation in (int, float):
            out.append(((name,), *field_bounds(MetricSettings, name)))
    out += [(("warnings", name), *field_bounds(WarningRules, name)) for name in WarningRules.model_fields]
    out += [(("weights", c), 0.0, WEIGHT_MAX) for c in COMPONENTS]
    out += [
        (("frequencies", k.value, "count"), *field_bounds(Frequency, "count")) for k in MetricSettings().frequencies
    ]
    return out


FIELDS = numeric_fields()


def with_value(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    data = MetricSettings().model_dump(mode="json")
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    if path in (("green",), ("amber",)):  # the two lines move together, so that amber stays at or below green
        data["green"] = data["amber"] = value
    return data


def messages(data: dict[str, Any]) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        MetricSettings.model_validate(data)
    return {lang: validation_messages(caught.value, lang) for lang in ("zh", "en")}


def default_at(path: tuple[str, ...]) -> Any:
    value: Any = DEFAULT
    for key in path:
        value = value[key]
    return value


def test_every_number_has_a_finite_range_around_its_default():
    # A new setting is a number with bounds (or this test learns about the new kind of setting).
    top = {path[0] for path, _, _ in FIELDS if len(path) == 1}
    assert set(MetricSettings.model_fields) == top | {"weights", "frequencies", "warnings"}
    assert len(FIELDS) == 9 + len(WarningRules.model_fields) + len(COMPONENTS) + len(DEFAULT["frequencies"])
    for path, low, high in FIELDS:
        assert low is not None and high is not None, path
        assert math.isfinite(low) and math.isfinite(high) and low <= default_at(path) <= high, path


@pytest.mark.parametrize(("path", "low", "high"), FIELDS, ids=["/".join(f[0]) for f in FIELDS])
def test_each_bound_is_refused_in_the_users_language(path, low, high):
    step = 1 if isinstance(default_at(path), int) else max(abs(low), 1) / 2
    for value, kind, limit in ((low - step, "greater_than_equal", low), (high + step, "less_than_equal", high)):
        said = messages(with_value(path, value))
        for lang in ("zh", "en"):
            expected = t(f"settings.error.{kind}", lang, field=field_label(path, lang), limit=number_text(limit))
            assert expected in said[lang], (value, said[lang])
    # The bounds themselves are allowed.
    for value in (low, high):
        if path[0] == "weights" and value == 0:
            continue  # one weight at 0 is fine; covered by the all-zero test below
        assert MetricSettings.model_validate(with_value(path, value))


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan])
def test_weights_and_targets_must_be_finite(value):
    for path in (("weights", "service"), ("assumed_sd",), ("warnings", "alpha")):
        said = messages(with_value(path, value))
        assert said["zh"] == [t("settings.error.finite_number", "zh", field=field_label(path, "zh"))]
        assert said["en"] == [t("settings.error.finite_number", "en", field=field_label(path, "en"))]


def test_the_testers_values_are_refused():
    # Five weights of 1e308: each above the maximum of 100.
    said = messages({"weights": dict.fromkeys(COMPONENTS, 1e308)})
    assert said["zh"] == [
        t("settings.error.less_than_equal", "zh", field=f"{t(f'component.{c}', 'zh')}权重", limit="100")
        for c in COMPONENTS
    ]
    # A negative weight.
    said = messages({"weights": {**DEFAULT["weights"], "service": -5}})
    assert said["zh"] == ["志愿服务权重：须不小于 0。"]
    assert said["en"] == ["Service hours weight: must be at least 0."]
    # A suppression minimum of 1; 5 is the floor, 10 the default.
    said = messages({"suppression_min_n": 1})
    assert said["zh"] == ["最少受访人数：须不小于 5。"]
    assert said["en"] == ["Minimum respondents: must be at least 5."]
    assert MetricSettings.model_validate({"suppression_min_n": SUPPRESSION_FLOOR}).suppression_min_n == 5
    assert MetricSettings().suppression_min_n == 10


def test_no_positive_weight_and_other_wrong_values_are_said_in_words():
    said = messages({"weights": dict.fromkeys(COMPONENTS, 0.0)})
    assert said == {lang: [t("settings.error.weights", lang)] for lang in ("zh", "en")}
    assert messages({"suppression_min_n": 7.5})["zh"] == ["最少受访人数：须为整数。"]
    assert messages({"assumed_sd": "twelve"})["en"] == ["Assumed SD (points): must be a number."]
    assert messages({"colour": "red"})["zh"] == ["colour：不是可识别的设置项。"]


# --- Settings stored before the bounds ----------------------------------------------------------------------


def test_a_stored_row_is_brought_within_bounds_and_each_change_reported():
    stored = {
        **DEFAULT,
        "weights": {**DEFAULT["weights"], "compliance": 400.0, "bogus": 3.0},
        "suppression_min_n": 1,
        "assumed_sd": 0.0001,
        "amber": 95.0,
        "warnings": {**DEFAULT["warnings"], "alpha": 0.9, "overdue_high_days": 0},
        "frequencies": {**DEFAULT["frequencies"], "party_lecture": {"count": 99, "per": "week"}},
    }
    settings, changes = repair(stored)
    # Weights scaled together (400 : 10 : 20 : 15 : 10 : 10 kept), the unknown one dropped.
    assert settings.weights == {
        "compliance": 100.0,
        "theme_day": 2.5,
        "attendance": 5.0,
        "service": 3.75,
        "theme_plus": 2.5,
        "integrity": 2.5,
    }
    assert (settings.suppression_min_n, settings.assumed_sd, settings.warnings.alpha) == (5, 1.0, 0.2)
    assert settings.warnings.overdue_high_days == 1
    assert (settings.green, settings.amber) == (80.0, 60.0)  # amber above green: both lines' defaults
    assert settings.frequencies[ActivityType.PARTY_LECTURE] == Frequency(count=31, per="quarter")
    assert Adjustment(("weights", "bogus"), 3.0, DROPPED) in changes
    assert Adjustment(("suppression_min_n",), 1, 5) in changes
    assert Adjustment(("amber",), 95.0, 60.0) in changes
    assert len(changes) == len({c.path for c in changes}) == 7 + 5 + 2  # six weights and bogus, …
    said = adjustment_messages(changes, "zh")
    assert "三会一课权重 400 → 100" in said and "bogus权重（已忽略）" in said and "最少受访人数 1 → 5" in said
    assert "Party lecture week → quarter" in adjustment_messages(changes, "en")


def test_a_valid_or_missing_row_needs_no_change_and_junk_gives_the_defaults(tmp_path):
    assert repair(DEFAULT) == (MetricSettings(), [])
    assert repair({"weights": {"compliance": 1.0}}) == (MetricSettings(weights={"compliance": 1.0}), [])
    assert repair([1, 2]) == (MetricSettings(), [Adjustment((), [1, 2], None)])
    assert adjustment_messages(repair("x")[1], "en") == [t("settings.adjusted.all", "en")]
    infinite, changes = repair({"weights": {**DEFAULT["weights"], "compliance": math.inf}})
    assert infinite.weights["compliance"] == 35.0 and changes == [Adjustment(("weights", "compliance"), math.inf, 35.0)]

    with Database(tmp_path / "x.duckdb") as db:
        assert load_metric_settings(db) == (MetricSettings(), [])
        put(db, "metrics", {"weights": dict.fromkeys(COMPONENTS, 1e308), "suppression_min_n": 1})
        settings, changes = load_metric_settings(db)
        assert metric_settings(db) == settings  # what the CLI and the pages compute with
        assert settings.weights == dict.fromkeys(COMPONENTS, 100.0) and settings.suppression_min_n == 5
        assert len(changes) == len(COMPONENTS) + 1


def test_the_party_index_cannot_overflow():
    scores = pd.DataFrame({f"score_{c}": [50.0, 80.0] for c in COMPONENTS})
    scores.loc[1, "score_service"] = np.nan
    unvalidated = MetricSettings().model_copy(update={"weights": dict.fromkeys(COMPONENTS, 1e308)})
    equal = MetricSettings(weights=dict.fromkeys(COMPONENTS, 1.0))
    np.testing.assert_allclose(party_index(scores, unvalidated), party_index(scores, equal), rtol=1e-12)
    assert party_index(scores, unvalidated).tolist() == pytest.approx([50.0, 80.0])
