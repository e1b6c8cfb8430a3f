"""纪检监察 Discipline: the four forms, complaints and rectification per period and department, and the
overdue rectification ledger (整改台账), without persons, for every role; record details (persons as
pseudonyms) only for the roles allowed them (纪委办公室, 管理员). Every download here is in the audit trail."""

import pandas as pd
import streamlit as st

from analytics import charts, discipline, formats, risk
from analytics.accounts import Permission
from analytics.i18n import t, unit
from analytics.periods import spoken
from pages._auth import audited_download, may, require
from pages._ui import (
    Title,
    branch_names,
    chart_config,
    ensure_navigation,
    filter_bar,
    lang,
    load,
    no_data,
    settings_note,
    table,
    today,
)

ensure_navigation()
require("discipline")

L = lang()
filters, data = filter_bar()
st.title(t("discipline.title", L))
settings_note()
st.caption(t("discipline.caption", L))
st.caption(t("discipline.privacy", L))

if not discipline.has_data(data):
    no_data("discipline.empty")
    st.stop()

as_of = today()
frame = discipline.in_scope(data, filters)
ledger = discipline.ledger_rows(load(risk.overdue_ledger, as_of), filters)


def headline() -> None:
    """The same figures, names and scope (the chosen range) as the Overview's discipline cards."""
    persons = {i: int(frame[f"discipline_persons_form_{i}"].sum()) for i in range(1, 5)}
    first, last = spoken(frame["period"].min(), L), spoken(frame["period"].max(), L)
    share = discipline.form1_share(frame)
    total = int(frame["discipline_forms_persons"].sum())
    forms_help = t("overview.help.forms", L, start=first, end=last, **{f"form{i}": n for i, n in persons.items()})
    form1_help = t("overview.help.form1", L, start=first, end=last, share=formats.share(share, 0, L))
    cards = (
        ("discipline.kpi.forms", unit(formats.count(total, L), "person_times", L), forms_help),
        ("discipline.kpi.form1", unit(formats.count(persons[1], L), "person_times", L), form1_help),
        (
            "discipline.kpi.filed",
            unit(formats.count(frame["discipline_filed"].sum(), L), "cases", L),
            t("overview.help.filed", L, start=first, end=last),
        ),
        ("discipline.kpi.records", unit(formats.count(frame["discipline_records"].sum(), L), "records", L), None),
        ("discipline.kpi.complaints", unit(formats.count(frame["discipline_complaints"].sum(), L), "cases", L), None),
        (
            "discipline.kpi.overdue",
            unit(formats.count(len(ledger), L), "items", L),
            t("discipline.kpi.overdue_help", L, as_of=as_of.isoformat()),
        ),
    )
    # Two rows of three, as on the Overview: six cards in one row cut "163 人次" to "163 …" at 1,400 pixels.
    for row in (cards[:3], cards[3:]):
        for column, (key, value, help_text) in zip(st.columns(len(row)), row, strict=True):
            column.metric(t(key, L), value, help=help_text, border=True)
    forms = pd.Series(persons)
    if share is None:
        st.info(t("discipline.form1_none", L), icon=":material/lightbulb:")
    else:
        st.info(
            t(
                "discipline.form1_norm",
                L,
                share=formats.share(share, 0, L),
                form1=int(forms.iloc[0]),
                forms=int(forms.sum()),
            ),
            icon=":material/lightbulb:",
        )


def by_category() -> None:
    st.subheader(t("discipline.by_category.title", L))
    st.caption(t("discipline.by_category.help", L))
    figure = charts.category_bars(discipline.category_counts(frame), L)
    st.plotly_chart(figure, config=chart_config(), key="chart_categories")


def four_forms() -> None:
    st.subheader(t("discipline.forms.title", L))
    st.caption(t("discipline.forms.help", L))
    counts = discipline.form_person_counts(frame)
    figure = charts.category_bars(counts, L, y_title=t("chart.cases", L), height=380, keep_empty=True)
    figure.update_layout(legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom", "title": {"text": ""}})
    st.plotly_chart(figure, config=chart_config(), key="chart_forms")


def rectification() -> None:
    st.subheader(t("discipline.rect.title", L))
    status = discipline.rectification_status(frame)
    if not status.sum():
        st.caption(t("discipline.rect.none", L))
        return
    closed, days = frame["rectification_closed"].sum(), frame["days_to_close"].sum()
    mean_days = formats.number(days / closed, 1, L) if closed else "—"
    st.caption(t("discipline.rect.help", L, as_of=as_of.isoformat(), days=mean_days))
    shares = {key.removeprefix("rectification_"): int(value) for key, value in status.items()}
    st.plotly_chart(charts.rectification_donut(shares, L), config=chart_config(), key="chart_rectification")


def departments() -> None:
    st.subheader(t("discipline.departments.title", L))
    st.caption(t("discipline.departments.help", L))
    summary = discipline.department_table(frame)
    leading = {
        "department_name": "col.department",
        "branch_name": "col.branch",
        "category": "col.category",
        "staff_count": "col.staff",
    }
    help_texts = {
        "col.cases": "discipline.help.cases",
        "col.forms_persons": "metric.discipline_forms_persons",
        "col.filed": "metric.discipline_filed",
        "col.cases_per_100": "metric.cases_per_100_staff",
        "col.overdue": "metric.rectification_overdue",
        "col.mean_days": "metric.days_to_close",
    }
    config = {t(col, L): st.column_config.Column(help=t(key, L)) for col, key in help_texts.items()}
    table(
        discipline.counts_table(summary, L, leading),
        t("discipline.file.departments", L),
        key="discipline_departments",
        title=Title(t("discipline.departments.title", L), filters),
        department_codes=summary["department_code"],
        column_config=config,
        on_download=audited_download,
    )


def overdue_ledger() -> None:
    st.subheader(t("discipline.ledger.title", L))
    st.caption(t("discipline.ledger.caption", L, as_of=as_of.isoformat()))
    if ledger.empty:
        st.success(t("discipline.ledger.none", L, as_of=as_of.isoformat()), icon=":material/task_alt:")
        return
    table(
        discipline.ledger_table(ledger, L, branch_names(data)),
        t("discipline.file.ledger", L),
        key="discipline_ledger",
        title=Title(t("discipline.ledger.title", L), filters, t("export.as_of", L, date=as_of.isoformat())),
        department_codes=ledger["department_code"],
        on_download=audited_download,
    )


def details() -> None:
    """纪检记录明细: the records in scope, persons as pseudonyms (only reached for roles allowed them)."""
    rows = discipline.details_in_scope(load(discipline.record_details), filters)
    st.subheader(t("discipline.details.title", L))
    st.caption(t("discipline.details.caption", L, n=formats.count(len(rows), L)))
    if rows.empty:
        st.info(t("discipline.details.none", L), icon=":material/info:")
        return
    table(
        discipline.details_table(rows, L),
        t("discipline.file.details", L),
        key="discipline_details",
        title=Title(t("discipline.details.title", L), filters),
        department_codes=rows["department_code"],
        on_download=audited_download,
    )


if frame.empty:
    st.info(t("discipline.empty_scope", L), icon=":material/filter_alt:")
else:
    headline()
    by_category()
    left, right = st.columns(2)
    with left:
        four_forms()
    with right:
        rectification()
    departments()
overdue_ledger()
if may(Permission.DISCIPLINE_DETAILS):
    details()
