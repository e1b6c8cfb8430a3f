"""Periods: the Python side of the `period_label` SQL macro ('2024Q1', '2024-03', '2024'), and how a reader sees them.

A period CODE ('2025Q4', '2025-03', '2025') is what the data is keyed by: the panel, SQL, the URL (`f_from=2025Q1`),
JSON from the command line and download file names (they sort). Everything a person reads says the period as people
say it (`spoken`): '2025年第四季度' / 'Q4 2025', '2025年3月' / 'Mar 2025', '2025年' / '2025', in the words of the
Unicode CLDR locale data (Babel), nothing hand-written. Codes sort as text in time order; spoken labels do not
('Apr 2025' < 'Mar 2025', '2025年10月' < '2025年2月'), so order by the code and speak it last (`spoken_order`).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable

import pandas as pd
from babel import Locale
from babel.dates import format_date, format_skeleton

CODE = re.compile(r"(?P<year>\d{4})(?:Q(?P<quarter>[1-4])|-(?P<month>0[1-9]|1[0-2]))?")
# As `i18n.t`: any language but English reads Chinese. Parsed once: Babel parses a locale given by name at every
# call, which made formatting a number cost 150 µs rather than 10.
LOCALES = {"zh": Locale.parse("zh_CN"), "en": Locale.parse("en")}
PLACEHOLDERS = ("—", "")  # shown as they are: no period (say, before the data starts)


def quarter_label(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def quarter_starts(first_year: int, last_year: int) -> pd.DatetimeIndex:
    """The first day of every quarter from `first_year`Q1 to `last_year`Q4."""
    return pd.date_range(f"{first_year}-01-01", f"{last_year}-10-01", freq="QS")


def is_code(text: object) -> bool:
    """Whether `text` is a period code ('2025Q4', '2025-03', '2025')."""
    return isinstance(text, str) and CODE.fullmatch(text) is not None


@functools.lru_cache(maxsize=4096)
def spoken(label: str, lang: str = "zh") -> str:
    """A period code as people say it, from CLDR's data: '2025Q4' → '2025年第四季度' / 'Q4 2025', '2025-03' →
    '2025年3月' / 'Mar 2025', '2025' → '2025年' / '2025'. '—' and '' stay as they are; anything else raises."""
    if label in PLACEHOLDERS:
        return label
    match = CODE.fullmatch(label) if isinstance(label, str) else None
    if match is None:
        raise ValueError(f"not a period code: {label!r} (expected e.g. 2025Q4, 2025-03 or 2025)")
    locale = LOCALES["en" if lang == "en" else "zh"]
    year = int(match["year"])
    if match["quarter"]:
        day = dt.date(year, 3 * int(match["quarter"]) - 2, 1)
        # CLDR's zh skeleton gives 第4季度; the wide quarter name (QQQQ) is the 第四季度 people write.
        return (
            format_date(day, "y年QQQQ", locale=locale) if lang != "en" else format_skeleton("yQQQ", day, locale=locale)
        )
    if match["month"]:
        return format_skeleton("yMMM", dt.date(year, int(match["month"]), 1), locale=locale)
    return format_skeleton("y", dt.date(year, 1, 1), locale=locale)


def said(text: str, lang: str) -> str:
    """`text` spoken if it is a period code, else as it is (a placeholder, "as of" a day, a value from an edited
    link): for a place that holds a period or something else."""
    return spoken(text, lang) if is_code(text) else text


def spoken_order(labels: Iterable[str], lang: str) -> list[str]:
    """The distinct codes among `labels`, in time order, spoken: a chart's category axis."""
    return [spoken(label, lang) for label in sorted({str(label) for label in labels if pd.notna(label)})]


def speak(labels: pd.Series, lang: str) -> pd.Series:
    """A column of codes spoken (missing values stay missing): a table's or a chart's period column."""
    return labels.map(lambda label: spoken(str(label), lang), na_action="ignore")
