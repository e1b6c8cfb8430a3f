"""总览 Overview: how party building, satisfaction and discipline stand in the latest period of the chosen
range, how they got there, and where to look (warnings, the 党建体检 scorecard)."""

import pandas as pd
import streamlit as st

from analytics import charts, formats, summary
from analytics.i18n import RAG_MARKS, assumed_sd_note, p_phrase, rag_tag, t, unit
from analytics.metrics import POPULATIONS, Filters
from analytics.overview import Overview, overview
from analytics.periods import spoken
from analytics.report_model import RAG_FILLS
from analytics.risk import RAG, scorecard_text
from analytics.schema import ActivityType, DepartmentCategory, PeriodGrain
from analytics.settings import COMPONENTS
from pages._auth import require
from pages._ui import (
    FILTER_KEYS,
    SCREEN_ONLY,
    Title,
    branch_names,
    chart_config,
    completeness_note,
    current_params,
    database,
    downloads,
    ensure_navigation,
    filter_bar,
    lang,
    load,
    md_escape,
    no_data,
    open_profile,
    print_table,
    settings_note,
    today,
)

ensure_navigation()
require("overview")

SEVERITIES = ("high", "medium", "low")
# Each severity in words and its own icon (not a colour: a red/green colour-blind reader, a grey print).
SEVERITY_ICONS = {"high": ":material/error:", "medium": ":material/report:", "low": ":material/info:"}

L = lang()

st.title(t("overview.title", L))
settings_note()

counts = load(summary.record_counts)
if not any(counts.values()):
    no_data("overview.empty", path=database().path)
    st.stop()
if not (counts["activities"] or counts["satisfaction"] or counts["discipline"]):
    no_data("overview.registers_only")
    st.stop()

filters, data = filter_bar()
view: Overview = load(overview, filters.grain, today(), filters)
settings = data.settings


def choose_branch(code: str) -> None:
    """Before the run that opens the party page on branch `code`: the shared branch filter (and its widget)."""
    st.session_state[FILTER_KEYS["branch"]] = code
    st.session_state["w_branch"] = code


def number(value, digits: int = 1) -> str:
    return formats.number(value, digits, L)


def scope_text(chosen: Filters) -> str:
    parts = []
    if chosen.category:
        parts.append(DepartmentCategory(chosen.category).label(L))
    if chosen.branch:
        parts.append(md_escape(branch_names(data).get(chosen.branch, chosen.branch)))
    if not parts:
        return t("overview.scope.hospital", L)
    return t("overview.scope.filtered", L, what=" · ".join(parts))


if view.period is None:
    no_data("overview.registers_only")
    st.stop()
if not view.current:
    st.warning(t("overview.no_departments", L), icon=":material/filter_alt_off:")
    st.stop()

now, before = view.current, view.before
scope = scope_text(filters)
grain = PeriodGrain(filters.grain).label(L)
# The periods as the reader says them ('2025年第四季度'); the codes stay the keys.
period_said = spoken(view.period, L)
previous_said = spoken(view.previous, L) if view.previous else "—"
if view.previous:
    st.caption(t("overview.now", L, period=period_said, grain=grain, scope=scope, previous=previous_said))
else:
    st.caption(t("overview.now_first", L, period=period_said, grain=grain, scope=scope))
vs = t("overview.card.vs", L, previous=previous_said) if view.previous else None


def delta_text(value: float | None, digits: int = 1, unit_name: str | None = None) -> str | None:
    """A signed change with its unit; exactly "0" when it rounds to zero (Streamlit then shows no arrow)."""
    if value is None or pd.isna(value):
        return None
    if round(value, digits) == 0:
        return "0"
    return formats.change_in(value, unit_name, digits, L) if unit_name else formats.change(value, digits, L)


def percent(value) -> str:
    return formats.percent(value, 1, L)


# --- Headline cards ---------------------------------------------------------------------------------------
weights = "、".join(f"{t(f'component.{c}', L)} {settings.weight(c):g}" for c in COMPONENTS)
types = "、".join(ActivityType(k).label(L) for k in data.meeting_types) or "—"
party = st.columns(4)
party[0].metric(
    t("metric.party_index", L),
    unit(number(now.get("party_index")), "points", L),
    delta=delta_text(view.change("party_index"), 1, "points"),
    delta_description=vs,
    help=t("overview.help.index", L, weights=weights, previous=previous_said, old=number(before.get("party_index"))),
    border=True,
)
party[1].metric(
    t("overview.card.compliance", L),
    percent(now.get("meeting_compliance")),
    delta=delta_text(view.change("meeting_compliance"), 1, "pp"),
    delta_description=vs,
    help=t(
        "overview.help.compliance",
        L,
        types=types,
        previous=previous_said,
        old=number(before.get("meeting_compliance")),
    ),
    border=True,
)
party[2].metric(
    t("overview.card.theme_day", L),
    percent(now.get("theme_day_compliance")),
    delta=delta_text(view.change("theme_day_compliance"), 1, "pp"),
    delta_description=vs,
    help=t("overview.help.theme_day", L, previous=previous_said, old=number(before.get("theme_day_compliance"))),
    border=True,
)
party[3].metric(
    t("overview.card.overdue", L),
    unit(formats.count(view.overdue, L), "items", L),
    help=t("overview.help.overdue", L, as_of=view.as_of.isoformat()),
    border=True,
)

# The discipline figures cover the chosen range, as on the discipline page (same names, same scope).
if view.discipline and view.discipline_range:
    first, last = (spoken(p, L) for p in view.discipline_range)
    st.caption(t("overview.discipline.caption", L, start=first, end=last))
    figures = view.discipline
    persons = {i: int(figures[f"discipline_persons_form_{i}"]) for i in range(1, 5)}
    forms_total = int(figures["discipline_forms_persons"])
    cards = st.columns(3)
    cards[0].metric(
        t("overview.card.forms", L),
        unit(formats.count(forms_total, L), "person_times", L),
        help=t("overview.help.forms", L, start=first, end=last, **{f"form{i}": n for i, n in persons.items()}),
        border=True,
    )
    cards[1].metric(
        t("overview.card.form1", L),
        unit(formats.count(persons[1], L), "person_times", L),
        help=t(
            "overview.help.form1",
            L,
            start=first,
            end=last,
            share=formats.share(persons[1] / forms_total, 0, L) if forms_total else "—",
        ),
        border=True,
    )
    cards[2].metric(
        t("overview.card.filed", L),
        unit(formats.count(figures["discipline_filed"], L), "cases", L),
        help=t("overview.help.filed", L, start=first, end=last),
        border=True,
    )


def sd_note(sd: object) -> str:
    """'（假定标准差 12 分）' after a test that assumed its SD for want of individual responses, else ''."""
    note = assumed_sd_note(sd, L)
    return "" if not note else f"（{note}）" if L == "zh" else f" ({note})"


def satisfaction_card(column, pop: str) -> None:
    """A population's score with its change; suppressed groups show the suppression text and no number."""
    score, n = now.get(f"satisfaction_{pop}"), int(now.get(f"n_{pop}") or 0)
    label = t(f"metric.satisfaction_{pop}", L)
    if pd.isna(score):
        if n:  # suppressed: the note in place of the change, and no number anywhere
            complementary = bool(now.get(f"complementary_{pop}"))  # withheld to protect a small group
            column.metric(
                label,
                "—",
                delta=t("metric.withheld" if complementary else "metric.suppressed", L),
                delta_color="off",
                delta_arrow="off",
                help=t(
                    "metric.withheld_note" if complementary else "overview.help.suppressed",
                    L,
                    min_n=settings.suppression_min_n,
                ),
                border=True,
            )
        else:
            column.metric(label, "—", help=t("overview.help.no_data", L), border=True)
        return
    delta, p = now.get(f"delta_{pop}"), now.get(f"p_{pop}")
    if pd.isna(delta) or pd.isna(p):
        column.metric(
            label,
            unit(number(score), "points", L),
            help=t("overview.help.satisfaction_alone", L, n=n),
            border=True,
        )
        return
    column.metric(
        label,
        unit(number(score), "points", L),
        delta=delta_text(delta, 1, "points"),
        delta_description=vs,
        help=t(
            "overview.help.satisfaction",
            L,
            n=n,
            previous=previous_said,
            old=number(now.get(f"prev_{pop}")),
            delta=formats.change(delta, 1, L),
            test=t(f"overview.test.{now.get(f'test_{pop}')}", L) + sd_note(now.get(f"assumed_sd_{pop}")),
            p=p_phrase(p),
        ),
        border=True,
    )


for column, pop in zip(st.columns(len(POPULATIONS)), POPULATIONS, strict=True):
    satisfaction_card(column, pop)

if not counts["activities"]:
    no_data("overview.no_party")
else:
    left_out = now.get("branches_not_reported") or 0
    if left_out > 0:
        st.caption(t("reported.left_out", L, n=int(left_out)))
    completeness_note(
        data,
        Filters(
            grain=filters.grain, start=filters.start, end=view.period, category=filters.category, branch=filters.branch
        ),
    )

# --- Trends -----------------------------------------------------------------------------------------------
st.subheader(t("overview.trend.title", L))
trend = view.trend
st.caption(
    t(
        "overview.trend.caption",
        L,
        start=spoken(trend["period"].iloc[0], L),
        end=spoken(trend["period"].iloc[-1], L),
        scope=scope,
        min_n=settings.suppression_min_n,
    )
)
left, right = st.columns(2)
with left:
    st.markdown(f"**{t('overview.trend.party', L)}**")
    if trend["party_index"].notna().any():
        st.plotly_chart(charts.party_index_trend(trend, L), config=chart_config(), key="trend_party")
    else:
        st.info(t("overview.no_party", L), icon=":material/info:")
with right:
    st.markdown(f"**{t('overview.trend.satisfaction', L)}**")
    if trend[[f"satisfaction_{p}" for p in POPULATIONS]].notna().to_numpy().any():
        st.plotly_chart(charts.satisfaction_lines(trend, L), config=chart_config(), key="trend_satisfaction")
    else:
        st.info(t("overview.trend.no_satisfaction", L, min_n=settings.suppression_min_n), icon=":material/info:")

# --- Warnings: one list, most severe first, each a sentence with its numbers and a way to the unit ------------
warnings_title = t("overview.warnings.title", L, period=period_said)
st.subheader(warnings_title)
found = view.warnings
if found.empty:
    st.success(t("overview.warnings.none", L, period=period_said), icon=":material/check_circle:")
else:
    severity = found["severity"].value_counts()
    st.caption(
        t(
            "overview.warnings.summary",
            L,
            n=len(found),
            high=int(severity.get("high", 0)),
            medium=int(severity.get("medium", 0)),
        )
    )
    for level in SEVERITIES:
        rows = found[found["severity"] == level].reset_index(drop=True)
        if rows.empty:
            continue
        severity_name = t(f"risk.severity.{level}", L)
        st.markdown(t("overview.warnings.group", L, icon=SEVERITY_ICONS[level], severity=severity_name, n=len(rows)))
        for i, row in rows.iterrows():
            line = st.container(horizontal=True, vertical_alignment="center")  # on a phone too: text, then button
            rule = t(f"risk.rule.{row['rule']}", L)
            line.markdown(
                t("overview.warnings.item", L, rule=rule, text=md_escape(row[f"explanation_{L}"])), width="stretch"
            )
            if row["unit_level"] == "department":
                if line.button(t("overview.warnings.open_department", L), key=f"warning_{level}_{i}"):
                    open_profile(str(row["unit"]))
            elif line.button(
                t("overview.warnings.open_branch", L),
                key=f"warning_{level}_{i}",
                on_click=choose_branch,
                args=(str(row["unit"]),),
            ):
                st.switch_page("pages/party.py", query_params=current_params())
    # One file of them all, the departments each branch's warning concerns in their own column.
    downloads(
        pd.DataFrame(
            {
                t("overview.col.severity", L): [t(f"risk.severity.{s}", L) for s in found["severity"]],
                t("overview.col.rule", L): [t(f"risk.rule.{r}", L) for r in found["rule"]],
                t("overview.col.unit", L): found["unit_name"].to_list(),
                t("overview.col.explanation", L): found[f"explanation_{L}"].to_list(),
                t("overview.col.departments", L): found["departments"].to_list(),
            }
        ),
        t("overview.warnings.file", L),
        key="warnings",
        title=Title(warnings_title, filters, view.period),
    )

# --- 党建体检 scorecard ------------------------------------------------------------------------------------
scorecard_title = t("overview.scorecard.title", L, period=period_said)
st.subheader(scorecard_title)
card = view.scorecard
if card.empty or card["party_index"].isna().all():
    st.info(t("overview.scorecard.none", L, period=period_said), icon=":material/info:")
else:
    st.caption(t("overview.scorecard.caption", L, green=f"{settings.green:g}", amber=f"{settings.amber:g}"))
    shown, rags = scorecard_text(card, L)
    branch, members, index = (t(f"overview.col.{c}", L) for c in ("branch", "members", "index"))
    names = {c: t(f"component.{c}", L) for c in COMPONENTS}
    not_reported = t("reported.not", L)
    # Colour is never the only sign: the index's rating in words beside it, each score's band as a shape.
    rating_column = t("overview.col.rating", L)
    shown.insert(
        shown.columns.get_loc(index) + 1,
        rating_column,
        [rag_tag(r, L) if ok else not_reported for r, ok in zip(card["index_rag"], card["reported"], strict=True)],
    )
    rags[rating_column] = rags[index]
    for name in names.values():
        marked = zip(rags[name], shown[name], strict=True)
        shown[name] = [f"{RAG_MARKS[r]} {text}" if r in RAG_MARKS else text for r, text in marked]

    def colour(column: pd.Series) -> list[str]:
        if column.name not in rags:
            return [""] * len(column)
        return [f"background-color: {RAG_FILLS[r]}" if r in RAG_FILLS else "" for r in rags[column.name]]

    with st.container(key=f"{SCREEN_ONLY}scorecard"):
        st.dataframe(
            shown.style.apply(colour).format({index: "{:.1f}"}, na_rep="—"),
            hide_index=True,
            key="scorecard",
            height=min(len(shown) + 1, 30) * 35 + 3,  # every branch at once, up to 29
            column_config={
                members: st.column_config.NumberColumn(format="%d"),
                index: st.column_config.NumberColumn(format="%.1f"),
            },
        )
    print_table(shown, "scorecard", {members: "%d", index: "%.1f"}, fills=rags.map(RAG_FILLS.get))
    # The download spells the colours out, with each score and the figure behind it in their own columns.
    rating = {r: t(f"rag.{r}", L) for r in RAG}
    plain = pd.DataFrame(
        {
            branch: card["branch_name"],
            members: card["members"],
            index: card["party_index"].round(1),
            t("overview.col.rating", L): [
                rating.get(r) if ok else not_reported for r, ok in zip(card["index_rag"], card["reported"], strict=True)
            ],
        }
    )
    for c in COMPONENTS:
        plain[t("overview.col.score", L, component=names[c])] = card[c].round(1)
        plain[f"{names[c]} {t('overview.col.rating', L)}"] = card[f"{c}_rag"].map(rating)
        plain[t("overview.col.figure", L, component=names[c])] = card[f"{c}_value"].round(2)
        if card[f"{c}_target"].notna().any():  # a yearly target: what was due by now (pro-rated)
            plain[t("overview.col.due", L, component=names[c])] = card[f"{c}_target"].round(2)
    # The Excel file keeps the page's colours, on each score and on the rating that says it in words.
    fills = pd.DataFrame({index: card["index_rag"], t("overview.col.rating", L): card["index_rag"]})
    for c in COMPONENTS:
        fills[t("overview.col.score", L, component=names[c])] = card[f"{c}_rag"]
        fills[f"{names[c]} {t('overview.col.rating', L)}"] = card[f"{c}_rag"]
    downloads(
        plain,
        t("overview.scorecard.file", L),
        key="scorecard_download",
        title=Title(scorecard_title, filters, view.period),
        fills=fills.map(RAG_FILLS.get),
    )
