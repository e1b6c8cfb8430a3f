"""投屏模式 The presentation mode's steps: the meeting material (`report.build`, a `report_model.Report`) cut into
slides for a meeting room's screen, one message each, in large type.

The steps show only what the Report says, so the numbers are the pages' and the material's: a title step (the
cover and an agenda), the headline figures (`FIGURES_PER_STEP` a step), the party index by branch (the ranking
chart, `BRANCHES_PER_STEP` bars a step, or a branch's components), the risk warnings (`WARNINGS_PER_STEP` a
step for at most `WARNING_STEPS` steps, then "还有 N 项") and the relations findings that survive the
multiple-comparison correction (`FINDINGS_PER_STEP` a step). A long list is split or counted, never cut: every
text shown is whole.

Every RAG colour carries its shape and word (`i18n.rag_tag`: "● 良好", "▲ 关注", "■ 预警"), on a figure, a bar
(`Chart.point_labels`) and a warning's severity.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from analytics.i18n import RAG_MARKS, t
from analytics.report_model import RAG_FILLS, Chart, Figure, Report, Section

# The sections a presentation shows, in its order (`report.build(sections=SECTIONS)` builds only these).
SECTIONS = ("headline", "party_index", "warnings", "relations")
FIGURES_PER_STEP = 3
BRANCHES_PER_STEP = 12
WARNINGS_PER_STEP = 6
WARNING_STEPS = 2
FINDINGS_PER_STEP = 2
# A relations finding in the Report is a numbered sentence ("1. 同一科室…"); its other sentences are notes.
_FINDING = re.compile(r"^(\d+)\. ")
_RAG_OF_FILL = {fill: rag for rag, fill in RAG_FILLS.items()}


@dataclass(frozen=True)
class Item:
    """A line of a list step: `tag` (a RAG shape and word, "■ 高"), coloured by `rag`; `label` in bold; `text`."""

    text: str
    label: str = ""
    tag: str = ""
    rag: str | None = None


@dataclass(frozen=True)
class Step:
    """One slide. `key`: "title" or the Report section it shows; `heading`: that section's name (small, above
    the title); `title`: its one message; then big `figures`, a `chart` or `items`; `more`: what a list leaves
    for the pages ("还有 17 项…"); `notes`: small print under it; `subtitle`: the title step's second line."""

    key: str
    heading: str
    title: str
    subtitle: str = ""
    figures: tuple[Figure, ...] = ()
    chart: Chart | None = None
    items: tuple[Item, ...] = ()
    more: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)


def steps(material: Report) -> list[Step]:
    """The presentation of `material`: its title step, then a step or several for each of SECTIONS it holds."""
    shown = [s for key in SECTIONS if (s := material.section(key)) is not None]
    builders = {"headline": _headline, "party_index": _party_index, "warnings": _warnings, "relations": _relations}
    body = [step for section in shown for step in builders[section.key](section, material.lang)]
    return [_title(material, shown), *body]


def chunks(count: int, most: int) -> list[range]:
    """`count` positions cut into the fewest runs of at most `most`, as even as can be (10 by 4: 4, 3, 3)."""
    if count <= 0:
        return []
    parts = math.ceil(count / most)
    size, extra = divmod(count, parts)
    runs, start = [], 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        runs.append(range(start, end))
        start = end
    return runs


def _title(material: Report, shown: list[Section]) -> Step:
    cover = material.cover
    return Step(
        key="title",
        heading=cover.marking,
        title=cover.title,
        subtitle=" · ".join([cover.hospital, cover.period, cover.scope]),
        items=tuple(Item(text=section.heading) for section in shown),
        notes=tuple(cover.lines[:1]),  # the data's date; when it was generated is the material's business
    )


def _continued(section: Section, lang: str, first: bool) -> str:
    return section.title if first else t("present.continued", lang, heading=section.heading)


def _headline(section: Section, lang: str) -> list[Step]:
    runs = chunks(len(section.figures), FIGURES_PER_STEP) or [range(0)]
    return [
        Step(
            key=section.key,
            heading=section.heading,
            title=_continued(section, lang, i == 0),
            figures=tuple(section.figures[j] for j in run),
            notes=tuple(section.sentences) if i == len(runs) - 1 else (),
        )
        for i, run in enumerate(runs)
    ]


def _party_index(section: Section, lang: str) -> list[Step]:
    chart = section.chart
    if chart is None or len(chart.categories) <= BRANCHES_PER_STEP:
        return [Step(key=section.key, heading=section.heading, title=section.title, chart=chart)]
    # The hospital's ranking: the bars in the Report's order (highest first), a run of places a step.
    runs = chunks(len(chart.categories), BRANCHES_PER_STEP)
    out = []
    for i, run in enumerate(runs):
        title = t(
            "present.ranking", lang, heading=chart.title, first=run.start + 1, last=run.stop, n=len(chart.categories)
        )
        part = _chart_part(chart, run, title)
        out.append(
            Step(
                key=section.key,
                heading=section.heading,
                title=_continued(section, lang, i == 0),
                chart=part,
                notes=tuple(section.sentences),
            )
        )
    return out


def _chart_part(chart: Chart, run: range, title: str) -> Chart:
    """The bars at positions `run` of a one-series bar chart, with their colours, labels and notes, titled."""

    def cut(values: list | None) -> list | None:
        return None if values is None else [values[j] for j in run]

    categories = cut(chart.categories)
    series = [s.model_copy(update={"values": cut(s.values)}) for s in chart.series]
    return chart.model_copy(
        update={
            "title": title,
            "categories": categories,
            "series": series,
            "point_colours": cut(chart.point_colours),
            "point_labels": cut(chart.point_labels),
            "notes": {c: note for c, note in chart.notes.items() if c in categories},
        },
        deep=True,
    )


def _warnings(section: Section, lang: str) -> list[Step]:
    if not section.tables:  # none this period: the title says so
        return [Step(key=section.key, heading=section.heading, title=section.title)]
    table = section.tables[0]
    fills = table.fills or [[None] * len(table.columns) for _ in table.rows]
    items = []
    for row, fill in zip(table.rows, fills, strict=True):
        severity, rule, unit_name, explanation = row[:4]
        rag = _RAG_OF_FILL.get(fill[0] or "")
        tag = f"{RAG_MARKS[rag]} {severity}" if rag else severity
        items.append(Item(text=explanation, label=f"{rule} · {unit_name}", tag=tag, rag=rag))
    shown = items[: WARNINGS_PER_STEP * WARNING_STEPS]  # the first, as the Overview orders them (high first)
    left = len(items) - len(shown)
    more = t("present.more", lang, n=left, where=t("present.where.warnings", lang)) if left else ""
    return _listed(section, lang, shown, WARNINGS_PER_STEP, tuple(section.sentences), more)


def _relations(section: Section, lang: str) -> list[Step]:
    findings = [Item(text=s) for s in section.sentences if _FINDING.match(s)]
    notes = tuple(s for s in section.sentences if not _FINDING.match(s))
    if not findings:  # none survived, or nothing could be tested: the title says which
        return [Step(key=section.key, heading=section.heading, title=section.title, notes=notes)]
    return _listed(section, lang, findings, FINDINGS_PER_STEP, notes)


def _listed(
    section: Section, lang: str, items: list[Item], per_step: int, notes: tuple[str, ...], more: str = ""
) -> list[Step]:
    """`items` over as few steps of at most `per_step` as can be, evenly; the last step says `more` (how many were
    left out, and where they are) and the section's `notes`."""
    runs = chunks(len(items), per_step)
    return [
        Step(
            key=section.key,
            heading=section.heading,
            title=_continued(section, lang, i == 0),
            items=tuple(items[j] for j in run),
            more=more if i == len(runs) - 1 else "",
            notes=notes if i == len(runs) - 1 else (),
        )
        for i, run in enumerate(runs)
    ]
