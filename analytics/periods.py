"""Periods: the Python side of the `period_label` SQL macro ('2024Q1', '2024-03', '2024')."""

from __future__ import annotations

import datetime as dt

import pandas as pd


def quarter_label(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def quarter_starts(first_year: int, last_year: int) -> pd.DatetimeIndex:
    """The first day of every quarter from `first_year`Q1 to `last_year`Q4."""
    return pd.date_range(f"{first_year}-01-01", f"{last_year}-10-01", freq="QS")


_QUARTERS_ZH = ("一", "二", "三", "四")


def spoken(label: str, lang: str = "zh") -> str:
    """A period label as people say it: '2025Q4' → '2025年第四季度' / 'Q4 2025', '2025-03' → '2025年3月' /
    'Mar 2025', '2025' → '2025年' / '2025'."""
    if "Q" in label:
        year, quarter = label.split("Q")
        return f"{year}年第{_QUARTERS_ZH[int(quarter) - 1]}季度" if lang == "zh" else f"Q{quarter} {year}"
    if "-" in label:
        day = dt.date.fromisoformat(f"{label}-01")
        return f"{day.year}年{day.month}月" if lang == "zh" else day.strftime("%b %Y")
    return f"{label}年" if lang == "zh" else label
