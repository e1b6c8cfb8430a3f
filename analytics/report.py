"""会议材料 Meeting material: the figures a party committee meeting (党委会) looks at, for one period and scope,
as a `report_model.Report` that `report_pptx` and `report_pdf` render.

Every number comes from what the pages read: the Overview's figures (`overview.overview`: the hospital roll-up,
discipline figures, warnings and the 党建体检 scorecard), the branch roll-ups (`metrics.rollup`, small-number
protection included: a withheld satisfaction score is "<10" or "—" here as on the pages), the 三会一课 counts
(`party.meetings_trend`), the overdue ledger without persons (`risk.overdue_ledger`) and the relations
findings that survive correction (`relations.all_results`, as the relations page opens on them). Nothing is
recomputed another way.

Sections (`SECTIONS`): headline figures, the party index by branch (60/80 lines), 三会一课 by meeting type,
satisfaction by population with respondents, discipline (四种形态 人次, 立案, the overdue ledger), risk
warnings, relations findings, the scorecard in its colours, for a year the annual assessment (年度考核: every
branch's index, components and rank this year and last) and the data notes (sources, coverage, periods not
reported, the suppression rule, settings that differ from the defaults).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import get_args

import numpy as np
import pandas as pd

from analytics import discipline, formats, party, relations, risk, settings, summary, suppression
from analytics.db import Database
from analytics.discipline import FORMS
from analytics.i18n import p_phrase, rag_tag, t, unit
from analytics.metrics import POPULATIONS, Filters, Panel, build_panel, rollup
from analytics.overview import overview
from analytics.periods import spoken
from analytics.report_model import (
    RAG_BARS,
    RAG_FILLS,
    SERIES_COLOURS,
    Chart,
    Cover,
    Figure,
    Reference,
    Report,
    Section,
    SectionKey,
    Series,
    Table,
)
from analytics.schema import ActivityType, DisciplineCategory
from analytics.settings import COMPONENTS

SECTIONS: tuple[str, ...] = get_args(SectionKey)  # in the material's order
GRAINS = {"Q": "quarter", "-": "month"}


def sections_for(grain: str) -> tuple[str, ...]:
    """The sections a material at `grain` can have, in order: the annual assessment only for a year."""
    return tuple(key for key in SECTIONS if key != "assessment" or grain == "year")


class ReportError(ValueError):
    """A report that cannot be made as asked (no such period or branch, nothing to report): `message(lang)`."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(t(key, "en", **values))
        self.key, self.values = key, values

    def message(self, lang: str) -> str:
        return t(self.key, lang, **self.values)


def grain_of(period: str) -> str:
    """'2025Q4' → quarter, '2025-12' → month, '2025' → year."""
    return next((grain for mark, grain in GRAINS.items() if mark in period.upper()), "year")


def build(
    db: Database,
    period: str,
    scope: str = "hospital",
    lang: str = "zh",
    *,
    as_of: dt.date | None = None,
    generated_by: str = "",
    generated_at: dt.datetime | None = None,
    sections: Sequence[str] = SECTIONS,
    panel: Panel | None = None,
) -> Report:
    """The meeting material for `period` ('2025Q4', '2025-03', '2025') and `scope` ('hospital' or a branch code),
    with the chosen `sections` (the annual assessment only for a year). `panel` (the database's panel at the
    period's grain, as of `as_of`) may be handed in by a caller that has it. The relations findings are those
    the relations page opens on (`relations.all_results`, the scope's departments over every period)."""
    grain = grain_of(period)
    as_of = as_of or dt.date.today()
    panel = panel if panel is not None else build_panel(db, grain, as_of)
    if panel.empty():
        raise ReportError("report.error.empty")
    if period not in panel.periods:
        raise ReportError("report.error.period", period=period, first=panel.periods[0], last=panel.periods[-1])
    branches = party_branches(panel)
    if scope != "hospital" and scope not in branches:
        raise ReportError("report.error.scope", scope=scope, codes=", ".join(branches))
    filters = Filters(grain=grain, start=period, end=period, branch=None if scope == "hospital" else scope)
    view = overview(db, grain, as_of, filters, panel=panel)
    if not view.current:
        raise ReportError("report.error.empty")
    hospital = summary.hospital_name(db)
    context = _Context(db, panel, view, filters, scope, branches.get(scope, ""), lang)
    builders = {
        "headline": _headline,
        "party_index": _party_index,
        "meetings": _meetings,
        "satisfaction": _satisfaction,
        "discipline": _discipline,
        "warnings": _warnings,
        "relations": _relations,
        "scorecard": _scorecard,
        "assessment": _assessment,
        "notes": _notes,
    }
    chosen = [key for key in sections_for(grain) if key in sections]
    built = [section for key in chosen if (section := builders[key](context)) is not None]
    when = (generated_at or dt.datetime.now()).strftime("%Y-%m-%d %H:%M")
    period_text = spoken(period, lang)
    scope_text = t("report.scope.hospital", lang) if scope == "hospital" else context.branch_name
    marking = t("report.marking", lang)
    lines = [t("report.cover.as_of", lang, day=_data_as_of(db))]
    lines.append(
        t("report.cover.generated_by", lang, at=when, by=generated_by)
        if generated_by
        else t("report.cover.generated", lang, at=when)
    )
    return Report(
        lang=lang,
        period=period,
        grain=grain,
        scope=scope,
        cover=Cover(
            title=t("report.cover.title", lang),
            hospital=hospital,
            period=period_text,
            scope=scope_text,
            marking=marking,
            lines=lines,
        ),
        sections=built,
        footer=" · ".join([marking, hospital, period_text, scope_text]),
    )


def build_for_page(
    db: Database, period: str, scope: str, lang: str, as_of: dt.date, sections: tuple[str, ...]
) -> Report:
    """`build` with positional arguments only, for the page's cache (`pages._ui.load`)."""
    return build(db, period, scope, lang, as_of=as_of, sections=sections)


def stamped(material: Report, by: str, at: dt.datetime | None = None) -> Report:
    """`material` (built, say, once for many downloads) with its cover's "generated" line saying when and by whom
    these files are made."""
    when = (at or dt.datetime.now()).strftime("%Y-%m-%d %H:%M")
    line = (
        t("report.cover.generated_by", material.lang, at=when, by=by)
        if by
        else t("report.cover.generated", material.lang, at=when)
    )
    cover = material.cover.model_copy(update={"lines": [*material.cover.lines[:-1], line]})
    return material.model_copy(update={"cover": cover})


def render(material: Report, fmt: str) -> bytes:
    """The material as a PPTX or PDF file's bytes. (The renderers are imported here: python-pptx and fpdf2 take
    half a second that the preview and the command line's other commands need not spend.)"""
    if fmt == "pptx":
        from analytics import report_pptx

        return report_pptx.render(material)
    from analytics import report_pdf

    try:
        return report_pdf.render(material)
    except report_pdf.FontMissing as error:
        raise ReportError("report.error.font") from error


def file_name(material: Report, fmt: str) -> str:
    """'会议材料_2025Q4_全院.pdf': what, period and scope, with nothing a file system would refuse. The period is
    its code, not as spoken inside the material: the files of a folder then sort in time order."""
    scope = re.sub(r"[^\w\-]+", "_", material.cover.scope).strip("_") or material.scope
    return f"{t('report.file', material.lang)}_{material.period}_{scope}.{fmt}"


def write(material: Report, formats: Sequence[str], out: Path | str) -> list[Path]:
    """Render each format and write it: into `out` if it is a folder (named by `file_name`), else to `out` with
    the format's suffix. Every file is rendered before any is written, and each is written whole (a temporary
    file renamed into place) or not at all."""
    contents = {fmt: render(material, fmt) for fmt in formats}
    folder = str(out).endswith(("/", "\\")) or Path(out).is_dir()
    out = Path(out)
    written = []
    for fmt, data in contents.items():
        path = out / file_name(material, fmt) if folder else out.with_suffix(f".{fmt}")
        partial = path.with_name(f".{path.name}.partial")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial.write_bytes(data)
            os.replace(partial, path)
        except OSError as error:
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)
            raise ReportError("report.error.write", path=path, reason=error.strerror or error) from error
        written.append(path)
    return written


def party_branches(panel: Panel) -> dict[str, str]:
    """Branch code → name, in code order (the scopes a report can have besides the hospital)."""
    frame = panel.frame.drop_duplicates("branch_code").sort_values("branch_code")
    return dict(zip(frame["branch_code"], frame["branch_name"], strict=True))


def _data_as_of(db: Database) -> str:
    """The day of the last dated record ("—" without one)."""
    span = summary.date_range(db)
    return span[1].isoformat() if span else "—"


class _Context:
    """What every section reads: the panel, the Overview of the period and scope, the language."""

    def __init__(self, db, panel, view, filters, scope, branch_name, lang) -> None:
        self.db, self.panel, self.view, self.filters = db, panel, view, filters
        self.scope, self.branch_name, self.lang = scope, branch_name, lang
        self.settings = panel.settings
        self.period = view.period  # the code: the key into the panel
        self.period_said = spoken(view.period, lang)  # as the material says it: '2025年第四季度' / 'Q4 2025'
        self.previous = view.previous
        self.grain_word = t(f"report.grain.{panel.grain}", lang)

    @property
    def scope_filters(self) -> Filters:
        """The scope over every period (trends, roll-ups)."""
        return Filters(grain=self.panel.grain, branch=self.filters.branch)

    def t(self, key: str, **values: object) -> str:
        return t(key, self.lang, **values)

    def number(self, value: object, digits: int = 1) -> str:
        return formats.number(value, digits, self.lang)

    def change(self, value: object, digits: int, unit_name: str) -> str | None:
        """'较上季度 -8.5 分' / 'vs previous quarter -8.5 pts', None without a previous value."""
        if value is None or pd.isna(value) or not self.previous:
            return None
        return self.t(
            "report.change", grain=self.grain_word, value=formats.change_in(value, unit_name, digits, self.lang)
        )

    def movement(self, value: object, digits: int, unit_name: str) -> str:
        """'，较上季度下降 8.5 分' for a title ('' without a previous value, '，与上季度持平' when it rounds to 0)."""
        if value is None or pd.isna(value) or not self.previous:
            return ""
        rounded = round(float(value), digits)
        if rounded == 0:
            return self.t("report.title.flat", grain=self.grain_word)
        amount = unit(formats.number(abs(rounded), digits, self.lang), unit_name, self.lang)
        key = "report.title.up" if rounded > 0 else "report.title.down"
        return self.t(key, grain=self.grain_word, value=amount)


def _rag_of(value: object, settings_: settings.MetricSettings) -> str | None:
    if value is None or pd.isna(value):
        return None
    return "green" if value >= settings_.green else "amber" if value >= settings_.amber else "red"


# --- Sections ----------------------------------------------------------------------------------------------


def _headline(c: _Context) -> Section:
    now, view = c.view.current, c.view
    figures = [
        Figure(
            label=c.t("metric.party_index"),
            value=unit(c.number(now.get("party_index")), "points", c.lang),
            change=c.change(view.change("party_index"), 1, "points"),
            rag=_rag_of(now.get("party_index"), c.settings),
        ),
        Figure(
            label=c.t("overview.card.compliance"),
            value=_percent(now.get("meeting_compliance")),
            change=c.change(view.change("meeting_compliance"), 1, "pp"),
        ),
        Figure(
            label=c.t("overview.card.theme_day"),
            value=_percent(now.get("theme_day_compliance")),
            change=c.change(view.change("theme_day_compliance"), 1, "pp"),
        ),
    ]
    figures += [_satisfaction_figure(c, pop) for pop in POPULATIONS]
    if view.discipline:
        figures += [
            Figure(
                label=c.t("overview.card.forms"),
                value=unit(formats.count(view.discipline["discipline_forms_persons"], c.lang), "person_times", c.lang),
            ),
            Figure(
                label=c.t("overview.card.filed"),
                value=unit(formats.count(view.discipline["discipline_filed"], c.lang), "cases", c.lang),
            ),
        ]
    figures.append(
        Figure(
            label=c.t("overview.card.overdue"),
            value=unit(formats.count(view.overdue, c.lang), "items", c.lang),
            note=c.t("report.as_of", day=view.as_of.isoformat()),
        )
    )
    index = now.get("party_index")
    if index is not None and pd.notna(index):
        title = c.t("report.headline.title", value=unit(c.number(index), "points", c.lang))
        title += c.movement(view.change("party_index"), 1, "points")
    else:
        title = c.t("report.headline.title_plain")
    sentences = []
    left_out = int(now.get("branches_not_reported") or 0)
    if left_out:
        sentences.append(c.t("reported.left_out", n=left_out))
    return Section(
        key="headline", heading=c.t("report.section.headline"), title=title, figures=figures, sentences=sentences
    )


def _percent(value: object) -> str:
    return formats.percent(value, 1)  # the same in both languages (CLDR: '72.3%')


def _satisfaction_figure(c: _Context, pop: str) -> Figure:
    now = c.view.current
    label = c.t(f"metric.satisfaction_{pop}")
    score, n = now.get(f"satisfaction_{pop}"), int(now.get(f"n_{pop}") or 0)
    if score is None or pd.isna(score):
        if n:
            complementary = bool(now.get(f"complementary_{pop}"))
            return Figure(label=label, value="—", note=c.t("metric.withheld" if complementary else "metric.suppressed"))
        return Figure(label=label, value="—", note=c.t("report.no_respondents"))
    return Figure(
        label=label,
        value=unit(c.number(score), "points", c.lang),
        change=c.change(now.get(f"delta_{pop}"), 1, "points"),
        note=c.t("report.respondents", n=formats.count(n, c.lang)),
    )


def _party_index(c: _Context) -> Section | None:
    card = c.view.scorecard
    if card.empty or card["party_index"].isna().all():
        return None
    amber, green = c.settings.amber, c.settings.green
    references = [
        Reference(value=amber, label=f"{amber:g}", colour=RAG_BARS["amber"]),
        Reference(value=green, label=f"{green:g}", colour=RAG_BARS["green"]),
    ]
    if c.scope == "hospital":
        card = card.sort_values(["party_index", "branch_code"], ascending=[False, True], na_position="last")
        names = card["branch_name"].astype(str).tolist()
        values = [_value(v) for v in card["party_index"]]
        notes = {n: c.t("reported.not") for n, ok in zip(names, card["reported"], strict=True) if not ok}
        scored = card["party_index"].dropna()
        title = c.t(
            "report.party.title",
            n=len(card),
            red=int((scored < amber).sum()),
            amber=f"{amber:g}",
            green_n=int((scored >= green).sum()),
            green=f"{green:g}",
        )
        chart = Chart(
            kind="bar",
            title=c.t("report.party.chart", period=c.period_said),
            categories=names,
            series=[Series(name=c.t("metric.party_index"), values=values)],
            value_title=unit("", "points", c.lang).strip() or c.t("metric.party_index"),
            minimum=0,
            maximum=100,
            point_colours=[RAG_BARS.get(r) if r else None for r in card["index_rag"]],
            point_labels=[rag_tag(r, c.lang) or None for r in card["index_rag"]],
            references=references,
            notes=notes,
        )
    else:
        row = card.iloc[0]
        names = [c.t(f"component.{k}") for k in COMPONENTS]
        values = [_value(row[k]) for k in COMPONENTS]
        chart = Chart(
            kind="bar",
            title=c.t("report.party.components", branch=c.branch_name, period=c.period_said),
            categories=names,
            series=[Series(name=c.t("report.score"), values=values)],
            value_title=c.t("report.score"),
            minimum=0,
            maximum=100,
            point_colours=[RAG_BARS.get(row[f"{k}_rag"]) if row[f"{k}_rag"] else None for k in COMPONENTS],
            point_labels=[rag_tag(row[f"{k}_rag"], c.lang) or None for k in COMPONENTS],
            references=references,
            notes={} if row["reported"] else {n: c.t("reported.not") for n in names},
        )
        title = c.t(
            "report.party.branch_title",
            branch=c.branch_name,
            value=unit(c.number(row["party_index"]), "points", c.lang),
        ) + c.movement(c.view.change("party_index"), 1, "points")
    sentences = [c.t("report.party.lines", amber=f"{amber:g}", green=f"{green:g}")]
    return Section(
        key="party_index", heading=c.t("report.section.party_index"), title=title, chart=chart, sentences=sentences
    )


def _floor(lowest: object, step: float = 10) -> float | None:
    """A score axis's lower end: `step` points below the lowest value, to a multiple of `step` (None without one),
    so close lines are not squeezed against a 0–100 axis."""
    return None if lowest is None or pd.isna(lowest) else max(0.0, (float(lowest) // step - 1) * step)


def _value(value: object) -> float | None:
    """A chart value: the float as computed (rounded to 4 decimals, as `metrics --json` gives it), None for
    missing."""
    return None if value is None or pd.isna(value) else round(float(value), 4)


def _meetings(c: _Context) -> Section | None:
    hospital = rollup(c.panel, "hospital", c.filters)
    rows = party.meetings_trend(hospital, c.panel)
    if rows.empty:
        return None
    # The four meetings only: 主题党日 is a component of its own (a headline figure), not one of 三会一课.
    rows = rows[(rows["period"] == c.period) & rows["meeting_type"].isin(c.panel.meeting_types)]
    if rows.empty:
        return None
    names = [ActivityType(k).label(c.lang) for k in rows["meeting_type"]]
    compliance = c.view.current.get("meeting_compliance")
    title = c.t("report.meetings.title", value=_percent(compliance))
    title += c.movement(c.view.change("meeting_compliance"), 1, "pp")
    chart = Chart(
        kind="column",
        title=c.t("report.meetings.chart", period=c.period_said),
        categories=names,
        series=[
            Series(
                name=c.t("report.meetings.required"), values=[_value(v) for v in rows["required"]], colour="#9E9E9E"
            ),
            Series(
                name=c.t("report.meetings.held"), values=[_value(v) for v in rows["held"]], colour=SERIES_COLOURS[0]
            ),
        ],
        value_title=c.t("report.meetings.count"),
        minimum=0,
        digits=0,
    )
    table = Table(
        columns=[
            c.t("report.meetings.type"),
            c.t("report.meetings.required"),
            c.t("report.meetings.held"),
            c.t("report.meetings.rate"),
        ],
        rows=[
            [name, c.number(req, 0), c.number(held, 0), _percent(rate)]
            for name, req, held, rate in zip(names, rows["required"], rows["held"], rows["compliance"], strict=True)
        ],
        numeric=[False, True, True, True],
        widths=[2, 1, 1, 1],
    )
    types = "、".join(ActivityType(k).label(c.lang) for k in c.panel.meeting_types)
    return Section(
        key="meetings",
        heading=c.t("report.section.meetings"),
        title=title,
        chart=chart,
        tables=[table],
        sentences=[c.t("report.meetings.note", types=types)],
    )


def _satisfaction(c: _Context) -> Section | None:
    now = c.view.current
    if not any(int(now.get(f"n_{p}") or 0) for p in POPULATIONS):
        return None
    min_n = c.settings.suppression_min_n
    rows = []
    for pop in POPULATIONS:
        n = int(now.get(f"n_{pop}") or 0)
        score = now.get(f"satisfaction_{pop}")
        withheld = bool(now.get(f"suppressed_{pop}")) and n > 0
        label = suppression.n_label(n, withheld, bool(now.get(f"complementary_{pop}")), min_n)
        shown_n = label if withheld else formats.count(n, c.lang)
        delta, p = now.get(f"delta_{pop}"), now.get(f"p_{pop}")
        rows.append(
            [
                c.t(f"metric.satisfaction_{pop}"),
                "—" if score is None or pd.isna(score) else unit(c.number(score), "points", c.lang),
                formats.change_in(delta, "points", 1, c.lang),
                "—" if p is None or pd.isna(p) else f"p {p_phrase(float(p))}",
                shown_n,
            ]
        )
    table = Table(
        columns=[
            c.t("report.satisfaction.population"),
            c.t("report.satisfaction.score"),
            c.t("report.satisfaction.change", grain=c.grain_word),
            c.t("report.satisfaction.p"),
            c.t("report.satisfaction.n"),
        ],
        rows=rows,
        numeric=[False, True, True, True, True],
        widths=[2, 1, 1, 1, 1],
        note=c.t("report.satisfaction.rule", min_n=min_n),
    )
    trend = rollup(c.panel, "hospital", c.scope_filters)
    i = c.panel.periods.index(c.period)
    shown_periods = list(c.panel.periods[max(0, i - {"month": 11, "quarter": 3, "year": 2}[c.panel.grain]) : i + 1])
    trend = trend.set_index("period").reindex(shown_periods)
    notes = {}
    for period, row in trend.iterrows():
        withheld = [
            c.t(f"report.population.{pop}")
            for pop in POPULATIONS
            if bool(row.get(f"suppressed_{pop}")) and int(row.get(f"n_{pop}") or 0) > 0
        ]
        if withheld:
            notes[spoken(str(period), c.lang)] = c.t(
                "report.satisfaction.withheld_note", who="、".join(withheld), min_n=min_n
            )
    chart = Chart(
        kind="line",
        title=c.t("report.satisfaction.chart"),
        categories=[spoken(p, c.lang) for p in shown_periods],
        series=[
            Series(
                name=c.t(f"metric.satisfaction_{pop}"),
                values=[_value(v) for v in trend[f"satisfaction_{pop}"]],
                colour=SERIES_COLOURS[j],
            )
            for j, pop in enumerate(POPULATIONS)
        ],
        value_title=c.t("report.score"),
        minimum=_floor(trend[[f"satisfaction_{pop}" for pop in POPULATIONS]].min().min()),
        maximum=100,
        notes=notes,
    )
    moved = [
        (abs(float(now[f"delta_{p}"])), p)
        for p in POPULATIONS
        if now.get(f"delta_{p}") is not None and pd.notna(now.get(f"delta_{p}"))
    ]
    shown = [
        p for p in POPULATIONS if now.get(f"satisfaction_{p}") is not None and pd.notna(now.get(f"satisfaction_{p}"))
    ]
    if moved:
        pop = max(moved)[1]
        title = c.t(f"metric.satisfaction_{pop}") + " " + unit(c.number(now[f"satisfaction_{pop}"]), "points", c.lang)
        title += c.movement(now[f"delta_{pop}"], 1, "points")
    elif shown:
        title = (
            c.t(f"metric.satisfaction_{shown[0]}")
            + " "
            + unit(c.number(now[f"satisfaction_{shown[0]}"]), "points", c.lang)
        )
    else:
        title = c.t("report.satisfaction.all_withheld", min_n=min_n)
    return Section(
        key="satisfaction", heading=c.t("report.section.satisfaction"), title=title, chart=chart, tables=[table]
    )


def _discipline(c: _Context) -> Section | None:
    figures_ = c.view.discipline
    ledger = discipline.ledger_rows(risk.overdue_ledger(c.db, c.view.as_of), c.filters)
    if not figures_ and ledger.empty:
        return None
    figures: list[Figure] = []
    chart = None
    title = c.t("report.discipline.title_ledger", n=len(ledger))
    if figures_:
        persons = [int(figures_[f"discipline_persons_{f}"]) for f in FORMS]
        total = int(figures_["discipline_forms_persons"])
        figures = [
            Figure(label=c.t("overview.card.forms"), value=unit(formats.count(total, c.lang), "person_times", c.lang)),
            *(
                Figure(
                    label=DisciplineCategory(f).label(c.lang),
                    value=unit(formats.count(n, c.lang), "person_times", c.lang),
                )
                for f, n in zip(FORMS, persons, strict=True)
            ),
            Figure(
                label=c.t("overview.card.filed"),
                value=unit(formats.count(figures_["discipline_filed"], c.lang), "cases", c.lang),
            ),
            Figure(label=c.t("overview.card.overdue"), value=unit(formats.count(len(ledger), c.lang), "items", c.lang)),
        ]
        share = formats.share(persons[0] / total, 0, c.lang) if total else "—"
        title = c.t("report.discipline.title", n=formats.count(total, c.lang), share=share, overdue=len(ledger))
        chart = Chart(
            kind="column",
            title=c.t("report.discipline.chart", period=c.period_said),
            categories=[DisciplineCategory(f).label(c.lang) for f in FORMS],
            series=[
                Series(
                    name=c.t("report.discipline.persons"), values=[float(n) for n in persons], colour=SERIES_COLOURS[0]
                )
            ],
            value_title=c.t("report.discipline.persons"),
            minimum=0,
            digits=0,
        )
    branches = party_branches(c.panel)
    shown = discipline.ledger_table(ledger, c.lang, branches)
    tables = []
    if not shown.empty:
        tables.append(
            _table(
                shown,
                title=c.t("report.discipline.ledger", day=c.view.as_of.isoformat()),
                widths=[0.8, 1.1, 1.4, 1.4, 1.1, 3, 1.1, 0.8],
            )
        )
    sentences = [c.t("report.discipline.no_persons")]
    return Section(
        key="discipline",
        heading=c.t("report.section.discipline"),
        title=title,
        figures=figures,
        chart=chart,
        tables=tables,
        sentences=sentences,
    )


def _table(frame: pd.DataFrame, title: str = "", widths: list[float] | None = None, note: str = "") -> Table:
    """A shown table (column names in the reader's language) as report text: numbers as shown, empty as "—"."""
    numeric = [pd.api.types.is_numeric_dtype(frame[col]) for col in frame.columns]
    rows = [["—" if formats.missing(v) else _text(v) for v in row] for row in frame.itertuples(index=False)]
    if widths is not None and len(widths) != len(frame.columns):
        widths = None
    return Table(
        title=title, columns=[str(col) for col in frame.columns], rows=rows, numeric=numeric, widths=widths, note=note
    )


def _text(value: object) -> str:
    if isinstance(value, float | np.floating):
        return f"{value:,.1f}"
    if isinstance(value, int | np.integer):
        return f"{value:,}"
    return str(value)


def _warnings(c: _Context) -> Section:
    found = c.view.warnings
    if found.empty:
        return Section(
            key="warnings",
            heading=c.t("report.section.warnings"),
            title=c.t("overview.warnings.none", period=c.period_said),
        )
    severity = found["severity"].value_counts()
    title = c.t("report.warnings.title", n=len(found), high=int(severity.get("high", 0)))
    frame = pd.DataFrame(
        {
            c.t("overview.col.severity"): [c.t(f"risk.severity.{s}") for s in found["severity"]],
            c.t("overview.col.rule"): [c.t(f"risk.rule.{r}") for r in found["rule"]],
            c.t("overview.col.unit"): found["unit_name"].astype(str).to_list(),
            c.t("overview.col.explanation"): found[f"explanation_{c.lang}"].astype(str).to_list(),
        }
    )
    fills = [[RAG_FILLS["red"] if s == "high" else RAG_FILLS["amber"], None, None, None] for s in found["severity"]]
    table = _table(frame, widths=[0.6, 1.3, 1.4, 5])
    table.fills = fills
    return Section(
        key="warnings",
        heading=c.t("report.section.warnings"),
        title=title,
        tables=[table],
        sentences=[c.t("report.warnings.corrected")],
    )


def _relations(c: _Context) -> Section | None:
    filters = Filters(grain=c.panel.grain, branch=c.filters.branch)
    results = relations.all_results(c.db, c.panel.grain, "department", filters, panel=c.panel)
    table = relations.relations_table(results)
    tested = int(table["q"].notna().sum()) if not table.empty else 0
    if not tested:
        return Section(key="relations", heading=c.t("report.section.relations"), title=c.t("report.relations.untested"))
    found = relations.surviving(results)
    if not found:
        return Section(
            key="relations",
            heading=c.t("report.section.relations"),
            title=c.t("relations.survivors.none", tests=tested),
            sentences=[c.t("relations.caveat").strip()],
        )
    sentences = [f"{i}. {r.finding[c.lang]}" for i, r in enumerate(found, start=1)]
    party_pairs = [(r.outcome, r.lag) for r in found if relations.CLUSTER_LEVEL[r.metric] == "branch"]
    if len(party_pairs) > len(set(party_pairs)):
        sentences.append(c.t("relations.survivors.related"))
    return Section(
        key="relations",
        heading=c.t("report.section.relations"),
        title=c.t("report.relations.title", found=len(found), tests=tested),
        sentences=sentences,
    )


def _scorecard(c: _Context) -> Section | None:
    """党建体检: each branch's index and component scores (0–100) in their RAG colours, the colour in words too;
    the figures behind the scores are on the Overview (and its download)."""
    card = c.view.scorecard
    if card.empty or card["party_index"].isna().all():
        return None
    columns = ["index", *COMPONENTS]
    rags = {"index": card["index_rag"], **{k: card[f"{k}_rag"] for k in COMPONENTS}}
    scores = {"index": card["party_index"], **{k: card[k] for k in COMPONENTS}}
    not_reported = c.t("reported.not")
    rows, fills = [], []
    for i, (name, members, reported) in enumerate(
        zip(card["branch_name"], card["members"], card["reported"], strict=True)
    ):
        cells = [str(name), c.number(members, 0)]
        for k in columns:
            value, rag = scores[k].iloc[i], rags[k].iloc[i]
            digits = 1 if k == "index" else 0
            cells.append(not_reported if not reported else _rag_text(c.number(value, digits), rag, c.lang))
        rows.append(cells)
        fills.append([None, None, *(RAG_FILLS.get(rags[k].iloc[i]) if reported else None for k in columns)])
    table = Table(
        columns=[
            c.t("overview.col.branch"),
            c.t("overview.col.members"),
            c.t("overview.col.index"),
            *(c.t(f"component.{k}") for k in COMPONENTS),
        ],
        rows=rows,
        numeric=[False, *([True] * (1 + len(columns)))],
        fills=fills,
        widths=[2.4, 0.8, 1.2, *([1.1] * len(COMPONENTS))],
        note=c.t("report.scorecard.note", green=f"{c.settings.green:g}", amber=f"{c.settings.amber:g}"),
    )
    red = int((card["index_rag"] == "red").sum())
    title = c.t("report.scorecard.title", period=c.period_said, red=red, n=len(card))
    return Section(key="scorecard", heading=c.t("report.section.scorecard"), title=title, tables=[table])


def _rag_text(text: str, rag: object, lang: str) -> str:
    """A coloured cell's text with its colour in words too ("62.3 · 关注"), for black-and-white print."""
    if not isinstance(rag, str) or text in ("—", t("reported.not", lang)):
        return text
    return f"{text} · {t(f'rag.{rag}', lang)}"


def _assessment(c: _Context) -> Section | None:
    """年度考核: every branch's index, components and rank this year and last (the material for 述职评议考核);
    for a branch scope its own row, ranked among all branches."""
    year = c.period
    last = str(int(year) - 1)
    this_card = risk.scorecard(c.panel, year)
    if this_card.empty or this_card["party_index"].isna().all():
        return None
    last_card = risk.scorecard(c.panel, last) if last in c.panel.periods else pd.DataFrame()

    def ranked(card: pd.DataFrame) -> pd.DataFrame:
        if card.empty:
            return pd.DataFrame(columns=["branch_code", "party_index", "rank"])
        return card.assign(rank=card["party_index"].rank(ascending=False, method="min"))

    now, before = ranked(this_card).sort_values(["rank", "branch_code"]), ranked(last_card).set_index("branch_code")
    total = int(now["party_index"].notna().sum())
    if c.scope != "hospital":
        now = now[now["branch_code"] == c.scope]
    columns = {
        "branch": c.t("overview.col.branch"),
        "index": c.t("report.assessment.index", year=year),
        "rank": c.t("report.assessment.rank", year=year),
        "index_last": c.t("report.assessment.index", year=last),
        "rank_last": c.t("report.assessment.rank", year=last),
        "change": c.t("report.assessment.change"),
    }
    rows, fills = [], []
    for row in now.itertuples():
        old = before.loc[row.branch_code] if row.branch_code in before.index else None
        old_index = None if old is None else old["party_index"]
        old_rank = None if old is None else old["rank"]
        rank = "—" if pd.isna(row.rank) else f"{int(row.rank)}/{total}"
        cells = [
            str(row.branch_name),
            c.number(row.party_index),
            rank,
            c.number(old_index),
            "—" if old_rank is None or pd.isna(old_rank) else f"{int(old_rank)}",
            "—"
            if old_index is None or pd.isna(old_index) or pd.isna(row.party_index)
            else formats.change(row.party_index - old_index, 1, c.lang),
        ]
        cells += [c.number(getattr(row, k), 0) for k in COMPONENTS]
        rows.append(cells)
        fills.append(
            [None, RAG_FILLS.get(row.index_rag), None, None, None, None]
            + [RAG_FILLS.get(getattr(row, f"{k}_rag")) for k in COMPONENTS]
        )
    table = Table(
        columns=[*columns.values(), *(c.t(f"component.{k}") for k in COMPONENTS)],
        rows=rows,
        numeric=[False, *([True] * (len(columns) - 1 + len(COMPONENTS)))],
        fills=fills,
        widths=[2.2, 0.9, 0.9, 0.9, 0.9, 0.8, *([0.9] * len(COMPONENTS))],
        note=c.t("report.assessment.note", total=total),
    )
    if c.scope == "hospital":
        top = now.dropna(subset=["party_index"]).iloc[0]
        title = c.t(
            "report.assessment.title", year=year, n=total, top=str(top.branch_name), value=c.number(top.party_index)
        )
    else:
        row = now.iloc[0]
        old = before.loc[c.scope] if c.scope in before.index else None
        rank = "—" if pd.isna(row["rank"]) else int(row["rank"])
        title = c.t(
            "report.assessment.branch_title",
            branch=c.branch_name,
            year=year,
            value=c.number(row["party_index"]),
            rank=rank,
            n=total,
        )
        if old is not None and pd.notna(old["rank"]):
            title += c.t("report.assessment.last_rank", rank=int(old["rank"]))
    return Section(key="assessment", heading=c.t("report.section.assessment"), title=title, tables=[table])


def _notes(c: _Context) -> Section:
    counts = summary.record_counts(c.db)
    span = summary.date_range(c.db)
    sentences = [
        c.t(
            "report.notes.sources",
            activities=formats.count(counts["activities"], c.lang),
            satisfaction=formats.count(summary.respondents(c.db), c.lang),
            discipline=formats.count(counts["discipline"], c.lang),
            batches=counts["batches"],
            first=span[0].isoformat() if span else "—",
            last=span[1].isoformat() if span else "—",
        )
    ]
    lines = party.completeness_lines(party.completeness(c.panel, c.filters), c.panel, c.lang)
    if lines:
        sentences.append(c.t("report.notes.not_reported"))
        sentences += [f"· {line}" for line in lines]
    else:
        sentences.append(c.t("report.notes.all_reported", period=c.period_said))
    sentences.append(c.t("report.notes.suppression", min_n=c.settings.suppression_min_n))
    differences = settings.differences(c.settings)
    if differences:
        sentences.append(c.t("report.notes.settings"))
        sentences += [
            "· " + settings.change_text({"path": list(path), "old": default, "new": value}, c.lang)
            for path, value, default in differences
        ]
    else:
        sentences.append(c.t("report.notes.default_settings"))
    sentences.append(
        c.t(
            "report.notes.index",
            weights="、".join(f"{c.t(f'component.{k}')} {c.settings.weight(k):g}" for k in COMPONENTS),
        )
    )
    return Section(
        key="notes", heading=c.t("report.section.notes"), title=c.t("report.section.notes"), sentences=sentences
    )
