"""User settings kept in the database's `settings` table (key → JSON value). Three kinds are stored:

* the column mapping a user chose for a file's headers, remembered per header signature so that next
  month's export with the same headers is mapped the same way without asking again;
* `MetricSettings`: index weights, required meeting frequencies, targets, thresholds (the Settings page);
* `ImportLimits` (key `import_limits`): what one file may hold before it is read (导入限制, the Settings page;
  `analytics/imports/limits.py` says what each limit protects and why its range is what it is).

**Bounds.** Every field of `MetricSettings` has an inclusive range (pydantic `Field(ge=…, le=…)`) and must be
finite, so the page, the CLI and any caller are held to the same limits, and a refusal is a typed pydantic
error that `validation_messages` says in the user's language. The ranges are generous but keep every figure
computable and meaningful: weights 0–`WEIGHT_MAX` with at least one above 0 (relative weights: Σ(w × score)
stays far from overflow, and any ratio up to 100 : 1 fits); suppression at least `SUPPRESSION_FLOOR` (5,
default 10, `STATISTICS.md`); targets and thresholds within what their unit allows (a score or percentage
0–100, an SD 1–50 on a 0–100 scale, α 0.001–0.2, yearly targets at least 0.1 hour or one activity).

A value stored before these bounds existed is not trusted blindly: `load_metric_settings` returns the
settings to use and the `Adjustment`s made to what was stored (weights above the maximum scaled down
together, keeping their ratios; other numbers clamped to their range; anything else back to its default),
which the Settings page lists until the settings are saved again. `load_import_limits` does the same for the
import limits (a limit out of its range, stored by hand or by an older version, is clamped into it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from analytics import audit, queries
from analytics.audit import Actor
from analytics.db import Database
from analytics.i18n import STRINGS, t
from analytics.imports.fields import normalise_header
from analytics.imports.limits import ImportLimits
from analytics.schema import REQUIRED_MEETINGS_PER_YEAR, ActivityType

MAPPING_PREFIX = "header_mapping:"


def get(db: Database, key: str, default: Any = None) -> Any:
    """The stored value of `key` (decoded from JSON), or `default` when there is none."""
    row = db.reader().execute(queries.GET_SETTING, [key]).fetchone()
    return default if row is None else json.loads(row[0])


def put(db: Database, key: str, value: Any, actor: Actor | None = None, **audited: Any) -> None:
    """Store `value` (anything JSON can hold) under `key`, replacing what was there, as `actor` (recorded with
    the setting). With `audited` details, the same transaction adds a `settings_changed` row to the trail."""
    with db.writer() as cur:
        user = actor.user if actor else None
        cur.execute(queries.PUT_SETTING, [key, json.dumps(value, ensure_ascii=False), dt.datetime.now(), user])
        if audited:
            audit.record(cur, actor, "settings_changed", **audited)


def delete(db: Database, key: str, actor: Actor | None = None, **audited: Any) -> None:
    with db.writer() as cur:
        cur.execute(queries.DELETE_SETTING, [key])
        if audited:
            audit.record(cur, actor, "settings_reset", **audited)


def changed(db: Database, key: str) -> tuple[dt.datetime, str | None] | None:
    """When the setting `key` was last stored, and by whom (None: not stored, or stored before accounts)."""
    return db.reader().execute(queries.SETTING_CHANGED, [key]).fetchone()


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


def save_mapping(
    db: Database, headers: Sequence[str], kind: str | None, mapping: dict[str, str], actor: Actor | None = None
) -> bool:
    """Remember `mapping` (raw header → field name, '' for ignore) for files with these headers.

    Returns whether anything was written (an unchanged mapping is not written again: every write bumps the
    data version and so empties the page caches)."""
    value = {"kind": kind, "mapping": {str(k): str(v) for k, v in mapping.items()}}
    if saved_mapping(db, headers) == value:
        return False
    put(db, mapping_key(headers), value, actor)  # remembered as part of an import: the import's row audits it
    return True


# --- How the metrics are computed ------------------------------------------------------------------------

METRICS_KEY = "metrics"

COMPONENTS = ("compliance", "theme_day", "attendance", "service", "theme_plus", "integrity")
"""The party-building index's components, each scored 0–100 (see `metrics.py`): 三会一课 compliance, 主题党日
compliance (its own component: the theme party day is not part of 三会一课), attendance, service hours, 党建+
activities and integrity education. A stored `weights` value without a component gives it weight 0."""

PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12}

WEIGHT_MAX = 100.0
"""The largest index weight: weights are relative, so a cap loses nothing and keeps the sums finite."""
SUPPRESSION_FLOOR = 5
"""No satisfaction group under this many respondents is ever shown, whatever the setting (STATISTICS.md)."""

Weight = Annotated[float, Field(ge=0, le=WEIGHT_MAX)]


class Frequency(BaseModel):
    """A required minimum: `count` meetings every `per` (month, quarter or year)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    count: int = Field(ge=0, le=31)
    per: Literal["month", "quarter", "year"]


class WarningRules(BaseModel):
    """Thresholds of the risk warnings (风险预警); each rule is explained in `warnings.py`."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    index_low: float = Field(60.0, ge=0, le=100, description="党建指数 below this")
    # Not 0: "fell by at least 0" would warn about every branch whose index merely stayed the same.
    index_drop: float = Field(10.0, ge=1, le=100, description="党建指数 fell by at least this vs the previous period")
    meetings_low: float = Field(80.0, ge=0, le=100, description="三会一课 compliance below this two periods running")
    satisfaction_drop: float = Field(3.0, ge=0, le=100, description="score fell by at least this many points…")
    alpha: float = Field(0.05, ge=0.001, le=0.2, description="…and the fall is significant at this level")
    overdue_high_days: int = Field(
        90, ge=1, le=3650, description="an overdue rectification is severe after this many days"
    )


def _default_frequencies() -> dict[ActivityType, Frequency]:
    per = {12: "month", 4: "quarter", 1: "year"}
    return {kind: Frequency(count=1, per=per[n]) for kind, n in REQUIRED_MEETINGS_PER_YEAR.items()}


class MetricSettings(BaseModel):
    """Everything the party-building index, suppression, scorecard and warnings depend on.

    Stored as one JSON value (key `metrics`); changing it bumps the data version, so every cached figure is
    recomputed. Defaults are documented in the README."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    weights: dict[str, Weight] = Field(
        default_factory=lambda: {
            # 100 in all (only the ratios count): 三会一课 35 and 主题党日 10 take the 40 that 三会一课 had
            # while it wrongly counted the theme party day, and 5 of 党建+'s 15 (which no longer counts it either).
            "compliance": 35.0,
            "theme_day": 10.0,
            "attendance": 20.0,
            "service": 15.0,
            "theme_plus": 10.0,
            "integrity": 10.0,
        }
    )
    frequencies: dict[ActivityType, Frequency] = Field(default_factory=_default_frequencies)
    # Targets per party member or per branch, per year; a component scores 100 at the target (capped), judged
    # year to date against the target pro-rated to the months elapsed (`metrics._year_to_date`).
    service_hours_per_member_year: float = Field(4.0, ge=0.1, le=1000, description="service hours per member per year")
    theme_plus_per_year: float = Field(
        2.0, ge=1, le=365, description="党建+ projects and demonstration posts per year (not theme party days)"
    )
    integrity_per_year: float = Field(2.0, ge=1, le=365, description="integrity-education activities per year")
    suppression_min_n: int = Field(
        10, ge=SUPPRESSION_FLOOR, le=1000, description="satisfaction groups with fewer respondents are hidden"
    )
    # A score on 0–100 has an SD of at most 50; below 1 every aggregate change would test as significant.
    assumed_sd: float = Field(
        12.0, ge=1, le=50, description="score SD for tests on aggregates when no individual responses exist"
    )
    green: float = Field(80.0, ge=0, le=100, description="scorecard: green from this score")
    amber: float = Field(60.0, ge=0, le=100, description="scorecard: amber from this score, red below")
    warnings: WarningRules = Field(default_factory=WarningRules)
    # The relations analysis reports no statistic on fewer pairs or departments than these.
    # Below these a model with department and period effects has (almost) no residual degrees of freedom, and
    # errors clustered on 2 departments have 1 degree of freedom (t = 12.7 at 95%).
    relations_min_n: int = Field(30, ge=10, le=100000, description="relations: minimum department-periods")
    relations_min_departments: int = Field(8, ge=3, le=10000, description="relations: minimum departments")

    @model_validator(mode="after")
    def _consistent(self) -> MetricSettings:
        # Typed errors, so that the Settings page can say what is wrong in the user's language.
        unknown = set(self.weights) - set(COMPONENTS)
        if unknown:
            raise PydanticCustomError("weights", "unknown index components: {unknown}", {"unknown": sorted(unknown)})
        if not any(w > 0 for w in self.weights.values()):  # each is 0–WEIGHT_MAX already (`Weight`)
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


class SecuritySettings(BaseModel):
    """Sign-in rules (登录与安全; `accounts.sign_in`): the idle time after which a signed-in page asks to sign
    in again, and the lockout after repeated failed sign-ins, per typed user name and per client address (a
    client's limit is higher: colleagues behind one address, a ward's shared PC, mistype too)."""

    model_config = ConfigDict(extra="forbid")
    idle_minutes: int = Field(default=30, ge=5, le=24 * 60)
    failures: int = Field(default=5, ge=3, le=20)
    lockout_minutes: int = Field(default=15, ge=1, le=24 * 60)
    client_failures: int = Field(default=20, ge=5, le=1000)


SECURITY_KEY = "security"

Settings = TypeVar("Settings", MetricSettings, ImportLimits, SecuritySettings)
"""A kind of settings stored as one JSON value and repaired as one (`repair`)."""


@dataclass(frozen=True)
class Adjustment:
    """One stored setting not used as stored: its path in its model (`MetricSettings`, `ImportLimits`; () for
    the whole value), what was stored and what is used instead (`DROPPED` when an unknown entry is left out)."""

    path: tuple[str, ...]
    stored: Any
    used: Any


DROPPED = "<dropped>"


def metric_settings(db: Database) -> MetricSettings:
    """The metric settings in force: what is stored, brought within bounds (see `load_metric_settings`)."""
    return load_metric_settings(db)[0]


def load_metric_settings(db: Database) -> tuple[MetricSettings, list[Adjustment]]:
    """The stored metric settings (the defaults when none are stored) and what had to be changed to use them."""
    value = get(db, METRICS_KEY)
    return (MetricSettings(), []) if value is None else repair(value)


def repair(value: Any, model: type[Settings] = MetricSettings) -> tuple[Settings, list[Adjustment]]:
    """`value` (a stored JSON object) as a valid `model` (`MetricSettings`, `ImportLimits`), and each change
    made to get there.

    Weights above `WEIGHT_MAX` are scaled down together (their ratios are what the index uses); a number
    outside its range is clamped to the nearest bound; an unknown entry is dropped; anything else invalid
    (not a number, not finite, amber above green, no positive weight) takes its default. Whatever cannot be
    repaired that way gives the defaults, reported as one adjustment of the whole value."""
    if not isinstance(value, dict):
        return model(), [Adjustment((), value, None)]
    data = json.loads(json.dumps(value))  # a deep copy, free to change
    notes = _scale_weights(data) if model is MetricSettings else []
    for _ in range(4):  # each round fixes every error reported; what a fix uncovers shows in the next
        try:
            return model.model_validate(data), _net(notes)
        except ValidationError as error:
            fixes = [_fix(data, item, model) for item in error.errors()]
        if any(fix is None for fix in fixes):
            break
        notes.extend(note for fix in fixes for note in fix or ())
    return model(), [Adjustment((), value, None)]


def _net(notes: list[Adjustment]) -> list[Adjustment]:
    """One adjustment per path, from what was stored to what is used (a path can be fixed twice)."""
    first: dict[tuple[str, ...], Adjustment] = {}
    for note in notes:
        was = first.setdefault(note.path, note)
        first[note.path] = Adjustment(note.path, was.stored, note.used)
    return [note for note in first.values() if note.stored != note.used]


def _scale_weights(data: dict[str, Any]) -> list[Adjustment]:
    weights = data.get("weights")
    if not isinstance(weights, dict):
        return []
    notes = [Adjustment(("weights", k), weights.pop(k), DROPPED) for k in list(weights) if k not in COMPONENTS]
    finite = {k: w for k, w in weights.items() if _is_number(w) and math.isfinite(w)}
    top = max(finite.values(), default=0.0)
    if top <= WEIGHT_MAX:
        return notes
    for key, w in finite.items():
        scaled = round(w / top * WEIGHT_MAX, 4)  # w / top first: w × (100 / top) could underflow to 0 early
        if scaled != w:
            weights[key] = scaled
            notes.append(Adjustment(("weights", str(key)), w, scaled))
    return notes


def _fix(data: dict[str, Any], item: Any, model: type[Settings]) -> list[Adjustment] | None:
    kind, loc, ctx = item["type"], [str(p) for p in item["loc"]], item.get("ctx") or {}
    if kind == "weights":  # unknown components or none above 0: the default weights
        return _replace(data, ["weights"], MetricSettings().model_dump(mode="json")["weights"])
    if kind == "amber_above_green":
        default = MetricSettings()
        return [*_replace(data, ["green"], default.green), *_replace(data, ["amber"], default.amber)]
    if loc and loc[-1] == "[key]":  # a key that is not a meeting type
        loc = loc[:-1]
        kind = "extra_forbidden"
    if kind == "extra_forbidden":
        parent = _at(data, loc[:-1])
        if isinstance(parent, dict) and loc[-1] in parent:
            return [Adjustment(tuple(loc), parent.pop(loc[-1]), DROPPED)]
        return []
    if kind in ("greater_than_equal", "less_than_equal") and ctx:
        limit = next(iter(ctx.values()))
        return _replace(data, loc, int(limit) if isinstance(_default_at(loc, model), int) else float(limit))
    # Not a number, not finite, a wrong period, …: the default, or the nearest enclosing default.
    while loc and _default_at(loc, model) is _MISSING:
        loc = loc[:-1]
    return _replace(data, loc, _default_at(loc, model)) if loc else None


_MISSING = object()


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _at(data: Any, loc: Sequence[str]) -> Any:
    for key in loc:
        if not isinstance(data, dict) or key not in data:
            return _MISSING
        data = data[key]
    return data


def _default_at(loc: Sequence[str], model: type[Settings] = MetricSettings) -> Any:
    return _at(model().model_dump(mode="json"), loc)


def _replace(data: dict[str, Any], loc: Sequence[str], used: Any) -> list[Adjustment]:
    parent = data
    for key in loc[:-1]:
        if not isinstance(parent.get(key), dict):
            parent[key] = {}
        parent = parent[key]
    stored = parent.get(loc[-1], _MISSING)
    parent[loc[-1]] = used
    if isinstance(used, dict) and isinstance(stored, dict):  # say which entries changed, not the whole dict
        return [Adjustment((*loc, k), stored.get(k), v) for k, v in used.items() if stored.get(k) != v]
    return [] if stored == used else [Adjustment(tuple(loc), None if stored is _MISSING else stored, used)]


def save_metric_settings(db: Database, value: MetricSettings, actor: Actor | None = None) -> None:
    _save(db, METRICS_KEY, metric_settings(db), value, actor)


def metric_settings_note(db: Database) -> tuple[dt.datetime, str | None] | None:
    """When the metric settings in force differ from the defaults: when they were stored and by whom (the
    pages' "指标设置于 … 由 … 修改"); None when the defaults are in force."""
    if not differences(metric_settings(db)):
        return None
    return changed(db, METRICS_KEY)


def reset_metric_settings(db: Database, actor: Actor | None = None) -> None:
    _reset(db, METRICS_KEY, metric_settings(db), actor)


def _save(db: Database, key: str, old: BaseModel, new: BaseModel, actor: Actor | None) -> None:
    """Store `new` under `key`, its changes from `old` in the audit trail (nothing written if none)."""
    diff = changes(old, new)
    if diff or get(db, key) != new.model_dump(mode="json"):
        put(db, key, new.model_dump(mode="json"), actor, setting=key, changes=diff)


def _reset(db: Database, key: str, old: BaseModel, actor: Actor | None) -> None:
    if get(db, key) is not None:
        delete(db, key, actor, setting=key, changes=changes(old, type(old)()))


# --- What a file may hold before it is read ---------------------------------------------------------------

LIMITS_KEY = "import_limits"


def import_limits(db: Database) -> ImportLimits:
    """The import limits in force: what is stored, brought within bounds (see `load_import_limits`)."""
    return load_import_limits(db)[0]


def load_import_limits(db: Database) -> tuple[ImportLimits, list[Adjustment]]:
    """The stored import limits (the defaults when none are stored) and what had to be changed to use them."""
    value = get(db, LIMITS_KEY)
    return (ImportLimits(), []) if value is None else repair(value, ImportLimits)


def save_import_limits(db: Database, value: ImportLimits, actor: Actor | None = None) -> None:
    _save(db, LIMITS_KEY, import_limits(db), value, actor)


def reset_import_limits(db: Database, actor: Actor | None = None) -> None:
    _reset(db, LIMITS_KEY, import_limits(db), actor)


# --- Sign-in rules -----------------------------------------------------------------------------------------


def security(db: Database) -> SecuritySettings:
    """The sign-in rules in force (the defaults when none are stored; a stored value out of range clamped)."""
    value = get(db, SECURITY_KEY)
    return SecuritySettings() if value is None else repair(value, SecuritySettings)[0]


def save_security(db: Database, value: SecuritySettings, actor: Actor | None = None) -> None:
    _save(db, SECURITY_KEY, security(db), value, actor)


def reset_security(db: Database, actor: Actor | None = None) -> None:
    _reset(db, SECURITY_KEY, security(db), actor)


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


_PROBLEMS = {
    "finite_number": "finite_number",
    "float_type": "not_a_number",
    "float_parsing": "not_a_number",
    "int_type": "not_an_integer",
    "int_parsing": "not_an_integer",
    "int_parsing_size": "not_an_integer",
    "int_from_float": "not_an_integer",
    "extra_forbidden": "unknown",
}
"""pydantic's error types that are said in the user's words (bounds and the model's own checks apart)."""


def field_bounds(model: type[BaseModel], name: str) -> tuple[float | None, float | None]:
    """The inclusive range (ge, le) of a numeric field of `model` (`MetricSettings`, `WarningRules`, …)."""
    low = high = None
    for rule in model.model_fields[name].metadata:
        low = getattr(rule, "ge", None) if getattr(rule, "ge", None) is not None else low
        high = getattr(rule, "le", None) if getattr(rule, "le", None) is not None else high
    return low, high


def adjustment_messages(adjustments: Sequence[Adjustment], lang: str = "zh") -> list[str]:
    """One phrase per stored setting not used as stored: "三会一课权重 1e+308 → 100"."""
    out = []
    for item in adjustments:
        if not item.path:
            out.append(t("settings.adjusted.all", lang))
        elif item.used == DROPPED:
            out.append(t("settings.adjusted.dropped", lang, field=field_label(item.path, lang)))
        else:
            stored, used = (_shown(v, lang) for v in (item.stored, item.used))
            out.append(t("settings.adjusted.item", lang, field=field_label(item.path, lang), stored=stored, used=used))
    return out


def _shown(value: Any, lang: str) -> str:
    if value is None:
        return t("settings.adjusted.missing", lang)
    if isinstance(value, dict) and value.get("per") in PERIOD_MONTHS and "count" in value:
        return t("settings.frequency", lang, count=value["count"], per=t(f"settings.per.{value['per']}", lang))
    return number_text(value) if _is_number(value) else str(value)


def number_text(value: float) -> str:
    """A setting's number as messages show it: 0.05, 16,384, 1e+308."""
    whole = math.isfinite(value) and float(value).is_integer() and abs(value) < 1e15
    return f"{int(value):,}" if whole else f"{value:g}"


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
            limit = number_text(next(iter(ctx.values())))
            out.append(t(f"settings.error.{kind}", lang, field=field_label(loc, lang), limit=limit))
        elif kind in _PROBLEMS and loc:
            out.append(t(f"settings.error.{_PROBLEMS[kind]}", lang, field=field_label(loc, lang)))
        else:
            label = field_label(loc, lang) if loc else ""
            out.append(t("settings.error.other", lang, field=label, message=item["msg"]))
    return out


def differences(value: Settings) -> list[tuple[tuple[str, ...], Any, Any]]:
    """Where `value` differs from the defaults: (path, value, default) for each setting, in model order."""
    return _walk(value, type(value)())


def changes(old: Settings, new: Settings) -> list[dict[str, Any]]:
    """What a save changes, for the audit trail: [{"path": [...], "old": …, "new": …}] in model order."""
    return [{"path": list(path), "old": was, "new": now} for path, now, was in _walk(new, old)]


def change_text(change: dict[str, Any], lang: str = "zh") -> str:
    """One audited change as the audit page says it: `服务 权重：10 → 20`."""
    path = tuple(change.get("path") or ())
    label = field_label(path, lang) if path else "?"
    return t(
        "settings.change", lang, field=label, old=_shown(change.get("old"), lang), new=_shown(change.get("new"), lang)
    )


def _walk(value: BaseModel, base: BaseModel) -> list[tuple[tuple[str, ...], Any, Any]]:
    now, default = value.model_dump(mode="json"), base.model_dump(mode="json")
    out: list[tuple[tuple[str, ...], Any, Any]] = []

    def walk(path: tuple[str, ...], a: Any, b: Any) -> None:
        if isinstance(a, dict) and isinstance(b, dict) and not {"count", "per"} <= set(a):
            for key in dict.fromkeys([*b, *a]):
                walk((*path, key), a.get(key), b.get(key))
        elif a != b:
            out.append((path, a, b))

    walk((), now, default)
    return out
