"""User settings kept in the database's `settings` table (key → JSON value). Two kinds are stored:

* the column mapping a user chose for a file's headers, remembered per header signature so that next
  month's export with the same headers is mapped the same way without asking again;
* `MetricSettings`: index weights, required meeting frequencies, targets, thresholds (the Settings page).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from analytics import queries
from analytics.db import Database
from analytics.i18n import STRINGS, t
from analytics.imports.fields import normalise_header
from analytics.schema import REQUIRED_MEETINGS_PER_YEAR, ActivityType

MAPPING_PREFIX = "header_mapping:"


def get(db: Database, key: str, default: Any = None) -> Any:
    """The stored value of `key` (decoded from JSON), or `default` when there is none."""
    row = db.reader().execute(queries.GET_SETTING, [key]).fetchone()
    return default if row is None else json.loads(row[0])


def put(db: Database, key: str, value: Any) -> None:
    """Store `value` (anything JSON can hold) under `key`, replacing what was there."""
    with db.writer() as cur:
        cur.execute(queries.PUT_SETTING, [key, json.dumps(value, ensure_ascii=False), dt.datetime.now()])


def delete(db: Database, key: str) -> None:
    with db.writer() as cur:
        cur.execute(queries.DELETE_SETTING, [key])


def header_signature(headers: Sequence[str]) -> str:
    """SHA-256 of the normalised header list: the same for `时长（小时）` and `时长(小时)`, order matters."""
    normalised = [normalise_header(h) for h in headers]
    return hashlib.sha256(json.dumps(normalised, ensure_ascii=False).encode("utf-8")).hexdigest()


def mapping_key(headers: Sequence[str]) -> str:
    return MAPPING_PREFIX + header_signature(headers)


def saved_mapping(db: Database, headers: Sequence[str]) -> dict[str, Any] | None:
    """What was remembered for these headers: {"kind": kind or None, "mapping": {header: field or ''}}."""
    value = get(db, mapping_key(headers))
    if not isinstance(value, dict) or not isinstance(value.get("mapping"), dict):
        return None
    return {"kind": value.get("kind"), "mapping": {str(k): str(v) for k, v in value["mapping"].items()}}


def save_mapping(db: Database, headers: Sequence[str], kind: str | None, mapping: dict[str, str]) -> bool:
    """Remember `mapping` (raw header → field name, '' for ignore) for files with these headers.

    Returns whether anything was written (an unchanged mapping is not written again: every write bumps the
    data version and so empties the page caches)."""
    value = {"kind": kind, "mapping": {str(k): str(v) for k, v in mapping.items()}}
    if saved_mapping(db, headers) == value:
        return False
    put(db, mapping_key(headers), value)
    return True


# --- How the metrics are computed ------------------------------------------------------------------------

METRICS_KEY = "metrics"

COMPONENTS = ("compliance", "attendance", "service", "theme_plus", "integrity")
"""The party-building index's components, each scored 0–100 (see `metrics.py`)."""

PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12}


class Frequency(BaseModel):
    """A required minimum: `count` meetings every `per` (month, quarter or year)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    count: int = Field(ge=0, le=31)
    per: Literal["month", "quarter", "year"]


class WarningRules(BaseModel):
    """Thresholds of the risk warnings (风险预警); each rule is explained in `warnings.py`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    index_low: float = Field(60.0, ge=0, le=100, description="党建指数 below this")
    index_drop: float = Field(10.0, ge=0, le=100, description="党建指数 fell by at least this vs the previous period")
    meetings_low: float = Field(80.0, ge=0, le=100, description="三会一课 compliance below this two periods running")
    satisfaction_drop: float = Field(3.0, ge=0, le=100, description="score fell by at least this many points…")
    alpha: float = Field(0.05, gt=0, lt=1, description="…and the fall is significant at this level")
    overdue_high_days: int = Field(90, ge=0, description="an overdue rectification is severe after this many days")


def _default_frequencies() -> dict[ActivityType, Frequency]:
    per = {12: "month", 4: "quarter", 1: "year"}
    return {kind: Frequency(count=1, per=per[n]) for kind, n in REQUIRED_MEETINGS_PER_YEAR.items()}


class MetricSettings(BaseModel):
    """Everything the party-building index, suppression, scorecard and warnings depend on.

    Stored as one JSON value (key `metrics`); changing it bumps the data version, so every cached figure is
    recomputed. Defaults are documented in the README."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    weights: dict[str, float] = Field(
        default_factory=lambda: {
            "compliance": 40.0,
            "attendance": 20.0,
            "service": 15.0,
            "theme_plus": 15.0,
            "integrity": 10.0,
        }
    )
    frequencies: dict[ActivityType, Frequency] = Field(default_factory=_default_frequencies)
    # Targets per party member or per branch, per year; a component scores 100 at the target (capped).
    service_hours_per_member_year: float = Field(4.0, gt=0, description="service hours per member per year")
    theme_plus_per_year: float = Field(12.0, gt=0, description="theme party days and 党建+ activities per year")
    integrity_per_year: float = Field(2.0, gt=0, description="integrity-education activities per year")
    suppression_min_n: int = Field(
        10, ge=1, le=1000, description="satisfaction groups with fewer respondents are hidden"
    )
    assumed_sd: float = Field(
        12.0, gt=0, le=50, description="score SD for tests on aggregates when no individual responses exist"
    )
    green: float = Field(80.0, ge=0, le=100, description="scorecard: green from this score")
    amber: float = Field(60.0, ge=0, le=100, description="scorecard: amber from this score, red below")
    warnings: WarningRules = Field(default_factory=WarningRules)
    # The relations analysis reports no statistic on fewer pairs or departments than these.
    relations_min_n: int = Field(30, ge=3, le=100000, description="relations: minimum department-periods")
    relations_min_departments: int = Field(8, ge=2, le=10000, description="relations: minimum departments")

    @model_validator(mode="after")
    def _consistent(self) -> MetricSettings:
        # Typed errors, so that the Settings page can say what is wrong in the user's language.
        unknown = set(self.weights) - set(COMPONENTS)
        if unknown:
            raise PydanticCustomError("weights", "unknown index components: {unknown}", {"unknown": sorted(unknown)})
        if any(w < 0 for w in self.weights.values()) or not any(w > 0 for w in self.weights.values()):
            raise PydanticCustomError("weights", "weights must be ≥ 0 and at least one > 0")
        if self.amber > self.green:
            raise PydanticCustomError(
                "amber_above_green",
                "the amber line ({amber}) must not be above the green line ({green})",
                {"amber": self.amber, "green": self.green},
            )
        return self

    def weight(self, component: str) -> float:
        return float(self.weights.get(component, 0.0))


def metric_settings(db: Database) -> MetricSettings:
    """The stored metric settings, or the defaults (also when what is stored no longer validates)."""
    value = get(db, METRICS_KEY)
    if value is None:
        return MetricSettings()
    try:
        return MetricSettings.model_validate(value)
    except ValueError:
        return MetricSettings()


def save_metric_settings(db: Database, value: MetricSettings) -> None:
    put(db, METRICS_KEY, value.model_dump(mode="json"))


def reset_metric_settings(db: Database) -> None:
    delete(db, METRICS_KEY)


# --- Explaining settings to users ------------------------------------------------------------------------


def field_label(path: tuple[str | int, ...], lang: str = "zh") -> str:
    """The user's name of a setting, from its path in `MetricSettings` (e.g. ('weights', 'service'))."""
    head, rest = str(path[0]), [str(p) for p in path[1:]]
    if head == "weights" and rest:
        component = t(f"component.{rest[0]}", lang) if rest[0] in COMPONENTS else rest[0]
        return t("settings.field.weight", lang, component=component)
    if head == "frequencies" and rest:
        try:
            return ActivityType(rest[0]).label(lang)
        except ValueError:
            return rest[0]
    name = rest[-1] if head == "warnings" and rest else head
    key = f"settings.field.{name}"
    return t(key, lang) if key in STRINGS else name


def validation_messages(error: ValidationError, lang: str = "zh") -> list[str]:
    """One sentence per problem of an invalid `MetricSettings`, in `lang`."""
    out = []
    for item in error.errors():
        kind, ctx, loc = item["type"], item.get("ctx") or {}, tuple(item["loc"])
        if kind == "amber_above_green":
            amber, green = f"{ctx['amber']:g}", f"{ctx['green']:g}"
            out.append(t("settings.error.amber_above_green", lang, amber=amber, green=green))
        elif kind == "weights":
            out.append(t("settings.error.weights", lang))
        elif kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal") and loc:
            limit = f"{next(iter(ctx.values())):g}"
            out.append(t(f"settings.error.{kind}", lang, field=field_label(loc, lang), limit=limit))
        else:
            label = field_label(loc, lang) if loc else ""
            out.append(t("settings.error.other", lang, field=label, message=item["msg"]))
    return out


def differences(value: MetricSettings) -> list[tuple[tuple[str, ...], Any, Any]]:
    """Where `value` differs from the defaults: (path, value, default) for each setting, in model order."""
    now, default = value.model_dump(mode="json"), MetricSettings().model_dump(mode="json")
    out: list[tuple[tuple[str, ...], Any, Any]] = []

    def walk(path: tuple[str, ...], a: Any, b: Any) -> None:
        if isinstance(a, dict) and isinstance(b, dict) and not {"count", "per"} <= set(a):
            for key in dict.fromkeys([*b, *a]):
                walk((*path, key), a.get(key), b.get(key))
        elif a != b:
            out.append((path, a, b))

    walk((), now, default)
    return out
