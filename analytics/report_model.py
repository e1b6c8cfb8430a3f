"""The meeting material (会议材料) as data: one `Report` of `Section`s, each with its headline figures, one chart,
tables and sentences, all already worded and formatted in the report's language. `analytics.report` builds it
from the same panel and analytics the pages read; `report_pptx` and `report_pdf` render it, so the slides and
the printed report cannot say different things.

A chart carries its numbers (`Series.values`, floats or None for a cell with nothing to show), so the PPTX can
hold them as a native, editable chart and the PDF can draw them; `Chart.notes` says what stands in for a
missing value ("<10" for a withheld satisfaction cell, "未上报" for a branch that did not report).
A table carries text cells as shown (numbers already formatted, withheld counts as "<10" or "—"), and
optionally a fill colour per cell (the RAG colours of the 党建体检 scorecard).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

# The red/amber/green every page and rendering uses: pale fills of table cells (the scorecard) and chart bars.
RAG_FILLS = {"green": "#C8E6C9", "amber": "#FFE0B2", "red": "#FFCDD2"}
RAG_BARS = {"green": "#2E7D32", "amber": "#F9A825", "red": "#B71C1C"}
SERIES_COLOURS = ("#C62828", "#1565C0", "#2E7D32", "#6A1B9A", "#EF6C00", "#00838F")


class Series(BaseModel):
    name: str
    values: list[float | None]  # one per category; None: nothing to show (see Chart.notes)
    colour: str | None = None  # "#RRGGBB"; None: the renderer's palette


class Reference(BaseModel):
    """A dashed line across the chart at `value` (e.g. the amber and green thresholds 60 and 80)."""

    value: float
    label: str
    colour: str = "#757575"


class Chart(BaseModel):
    """`bar`: horizontal bars, first category on top (a ranking); `column`: vertical clustered columns;
    `line`: one line per series over the categories (periods)."""

    kind: Literal["bar", "column", "line"]
    title: str
    categories: list[str]
    series: list[Series]
    value_title: str = ""  # the value axis's title, with its unit
    minimum: float | None = None
    maximum: float | None = None
    digits: int = 1  # decimals of the data labels
    point_colours: list[str | None] | None = None  # per category, single-series bars (RAG); None: series colour
    point_labels: list[str | None] | None = None  # per category, after its value: the RAG as shape and word
    references: list[Reference] = Field(default_factory=list)
    notes: dict[str, str] = Field(default_factory=dict)  # category → what stands in for its missing value


class Table(BaseModel):
    title: str = ""
    columns: list[str]
    rows: list[list[str]]  # text as shown, one list per row, len(columns) cells each
    numeric: list[bool] = Field(default_factory=list)  # per column: right-aligned figures
    fills: list[list[str | None]] | None = None  # per cell "#RRGGBB" (RAG) or None
    widths: list[float] | None = None  # relative column widths; None: equal
    note: str = ""  # below the table (e.g. the suppression rule, what colours mean)


class Figure(BaseModel):
    """A headline card: '党建指数' '62.3 分' '较上季度 -8.5 分'."""

    label: str
    value: str
    change: str | None = None
    note: str | None = None  # e.g. "<10 人" for a withheld score, "2025Q1–2025Q4" for a range figure
    rag: Literal["green", "amber", "red"] | None = None


SectionKey = Literal[
    "headline",
    "party_index",
    "meetings",
    "satisfaction",
    "discipline",
    "warnings",
    "relations",
    "scorecard",
    "assessment",
    "notes",
]


class Section(BaseModel):
    key: SectionKey
    heading: str  # the section's name ("党建指数", for the contents and the PDF heading)
    title: str  # its one message, with the number ("党建指数 62.3 分，较上季度下降 8.5 分")
    sentences: list[str] = Field(default_factory=list)
    figures: list[Figure] = Field(default_factory=list)
    chart: Chart | None = None
    tables: list[Table] = Field(default_factory=list)


class Cover(BaseModel):
    title: str  # "党建与纪检工作情况"
    hospital: str
    period: str  # as people say it: "2025年第四季度"
    scope: str  # "全院" or the branch's name
    marking: str  # "内部资料 注意保密"
    lines: list[str]  # "数据截至 …", "生成于 … 由 …"


class Report(BaseModel):
    lang: Literal["zh", "en"]
    period: str  # the label asked for: "2025Q4", "2025"
    grain: Literal["month", "quarter", "year"]
    scope: str  # "hospital" or a branch code
    cover: Cover
    sections: list[Section]
    footer: str  # on every page/slide: "内部资料 注意保密 · 医院 · 2025年第四季度"

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)
