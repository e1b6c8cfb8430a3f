"""党建 Party building: the party-building index per branch (党建体检), its components and trend, 三会一课 by
meeting type, the six improvements (六提升) and each department's branch index, for the shared filters."""

import pandas as pd
import streamlit as st

from analytics import charts, formats, party, summary
from analytics.accounts import Permission
from analytics.i18n import rag_tag, t, unit
from analytics.metrics import required_meetings, rollup
from analytics.periods import spoken, spoken_order
from analytics.risk import SCORED_FIGURES, scorecard
from analytics.schema import ActivityType, DepartmentCategory, PeriodGrain, SixImprovement
from analytics.settings import COMPONENTS, PERIOD_MONTHS
from pages._auth import may, require
from pages._ui import (
    Title,
    chart_config,
    completeness_note,
    ensure_navigation,
    filter_bar,
    from_panel,
    lang,
    load,
    no_data,
    settings_note,
    table,
    view_param,
)

ensure_navigation()
require("party")

L = lang()
RAW = SCORED_FIGURES  # the figure behind each score (year to date for the yearly targets)

st.title(t("party.title", L))
settings_note()
filters, data = filter_bar()
settings = data.settings

total_weight = sum(settings.weight(c) for c in COMPONENTS)
SEPARATOR = "、" if L == "zh" else ", "
st.caption(
    t(
        "party.index_caption",
        L,
        weights=SEPARATOR.join(
            f"{t(f'component.{c}', L)} {settings.weight(c) / total_weight:.0%}"
            for c in COMPONENTS
            if settings.weight(c) > 0
        ),
        service=f"{settings.service_hours_per_member_year:g}",
        theme=f"{settings.theme_plus_per_year:g}",
        integrity=f"{settings.integrity_per_year:g}",
        green=f"{settings.green:g}",
        amber=f"{settings.amber:g}",
    )
)
if may(Permission.SETTINGS):  # for other roles the address holds the refusal, not the page: no link to it
    st.page_link("pages/settings.py", label=t("party.settings_link", L), icon=":material/tune:")

if data.empty() or data.frame["party_index"].notna().sum() == 0:
    counts = load(summary.record_counts)
    if not counts["branches"] or not counts["departments"]:
        no_data("party.no_register")
    else:
        no_data("party.no_activities", branches=counts["branches"], departments=counts["departments"])
    st.stop()

branches = from_panel(rollup, data.grain, "branch", filters)
hospital = from_panel(rollup, data.grain, "hospital", filters)
period = party.latest(branches)
if period is None:
    st.info(t("party.none_in_range", L), icon=":material/filter_alt:")
    st.stop()

period_said = spoken(period, L)  # the period as the reader says it; `period` (the code) stays the key
NOT_REPORTED = t("reported.not", L)


def rag_label(value: object, reported: bool = True) -> str | None:
    """The rating's name; 未上报 for a branch no ledger of the period lists."""
    if not reported:
        return NOT_REPORTED
    return t(f"rag.{value}", L) if isinstance(value, str) else None


# --- Headline figures ----------------------------------------------------------------------------------------
now = hospital[hospital["period"] == period].iloc[0]
before = hospital[hospital["period_start"] < now["period_start"]].tail(1)
previous = before.iloc[0] if not before.empty else None
card = from_panel(scorecard, data.grain, period, filters)
scope = t("party.kpi.scope_filtered" if filters.category or filters.branch else "party.kpi.scope_all", L)
help_text = t("party.kpi.help", L, scope=scope, previous=spoken(previous["period"], L) if previous is not None else "—")


def change(column: str, digits: int = 1, unit_name: str = "points") -> str | None:
    """The change vs the previous period with its unit (分, 个百分点, 小时)."""
    if previous is None or pd.isna(now[column]) or pd.isna(previous[column]):
        return None
    return formats.change_in(now[column] - previous[column], unit_name, digits, L)


def figure(value: float, digits: int = 1) -> str:
    return formats.number(value, digits, L)


kpis = st.columns(6)
kpis[0].metric(
    t("party.kpi.index", L, period=period_said),
    unit(figure(now["party_index"]), "points", L),
    change("party_index"),
    help=help_text,
)
kpis[1].metric(
    t("party.kpi.compliance", L),
    formats.percent(now["meeting_compliance"], 0, L),
    change("meeting_compliance", 0, "pp"),
    help=t("party.kpi.compliance_help", L) + " " + help_text,
)
kpis[2].metric(
    t("overview.card.theme_day", L),
    formats.percent(now["theme_day_compliance"], 0, L),
    change("theme_day_compliance", 0, "pp"),
    help=help_text,
)
kpis[3].metric(
    t("party.kpi.attendance", L),
    formats.percent(now["attendance_rate"], 0, L),
    change("attendance_rate", 0, "pp"),
    help=help_text,
)
kpis[4].metric(
    t("party.kpi.service", L),
    unit(figure(now["service_hours_per_member"]), "hours", L),
    change("service_hours_per_member", 1, "hours"),
    help=help_text,
)
kpis[5].metric(
    t("party.kpi.red", L),
    t("party.kpi.red_value", L, red=int((card["index_rag"] == "red").sum()), total=len(card)),
)
if now["branches_not_reported"] > 0:
    st.caption(t("reported.left_out", L, n=int(now["branches_not_reported"])))
completeness_note(data, filters)

# --- The index per branch, latest period ---------------------------------------------------------------------
st.subheader(t("party.bars.title", L, period=period_said))
st.caption(t("party.bars.caption", L, green=f"{settings.green:g}", amber=f"{settings.amber:g}"))
index_label = t("party.chart.index", L)
members_label = t("party.chart.members", L)
bars = pd.DataFrame(
    {
        "name": card["branch_name"],
        "value": card["party_index"],
        "colour": card["index_rag"].map(charts.RAG_COLOURS),
        "tag": [rag_tag(r, L) for r in card["index_rag"]],  # the colour's shape and word, beside each value
        "hover": [
            f"{name}\n{index_label}: {figure(value)} · {rag_label(r)}\n{members_label}: {formats.count(members, L)}"
            if pd.notna(value)
            else name
            if reported
            else f"{name}\n{NOT_REPORTED}"
            for name, value, r, members, reported in zip(
                card["branch_name"],
                card["party_index"],
                card["index_rag"],
                card["members"],
                card["reported"],
                strict=True,
            )
        ],
    }
)
st.plotly_chart(
    charts.ranked_bars(bars, t("metric.party_index", L), lines=(settings.amber, settings.green)),
    config=chart_config(),
    key="party_bars",
)

# --- Trend: the index and its components, for the hospital or one branch --------------------------------------
st.subheader(t("party.trend.title", L))
units = ["", *branches.drop_duplicates("unit").sort_values("unit")["unit"]]
names = dict(zip(branches["unit"], branches["unit_name"], strict=False))
unit = view_param("unit", "party_trend_unit", units, "")
st.selectbox(
    t("party.trend.unit", L),
    units,
    format_func=lambda u: names.get(u, u) if u else t("party.trend.hospital", L),
    key="party_trend_unit",
)
st.caption(t("party.trend.caption", L))
trend_rows = hospital if not unit else branches[branches["unit"] == unit]
series = {"party_index": index_label} | {f"score_{c}": t(f"component.{c}", L) for c in COMPONENTS}
trend_lines = pd.concat(
    [
        pd.DataFrame(
            {
                "x": trend_rows["period"],
                "series": name,
                "y": trend_rows[column],
                "hover": [
                    f"{name}\n{spoken(p, L)}: {figure(v)}"
                    if pd.notna(v)
                    else f"{name}\n{spoken(p, L)}: {'—' if ok else NOT_REPORTED}"
                    for p, v, ok in zip(
                        trend_rows["period"], trend_rows[column], trend_rows["party_reported"], strict=True
                    )
                ],
            }
        )
        for column, name in series.items()
    ]
)
st.plotly_chart(
    charts.series_lines(
        trend_lines,
        t("party.chart.period", L),
        t("party.chart.score", L),
        t("party.chart.series", L),
        (0, 105),
        index_label,
        lang=L,
    ),
    config=chart_config(),
    key="party_trend",
)

if len(branches["period"].unique()) > 1:
    st.markdown(f"**{t('party.heatmap.title', L)}**")
    grid = branches.pivot_table(index="unit_name", columns="period", values="party_index", sort=False)
    latest_order = branches[branches["period"] == period].sort_values("party_index", ascending=False)["unit_name"]
    grid = grid.reindex(
        index=[n for n in latest_order if n in grid.index] + [n for n in grid.index if n not in set(latest_order)]
    )
    st.plotly_chart(
        charts.score_heatmap(
            grid.rename(columns=lambda p: spoken(p, L)),
            grid.map(lambda v: "" if pd.isna(v) else f"{v:.0f}")
            .where(
                branches.pivot_table(index="unit_name", columns="period", values="party_reported", sort=False)
                .reindex(index=grid.index, columns=grid.columns)
                .fillna(1)
                .astype(bool),
                NOT_REPORTED,
            )
            .rename(columns=lambda p: spoken(p, L)),
            t("party.chart.period", L),
            t("party.col.branch", L),
            index_label,
        ),
        config=chart_config(),
        key="party_heatmap",
    )

# --- 党建体检: component scores with the raw figures ----------------------------------------------------------
st.subheader(t("party.components.title", L, period=period_said))
st.caption(t("party.components.caption", L))
deltas = branches[branches["period"] == period].set_index("unit")["delta_party_index"]
components = pd.DataFrame(
    {
        t("party.col.branch", L): card["branch_name"],
        t("party.col.members", L): card["members"],
        t("party.col.index", L): card["party_index"],
        t("party.col.delta", L): card["branch_code"].map(deltas),
        t("party.col.rating", L): [rag_label(r, ok) for r, ok in zip(card["index_rag"], card["reported"], strict=True)],
    }
)
number_columns = {t("party.col.index", L): "%.1f", t("party.col.delta", L): "%+.1f"}
for component in COMPONENTS:
    score_name = t("party.col.score", L, component=t(f"component.{component}", L))
    raw_name = t(f"metric.{RAW[component]}", L)
    components[score_name] = card[component].to_numpy()
    components[raw_name] = card[f"{component}_value"].to_numpy()
    number_columns[score_name] = "%.1f"
    number_columns[raw_name] = "%g" if component in ("theme_plus", "integrity") else "%.1f"
table(
    components,
    t("party.file.components", L),
    "party_components",
    title=Title(t("party.components.title", L, period=period_said), filters, period),
    column_config={name: st.column_config.NumberColumn(format=fmt) for name, fmt in number_columns.items()},
)

# --- 三会一课 by meeting type ------------------------------------------------------------------------------------
st.subheader(t("party.meetings.title", L))
grain_name = PeriodGrain(data.grain).label(L) if L == "zh" else PeriodGrain(data.grain).label(L).lower()
assessed = [
    t(
        "party.meetings.requirement",
        L,
        type=ActivityType(k).label(L),
        n=f"{required_meetings(settings, k, data.grain):g}",
    )
    for k in data.compliance_types
]
st.caption(t("party.meetings.definition", L))
longer = [
    ActivityType(kind).label(L)
    for kind, freq in settings.frequencies.items()
    if freq.count > 0 and PERIOD_MONTHS[freq.per] > PERIOD_MONTHS[data.grain]
]
if assessed:
    st.caption(t("party.meetings.assessed", L, grain=grain_name, assessed=SEPARATOR.join(assessed)))
else:
    st.caption(t("party.meetings.none", L))
if longer:
    st.caption(t("party.meetings.not_assessed", L, types=SEPARATOR.join(longer), grain=grain_name))

held_label, required_label = t("party.col.held", L), t("party.col.required", L)
compliance_label = t("party.chart.compliance", L)
trend = party.meetings_trend(hospital, data)
if not trend.empty:
    st.markdown(f"**{t('party.meetings.trend', L)}**")
    type_names = trend["meeting_type"].map(lambda k: ActivityType(k).label(L))
    lines = pd.DataFrame(
        {
            "x": trend["period"],
            "series": type_names,
            "y": trend["compliance"],
            "hover": [
                f"{name}\n{spoken(p, L)}: {formats.percent(c, 0, L)}\n{held_label} {h:.0f} / {required_label} {r:g}"
                for name, p, c, h, r in zip(
                    type_names, trend["period"], trend["compliance"], trend["held"], trend["required"], strict=True
                )
            ],
        }
    )
    st.plotly_chart(
        charts.series_lines(
            lines, t("party.chart.period", L), compliance_label, t("party.col.meeting_type", L), (0, 105), lang=L
        ),
        config=chart_config(),
        key="party_meeting_trend",
    )

meetings = party.meetings(branches, data, period)
if not meetings.empty:
    st.markdown(f"**{t('party.meetings.branches', L, period=period_said)}**")
    meetings = meetings.assign(type_name=meetings["meeting_type"].map(lambda k: ActivityType(k).label(L)))
    order = list(card["branch_name"])  # lowest index first, as in the table above
    values = meetings.pivot_table(index="branch_name", columns="type_name", values="compliance", sort=False)
    text = meetings.assign(
        cell=[
            NOT_REPORTED if pd.isna(h) else f"{h:.0f}/{r:g}"
            for h, r in zip(meetings["held"], meetings["required"], strict=True)
        ]
    ).pivot(index="branch_name", columns="type_name", values="cell")
    columns = [ActivityType(k).label(L) for k in data.compliance_types if ActivityType(k).label(L) in values.columns]
    values = values.reindex(index=order, columns=columns)
    text = text.reindex(index=order, columns=columns)
    st.plotly_chart(
        charts.score_heatmap(
            values, text.fillna(""), t("party.col.meeting_type", L), t("party.col.branch", L), compliance_label
        ),
        config=chart_config(),
        key="party_meeting_heatmap",
    )
    with st.expander(t("party.meetings.detail", L)):
        table(
            pd.DataFrame(
                {
                    t("party.col.branch", L): meetings["branch_name"],
                    t("party.col.meeting_type", L): meetings["type_name"],
                    held_label: meetings["held"],
                    required_label: meetings["required"],
                    t("party.col.compliance", L): meetings["compliance"],
                }
            ),
            t("party.file.meetings", L),
            "party_meetings",
            title=Title(t("party.meetings.branches", L, period=period_said), filters, period),
            column_config={
                held_label: st.column_config.NumberColumn(format="%.0f"),
                required_label: st.column_config.NumberColumn(format="%g"),
                t("party.col.compliance", L): st.column_config.NumberColumn(format="%.0f"),
            },
        )

# --- 六提升 -------------------------------------------------------------------------------------------------------
st.subheader(t("party.six.title", L), help=t("party.six.help", L))
st.caption(t("party.six.explained", L))
st.caption(t("party.six.caption", L))
six = party.six_improvements(data, filters)
if six.empty:
    st.info(t("party.six.none", L))
else:
    view = view_param("six", "party_six_view", ["branch", "period"], "branch")  # clicked off: by branch again
    st.segmented_control(
        t("party.six.by", L),
        ["branch", "period"],
        format_func=lambda v: t(f"party.six.by_{v}", L),
        key="party_six_view",
    )
    by_period = view == "period"
    key = "period" if by_period else "branch_name"
    order = {d.value: i for i, d in enumerate(SixImprovement)}
    stacked = six.groupby([key, "dimension"], as_index=False, sort=False)["activities"].sum()
    stacked = stacked.assign(order=stacked["dimension"].map(order)).sort_values(["order", key])
    if by_period:
        stacked = stacked.sort_values(["order", "period"])
    bars6 = pd.DataFrame(
        {
            "x": stacked[key].map(lambda p: spoken(p, L)) if by_period else stacked[key],
            "series": stacked["dimension"].map(lambda d: SixImprovement(d).label(L)),
            "y": stacked["activities"],
        }
    )
    st.plotly_chart(
        charts.stacked_bars(
            bars6,
            t("party.chart.period", L) if by_period else t("party.col.branch", L),
            t("party.chart.activities", L),
            t("party.col.dimension", L),
            horizontal=not by_period,
            order=spoken_order(stacked["period"], L) if by_period else None,
        ),
        config=chart_config(),
        key="party_six",
    )
    wide = six.pivot_table(index="branch_name", columns="dimension", values="activities", aggfunc="sum", fill_value=0)
    wide = wide.reindex(columns=[d.value for d in SixImprovement if d.value in wide.columns])
    wide = wide.loc[wide.sum(axis=1).sort_values(ascending=False, kind="stable").index]  # as in the chart
    wide.columns = [SixImprovement(d).label(L) for d in wide.columns]
    table(
        wide.reset_index().rename(columns={"branch_name": t("party.col.branch", L)}),
        t("party.file.six", L),
        "party_six_table",
        title=Title(t("party.six.title", L), filters),
    )

# --- Departments with their branch's index --------------------------------------------------------------------
st.subheader(t("party.departments.title", L, period=period_said))
st.caption(t("party.departments.caption", L))
departments = party.departments(data, filters, period)
table(
    pd.DataFrame(
        {
            t("party.col.department", L): departments["department_name"],
            t("party.col.category", L): departments["category"].map(lambda c: DepartmentCategory(c).label(L)),
            t("party.col.branch", L): departments["branch_name"],
            t("party.col.index", L): departments["party_index"],
            t("party.col.delta", L): departments["delta_party_index"],
            t("party.col.rating", L): [
                rag_label(r, ok) for r, ok in zip(departments["rag"], departments["party_reported"], strict=True)
            ],
        }
    ),
    t("party.file.departments", L),
    "party_departments",
    title=Title(t("party.departments.title", L, period=period_said), filters, period),
    department_codes=departments["department_code"],
    column_config={
        t("party.col.index", L): st.column_config.NumberColumn(format="%.1f"),
        t("party.col.delta", L): st.column_config.NumberColumn(format="%+.1f"),
    },
)
