"""关联分析 Relations: how a party-building or discipline metric relates to patient and staff satisfaction,
with effect sizes, confidence intervals, lags, within-department comparisons, corrected q-values and plain
words. All statistics come from `analytics.relations`; this page picks, draws and explains."""

import pandas as pd
import streamlit as st

from analytics import charts, formats, relations, summary
from analytics.i18n import t
from pages._auth import require
from pages._ui import (
    Title,
    chart_config,
    ensure_navigation,
    filter_bar,
    lang,
    load,
    md_escape,
    no_data,
    settings_note,
    table,
    view_param,
)

ensure_navigation()
require("relations")

L = lang()
st.title(t("relations.title", L))
settings_note()
st.caption(t("relations.caption", L))
filters, data = filter_bar()

if data.empty() or all(data.frame[f"n_{o}"].sum() == 0 for o in relations.OUTCOMES):
    counts = load(summary.record_counts)
    no_data("relations.no_data", departments=counts["departments"])
    st.stop()

controls = st.columns([3, 3, 2, 2, 3], vertical_alignment="bottom")
level = view_param("level", "rel_level", relations.LEVELS, relations.LEVELS[0])
controls[3].selectbox(
    t("relations.pick.level", L),
    relations.LEVELS,
    format_func=lambda v: t(f"relations.level.{v}", L),
    key="rel_level",
    help=t("relations.help.level", L),
)
weighted = view_param("weighted", "rel_weighted", [False, True], False)
controls[4].toggle(t("relations.pick.weighted", L), key="rel_weighted", help=t("relations.help.weighted", L))


def family() -> list[relations.Relation]:
    """Every metric × outcome × lag with its q: seconds, the first time for these choices (the server warms the
    default view's, see _ui.warm_up)."""
    with st.spinner(t("relations.family.computing", L)):
        return load(relations.all_results, data.grain, level, filters, weighted)


def strongest() -> tuple[str, str, int]:
    """What the page opens on, until the reader (or the link) picks: the strongest finding that survives
    correction (not lag 0), which needs the whole family."""
    found = relations.surviving(family())
    first = found[0] if found else None
    return (first.metric, first.outcome, first.lag) if first else (relations.METRICS[0], "inpatient", 0)


metric = view_param("metric", "rel_metric", relations.METRICS, lambda: strongest()[0])
controls[0].selectbox(
    t("relations.pick.metric", L),
    relations.METRICS,
    format_func=lambda m: t(f"metric.{m}", L),
    key="rel_metric",
    help=t("relations.help.metric", L),
)
outcome = view_param("outcome", "rel_outcome", relations.OUTCOMES, lambda: strongest()[1])
controls[1].selectbox(
    t("relations.pick.outcome", L),
    relations.OUTCOMES,
    format_func=lambda o: t(f"metric.satisfaction_{o}", L),
    key="rel_outcome",
)
lag = view_param("lag", "rel_lag", relations.LAGS, lambda: strongest()[2])
controls[2].selectbox(
    t("relations.pick.lag", L),
    relations.LAGS,
    format_func=lambda k: t("relations.lag_option", L, lag=k, grain=t(f"relations.grain.{data.grain}", L)),
    key="rel_lag",
    help=t("relations.help.lag", L),
)
# The chosen pair is drawn first: its one model takes a fraction of the family's time. Its q needs the whole
# family (every metric × outcome × lag), so what it means is said, and the survivors listed, once that is there.
survivors_box = st.container()
st.subheader(t("relations.finding.title", L))
finding_box = st.empty()
finding_box.info(t("relations.finding.pending", L), icon=":material/hourglass_top:")
pair = load(relations.pair_results, data.grain, level, filters, weighted, metric, outcome)
estimate = pair[relations.LAGS.index(lag)]  # the family's estimates, perhaps without q yet
maxlag = max(estimate.lags)

# --- Within-department scatter with the model's slope ------------------------------------------------------
grain_word = t(f"relations.grain.{data.grain}", L)
earlier = "" if lag == 0 else t("relations.chart.earlier", L, lag=lag, grain=grain_word)
x_title = t("relations.scatter.x", L, metric=t(f"relations.metric.{metric}", L), earlier=earlier)
y_title = t("relations.scatter.y", L, outcome=t(f"relations.outcome.{outcome}", L))
left, right = st.columns([3, 2])
with left:
    st.markdown(f"**{t('relations.scatter.title', L)}**")
    if estimate.fixed_effects is not None:
        points = relations.partial_scatter(relations.scoped(data, filters, level), estimate, weighted)
        line = relations.effect_line(points, estimate.fixed_effects)
        st.plotly_chart(charts.relation_scatter(points, line, x_title, y_title, L), config=chart_config())
        st.caption(t("relations.scatter.caption", L, n=len(points)))
    else:
        st.info(t("relations.scatter.no_line", L))
with right:
    st.markdown(f"**{t('relations.lags.title', L)}**")
    estimates = relations.relations_table(pair)
    if estimates["fe_coef"].notna().any():
        st.plotly_chart(charts.lag_profile(estimates, relations.STEP[metric], L), config=chart_config())
        st.caption(t("relations.lags.caption", L, step=f"{relations.STEP[metric]:g}", maxlag=maxlag))
    else:
        st.info(t("relations.lags.empty", L))

# --- Then the family: every finding that survives correction, strongest first; the chosen pair in words -----
results = family()
everything = relations.relations_table(results)
tested = int(everything["q"].notna().sum())
found = relations.surviving(results)
chosen = next(r for r in results if (r.metric, r.outcome, r.lag) == (metric, outcome, lag))
profile = everything[(everything["metric"] == metric) & (everything["outcome"] == outcome)]
with survivors_box:
    if tested:
        st.subheader(t("relations.survivors.title", L))
    if found:
        st.caption(t("relations.survivors.caption", L, found=len(found), tests=tested))
        st.markdown("\n".join(f"{i}. {md_escape(r.finding[L])}" for i, r in enumerate(found, start=1)))
        party = [(r.outcome, r.lag) for r in found if relations.CLUSTER_LEVEL[r.metric] == "branch"]
        if len(party) > len(set(party)):
            st.caption(t("relations.survivors.related", L))
    elif tested:
        st.info(t("relations.survivors.none", L, tests=tested), icon=":material/info:")
with finding_box.container():
    if chosen.significant:
        st.success(md_escape(chosen.finding[L]), icon=":material/insights:")
    else:
        st.info(md_escape(chosen.finding[L]), icon=":material/info:")
    st.caption(t("relations.finding.how", L, tests=tested, maxlag=maxlag, draws=relations.DRAWS))

# --- Heatmap of every metric × outcome at this lag ---------------------------------------------------------
st.subheader(t("relations.heatmap.title", L, lag=lag))
st.plotly_chart(charts.relation_heatmap(everything[everything["lag"] == lag], relations.STEP, L), config=chart_config())
st.caption(t("relations.heatmap.caption", L))


# --- The regression table ----------------------------------------------------------------------------------
def number(value: float, digits: int = 3) -> str | None:
    return None if pd.isna(value) else formats.number(value, digits, L)


def p_value(value: float) -> str | None:
    return None if pd.isna(value) else ("< 0.001" if value < 0.001 else f"{value:.3f}")


def interval(lo: float, hi: float, digits: int = 2) -> str | None:
    return None if pd.isna(lo) else f"{formats.number(lo, digits, L)} – {formats.number(hi, digits, L)}"


step = relations.STEP[metric]
notes = [None if pd.isna(reason) else t(f"relations.reason.{reason}", L) for reason in profile["reason"]]
st.subheader(t("relations.table.title", L))
regression = pd.DataFrame(
    {
        t("relations.col.lag", L): profile["lag"],
        t("relations.col.n", L): profile["n"],
        t("relations.col.departments", L): profile["n_departments"],
        t("relations.col.clusters", L): profile["n_clusters"].astype("Int64"),
        t("relations.col.effect", L): [number(v * step, 2) for v in profile["fe_coef"]],
        t("relations.col.effect_ci", L): [
            interval(a * step, b * step) for a, b in zip(profile["fe_ci_low"], profile["fe_ci_high"], strict=True)
        ],
        t("relations.col.q", L): [p_value(v) for v in profile["q"]],
        t("relations.col.note", L): notes,
    }
)
help_texts = {"effect": "relations.help.effect", "q": "relations.help.q"}
# The choices behind the tables, for the title of their Excel files.
pair = f"{t(f'metric.{metric}', L)} × {t(f'metric.satisfaction_{outcome}', L)}"
choices = (
    (t("relations.pick.level", L), t(f"relations.level.{level}", L)),
    (t("relations.pick.weighted", L), t("export.yes" if weighted else "export.no", L)),
)
table(
    regression,
    t("relations.table.file", L),
    key="relations_table",
    title=Title(f"{t('relations.table.title', L)} · {pair}", filters, extra=choices),
    column_config={
        t(f"relations.col.{c}", L): st.column_config.TextColumn(help=t(k, L)) for c, k in help_texts.items()
    },
)
# The methods and the descriptive correlations, for whoever checks the numbers (and in the downloads).
with st.expander(t("relations.details", L)):
    details = pd.DataFrame(
        {
            t("relations.col.lag", L): profile["lag"],
            t("relations.col.inference", L): [
                None if pd.isna(v) else t(f"relations.inference.{v}", L) for v in profile["inference"]
            ],
            t("relations.col.coef", L): [number(v) for v in profile["fe_coef"]],
            t("relations.col.se", L): [number(v) for v in profile["fe_se"]],
            t("relations.col.p", L): [p_value(v) for v in profile["fe_p"]],
            t("relations.col.r", L): [number(v, 2) for v in profile["pearson_r"]],
            t("relations.col.rho", L): [number(v, 2) for v in profile["spearman_rho"]],
        }
    )
    detail_help = {"coef": "relations.help.coef", "se": "relations.help.se", "p": "relations.help.p"}
    detail_help |= {"r": "relations.help.r", "rho": "relations.help.rho"}
    table(
        details,
        t("relations.table.file", L),
        key="relations_details",
        title=Title(f"{t('relations.details', L)} · {pair}", filters, extra=choices),
        column_config={
            t(f"relations.col.{c}", L): st.column_config.TextColumn(help=t(k, L)) for c, k in detail_help.items()
        },
    )

st.subheader(t("relations.all.title", L))
st.caption(t("relations.all.caption", L, n=len(everything)))
download = everything.assign(
    metric=[t(f"metric.{m}", L) for m in everything["metric"]],
    outcome=[t(f"metric.satisfaction_{o}", L) for o in everything["outcome"]],
    inference=[None if pd.isna(v) else t(f"relations.inference.{v}", L) for v in everything["inference"]],
    cluster_level=[None if pd.isna(v) else t(f"relations.level.{v}", L) for v in everything["cluster_level"]],
    finding=[r.finding[L] for r in results],
    reason=[None if pd.isna(reason) else t(f"relations.reason.{reason}", L) for reason in everything["reason"]],
)
download.columns = [t(f"relations.all.{column}", L) for column in download.columns]
table(
    download,
    t("relations.all.file", L),
    key="relations_all",
    title=Title(t("relations.all.title", L), filters, extra=choices),
)
