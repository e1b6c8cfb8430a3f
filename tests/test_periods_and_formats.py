"""Periods as people say them and numbers as readers see them (`analytics.periods`, `analytics.formats`), against
expectations written out by hand in both languages, for every grain."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analytics import formats
from analytics.charts import period_axis
from analytics.party import period_runs
from analytics.periods import is_code, said, speak, spoken, spoken_order

SPOKEN = [
    ("2025Q4", "2025年第四季度", "Q4 2025"),
    ("2024Q1", "2024年第一季度", "Q1 2024"),
    ("2024Q2", "2024年第二季度", "Q2 2024"),
    ("2023Q3", "2023年第三季度", "Q3 2023"),
    ("2025-03", "2025年3月", "Mar 2025"),
    ("2025-10", "2025年10月", "Oct 2025"),
    ("2024-12", "2024年12月", "Dec 2024"),
    ("2025", "2025年", "2025"),
    ("2024", "2024年", "2024"),
]


@pytest.mark.parametrize(("code", "zh", "en"), SPOKEN)
def test_a_period_reads_as_people_say_it(code, zh, en):
    assert spoken(code, "zh") == zh
    assert spoken(code, "en") == en
    assert spoken(code) == zh  # Chinese is the default, as everywhere
    assert is_code(code)


@pytest.mark.parametrize("text", ["2025Q5", "2025-13", "2025-3", "25Q1", "Q4 2025", "2025年", "as of 2025-03-01"])
def test_anything_else_is_not_a_period(text):
    assert not is_code(text)
    with pytest.raises(ValueError, match="not a period code"):
        spoken(text, "zh")
    assert said(text, "en") == text  # where a period or other text may stand, the text stays as it is


def test_a_placeholder_stays_as_it_is():
    assert spoken("—", "zh") == spoken("—", "en") == "—"
    assert said("2025Q4", "en") == "Q4 2025"


def test_spoken_periods_keep_time_order_where_their_text_would_not():
    codes = pd.Series(["2025-10", "2025-02", "2025-03", "2025-02", None])
    # As text, '2025年10月' sorts before '2025年2月' and 'Feb' before 'Mar' before 'Oct' only by luck of the
    # letters: the order comes from the codes.
    assert spoken_order(codes, "zh") == ["2025年2月", "2025年3月", "2025年10月"]
    assert spoken_order(["2025-04", "2025-03"], "en") == ["Mar 2025", "Apr 2025"]
    assert speak(codes, "en").iloc[:4].to_list() == ["Oct 2025", "Feb 2025", "Mar 2025", "Feb 2025"]
    assert pd.isna(speak(codes, "en").iloc[4])
    labels, axis = period_axis(pd.Series(["2024Q4", "2024Q1"]), "zh")
    # On an axis, the year on a line of its own (twelve quarters fit a tablet's width).
    assert labels == ["2024年\n第四季度", "2024年\n第一季度"]
    assert axis["categoryarray"] == ["2024年\n第一季度", "2024年\n第四季度"] and axis["categoryorder"] == "array"
    assert period_axis(pd.Series(["2025-03", "2025"]), "en")[0] == ["Mar\n2025", "2025"]


class _Panel:  # what `period_runs` reads of a panel: its periods in order
    periods = ("2023Q1", "2023Q2", "2023Q3", "2023Q4", "2024Q1", "2024Q2", "2024Q3")


def test_runs_of_periods_not_reported_are_said_first_to_last():
    missing = ["2024Q3", "2023Q1", "2023Q2", "2023Q3", "2023Q4"]
    assert period_runs(missing, _Panel, "zh") == "2023年第一季度至2023年第四季度、2024年第三季度"
    assert period_runs(missing, _Panel, "en") == "Q1 2023 – Q4 2023, Q3 2024"


@pytest.mark.parametrize(
    ("call", "zh", "en"),
    [
        (lambda L: formats.number(72.345, 1, L), "72.3", "72.3"),
        (lambda L: formats.number(1234.5, 0, L), "1,234", "1,234"),  # half to even, as Python rounds
        (lambda L: formats.number(1234567.891, 2, L), "1,234,567.89", "1,234,567.89"),
        (lambda L: formats.number(None, 1, L), "—", "—"),
        (lambda L: formats.number(math.nan, 1, L), "—", "—"),
        (lambda L: formats.count(1234, L), "1,234", "1,234"),
        (lambda L: formats.count(12.0, L), "12", "12"),
        (lambda L: formats.percent(72.35, 1, L), "72.3%", "72.3%"),  # 72.35 is stored as 72.3499…
        (lambda L: formats.percent(100, 0, L), "100%", "100%"),
        (lambda L: formats.share(0.4249, 0, L), "42%", "42%"),
        (lambda L: formats.change(2.34, 1, L), "+2.3", "+2.3"),
        (lambda L: formats.change(-8.46, 1, L), "-8.5", "-8.5"),
        (lambda L: formats.change(-0.04, 1, L), "0", "0"),  # never "-0.0"
        (lambda L: formats.change(1500, 0, L), "+1,500", "+1,500"),
        (lambda L: formats.pp_change(2.34, 1, L), "+2.3 个百分点", "+2.3 pp"),
        (lambda L: formats.pp_change(-12, 0, L), "-12 个百分点", "-12 pp"),
        (lambda L: formats.change_in(1.25, "points", 1, L), "+1.2 分", "+1.2 pts"),
        (lambda L: formats.change_in(None, "points", 1, L), "—", "—"),
    ],
)
def test_numbers_read_the_same_in_every_place(call, zh, en):
    assert call("zh") == zh
    assert call("en") == en


def test_numbers_round_as_python_formats_them():
    """A card and a table's printf format ('%.1f') must never disagree by a rounding: the same digits as
    Python's own formatting, for awkward values (exact halves, values stored just below or above a half)."""
    for value in (0.05, 0.15, 0.25, 2.675, 72.35, 72.45, 99.95, -1.05, 1e-9, 123.456):
        for digits in (0, 1, 2):
            assert formats.number(value, digits) == f"{value:,.{digits}f}"
            assert formats.percent(value, digits) == f"{value:,.{digits}f}%"
