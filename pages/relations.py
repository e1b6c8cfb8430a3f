"""关联分析 Relations: how a party-building or discipline metric relates to patient and staff satisfaction,
with effect sizes, confidence intervals, lags, within-department comparisons, corrected q-values and plain
words. All statistics come from `analytics.relations`; this page picks, draws and explains."""

import pandas as pd
import streamlit as st

from analytics import charts, relations, summary
from analytics.i18n import t
from pages._auth import require
from pages._ui import ensure_navigation, filter_bar, lang, load, md_escape, no_data, settings_note, table

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
metric = controls[0].selectbox(
    t("relations.pick.metric", L),
    relations.METRICS,
    format_func=lambda m: t(f"metric.{m}", L),
    key="rel_metric",
    help=t("relations.help.metric", L),
)
outcome = controls[1].selectbox(
    t("relations.pick.outcome", L),
    relations.OUTCOMES,
    index=1,
    format_func=lambda o: t(f"metric.satisfaction_{o}", L),
    key="rel_outcome",
)
lag = controls[2].selectbox(
    t("relations.pick.lag", L),
    relations.LAGS,
    format_func=lambda k: t("relations.lag_option", L, lag=k, grain=t(f"relations.grain.{data.grain}", L)),
    key="rel_lag",
    help=t("relations.help.lag", L),
)
level = controls[3].selectbox(
    t("relations.pick.level", L),
    relations.LEVELS,
    format_func=lambda v: t(f"relations.level.{v}", L),
    key="rel_level",
    help=t("relations.help.level", L),
)

weighted = controls[4].toggle(t("relations.pick.weighted", L), key="rel_weighted", help=t("relations.help.weighted", L))
results = load(relations.all_results, data.grain, level, filters, weighted)
everything = relations.relations_table(results)
chosen = next(r for r in results if (r.metric, r.outcome, r.lag) == (metric, outcome, lag))

# --- The finding, in words ---------------------------------------------------------------------------------
st.subheader(t("relations.finding.title", L))
if (
    chosen.reason is None
    and chosen.fixed_effects["p"] < relations.ALPHA
    and (chosen.q if chosen.q is not None else 1.0) < relations.ALPHA
):
    st.success(md_escape(chosen.finding[L]), icon=":material/insights:")
else:
    st.info(md_escape(chosen.finding[L]), icon=":material/info:")
st.caption(t("relations.finding.how", L, tests=int(everything["q"].notna().sum())))

# --- Scatter with the fitted line --------------------------------------------------------------------------
scope = relations.scoped(data, filters, level)
pairs = relations.pairs(scope, metric, outcome, lag)
x_title = t(f"metric.{metric}", L) + (
    "" if lag == 0 else t("relations.chart.earlier", L, lag=lag, grain=t(f"relations.grain.{data.grain}", L))
)
y_title = t(f"metric.satisfaction_{outcome}", L)
left, right = st.columns([3, 2])
with left:
    st.markdown(f"**{t('relations.scatter.title', L)}**")
    if len(pairs) >= 3 and pairs["x"].nunique() > 1:
        # Below the minimum sample the points are shown, but no line: no statistic is reported there.
        line = relations.fitted_line(pairs) if chosen.reason is None else None
        st.plotly_chart(charts.relation_scatter(pairs, line, x_title, y_title, L), config={"displaylogo": False})
        st.caption(t("relations.scatter.caption" if line is not None else "relations.scatter.no_line", L, n=len(pairs)))
    else:
        st.info(t("relations.scatter.empty", L))
with right:
    st.markdown(f"**{t('relations.lags.title', L)}**")
    profile = everything[(everything["metric"] == metric) & (everything["outcome"] == outcome)]
    if profile["fe_coef"].notna().any():
        st.plotly_chart(charts.lag_profile(profile, relations.STEP[metric], L), config={"displaylogo": False})
        st.caption(t("relations.lags.caption", L, step=f"{relations.STEP[metric]:g}"))
    else:
        st.info(t("relations.lags.empty", L))

# --- Heatmap of every metric × outcome at this lag ---------------------------------------------------------
st.subheader(t("relations.heatmap.title", L, lag=lag))
st.plotly_chart(charts.relation_heatmap(everything[everything["lag"] == lag], L), config={"displaylogo": False})
st.caption(t("relations.heatmap.caption", L))


# --- The regression table ----------------------------------------------------------------------------------
def number(value: float, digits: int = 3) -> str | None:
    return None if pd.isna(value) else f"{value:.{digits}f}"


def p_value(value: float) -> str | None:
    return None if pd.isna(value) else ("< 0.001" if value < 0.001 else f"{value:.3f}")


def interval(lo: float, hi: float, digits: int = 3) -> str | None:
    return None if pd.isna(lo) else f"{lo:.{digits}f} – {hi:.{digits}f}"


st.subheader(t("relations.table.title", L))
shown = profile.assign(
    r_ci=[interval(a, b, 2) for a, b in zip(profile["pearson_ci_low"], profile["pearson_ci_high"], strict=True)],
    fe_ci=[interval(a, b) for a, b in zip(profile["fe_ci_low"], profile["fe_ci_high"], strict=True)],
)
regression = pd.DataFrame(
    {
        t("relations.col.lag", L): shown["lag"],
        t("relations.col.n", L): shown["n"],
        t("relations.col.departments", L): shown["n_departments"],
        t("relations.col.r", L): [number(v, 2) for v in shown["pearson_r"]],
        t("relations.col.r_ci", L): shown["r_ci"],
        t("relations.col.rho", L): [number(v, 2) for v in shown["spearman_rho"]],
        t("relations.col.coef", L): [number(v) for v in shown["fe_coef"]],
        t("relations.col.coef_ci", L): shown["fe_ci"],
        t("relations.col.se", L): [number(v) for v in shown["fe_se"]],
        t("relations.col.p", L): [p_value(v) for v in shown["fe_p"]],
        t("relations.col.q", L): [p_value(v) for v in shown["q"]],
        t("relations.col.note", L): [
            None if pd.isna(reason) else t(f"relations.reason.{reason}", L) for reason in shown["reason"]
        ],
    }
)
help_texts = {
    "r": "relations.help.r",
    "rho": "relations.help.rho",
    "coef": "relations.help.coef",
    "se": "relations.help.se",
    "p": "relations.help.p",
    "q": "relations.help.q",
}
table(
    regression,
    t("relations.table.file", L),
    key="relations_table",
    column_config={
        t(f"relations.col.{c}", L): st.column_config.TextColumn(help=t(k, L)) for c, k in help_texts.items()
    },
)

st.subheader(t("relations.all.title", L))
st.caption(t("relations.all.caption", L, n=len(everything)))
download = everything.assign(
    metric=[t(f"metric.{m}", L) for m in everything["metric"]],
    outcome=[t(f"metric.satisfaction_{o}", L) for o in everything["outcome"]],
    finding=[r.finding[L] for r in results],
    reason=[None if pd.isna(reason) else t(f"relations.reason.{reason}", L) for reason in everything["reason"]],
)
download.columns = [t(f"relations.all.{column}", L) for column in download.columns]
table(download, t("relations.all.file", L), key="relations_all")
