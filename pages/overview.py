"""总览 Overview: what the database holds, in counts and coverage by quarter."""

import streamlit as st

from analytics import charts, summary
from analytics.i18n import t
from analytics.schema import DepartmentCategory
from pages._ui import database, ensure_navigation, lang, load

ensure_navigation()

L = lang()
st.title(t("overview.title", L))
st.caption(t("overview.caption", L))

counts = load(summary.record_counts)
if not any(counts.values()):
    st.info(t("overview.empty", L, path=database().path))
    st.stop()

respondents = load(summary.respondents)
respondents_help = t(
    "overview.kpi.respondents_help",
    L,
    responses=counts["satisfaction_responses"],
    aggregates=counts["satisfaction_aggregates"],
    respondents=respondents,
)
kpi_rows = (
    (
        ("overview.kpi.branches", counts["branches"], None),
        ("overview.kpi.departments", counts["departments"], None),
        ("overview.kpi.activities", counts["activities"], None),
        ("overview.kpi.discipline", counts["discipline"], None),
    ),
    (
        ("overview.kpi.responses", counts["satisfaction_responses"], respondents_help),
        ("overview.kpi.aggregates", counts["satisfaction_aggregates"], respondents_help),
        ("overview.kpi.respondents", respondents, respondents_help),
        ("overview.kpi.batches", counts["batches"], None),
    ),
)
for row in kpi_rows:
    for column, (label, value, help_text) in zip(st.columns(len(row)), row, strict=True):
        column.metric(t(label, L), f"{value:,}", help=help_text, border=True)

st.subheader(t("overview.coverage.title", L))
st.caption(t("overview.coverage.help", L))
st.plotly_chart(charts.coverage_heatmap(load(summary.coverage), L), config={"displaylogo": False})

st.subheader(t("overview.departments.title", L))
by_category = load(summary.departments_by_category)
by_category = by_category.sort_values("category", key=lambda c: c.map(list(DepartmentCategory).index))
st.dataframe(
    by_category.assign(category=[DepartmentCategory(c).label(L) for c in by_category["category"]]).rename(
        columns={
            "category": t("overview.departments.category", L),
            "departments": t("overview.departments.count", L),
            "staff": t("overview.departments.staff", L),
        }
    ),
    hide_index=True,
    column_config={
        t("overview.departments.count", L): st.column_config.NumberColumn(format="localized"),
        t("overview.departments.staff", L): st.column_config.NumberColumn(format="localized"),
    },
)
