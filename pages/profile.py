"""科室画像 Department profile: everything about one department. The department is in the URL
(`?dept=D01`), so a profile can be shared by link; `_ui.open_profile` opens it from any table."""

import pandas as pd
import streamlit as st

from analytics import charts, discipline, formats, profile, risk
from analytics import party as party_figures
from analytics.i18n import assumed_sd_note, p_phrase, t
from analytics.metrics import latest_period
from analytics.periods import speak, spoken
from analytics.schema import DepartmentCategory, Population, SatisfactionItem
from analytics.settings import COMPONENTS
from pages._auth import audited_download, require
from pages._ui import (
    Title,
    chart_config,
    downloads,
    ensure_navigation,
    filter_bar,
    lang,
    load,
    md_escape,
    n_text,
    no_data,
    score_text,
    settings_note,
    table,
    today,
)

ensure_navigation()
require("profile")

L = lang()
DEPT_WIDGET = "w_profile_dept"

filters, data = filter_bar(units=False)
st.title(t("profile.title", L))
settings_note()
st.caption(t("profile.caption", L))

register = load(profile.department_register)
if register.empty:
    no_data("profile.empty")
    st.stop()
names = dict(zip(register["department_code"], register["department_name"], strict=True))


def _choose() -> None:
    code = st.session_state[DEPT_WIDGET]
    if code:
        st.session_state["profile_dept"] = code
        st.query_params["dept"] = code


# The URL wins (a shared link, or `open_profile`); then the department last opened in this session.
requested = st.query_params.get("dept") or st.session_state.get("profile_dept") or register["department_code"].iloc[0]
known = requested in names
st.session_state[DEPT_WIDGET] = requested if known else None
st.selectbox(
    t("profile.choose", L),
    options=list(names),
    format_func=names.__getitem__,
    key=DEPT_WIDGET,
    on_change=_choose,
    placeholder=t("profile.placeholder", L),
)
if not known:
    st.warning(t("profile.unknown", L, code=md_escape(requested)), icon=":material/search_off:")  # from the URL
    st.stop()

code = requested
st.session_state["profile_dept"] = code
st.query_params["dept"] = code  # kept in the URL on every run, so the link always shows this department
me = register.set_index("department_code").loc[code]
branch = str(me["branch_code"])
as_of = today()


def titled(what: str, period: str | None = None) -> Title:
    """The title block of a table's Excel file: its scope is this department, with its branch."""
    return Title(
        f"{what} · {me['department_name']}", filters, period, scope=f"{me['department_name']} · {me['branch_name']}"
    )


def facts() -> None:
    st.header(md_escape(str(me["department_name"])), anchor=False)
    cards = (
        ("profile.fact.category", DepartmentCategory(me["category"]).label(L)),
        ("profile.fact.staff", formats.count(me["staff_count"], L)),
        ("profile.fact.branch", str(me["branch_name"])),
        ("profile.fact.members", formats.count(me["member_count"], L)),
    )
    row = st.container(horizontal=True)
    for key, value in cards:
        row.metric(t(key, L), md_escape(value), border=True, width="content")  # a metric value is markdown too
    shared = int(me["branch_departments"])
    joint = bool(me["is_joint"]) if pd.notna(me["is_joint"]) else shared > 1
    if joint:
        notes = [t("profile.joint", L, n=shared)]
    else:
        notes = [t("profile.single", L) if shared == 1 else t("profile.shared", L, n=shared)]
    if pd.notna(me["secretary_double_leader"]):
        notes.append(t("profile.double_leader" if me["secretary_double_leader"] else "profile.not_double_leader", L))
    st.caption(" · ".join(notes))


def party(rows: pd.DataFrame) -> None:
    st.subheader(t("profile.party.title", L))
    st.caption(t("profile.party.caption", L))
    missing = rows.loc[~rows["party_reported"].astype(bool), "period"].tolist()
    if missing:  # 未上报: no activities ledger of those periods lists the branch
        periods = party_figures.period_runs(missing, data, L)
        st.warning(md_escape(t("reported.department", L, periods=periods)), icon=":material/playlist_remove:")
    measured = rows[rows["party_index"].notna()]
    if measured.empty:
        st.caption(t("profile.party.none", L))
        return
    last = measured.iloc[-1]
    delta = last["delta_party_index"]
    card, chart = st.columns([3, 10], vertical_alignment="center")
    card.metric(
        t("profile.party.card", L, period=spoken(last["period"], L)),
        formats.number(last["party_index"], 1, L),
        delta=None if pd.isna(delta) else formats.change(delta, 1, L),
        border=True,
    )
    chart.plotly_chart(charts.party_index_lines(measured, L), config=chart_config(), key="chart_party")
    scores = measured.set_index("period")[[f"score_{c}" for c in COMPONENTS]].T
    scores.index = [t(f"component.{c}", L) for c in COMPONENTS]
    settings = data.settings
    st.caption(t("profile.party.components", L, amber=f"{settings.amber:g}", green=f"{settings.green:g}"))
    figure = charts.component_grid(scores, L, settings.amber, settings.green)
    st.plotly_chart(figure, config=chart_config(), key="chart_components")


def sd_note(sd: object) -> str:
    """'，假定标准差 12 分' after a p whose test assumed its SD for want of individual responses, else ''."""
    note = assumed_sd_note(sd, L)
    return "" if not note else f"，{note}" if L == "zh" else f", {note}"


def satisfaction(rows: pd.DataFrame) -> None:
    st.subheader(t("profile.sat.title", L))
    min_n = data.settings.suppression_min_n
    st.caption(t("profile.sat.caption", L, min_n=min_n))
    long = profile.satisfaction_long(rows)
    if long.empty:
        st.caption(t("profile.sat.none", L))
        return
    latest = profile.latest_satisfaction(long)
    present = [p for p in Population if p.value in latest]
    for column, population in zip(st.columns(len(Population)), present, strict=False):
        row = latest[population.value]
        label = t("profile.sat.card", L, population=population.label(L), period=spoken(row["period"], L))
        delta = row["delta"]
        column.metric(
            label,
            "—" if row["suppressed"] else score_text(row["score"], int(row["n"])),
            delta=None if pd.isna(delta) else formats.change(delta, 1, L),
            border=True,
        )
        note = [t("profile.sat.n", L, n=n_text(row["n"], row["suppressed"], row["complementary"], min_n))]
        if row["suppressed"]:  # the card cannot hold the sentence; it goes first underneath
            note.insert(0, t("metric.withheld" if row["complementary"] else "metric.suppressed", L))
        if pd.notna(delta) and pd.notna(row["p"]):
            p = p_phrase(row["p"]) + sd_note(row["assumed_sd"])
            note.append(t("profile.sat.change", L, delta=formats.change(delta, 1, L), p=p))
        else:
            note.append(t("profile.sat.no_change", L))
        column.caption(" · ".join(note))
    st.plotly_chart(charts.satisfaction_lines(rows, L), config=chart_config(), key="chart_satisfaction")
    shown = pd.DataFrame(
        {
            t("col.period", L): speak(long["period"], L),
            t("col.population", L): [Population(p).label(L) for p in long["population"]],
            t("col.score", L): [
                score_text(v, n, complementary=c)
                for v, n, c in zip(long["score"], long["n"], long["complementary"], strict=True)
            ],
            t("col.n", L): [
                n_text(n, h, c, min_n)
                for n, h, c in zip(long["n"], long["suppressed"], long["complementary"], strict=True)
            ],
            t("col.delta", L): long["delta"].round(1),
            t("col.p", L): [
                None if profile.p_cell(p) is None else profile.p_cell(p) + sd_note(sd)
                for p, sd in zip(long["p"], long["assumed_sd"], strict=True)
            ],
        }
    )
    config = {t("col.delta", L): st.column_config.NumberColumn(format="%+.1f")}
    table(
        shown,
        t("profile.sat.file", L),
        key="profile_satisfaction",
        column_config=config,
        title=titled(t("profile.sat.title", L)),
    )


def dimensions() -> None:
    period = profile.last_dimension_period(data, code, filters)
    if period is None:
        return
    title = t("profile.dims.title", L, period=spoken(period, L))
    st.subheader(title)
    dims = profile.dimension_scores(data, code, period)
    if dims["mean"].notna().any():
        st.plotly_chart(charts.dimension_dots(dims, L), config=chart_config(), key="chart_dimensions")
    shown = pd.DataFrame(
        {
            t("col.population", L): [Population(p).label(L) for p in dims["population"]],
            t("col.item", L): [SatisfactionItem(i).label(L) for i in dims["item"]],
            t("col.score", L): [
                score_text(v, n, complementary=c)
                for v, n, c in zip(dims["mean"], dims["n"], dims["complementary"], strict=True)
            ],
            t("col.n", L): [
                n_text(n, h, c, data.settings.suppression_min_n)
                for n, h, c in zip(dims["n"], dims["suppressed"], dims["complementary"], strict=True)
            ],
        }
    )
    table(shown, t("profile.dims.file", L), key="profile_dimensions", title=titled(title, period))


def discipline_section(rows: pd.DataFrame) -> None:
    st.subheader(t("profile.disc.title", L))
    measured = rows[rows["discipline_records"].notna()]
    if measured.empty:
        st.caption(t("profile.disc.none", L))
        return
    st.plotly_chart(
        charts.category_bars(discipline.category_counts(measured), L, height=340),
        config=chart_config(),
        key="chart_discipline",
    )
    per_period = discipline.summarise(measured, [*discipline.PERIOD_KEYS, "staff_count"])
    shown = discipline.counts_table(per_period, L, {"period": "col.period"})
    table(
        shown,
        t("profile.disc.file", L),
        key="profile_discipline",
        on_download=audited_download,
        title=titled(t("profile.disc.title", L)),
    )


def warnings_section(ledger: pd.DataFrame) -> None:
    period = filters.end if filters.end in data.periods else latest_period(data)
    title = t("profile.warn.title", L, period=spoken(period, L))
    st.subheader(title)
    found = profile.department_warnings(data, ledger, period, code, branch)
    if found.empty:
        st.caption(t("profile.warn.none", L, period=spoken(period, L)))
        return
    for row in found.itertuples():
        show = st.error if row.severity == "high" else st.warning
        level = t(f"level.{row.unit_level}", L)
        severity = t(f"risk.severity.{row.severity}", L)
        show(
            f"**{t(f'risk.rule.{row.rule}', L)}**（{level}，{severity}）{md_escape(getattr(row, f'explanation_{L}'))}"
            if L == "zh"
            else f"**{t(f'risk.rule.{row.rule}', L)}** ({level}, {severity}) "
            f"{md_escape(getattr(row, f'explanation_{L}'))}",
            icon=":material/warning:",
        )
    shown = pd.DataFrame(
        {
            t("col.level", L): [t(f"level.{lv}", L) for lv in found["unit_level"]],
            t("col.rule", L): [t(f"risk.rule.{r}", L) for r in found["rule"]],
            t("col.severity", L): [t(f"risk.severity.{s}", L) for s in found["severity"]],
            t("col.explanation", L): found[f"explanation_{L}"],
        }
    )
    downloads(shown, t("profile.warn.file", L), key="profile_warnings", title=titled(title, period))


def ledger_section(ledger: pd.DataFrame) -> None:
    st.subheader(t("profile.ledger.title", L))
    mine = discipline.ledger_rows(ledger, department_code=code)
    if mine.empty:
        st.caption(t("profile.ledger.none", L, as_of=as_of.isoformat()))
        return
    st.caption(t("discipline.ledger.caption", L, as_of=as_of.isoformat()))
    shown = discipline.ledger_table(mine, L)
    table(
        shown,
        t("profile.ledger.file", L),
        key="profile_ledger",
        on_download=audited_download,
        title=titled(t("profile.ledger.title", L), t("export.as_of", L, date=as_of.isoformat())),
    )


facts()
rows = profile.department_rows(data, code, filters)
if rows.empty:
    no_data("profile.no_panel")
    st.stop()
ledger = load(risk.overdue_ledger, as_of)
party(rows)
satisfaction(rows)
dimensions()
discipline_section(rows)
warnings_section(ledger)
ledger_section(ledger)
