"""Periods: the Python side of the `period_label` SQL macro ('2024Q1', '2024-03', '2024')."""

from __future__ import annotations

import datetime as dt

import pandas as pd


def quarter_label(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def quarter_starts(first_year: int, last_year: int) -> pd.DatetimeIndex:
    """The first day of every quarter from `first_year`Q1 to `last_year`Q4."""
    return pd.date_range(f"{first_year}-01-01", f"{last_year}-10-01", freq="QS")
