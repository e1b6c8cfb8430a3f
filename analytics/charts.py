"""Plotly figures in the product's one theme. Pure functions of DataFrames; no streamlit."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analytics.i18n import t
from analytics.schema import RecordKind

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


def coverage_heatmap(coverage: pd.DataFrame, lang: str) -> go.Figure:
    """Records per kind and quarter, with the counts written in the cells."""
    matrix = coverage_matrix(coverage)
    labels = [RecordKind(kind).label(lang) for kind in matrix.index]
    text = matrix.map(lambda v: "" if pd.isna(v) else f"{int(v):,}")
    figure = go.Figure(
        go.Heatmap(
            # Shade each kind against its own busiest quarter: responses outnumber the rest by far.
            z=matrix.div(matrix.max(axis=1), axis=0).to_numpy(dtype=float),
            x=list(matrix.columns),
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
