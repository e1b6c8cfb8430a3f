"""Plotly figures in the product's one theme. Pure functions of DataFrames; no streamlit.

Every figure shows its data as typed (`shows_data_as_typed`): Plotly reads a subset of HTML in each text it
draws (tick labels, legend names, hover boxes, cell text, titles, annotations), so a branch named
`<a href=…>` would be a live link and `<span style=…>` would restyle the chart. Names come from uploaded
registers, so every builder here is wrapped, and the finished figure's texts are escaped in one pass
(`plain`). The hover and cell templates this module writes are left alone: they take data only through
`%{…}` references, never by pasting a name in. Data that needs a line break (a hover text) writes `\n`.

Periods come in as codes ('2025Q4') and are drawn as the reader says them ('2025年第四季度' / 'Q4 2025'), in time
order (`period_axis`); text that a page builds around them (a hover) says them with `periods.spoken` too.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analytics.formats import count
from analytics.i18n import RAG_MARKS, rag_tag, t
from analytics.periods import spoken, spoken_order
from analytics.report_model import RAG_BARS, Chart
from analytics.schema import DepartmentCategory, DisciplineCategory, Population, RecordKind, SatisfactionItem

# Party red first; the rest are distinguishable and print well in grey.
PALETTE = ("#B71C1C", "#1565C0", "#2E7D32", "#EF6C00", "#6A1B9A", "#00838F", "#5D4037", "#546E7A")
FONT_FAMILY = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
SEQUENTIAL = ((0.0, "#FBE9E7"), (0.5, "#E57373"), (1.0, "#8E0000"))

TEMPLATE = go.layout.Template(
    layout={
        "font": {"family": FONT_FAMILY, "size": 13, "color": "#1F1F1F"},
        "colorway": PALETTE,
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        "xaxis": {"gridcolor": "#EEEEEE", "zeroline": False},
        "yaxis": {"gridcolor": "#EEEEEE", "zeroline": False},
        "hoverlabel": {"font": {"family": FONT_FAMILY}},
    }
)

# The templates this module writes: markup of ours, with data only inside %{…} references.
OUR_TEMPLATES = frozenset({"hovertemplate", "texttemplate", "template"})


def plain(text: str) -> str:
    """`text` as Plotly draws it literally: `&`, `<` and `>` as entities (Plotly decodes them back to the
    characters and draws them, so `<b>` shows as typed and makes nothing bold); a `\\n` as a line break."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br>")


_plain_cells = np.frompyfunc(lambda v: plain(v) if isinstance(v, str) else v, 1, 1)


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return plain(value)
    if isinstance(value, dict):
        return {k: v if k in OUR_TEMPLATES else _escaped(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_escaped(v) for v in value]
    if isinstance(value, np.ndarray) and value.dtype.kind in "OUS":
        return _plain_cells(value).astype(object)
    return value


def _has_text(value: Any) -> bool:
    if isinstance(value, str):
        return any(c in value for c in "&<>\n")
    if isinstance(value, dict):
        return any(_has_text(v) for k, v in value.items() if k not in OUR_TEMPLATES)
    if isinstance(value, list | tuple):
        return any(_has_text(v) for v in value)
    if isinstance(value, np.ndarray) and value.dtype.kind in "OUS":
        return any(_has_text(v) for v in value.ravel())
    return False


def literal(figure: go.Figure) -> go.Figure:
    """`figure` with every text in its traces and layout (template aside) escaped by `plain`, in place."""
    for trace in figure.data:
        changed = {k: _escaped(v) for k, v in trace.to_plotly_json().items() if k not in OUR_TEMPLATES and _has_text(v)}
        if changed:
            trace.update(changed)
    layout = {k: v for k, v in figure.layout.to_plotly_json().items() if k != "template" and _has_text(v)}
    if layout:
        figure.update_layout(_escaped(layout))
    return figure


def shows_data_as_typed(build: Callable[..., go.Figure]) -> Callable[..., go.Figure]:
    """Wraps every figure builder below: the figure it returns goes through `literal`."""

    @functools.wraps(build)
    def wrapper(*args: Any, **kwargs: Any) -> go.Figure:
        return literal(build(*args, **kwargs))

    wrapper.shows_data_as_typed = True  # type: ignore[attr-defined]
    return wrapper


def period_axis(periods: pd.Series, lang: str) -> tuple[list[str], dict[str, Any]]:
    """Period codes as a category axis draws them: spoken in `lang` (`periods.spoken`), on two lines (the year, then
    the quarter or month: "2025年" / "第四季度", "Q4" / "2025", so twelve quarters fit a tablet's width without
    slanting), with the axis settings that keep them in time order (spoken labels do not sort as text)."""
    labels = [_two_lines(spoken(str(p), lang)) for p in periods]
    order = [_two_lines(label) for label in spoken_order(periods, lang)]
    return labels, {"type": "category", "categoryorder": "array", "categoryarray": order}


def _two_lines(label: str) -> str:
    """'2025年第四季度' → '2025年\n第四季度', 'Q4 2025' → 'Q4\n2025', 'Mar 2025' → 'Mar\n2025'; a year stays as it is
    (`plain` draws the line break)."""
    if "年" in label and not label.endswith("年"):
        return label.replace("年", "年\n", 1)
    return label.replace(" ", "\n", 1)


def _label_ends(figure: go.Figure, digits: int = 1, only: str | None = None) -> go.Figure:
    """Each line's last value written beside its last point, in its colour (the key number of a trend, readable
    without hovering, which a touch screen does not do); with `only`, just that line's. Room is made on the right,
    and the legend goes above the plot, out of the labels' way."""
    for trace in figure.data:
        if trace.type != "scatter" or "lines" not in (trace.mode or "") or (only is not None and trace.name != only):
            continue
        values = list(trace.y)
        last = max((i for i, v in enumerate(values) if v is not None and not pd.isna(v)), default=None)
        if last is None:
            continue
        text = [""] * len(values)
        text[last] = f"{values[last]:.{digits}f}"
        colour = trace.line.color if trace.line is not None else None
        trace.update(
            mode=f"{trace.mode}+text",
            text=text,
            textposition="middle right",
            cliponaxis=False,
            textfont={"color": colour, "size": 13},
        )
    margin = figure.layout.margin
    figure.update_layout(
        margin={"r": max(margin.r or 0, 48)},
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom", "xanchor": "left"},
    )
    return figure


def _label_totals(figure: go.Figure, horizontal: bool = False) -> go.Figure:
    """Stacked bars with each stack's total written at its end (the key number, readable without hovering);
    the categories keep their axis order."""
    totals: dict[Any, float] = {}
    for trace in figure.data:
        if trace.type != "bar":
            continue
        categories, values = (trace.y, trace.x) if horizontal else (trace.x, trace.y)
        for category, value in zip(categories, values, strict=True):
            if value is not None and not pd.isna(value):
                totals[category] = totals.get(category, 0) + value
    if not totals:
        return figure
    shown = [f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}" for v in totals.values()]
    where = (
        {"x": list(totals.values()), "y": list(totals)}
        if horizontal
        else {"x": list(totals), "y": list(totals.values())}
    )
    figure.add_scatter(
        **where,
        mode="text",
        text=shown,
        textposition="middle right" if horizontal else "top center",
        cliponaxis=False,
        showlegend=False,
        hoverinfo="skip",
    )
    return figure


COVERAGE_KINDS = (
    RecordKind.ACTIVITIES,
    RecordKind.SATISFACTION_RESPONSES,
    RecordKind.SATISFACTION_AGGREGATES,
    RecordKind.DISCIPLINE,
)


def coverage_matrix(coverage: pd.DataFrame) -> pd.DataFrame:
    """Kinds × every quarter from the first to the last with data; missing cells are NaN."""
    if coverage.empty:
        return pd.DataFrame(index=[k.value for k in COVERAGE_KINDS])
    periods = pd.PeriodIndex(coverage["period"], freq="Q")
    every_quarter = pd.period_range(periods.min(), periods.max(), freq="Q").strftime("%YQ%q")
    return coverage.pivot_table(index="kind", columns="period", values="records", aggfunc="sum").reindex(
        index=[k.value for k in COVERAGE_KINDS], columns=list(every_quarter)
    )


@shows_data_as_typed
def coverage_heatmap(coverage: pd.DataFrame, lang: str) -> go.Figure:
    """Records per kind and quarter (spoken), with the counts written in the cells."""
    matrix = coverage_matrix(coverage)
    labels = [RecordKind(kind).label(lang) for kind in matrix.index]
    text = matrix.map(lambda v: "" if pd.isna(v) else count(v, lang))
    figure = go.Figure(
        go.Heatmap(
            # Shade each kind against its own busiest quarter: responses outnumber the rest by far.
            z=matrix.div(matrix.max(axis=1), axis=0).to_numpy(dtype=float),
            x=[spoken(str(c), lang) for c in matrix.columns],
            y=labels,
            text=text.to_numpy(),
            texttemplate="%{text}",
            zmin=0,
            zmax=1,
            colorscale=list(SEQUENTIAL),
            showscale=False,
            xgap=2,
            ygap=2,
            hovertemplate=f"%{{y}}<br>{t('overview.coverage.period', lang)}: %{{x}}"
            f"<br>{t('overview.coverage.records', lang)}: %{{text}}<extra></extra>",
        )
    )
    figure.update_layout(template=TEMPLATE, height=260, xaxis={"type": "category"}, yaxis={"autorange": "reversed"})
    return figure


# --- Discipline (纪检监察) and the department profile --------------------------------------------------------

# Cases in reds (darker = heavier form), complaints in oranges, education and supervision in blues,
# the good news (praise letters, red envelopes refused) in greens.
DISCIPLINE_COLOURS = {
    "form_1": "#F4A3A3",
    "form_2": "#E05A57",
    "form_3": "#B71C1C",
    "form_4": "#5C0A0A",
    "eight_point_violation": "#6A1B9A",
    "petition_report": "#E65100",
    "ethics_complaint": "#FB8C00",
    "hotline_complaint": "#FFCA28",
    "integrity_talk": "#1565C0",
    "warning_education": "#64B5F6",
    "supervision_proposal": "#00838F",
    "praise_letter": "#2E7D32",
    "red_envelope_refused": "#9CCC65",
}
RECTIFICATION_COLOURS = {
    "on_time": "#2E7D32",
    "late": "#FFB300",
    "undated": "#8D6E63",
    "open": "#90A4AE",
    "overdue": "#B71C1C",
}


@shows_data_as_typed
def category_bars(
    counts: pd.DataFrame, lang: str, y_title: str | None = None, height: int = 420, keep_empty: bool = False
) -> go.Figure:
    """Stacked bars of records per period (`counts`: period, category, records), one colour per discipline
    category, named in `lang`, in the enum's order; categories without any record are left out of the
    legend unless `keep_empty`."""
    figure = go.Figure()
    order = [c.value for c in DisciplineCategory]
    _, axis = period_axis(counts["period"], lang)
    for category in sorted(counts["category"].unique(), key=order.index):
        rows = counts[counts["category"] == category]
        if not keep_empty and not rows["records"].any():
            continue
        name = DisciplineCategory(category).label(lang)
        figure.add_bar(
            x=period_axis(rows["period"], lang)[0],
            y=rows["records"],
            name=name,
            marker_color=DISCIPLINE_COLOURS.get(category),
            hovertemplate=f"{name}<br>%{{x}}: %{{y}}<extra></extra>",
        )
    figure.update_layout(
        template=TEMPLATE,
        barmode="stack",
        height=height,
        xaxis={**axis, "title": t("chart.period", lang)},
        yaxis={"title": y_title or t("chart.records", lang), "rangemode": "tozero"},
        legend={"title": {"text": t("chart.category", lang)}},
    )
    return _label_totals(figure)


@shows_data_as_typed
def rectification_donut(status: dict[str, int], lang: str, height: int = 320) -> go.Figure:
    """Rectifications on time / late / completed without a date / open / overdue (keys as in
    `RECTIFICATION_COLOURS`)."""
    keys = [k for k in RECTIFICATION_COLOURS if status.get(k)]
    labels = [t(f"discipline.status.{k}", lang) for k in keys]
    figure = go.Figure(
        go.Pie(
            labels=labels,
            values=[status[k] for k in keys],
            hole=0.55,
            sort=False,
            direction="clockwise",
            marker={"colors": [RECTIFICATION_COLOURS[k] for k in keys]},
            textinfo="value+percent",
            hovertemplate="%{label}: %{value} (%{percent})<extra></extra>",
        )
    )
    figure.update_layout(
        template=TEMPLATE,
        height=height,
        legend={"title": {"text": t("chart.items", lang)}},
        annotations=[{"text": f"{sum(status[k] for k in keys)}", "showarrow": False, "font": {"size": 22}}],
    )
    return figure


@shows_data_as_typed
def party_index_lines(rows: pd.DataFrame, lang: str, height: int = 300) -> go.Figure:
    """The party-building index per period (`rows`: period, party_index), its value written at each point."""
    name = t("metric.party_index", lang)
    periods, axis = period_axis(rows["period"], lang)
    figure = go.Figure(
        go.Scatter(
            x=periods,
            y=rows["party_index"],
            name=name,
            mode="lines+markers+text",
            text=[f"{v:.1f}" for v in rows["party_index"]],
            textposition="top center",
            line={"width": 3, "color": PALETTE[0]},
            hovertemplate=f"{name}<br>%{{x}}: %{{y:.1f}}<extra></extra>",
        )
    )
    figure.update_layout(
        template=TEMPLATE,
        height=height,
        showlegend=False,
        xaxis={**axis, "title": t("chart.period", lang)},
        yaxis={"title": name, "range": [0, 108]},
    )
    return figure


@shows_data_as_typed
def component_grid(scores: pd.DataFrame, lang: str, amber: float, green: float) -> go.Figure:
    """Components (rows, already named) × period codes (columns, in time order; drawn spoken) of 0–100 scores,
    each cell written and shaded like the 党建体检 scorecard: red below the amber line, amber below the green line,
    else green. Each score has its band's shape too ("62 ▲", `i18n.RAG_MARKS`), named above the grid, so colour
    is never the only sign."""
    values = scores.to_numpy(dtype=float)
    lo, hi = amber / 100, green / 100
    pale = (("#F8C9C4", 0.0, lo), ("#FFE9A8", lo, hi), ("#C8E6C9", hi, 1.0))
    scale = [[edge, colour] for colour, start, end in pale for edge in (start, end)]

    def band(v: float) -> str:
        return "green" if v >= green else "amber" if v >= amber else "red"

    text = [["—" if pd.isna(v) else f"{v:.0f} {RAG_MARKS[band(v)]}" for v in row] for row in values]
    key = "   ".join(rag_tag(rag, lang) for rag in ("green", "amber", "red"))
    score = t("chart.score", lang)
    figure = go.Figure(
        go.Heatmap(
            z=values,
            x=[spoken(str(c), lang) for c in scores.columns],
            y=[str(i) for i in scores.index],
            text=text,
            texttemplate="%{text}",
            zmin=0,
            zmax=100,
            colorscale=scale,
            showscale=False,
            xgap=2,
            ygap=2,
            hovertemplate=f"%{{y}}<br>%{{x}}<br>{score}: %{{text}}<extra></extra>",
        )
    )
    figure.update_layout(
        template=TEMPLATE,
        height=60 + 36 * len(scores) + 26,
        xaxis={"type": "category", "title": t("chart.period", lang)},
        yaxis={"type": "category", "autorange": "reversed"},
        margin={"t": 36},
    )
    figure.add_annotation(
        text=key, xref="paper", yref="paper", x=1, y=1, yshift=6, xanchor="right", yanchor="bottom", showarrow=False
    )
    return figure


@shows_data_as_typed
def satisfaction_lines(rows: pd.DataFrame, lang: str, height: int = 360) -> go.Figure:
    """Satisfaction per population and period (`rows`: period, satisfaction_<pop>, n_<pop>); suppressed or
    missing periods break the line, and every point shows its respondents. Populations nobody answered
    for are left out."""
    figure = go.Figure()
    respondents = t("chart.respondents", lang)
    periods, axis = period_axis(rows["period"], lang)
    for i, population in enumerate(Population):
        pop = population.value
        if not rows[f"n_{pop}"].any():
            continue
        name = population.label(lang)
        figure.add_scatter(
            x=periods,
            y=rows[f"satisfaction_{pop}"],
            customdata=rows[f"n_{pop}"],
            name=name,
            mode="lines+markers",
            connectgaps=False,
            line={"color": PALETTE[i]},
            hovertemplate=f"{name}<br>%{{x}}: %{{y:.1f}}<br>{respondents}: %{{customdata}}<extra></extra>",
        )
    figure.update_layout(
        template=TEMPLATE,
        height=height,
        xaxis={**axis, "title": t("chart.period", lang)},
        yaxis={"title": t("chart.score", lang)},
        legend={"title": {"text": t("col.population", lang)}},
    )
    return _label_ends(figure)


@shows_data_as_typed
def dimension_dots(dimensions: pd.DataFrame, lang: str) -> go.Figure:
    """Mean item scores as dots, one colour per population (`dimensions`: population, item, mean, n;
    suppressed rows, with a null mean, are left out), n in the hover. Dots rather than bars: the axis
    starts near the lowest score, so the differences between items show."""
    figure = go.Figure()
    respondents = t("chart.respondents", lang)
    shown = dimensions[dimensions["mean"].notna()]
    items = [item.label(lang) for item in SatisfactionItem if item.value in set(dimensions["item"])]
    for i, population in enumerate(Population):
        rows = shown[shown["population"] == population.value]
        if rows.empty:
            continue
        figure.add_scatter(
            y=[SatisfactionItem(item).label(lang) for item in rows["item"]],
            x=rows["mean"],
            customdata=rows["n"],
            mode="markers+text",
            name=population.label(lang),
            marker={"color": PALETTE[i], "size": 12},
            text=[f"{v:.1f}" for v in rows["mean"]],
            textposition="middle right",
            hovertemplate=f"%{{y}}: %{{x:.1f}}<br>{respondents}: %{{customdata}}<extra></extra>",
        )
    low = float(shown["mean"].min()) if not shown.empty else 0.0
    figure.update_layout(
        template=TEMPLATE,
        height=max(300, 30 * len(items) + 120),
        xaxis={"title": t("chart.score", lang), "range": [max(0.0, low - 5), 101]},
        yaxis={
            "title": t("col.item", lang),
            "type": "category",
            "categoryorder": "array",
            "categoryarray": items,
            "autorange": "reversed",
        },
        legend={"title": {"text": t("col.population", lang)}},
    )
    return figure


# --- Party building (党建) and satisfaction (满意度) pages ---------------------------------------------------

RAG_COLOURS = RAG_BARS
# Red → amber → green, light enough to read the figures written in the cells.
SCORE_SCALE = ((0.0, "#E57373"), (0.5, "#FFE082"), (1.0, "#81C784"))


def _rows_height(rows: int, per_row: int = 26, minimum: int = 300) -> int:
    return max(minimum, per_row * rows + 110)


@shows_data_as_typed
def ranked_bars(
    rows: pd.DataFrame, x_title: str, lines: tuple[float, ...] = (), x_max: float = 100.0, digits: int = 1
) -> go.Figure:
    """Horizontal bars, highest on top. `rows`: name, value, colour, hover (the tooltip; `\n` between lines) and
    optionally note: rows without a value show their note instead of a bar (e.g. a suppressed score); and tag:
    written after the value (a RAG colour's shape and word, `i18n.rag_tag`, so colour is never the only sign).
    `lines` draws dashed reference lines (e.g. the amber and green thresholds)."""
    rows = rows.assign(_sort=rows["value"].fillna(-1.0)).sort_values(["_sort", "name"], ascending=[True, False])
    shown = rows[rows["value"].notna()]
    tags = shown["tag"].fillna("") if "tag" in shown else pd.Series("", index=shown.index)
    figure = go.Figure(
        go.Bar(
            x=shown["value"],
            y=shown["name"],
            orientation="h",
            marker_color=list(shown["colour"]),
            text=[f"{v:.{digits}f} {tag}".strip() for v, tag in zip(shown["value"], tags, strict=True)],
            textposition="outside",
            cliponaxis=False,
            customdata=shown["hover"],
            hovertemplate="%{customdata}<extra></extra>",
            showlegend=False,
        )
    )
    if "note" in rows:
        blank = rows[rows["value"].isna() & rows["note"].notna()]
        if not blank.empty:
            figure.add_scatter(
                x=[0] * len(blank),
                y=blank["name"],
                mode="text",
                text=blank["note"],
                textposition="middle right",
                textfont={"color": "#757575"},
                hoverinfo="skip",
                showlegend=False,
            )
    for line in lines:
        figure.add_vline(x=line, line_dash="dash", line_color="#9E9E9E", line_width=1)
    figure.update_layout(
        template=TEMPLATE,
        height=_rows_height(len(rows)),
        xaxis={"title": x_title, "range": [0, x_max * (1.2 if tags.str.len().any() else 1.08)]},
        yaxis={"type": "category", "categoryorder": "array", "categoryarray": list(rows["name"])},
        bargap=0.25,
        margin={"r": 72 if tags.str.len().any() else 10},  # a phone's narrow plot: the tags past the axis, not cut
    )
    return figure


@shows_data_as_typed
def score_heatmap(
    values: pd.DataFrame, text: pd.DataFrame, x_title: str, y_title: str, value_title: str, zmax: float = 100.0
) -> go.Figure:
    """A units × columns grid of 0–100 values, red (low) to green (high), with `text` written in the cells
    (left out when the grid is too dense to read)."""
    dense = values.shape[1] > 16
    figure = go.Figure(
        go.Heatmap(
            z=values.to_numpy(dtype=float),
            x=[str(c) for c in values.columns],
            y=[str(i) for i in values.index],
            text=text.to_numpy(),
            texttemplate="" if dense else "%{text}",
            zmin=0,
            zmax=zmax,
            colorscale=list(SCORE_SCALE),
            colorbar={"title": {"text": value_title}, "thickness": 12},
            xgap=2,
            ygap=2,
            hovertemplate=f"%{{y}}<br>%{{x}}<br>{value_title}: %{{text}}<extra></extra>",
        )
    )
    figure.update_layout(
        template=TEMPLATE,
        height=_rows_height(len(values), per_row=24),
        xaxis={"type": "category", "title": x_title, "side": "top"},
        yaxis={"type": "category", "title": y_title, "autorange": "reversed"},
        margin={"t": 90},
    )
    return figure


@shows_data_as_typed
def series_lines(
    rows: pd.DataFrame,
    x_title: str,
    y_title: str,
    legend_title: str,
    y_range: tuple[float, float] | None = None,
    emphasis: str | None = None,
    lang: str = "zh",
) -> go.Figure:
    """One line per `series` over the periods `x` (`rows`: x (period codes, drawn spoken in `lang`, in time order),
    series, y, hover with `\n` between lines), in order of first appearance; missing values break the line (no
    point is drawn for them). With `emphasis`, that series is drawn thick and the others thin and dotted (e.g. an
    index and its components)."""
    figure = go.Figure()
    _, axis = period_axis(rows["x"], lang)
    for i, (name, group) in enumerate(rows.groupby("series", sort=False)):
        line = {"color": PALETTE[i % len(PALETTE)]}
        if emphasis is not None:
            line |= {"width": 4} if name == emphasis else {"width": 1.5, "dash": "dot"}
        figure.add_scatter(
            x=period_axis(group["x"], lang)[0],
            y=group["y"],
            name=str(name),
            mode="lines+markers",
            connectgaps=False,
            line=line,
            marker={"size": 8 if emphasis is None or name == emphasis else 5},
            customdata=group["hover"],
            hovertemplate="%{customdata}<extra></extra>",
        )
    figure.update_layout(
        template=TEMPLATE,
        height=360,
        xaxis={**axis, "title": x_title},
        yaxis={"title": y_title, **({"range": list(y_range)} if y_range else {})},
        legend={"title": {"text": legend_title}},
    )
    return _label_ends(figure, only=emphasis) if emphasis is not None or rows["series"].nunique() <= 4 else figure


@shows_data_as_typed
def stacked_bars(
    rows: pd.DataFrame,
    x_title: str,
    y_title: str,
    legend_title: str,
    horizontal: bool = False,
    order: list[str] | None = None,
) -> go.Figure:
    """Stacked bars (`rows`: x, series, y), series in their order of first appearance. Horizontal bars put
    `x` on the vertical axis, largest total on top; vertical ones in `order` when given (spoken periods: in time
    order, `periods.spoken_order`)."""
    figure = go.Figure()
    totals = rows.groupby("x", sort=False)["y"].sum().sort_values(ascending=horizontal)
    where, count = ("y", "x") if horizontal else ("x", "y")
    for i, (name, group) in enumerate(rows.groupby("series", sort=False)):
        figure.add_bar(
            **{where: group["x"], count: group["y"]},
            orientation="h" if horizontal else "v",
            name=str(name),
            marker_color=PALETTE[i % len(PALETTE)],
            hovertemplate=f"%{{fullData.name}}<br>%{{{where}}}: %{{{count}}}<extra></extra>",
        )
    category = {"type": "category", "title": x_title}
    if horizontal:
        category |= {"categoryorder": "array", "categoryarray": list(totals.index)}
    elif order is not None:
        category |= {"categoryorder": "array", "categoryarray": list(order)}
    value = {"title": y_title, "rangemode": "tozero"}
    figure.update_layout(
        template=TEMPLATE,
        barmode="stack",
        height=_rows_height(len(totals)) if horizontal else 380,
        xaxis=value if horizontal else category,
        yaxis=category if horizontal else value,
        legend={"title": {"text": legend_title}, "traceorder": "normal"},
    )
    return _label_totals(figure, horizontal)


# --- Overview (总览) ---------------------------------------------------------------------------------------


@shows_data_as_typed
def party_index_trend(rows: pd.DataFrame, lang: str, height: int = 340) -> go.Figure:
    """The party-building index and 三会一课 compliance per period
    (`rows`: a `metrics.rollup` frame: period, party_index, meeting_compliance, member_count, branches); the
    hover shows the party members and branches behind each point."""
    members, branches = t("overview.chart.members", lang), t("overview.chart.branches", lang)
    custom = rows[["member_count", "branches"]].fillna(0).astype("int64").to_numpy()
    periods, axis = period_axis(rows["period"], lang)
    figure = go.Figure()
    for column, width, dash, colour in (
        ("party_index", 3, None, PALETTE[0]),
        ("meeting_compliance", 1.5, "dot", PALETTE[1]),
    ):
        name = t(f"overview.chart.{column}", lang)
        figure.add_scatter(
            x=periods,
            y=rows[column],
            customdata=custom,
            name=name,
            mode="lines+markers",
            line={"width": width, "color": colour, "dash": dash},
            hovertemplate=f"{name}<br>%{{x}}: %{{y:.1f}}<br>{members}: %{{customdata[0]:,}} · "
            f"{branches}: %{{customdata[1]}}<extra></extra>",
        )
    figure.update_layout(
        template=TEMPLATE,
        height=height,
        xaxis={**axis, "title": t("overview.chart.period", lang)},
        yaxis={"title": t("overview.chart.score", lang), "range": [0, 108]},
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
    )
    return _label_ends(figure)


# --- Relations (关联分析) -----------------------------------------------------------------------------------


@shows_data_as_typed
def relation_scatter(
    data: pd.DataFrame, line: pd.DataFrame | None, x_title: str, y_title: str, lang: str, height: int = 440
) -> go.Figure:
    """Within-department deviations (`relations.partial_scatter`) coloured by department category, with the
    model's slope and its 95% band (`relations.effect_line`, or none); the hover names the department and the
    period and gives the metric's raw value."""
    figure = go.Figure()
    for trace in _fit_traces(line, lang):
        figure.add_trace(trace)
    _relation_points(figure, data, x_title, y_title, lang)
    figure.add_hline(y=0, line={"color": "#BDBDBD", "width": 1})
    figure.add_vline(x=0, line={"color": "#BDBDBD", "width": 1})
    figure.update_layout(
        template=TEMPLATE,
        height=height,
        xaxis={"title": x_title},
        yaxis={"title": y_title},
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
    )
    return figure


def _fit_traces(line: pd.DataFrame | None, lang: str) -> list[go.Scatter]:
    if line is None:
        return []
    band = go.Scatter(
        x=list(line["x"]) + list(line["x"][::-1]),
        y=list(line["hi"]) + list(line["lo"][::-1]),
        fill="toself",
        fillcolor="rgba(183, 28, 28, 0.12)",
        line={"width": 0},
        hoverinfo="skip",
        name=t("relations.chart.band", lang),
    )
    fit = go.Scatter(
        x=line["x"],
        y=line["fit"],
        mode="lines",
        line={"color": PALETTE[0], "width": 2},
        name=t("relations.chart.fit", lang),
    )
    return [band, fit]


def _relation_points(figure: go.Figure, data: pd.DataFrame, x_title: str, y_title: str, lang: str) -> None:
    raw = t("relations.scatter.raw", lang)
    for i, (category, rows) in enumerate(data.groupby("category", sort=True)):
        name = DepartmentCategory(category).label(lang) if category else t("relations.chart.units", lang)
        figure.add_scatter(
            x=rows["x"],
            y=rows["y"],
            mode="markers",
            name=name,
            marker={"size": 7, "opacity": 0.7, "color": PALETTE[(i + 1) % len(PALETTE)]},
            customdata=rows[["department_name", "period", "x_raw"]]
            .assign(period=period_axis(rows["period"], lang)[0])
            .to_numpy(),
            hovertemplate=f"%{{customdata[0]}} · %{{customdata[1]}}<br>{x_title}: %{{x:.2f}}<br>"
            f"{y_title}: %{{y:.2f}}<br>{raw}: %{{customdata[2]:.2f}}<extra></extra>",
        )


@shows_data_as_typed
def relation_heatmap(table: pd.DataFrame, step: dict[str, float], lang: str, height: int = 380) -> go.Figure:
    """Metrics × outcomes at one lag: colour and number = the within-department effect per `step` of the metric
    (satisfaction points), the estimate the finding and the ★ (q < 0.05) come from; "—" where none is reported."""
    metrics_order = list(dict.fromkeys(table["metric"]))
    outcomes = list(dict.fromkeys(table["outcome"]))
    effect = table.assign(effect=table["fe_coef"] * table["metric"].map(step))
    z = effect.pivot(index="metric", columns="outcome", values="effect").reindex(index=metrics_order, columns=outcomes)
    found = effect.pivot(index="metric", columns="outcome", values="significant").reindex(
        index=metrics_order, columns=outcomes
    )
    text = [
        [
            "—"
            if pd.isna(z.iat[i, j])
            else f"{z.iat[i, j]:+.2f}" + (" ★" if pd.notna(found.iat[i, j]) and bool(found.iat[i, j]) else "")
            for j in range(len(outcomes))
        ]
        for i in range(len(metrics_order))
    ]
    reach = float(np.nanmax(np.abs(z.to_numpy(dtype=float)))) if z.notna().any().any() else 1.0
    figure = go.Figure(
        go.Heatmap(
            z=z.to_numpy(dtype=float),
            x=[t(f"metric.satisfaction_{o}", lang) for o in outcomes],
            y=[t(f"metric.{m}", lang) for m in metrics_order],
            text=text,
            texttemplate="%{text}",
            zmin=-reach,
            zmax=reach,
            colorscale="RdBu_r",
            colorbar={"title": {"text": t("relations.heatmap.colorbar", lang)}},
            xgap=2,
            ygap=2,
            hovertemplate="%{y} → %{x}<br>%{text}<extra></extra>",
        )
    )
    figure.update_layout(template=TEMPLATE, height=height, yaxis={"autorange": "reversed"})
    return figure


@shows_data_as_typed
def lag_profile(table: pd.DataFrame, step: float, lang: str, height: int = 320) -> go.Figure:
    """The within-department effect (per `step` of the metric) with its 95% CI at each lag."""
    rows = table.dropna(subset=["fe_coef"])
    figure = go.Figure(
        go.Scatter(
            x=rows["lag"],
            y=rows["fe_coef"] * step,
            mode="markers+lines",
            line={"color": PALETTE[0]},
            error_y={
                "type": "data",
                "symmetric": False,
                "array": (rows["fe_ci_high"] - rows["fe_coef"]) * step,
                "arrayminus": (rows["fe_coef"] - rows["fe_ci_low"]) * step,
            },
            hovertemplate=f"{t('relations.chart.lag', lang)} %{{x}}: %{{y:.2f}}<extra></extra>",
        )
    )
    figure.add_hline(y=0, line={"color": "#9E9E9E", "dash": "dash"})
    figure.update_layout(
        template=TEMPLATE,
        height=height,
        xaxis={"title": t("relations.chart.lag", lang), "dtick": 1},
        yaxis={"title": t("relations.chart.effect", lang, step=f"{step:g}")},
    )
    return figure


@shows_data_as_typed
def report_chart(chart: Chart, height: int | None = None, font_size: int | None = None) -> go.Figure:
    """A meeting-material chart (`report_model.Chart`) as the page's preview draws it: the same categories,
    values, colours, reference lines and notes the PPTX and PDF carry; a bar's RAG colour has its shape and word
    beside the value ("62.3 ▲ 关注", `point_labels`). `font_size`: larger type (the presentation mode)."""
    digits = chart.digits
    figure = go.Figure()
    if chart.kind == "bar":
        series = chart.series[0]
        colours = [c or series.colour or PALETTE[0] for c in (chart.point_colours or [None] * len(chart.categories))]
        labels = chart.point_labels or [None] * len(chart.categories)
        figure.add_bar(
            x=series.values,
            y=chart.categories,
            orientation="h",
            marker_color=colours,
            text=[
                None if v is None else f"{v:.{digits}f} {label}" if label else f"{v:.{digits}f}"
                for v, label in zip(series.values, labels, strict=True)
            ],
            textposition="outside",
            cliponaxis=False,
            name=series.name,
            showlegend=False,
        )
        noted = [c for c in chart.categories if c in chart.notes]
        if noted:
            figure.add_scatter(
                x=[chart.minimum or 0] * len(noted),
                y=noted,
                mode="text",
                text=[chart.notes[c] for c in noted],
                textposition="middle right",
                textfont={"color": "#757575"},
                hoverinfo="skip",
                showlegend=False,
            )
        for line in chart.references:
            figure.add_vline(x=line.value, line_dash="dash", line_color=line.colour, line_width=1)
        figure.update_layout(
            xaxis={"title": chart.value_title, "range": _range(chart, room=1.22 if any(labels) else 1.08)},
            yaxis={"type": "category", "autorange": "reversed"},
            height=height or _rows_height(len(chart.categories)),
        )
    else:
        for i, series in enumerate(chart.series):
            colour = series.colour or PALETTE[i % len(PALETTE)]
            if chart.kind == "column":
                figure.add_bar(
                    x=chart.categories,
                    y=series.values,
                    name=series.name,
                    marker_color=colour,
                    text=[None if v is None else f"{v:.{digits}f}" for v in series.values],
                    textposition="outside",
                    cliponaxis=False,
                )
            else:
                figure.add_scatter(
                    x=chart.categories, y=series.values, name=series.name, mode="lines+markers", line_color=colour
                )
        for line in chart.references:
            figure.add_hline(y=line.value, line_dash="dash", line_color=line.colour, line_width=1)
        figure.update_layout(
            barmode="group",
            xaxis={"type": "category"},
            yaxis={"title": chart.value_title, "range": _range(chart)},
            height=height or 340,
            legend={"orientation": "h", "y": -0.15},
        )
    figure.update_layout(template=TEMPLATE, title=chart.title)
    if font_size:  # every text: the axes' own fonts too (Streamlit's chart theme sets them smaller)
        figure.update_layout(
            font={"size": font_size},
            title={"font": {"size": round(font_size * 1.2)}},
            legend={"font": {"size": font_size}},
        )
        figure.update_xaxes(tickfont={"size": font_size}, title={"font": {"size": font_size}})
        figure.update_yaxes(tickfont={"size": font_size}, title={"font": {"size": font_size}})
    return figure


def _range(chart: Chart, room: float = 1.08) -> list[float] | None:
    """The value axis's range when the chart fixes it (with `room` for the labels), else None (automatic)."""
    if chart.minimum is None or chart.maximum is None:
        return None
    return [chart.minimum, chart.maximum * room]
