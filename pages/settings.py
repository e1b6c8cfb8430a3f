"""设置 Settings: how the metrics are computed (`MetricSettings`): index weights, required meeting
frequencies, yearly targets, suppression, the health-check lines and the warning thresholds; and what one
imported file may hold (导入限制, `ImportLimits`). Saving bumps the data version, so every page recomputes."""

from typing import Any

import streamlit as st
from pydantic import BaseModel, ValidationError

from analytics import settings as store
from analytics.i18n import t
from analytics.imports.limits import ImportLimits
from analytics.settings import COMPONENTS, Frequency, MetricSettings, SecuritySettings, WarningRules
from pages._auth import require
from pages._ui import database, ensure_navigation, lang, load

ensure_navigation()
who = require("settings")

L = lang()
DEFAULTS = MetricSettings()
PERIODS = ("month", "quarter", "year")
TARGETS = ("service_hours_per_member_year", "theme_plus_per_year", "integrity_per_year")
SATISFACTION = ("suppression_min_n", "assumed_sd")
RAG_LINES = ("green", "amber")
RELATIONS = ("relations_min_n", "relations_min_departments")
WARNING_FIELDS = tuple(WarningRules.model_fields)
LIMIT_DEFAULTS = ImportLimits()
LIMIT_FIELDS = tuple(ImportLimits.model_fields)
SECURITY_DEFAULTS = SecuritySettings()
SECURITY_FIELDS = tuple(SecuritySettings.model_fields)
# Every widget's session-state key starts with this, so that "restore defaults" can forget them all.
PREFIX = "set_"


def shown(value: Any) -> str:
    return store.number_text(value) if isinstance(value, int | float) else str(value)


def frequency_text(count: int, per: str) -> str:
    return t("settings.frequency", L, count=count, per=t(f"settings.per.{per}", L))


def with_range(help_text: str, low: float | None, high: float | None) -> str:
    """The help of a field followed by its allowed range, from the model's bounds (`store.field_bounds`).

    The widgets get no min_value/max_value: Streamlit answers a typed value outside them with its own English
    message and keeps the old value, so Save would quietly save something else. Out-of-range values reach
    the model instead, which refuses them with a message in the user's language and stores nothing."""
    if low is None or high is None:
        return help_text
    return help_text + ("" if L == "zh" else " ") + t("settings.range", L, low=shown(low), high=shown(high))


def number(model: type[BaseModel], name: str, current: BaseModel, default: BaseModel, key: str, **extra) -> Any:
    """A number input for one field, its default in the label, its meaning and allowed range in the help."""
    value, fallback = getattr(current, name), getattr(default, name)
    if not isinstance(fallback, int):
        extra.setdefault("step", 1.0)
        extra.setdefault("format", "%g")
    return st.number_input(
        t(f"settings.field.{name}", L) + t("settings.default", L, value=shown(fallback)),
        value=value,
        help=with_range(t(f"settings.help.{name}", L), *store.field_bounds(model, name)),
        key=f"{PREFIX}{key}",
        **extra,
    )


def forget_widgets() -> None:
    for key in [k for k in st.session_state if str(k).startswith(PREFIX)]:
        del st.session_state[key]


def restore_defaults() -> None:
    """Every setting back to its default (after the user confirmed), each reset in the audit trail."""
    with database().session():
        store.reset_metric_settings(database(), who.actor)
        store.reset_import_limits(database(), who.actor)
        store.reset_security(database(), who.actor)
    forget_widgets()
    st.session_state.pop(RESET_PENDING, None)
    st.session_state["settings_notice"] = "reset"


RESET_PENDING = "settings_reset_pending"


st.title(t("settings.title", L))
st.caption(t("settings.caption", L))
status = st.container()
current, adjusted = load(store.load_metric_settings)
current_limits, limits_adjusted = load(store.load_import_limits)
current_security = load(store.security)
if adjusted or limits_adjusted:  # a stored row out of bounds: say what is used instead, until it is saved again
    changes = t("settings.separator", L).join(store.adjustment_messages([*adjusted, *limits_adjusted], L))
    st.warning(t("settings.adjusted", L, changes=changes), icon=":material/warning:")

with st.form("metric_settings", enter_to_submit=False):
    st.subheader(t("settings.weights.title", L))
    st.caption(t("settings.weights.caption", L))
    weights = {}
    for column, component in zip(st.columns(len(COMPONENTS)), COMPONENTS, strict=True):
        name = t(f"component.{component}", L)
        weights[component] = column.number_input(
            name + t("settings.default", L, value=shown(DEFAULTS.weight(component))),
            value=current.weight(component),
            step=5.0,
            format="%g",
            help=with_range(t("settings.weight.help", L, component=name), 0.0, store.WEIGHT_MAX),
            key=f"{PREFIX}weight_{component}",
        )

    st.subheader(t("settings.frequencies.title", L))
    st.caption(t("settings.frequencies.caption", L))
    layout = (3, 2, 2, 2)
    for column, key in zip(st.columns(layout), ("meeting", "count", "per", "default"), strict=True):
        column.markdown(f"**{t(f'settings.col.{key}', L)}**")
    frequencies = {}
    for kind, default in DEFAULTS.frequencies.items():
        now = current.frequencies.get(kind, default)
        meeting, count, per, fallback = st.columns(layout, vertical_alignment="center")
        meeting.write(kind.label(L))
        frequencies[kind.value] = {
            "count": count.number_input(
                t("settings.count", L, meeting=kind.label(L)),
                value=now.count,
                help=with_range(t("settings.count.help", L), *store.field_bounds(Frequency, "count")),
                label_visibility="collapsed",
                key=f"{PREFIX}count_{kind.value}",
            ),
            "per": per.selectbox(
                t("settings.per", L),
                options=PERIODS,
                index=PERIODS.index(now.per),
                format_func=lambda p: t(f"settings.every.{p}", L),
                label_visibility="collapsed",
                key=f"{PREFIX}per_{kind.value}",
            ),
        }
        fallback.caption(frequency_text(default.count, default.per))

    st.subheader(t("settings.targets.title", L))
    st.caption(t("settings.targets.caption", L))
    values: dict[str, Any] = {}
    for column, name in zip(st.columns(len(TARGETS)), TARGETS, strict=True):
        with column:
            values[name] = number(MetricSettings, name, current, DEFAULTS, name)

    left, right = st.columns(2)
    with left:
        st.subheader(t("settings.satisfaction.title", L))
        for name in SATISFACTION:
            values[name] = number(MetricSettings, name, current, DEFAULTS, name)
    with right:
        st.subheader(t("settings.rag.title", L))
        for name in RAG_LINES:
            values[name] = number(MetricSettings, name, current, DEFAULTS, name)

    st.subheader(t("settings.warnings.title", L))
    rules: dict[str, Any] = {}
    columns = st.columns(3)
    for i, name in enumerate(WARNING_FIELDS):
        with columns[i % 3]:
            extra = {"step": 0.01, "format": "%.3f"} if name == "alpha" else {}
            rules[name] = number(WarningRules, name, current.warnings, DEFAULTS.warnings, f"warn_{name}", **extra)

    st.subheader(t("settings.relations.title", L))
    st.caption(t("settings.relations.caption", L))
    for column, name in zip(st.columns(3), RELATIONS, strict=False):
        with column:
            values[name] = number(MetricSettings, name, current, DEFAULTS, name)

    st.subheader(t("settings.limits.title", L))
    st.caption(t("settings.limits.caption", L))
    limits: dict[str, Any] = {}
    columns = st.columns(3)
    for i, name in enumerate(LIMIT_FIELDS):
        with columns[i % 3]:
            limits[name] = number(ImportLimits, name, current_limits, LIMIT_DEFAULTS, f"limit_{name}")

    saved = st.form_submit_button(t("settings.save", L), type="primary", icon=":material/save:")

with st.form("security_settings", enter_to_submit=False):
    st.subheader(t("settings.security.title", L))
    st.caption(t("settings.security.caption", L))
    security: dict[str, Any] = {}
    for column, name in zip(st.columns(len(SECURITY_FIELDS)), SECURITY_FIELDS, strict=True):
        with column:
            security[name] = number(SecuritySettings, name, current_security, SECURITY_DEFAULTS, f"security_{name}")
    saved_security = st.form_submit_button(t("settings.save", L), type="primary", icon=":material/save:")

if st.button(
    t("settings.reset", L),
    help=t("settings.reset.help", L),
    icon=":material/restart_alt:",
    disabled=current == DEFAULTS and current_limits == LIMIT_DEFAULTS and current_security == SECURITY_DEFAULTS,
    key="settings_reset",
):
    st.session_state[RESET_PENDING] = True
if st.session_state.get(RESET_PENDING):  # restoring the defaults changes every figure: ask first
    st.warning(t("settings.reset.confirm_text", L), icon=":material/warning:")
    confirm = st.container(horizontal=True)
    confirm.button(t("settings.reset.confirm", L), type="primary", on_click=restore_defaults, key="settings_reset_yes")
    if confirm.button(t("settings.reset.cancel", L), key="settings_reset_no"):
        st.session_state.pop(RESET_PENDING, None)
        st.rerun()


def validated(model: type[BaseModel], candidate: dict[str, Any], problems: list[str]) -> Any:
    """`candidate` as a `model`, or None with what is wrong with it added to `problems`."""
    try:
        return model.model_validate(candidate)
    except ValidationError as error:
        problems.extend(store.validation_messages(error, L))
        return None


if saved:
    problems: list[str] = []
    candidate = {"weights": weights, "frequencies": frequencies, **values, "warnings": rules}
    chosen = validated(MetricSettings, candidate, problems)
    chosen_limits = validated(ImportLimits, limits, problems)
    if problems:
        listed = "\n".join(f"- {message}" for message in problems)
        status.error(f"{t('settings.invalid', L)}\n\n{listed}", icon=":material/error:")
    elif chosen == current and not adjusted and chosen_limits == current_limits and not limits_adjusted:
        status.info(t("settings.unchanged", L), icon=":material/info:")
    else:
        # Each kind is written only when it changed (every write bumps the data version).
        with database().session():
            if chosen != current or adjusted:
                store.save_metric_settings(database(), chosen, who.actor)
            if chosen_limits != current_limits or limits_adjusted:
                store.save_import_limits(database(), chosen_limits, who.actor)
        # Run again, so that everything on the page (the reset button too) reflects what is stored.
        st.session_state["settings_notice"] = "saved"
        st.rerun()
if saved_security:
    problems = []
    chosen_security = validated(SecuritySettings, security, problems)
    if problems:
        listed = "\n".join(f"- {message}" for message in problems)
        status.error(f"{t('settings.invalid', L)}\n\n{listed}", icon=":material/error:")
    elif chosen_security == current_security:
        status.info(t("settings.unchanged", L), icon=":material/info:")
    else:
        with database().session():
            store.save_security(database(), chosen_security, who.actor)
        st.session_state["settings_notice"] = "saved"
        st.rerun()
notice = st.session_state.pop("settings_notice", None)
if notice:
    status.success(t(f"settings.{notice}_done", L), icon=":material/check_circle:")


def describe(path: tuple[str, ...], value: Any, default: Any) -> str:
    if isinstance(value, dict):  # a meeting frequency
        value, default = frequency_text(**value), frequency_text(**default)
    return f"{store.field_label(path, L)} {shown(value)}{t('settings.default', L, value=shown(default))}"


changed = [*store.differences(current), *store.differences(current_limits), *store.differences(current_security)]
if changed:
    listed = t("settings.separator", L).join(describe(*c) for c in changed)
    status.caption(t("settings.status.custom", L, fields=listed))
else:
    status.caption(t("settings.status.default", L))
