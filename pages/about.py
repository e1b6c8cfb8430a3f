"""关于数据 About the data: what the database holds (counts, coverage by quarter, departments by category),
then each kind of record, its fields and values."""

import pandas as pd
import streamlit as st

from analytics import accounts, charts, demo, formats, summary
from analytics.db import Database
from analytics.i18n import t
from analytics.imports.fields import ENUM_ALIASES
from analytics.periods import quarter_label, spoken
from analytics.schema import (
    REQUIRED_MEETINGS_PER_YEAR,
    ActivityStatus,
    ActivityType,
    DepartmentCategory,
    DisciplineCategory,
    LabelledEnum,
    Population,
    RectificationStatus,
    SatisfactionItem,
    SixImprovement,
)
from pages._auth import require
from pages._ui import chart_config, ensure_navigation, lang, load, table

ensure_navigation()
require("about")

L = lang()
counts = load(summary.record_counts)

# (kind, count key, fields as (field label key, meaning key), enums shown under it)
KINDS: tuple[tuple[str, str, tuple[tuple[str, str], ...], tuple[tuple[str, type[LabelledEnum]], ...]], ...] = (
    (
        "branches",
        "branches",
        (
            ("field.branch_code", "meaning.branch_code"),
            ("field.branch_name", "meaning.branch_name"),
            ("field.is_joint", "meaning.is_joint"),
            ("field.member_count", "meaning.member_count"),
            ("field.secretary_double_leader", "meaning.secretary_double_leader"),
        ),
        (),
    ),
    (
        "departments",
        "departments",
        (
            ("field.department_code", "meaning.department_code"),
            ("field.department_name", "meaning.department_name"),
            ("field.category", "meaning.category"),
            ("field.staff_count", "meaning.staff_count"),
            ("field.branch_code", "meaning.dept_branch"),
        ),
        (("enum.department_category", DepartmentCategory),),
    ),
    (
        "activities",
        "activities",
        (
            ("field.activity_date", "meaning.activity_date"),
            ("field.branch_code", "meaning.act_branch"),
            ("field.activity_type", "meaning.activity_type"),
            ("field.topic", "meaning.topic"),
            ("field.attended", "meaning.attended"),
            ("field.expected", "meaning.expected"),
            ("field.hours", "meaning.hours"),
            ("field.dimension", "meaning.dimension"),
            ("field.activity_status", "meaning.activity_status"),
            ("field.source_id", "meaning.activity_source_id"),
        ),
        (
            ("enum.activity_type", ActivityType),
            ("enum.six_improvement", SixImprovement),
            ("enum.activity_status", ActivityStatus),
        ),
    ),
    (
        "satisfaction",
        "satisfaction",
        (
            ("field.department_code", "meaning.sat_department"),
            ("field.population", "meaning.population"),
            ("field.score", "meaning.score"),
            ("field.submitted_at", "meaning.submitted_at"),
            ("field.response_id", "meaning.response_id"),
            ("field.items", "meaning.items"),
            ("field.period", "meaning.period"),
            ("field.respondents", "meaning.respondents"),
        ),
        (("enum.population", Population), ("enum.satisfaction_item", SatisfactionItem)),
    ),
    (
        "discipline",
        "discipline",
        (
            ("field.record_date", "meaning.record_date"),
            ("field.department_code", "meaning.disc_department"),
            ("field.discipline_category", "meaning.discipline_category"),
            ("field.summary", "meaning.summary"),
            ("field.persons", "meaning.persons"),
            ("field.status", "meaning.status"),
            ("field.deadline", "meaning.deadline"),
            ("field.completed", "meaning.completed"),
            ("field.source_id", "meaning.case_source_id"),
        ),
        (
            ("enum.discipline_category", DisciplineCategory),
            ("enum.rectification_status", RectificationStatus),
        ),
    ),
)


def enum_table(enum: type[LabelledEnum]) -> pd.DataFrame:
    table = pd.DataFrame(
        {
            t("about.code", L): [m.value for m in enum],
            t("about.label_zh", L): [m.zh for m in enum],
            t("about.label_en", L): [m.en for m in enum],
        }
    )
    if enum is ActivityType:
        table[t("about.required", L)] = [REQUIRED_MEETINGS_PER_YEAR.get(m) for m in enum]
    table[t("about.aliases", L)] = ["、".join(ENUM_ALIASES.get(m, ())) for m in enum]
    return table


def demo_seed(db: Database) -> str | None:
    return db.meta("demo_seed")


def holdings() -> None:
    """数据概况: how many records of each kind, which quarters they cover, the departments by category."""
    st.header(t("about.holdings.title", L))
    st.caption(t("about.holdings.caption", L))
    respondents = load(summary.respondents)
    respondents_help = t(
        "overview.kpi.respondents_help",
        L,
        responses=counts["satisfaction_responses"],
        aggregates=counts["satisfaction_aggregates"],
        uncounted=int(load(summary.uncounted_aggregates)["aggregates"].sum()),
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
            column.metric(t(label, L), formats.count(value, L), help=help_text, border=True)
    if not any(counts.values()):
        return
    st.subheader(t("overview.coverage.title", L))
    st.caption(t("overview.coverage.help", L))
    st.plotly_chart(charts.coverage_heatmap(load(summary.coverage), L), config=chart_config())
    st.subheader(t("overview.departments.title", L))
    by_category = load(summary.departments_by_category)
    by_category = by_category.sort_values("category", key=lambda c: c.map(list(DepartmentCategory).index))
    count, staff = t("overview.departments.count", L), t("overview.departments.staff", L)
    table(
        by_category.assign(category=[DepartmentCategory(c).label(L) for c in by_category["category"]]).rename(
            columns={"category": t("overview.departments.category", L), "departments": count, "staff": staff}
        ),
        t("overview.departments.title", L),
        key="about_departments",
        column_config={
            count: st.column_config.NumberColumn(format="localized"),
            staff: st.column_config.NumberColumn(format="localized"),
        },
    )


st.title(t("about.title", L))
holdings()
st.divider()
st.write(t("about.intro", L))

for kind, count_key, fields, enums in KINDS:
    st.header(t(f"kind.{kind}.title", L))
    st.write(t(f"kind.{kind}.body", L))
    st.caption(t("about.stored", L, n=counts[count_key]))
    st.dataframe(
        pd.DataFrame(
            {
                t("about.field", L): [t(f, L) for f, _ in fields],
                t("about.meaning", L): [t(m, L) for _, m in fields],
            }
        ),
        hide_index=True,
    )
    for title, enum in enums:
        with st.expander(t(title, L)):
            st.dataframe(enum_table(enum), hide_index=True)

st.header(t("about.rules.title", L))
RULES = ("rows", "sheets", "scale", "future", "identity", "activities", "meetings", "responses", "conflicts")
for rule in (*RULES, "sources", "organisation", "rectification"):
    st.markdown(f"- {t(f'about.rules.{rule}', L)}")
st.markdown(f"- {t('reported.rule', L)}")  # held nothing vs not reported (未上报), as the party page says it

st.header(t("about.privacy.title", L))
st.write(t("about.privacy.body", L))

st.header(t("roles.title", L))
st.write(t("roles.caption", L))
st.dataframe(accounts.roles_table(L), hide_index=True, key="about_roles")

seed = load(demo_seed)
if seed is not None:
    st.header(t("about.demo.title", L))
    st.write(t("about.demo.body", L, seed=seed))
    for key in ("about.demo.compliance", "about.demo.service", "about.demo.null"):
        st.markdown(f"- {t(key, L)}")
    st.markdown(f"- {t('about.demo.sources', L, period=spoken(quarter_label(demo.OWN_SURVEY_FROM), L))}")
