"""满意度 Satisfaction: outpatient, inpatient and staff scores for the shared filters: the trend, each
department's latest score with its changes and their significance, dimension scores and the branches.
Groups with too few respondents show the suppression note, never a number; stored aggregates left out by the
one-source rule (`summary.uncounted_aggregates`) are counted in a note."""

import pandas as pd
import streamlit as st

from analytics import charts, formats, satisfaction, summary
from analytics.accounts import Permission
from analytics.i18n import assumed_sd_note, t, unit
from analytics.metrics import PERIODS_PER_YEAR, POPULATIONS, rollup
from analytics.periods import spoken
from analytics.schema import DepartmentCategory, Population, SatisfactionItem
from pages._auth import may, require
from pages._ui import (
    Title,
    chart_config,
    ensure_navigation,
    filter_bar,
    from_panel,
    lang,
    load,
    n_text,
    no_data,
    score_text,
    settings_note,
    table,
    view_param,
)

ensure_navigation()
require("satisfaction")

L = lang()
st.title(t("sat.title", L))
settings_note()
filters, data = filter_bar()
min_n = data.settings.suppression_min_n
st.caption(t("sat.caption", L, min_n=min_n))
st.caption(t("metric.withheld_note", L, min_n=min_n))
if may(Permission.SETTINGS):  # for other roles the address holds the refusal, not the page: no link to it
    st.page_link("pages/settings.py", label=t("sat.settings_link", L), icon=":material/tune:")

if not satisfaction.has_data(data):
    counts = load(summary.record_counts)
    if not counts["departments"]:
        no_data("sat.no_register")
    else:
        no_data("sat.no_data", departments=counts["departments"])
    st.stop()

# Aggregates left out by the one-source rule (finer data of the same department, period and population).
uncounted = load(summary.uncounted_aggregates).groupby("covered_by")["aggregates"].sum()
if uncounted.sum():
    st.info(
        t(
            "sat.uncounted",
            L,
            n=int(uncounted.sum()),
            by_responses=int(uncounted.get("responses", 0)),
            by_aggregates=int(uncounted.get("aggregates", 0)),
        ),
        icon=":material/rule:",
    )

hospital = from_panel(rollup, data.grain, "hospital", filters)
if hospital.empty or all(hospital[f"n_{pop}"].sum() == 0 for pop in POPULATIONS):
    st.info(t("sat.none_in_range", L), icon=":material/filter_alt:")
    st.stop()

SUPPRESSED = t("metric.suppressed", L)
COLOURS = {pop: charts.PALETTE[i] for i, pop in enumerate(POPULATIONS)}
scoped = bool(filters.category or filters.branch)
respondents_label = t("sat.chart.respondents", L)


def p_text(p: float) -> str | None:
    if pd.isna(p):
        return None
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def p_sentence(p: float) -> str:
    """'= 0.034' or '< 0.001', to follow a 'p'."""
    text = p_text(p)
    return "—" if text is None else text if text.startswith("<") else f"= {text}"


def test_text(test: object, assumed_sd: object = None) -> str | None:
    """The test's name; with the SD it assumed for want of individual responses, when it did."""
    if not isinstance(test, str):
        return None
    name, note = t(f"sat.test.{test}", L), assumed_sd_note(assumed_sd, L)
    if not note:
        return name
    return f"{name}（{note}）" if L == "zh" else f"{name} ({note})"


def shifted(period: str, lag: int) -> str:
    """The period `lag` periods before `period`, or '—' before the data starts."""
    i = data.periods.index(period) - lag
    return data.periods[i] if i >= 0 else "—"


# --- Headline: the latest score per population ---------------------------------------------------------------
for column, pop in zip(st.columns(len(POPULATIONS)), POPULATIONS, strict=True):
    name = Population(pop).label(L)
    period = satisfaction.latest(hospital, pop)
    if period is None:
        column.metric(name, "—")
        continue
    row = hospital[hospital["period"] == period].iloc[0]
    n = int(row[f"n_{pop}"])
    withheld, complementary = bool(row[f"suppressed_{pop}"]), bool(row[f"complementary_{pop}"])
    delta = row[f"delta_{pop}"]
    change = (
        t(
            "sat.kpi.change",
            L,
            delta=formats.change(delta, 1, L),
            p=p_sentence(row[f"p_{pop}"]),
            test=test_text(row[f"test_{pop}"], row[f"assumed_sd_{pop}"]),
        )
        if pd.notna(delta)
        else t("sat.kpi.no_change", L)
    )
    score = row[f"satisfaction_{pop}"]
    column.metric(
        t("sat.kpi.label", L, population=name, period=spoken(period, L)),
        unit(score_text(score, n, complementary=complementary), "points", L)
        if pd.notna(score)
        else score_text(score, n, complementary=complementary),
        formats.change_in(delta, "points", 1, L) if pd.notna(delta) else None,
    )
    column.caption(t("sat.kpi.help", L, n=n_text(n, withheld, complementary, min_n), change=change))

# --- Trend ---------------------------------------------------------------------------------------------------
st.subheader(t("sat.trend.title", L))
scope = t("sat.scope_filtered" if scoped else "sat.scope_all", L)
st.caption(t("sat.trend.caption", L, scope=scope))
trend = satisfaction.trend(hospital)
names = trend["population"].map(lambda p: Population(p).label(L))
lines = pd.DataFrame(
    {
        "x": trend["period"],
        "series": names,
        "y": trend["score"],  # null where suppressed: no point is drawn
        "hover": [
            f"{name}\n{spoken(period, L)}: {score_text(score, n, complementary=c)}\n"
            f"{respondents_label}: {n_text(n, s, c, min_n)}"
            for name, period, score, n, s, c in zip(
                names,
                trend["period"],
                trend["score"],
                trend["n"],
                trend["suppressed"],
                trend["complementary"],
                strict=True,
            )
        ],
    }
)
st.plotly_chart(
    charts.series_lines(lines, t("sat.chart.period", L), t("sat.chart.score", L), t("sat.population", L), lang=L),
    config=chart_config(),
    key="sat_trend",
)

# --- One population in detail --------------------------------------------------------------------------------
available = [pop for pop in POPULATIONS if satisfaction.latest(hospital, pop)]
pop = view_param("pop", "sat_population", available, available[0])  # clicked off: the first again
st.segmented_control(
    t("sat.population", L), available, format_func=lambda p: Population(p).label(L), key="sat_population"
)
population = Population(pop).label(L)
period = satisfaction.latest(hospital, pop)


def change_columns(rows: pd.DataFrame, with_tests: bool = False) -> dict[str, object]:
    """Score (the suppression note when too few), n ('<10' or '—' when withheld), and the changes with their
    p; the names of the tests (with the SD a test assumed) only `with_tests` (the detail expander and the
    downloads: leaders' tables do without them)."""
    columns = {
        t("sat.col.score", L): [
            score_text(s, n, complementary=c)
            for s, n, c in zip(rows["score"], rows["n"], rows["complementary"], strict=True)
        ],
        t("sat.col.n", L): [
            n_text(n, s, c, min_n) for n, s, c in zip(rows["n"], rows["suppressed"], rows["complementary"], strict=True)
        ],
        t("sat.col.delta", L): rows["delta"],
        t("sat.col.p", L): [p_with_sd(p, sd) for p, sd in zip(rows["p"], rows["assumed_sd"], strict=True)],
        t("sat.col.yoy", L): rows["delta_yoy"],
        t("sat.col.p_yoy", L): [p_with_sd(p, sd) for p, sd in zip(rows["p_yoy"], rows["assumed_sd_yoy"], strict=True)],
    }
    if with_tests:
        columns.update(test_columns(rows))
    return columns


def p_with_sd(p: float, assumed_sd: object) -> str | None:
    """The p as shown, with the SD its test assumed beside it when it did (issue 13, point 6)."""
    text, note = p_text(p), assumed_sd_note(assumed_sd, L)
    if text is None or not note:
        return text
    return f"{text}（{note}）" if L == "zh" else f"{text} ({note})"


def test_columns(rows: pd.DataFrame) -> dict[str, list]:
    """The tests behind each p, with the SD a test assumed."""
    return {
        t("sat.col.test", L): [test_text(x, sd) for x, sd in zip(rows["test"], rows["assumed_sd"], strict=True)],
        t("sat.col.test_yoy", L): [
            test_text(x, sd) for x, sd in zip(rows["test_yoy"], rows["assumed_sd_yoy"], strict=True)
        ],
    }


def test_details(leading: dict[str, object], rows: pd.DataFrame, key: str) -> None:
    """The tests behind each p, in an expander under the table."""
    with st.expander(t("sat.tests.detail", L)):
        st.caption(t("sat.tests.caption", L))
        st.dataframe(
            pd.DataFrame({**leading, **test_columns(rows)}),
            hide_index=True,
            placeholder="—",
            key=key,
        )


CHANGE_FORMAT = {
    t("sat.col.delta", L): st.column_config.NumberColumn(format="%+.1f"),
    t("sat.col.yoy", L): st.column_config.NumberColumn(format="%+.1f"),
}

period_said = spoken(period, L)  # as the reader says it; `period` (the code) stays the key
st.subheader(t("sat.departments.title", L, population=population, period=period_said))
st.caption(
    t(
        "sat.departments.caption",
        L,
        previous=spoken(shifted(period, 1), L),
        year_before=spoken(shifted(period, PERIODS_PER_YEAR[data.grain]), L),
    )
)
departments = satisfaction.changes(from_panel(rollup, data.grain, "department", filters), pop, period)
leading = {
    t("sat.col.department", L): departments["unit_name"],
    t("sat.col.branch", L): departments["branch_name"],
    t("sat.col.category", L): departments["category"].map(lambda c: DepartmentCategory(c).label(L)),
}
table(
    pd.DataFrame({**leading, **change_columns(departments)}),
    t("sat.file.departments", L),
    "sat_departments",
    title=Title(t("sat.departments.title", L, population=population, period=period_said), filters, period),
    department_codes=departments["unit"],
    column_config=CHANGE_FORMAT,
    download=pd.DataFrame({**leading, **change_columns(departments, with_tests=True)}),
)
test_details(leading, departments, "sat_departments_tests")

# --- Dimensions (items of the individual responses) ----------------------------------------------------------
st.subheader(t("sat.dims.title", L, population=population, period=period_said))
dims_scope = t("sat.dims.scope_filtered" if scoped else "sat.dims.scope_all", L)
st.caption(t("sat.dims.caption", L, scope=dims_scope, min_n=min_n))
overall = satisfaction.items(data, filters, pop, period, "hospital")
if overall.empty:
    st.info(t("sat.dims.none", L))
else:
    responses_label = t("sat.chart.responses", L)
    item_names = overall["item"].map(lambda i: SatisfactionItem(i).label(L))
    st.plotly_chart(
        charts.ranked_bars(
            pd.DataFrame(
                {
                    "name": item_names,
                    "value": overall["mean"],
                    "colour": COLOURS[pop],
                    "hover": [
                        f"{name}: {score_text(m, n, complementary=c)}\n{responses_label}: {n_text(n, s, c, min_n)}"
                        for name, m, n, s, c in zip(
                            item_names,
                            overall["mean"],
                            overall["n"],
                            overall["suppressed"],
                            overall["complementary"],
                            strict=True,
                        )
                    ],
                    "note": SUPPRESSED,
                }
            ),
            t("sat.chart.score", L),
        ),
        config=chart_config(),
        key="sat_items",
    )
    by_department = satisfaction.items(data, filters, pop, period, "department")
    by_department = by_department.assign(
        text=[
            score_text(m, n, complementary=c)
            for m, n, c in zip(by_department["mean"], by_department["n"], by_department["complementary"], strict=True)
        ],
        # The responses column: a department's n is withheld if any of its items is (they share it).
        shown_n=by_department.groupby("unit")["n"].transform("max"),
        hide=by_department.groupby("unit")["suppressed"].transform("any"),
        small=(by_department["n"] < min_n).groupby(by_department["unit"]).transform("any"),
    )
    by_department["n_shown"] = [
        n_text(n, h, h and not small, min_n)
        for n, h, small in zip(by_department["shown_n"], by_department["hide"], by_department["small"], strict=True)
    ]
    wide = by_department.pivot(index=["unit", "unit_name", "n_shown"], columns="item", values="text")
    wide = wide.reindex(columns=[i.value for i in SatisfactionItem if i.value in wide.columns]).reset_index()
    st.markdown(f"**{t('sat.dims.table', L)}**")
    table(
        pd.DataFrame(
            {
                t("sat.col.department", L): wide["unit_name"],
                t("sat.chart.responses", L): wide["n_shown"],
                **{SatisfactionItem(i).label(L): wide[i] for i in wide.columns[3:]},
            }
        ),
        t("sat.file.dims", L),
        "sat_dimensions",
        title=Title(
            f"{t('sat.dims.title', L, population=population, period=period_said)} · {t('sat.dims.table', L)}",
            filters,
            period,
        ),
        department_codes=wide["unit"],
    )

# --- Branches ------------------------------------------------------------------------------------------------
st.subheader(t("sat.branches.title", L, population=population, period=period_said))
st.caption(t("sat.branches.caption", L))
branches = satisfaction.changes(from_panel(rollup, data.grain, "branch", filters), pop, period)
st.plotly_chart(
    charts.ranked_bars(
        pd.DataFrame(
            {
                "name": branches["unit_name"],
                "value": branches["score"],
                "colour": COLOURS[pop],
                "hover": [
                    f"{name}: {score_text(s, n, complementary=c)}\n{respondents_label}: {n_text(n, h, c, min_n)}"
                    for name, s, n, h, c in zip(
                        branches["unit_name"],
                        branches["score"],
                        branches["n"],
                        branches["suppressed"],
                        branches["complementary"],
                        strict=True,
                    )
                ],
                "note": SUPPRESSED,
            }
        ),
        t("sat.chart.score", L),
    ),
    config=chart_config(),
    key="sat_branch_bars",
)
branch_names = {t("sat.col.branch", L): branches["unit_name"]}
table(
    pd.DataFrame({**branch_names, **change_columns(branches)}),
    t("sat.file.branches", L),
    "sat_branches",
    title=Title(t("sat.branches.title", L, population=population, period=period_said), filters, period),
    column_config=CHANGE_FORMAT,
    download=pd.DataFrame({**branch_names, **change_columns(branches, with_tests=True)}),
)
test_details(branch_names, branches, "sat_branches_tests")
