"""Numbers as a reader sees them on cards, in sentences and in the meeting material, in the reader's language.

Every function takes the value as computed and returns text, "—" for a missing value (None or NaN). The digits and
grouping come from Babel (`babel.numbers`, CLDR's locale data) with explicit patterns, so a card, its help text and
the material say the same figure the same way:

* `number(72.345)` '72.3'; `number(1234.5, 0)` '1,235' (grouped);
* `count(1234)` '1,234';
* `percent(72.3)` '72.3%': the value in percent (0–100, as the panel stores rates); `share(0.42)` '42%': a fraction;
* `change(2.34)` '+2.3', `change(-2.34)` '-2.3', and exactly '0' when it rounds to zero (no '+0.0' or '-0.0':
  Streamlit's cards then show no arrow);
* `pp_change(2.34, lang=…)` '+2.3 个百分点' / '+2.3 pp': a change of a rate in percentage points (`i18n.unit`).

Values are rounded as Python's own formatting rounds them (half to even on the float's exact value, which
`Decimal(float)` keeps), so `number(x, 1) == f"{x:.1f}"` for any float `x` below a thousand.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
from babel import Locale
from babel.numbers import format_decimal, format_percent

from analytics.i18n import unit
from analytics.periods import LOCALES

MISSING = "—"


def _locale(lang: str) -> Locale:
    return LOCALES["en" if lang == "en" else "zh"]


def missing(value: object) -> bool:
    """None, NaN, NA or NaT: a cell with nothing to show."""
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _exact(value: object) -> Decimal:
    """The value as a Decimal without rounding on the way (a float's exact binary value, not its shortest repr)."""
    return value if isinstance(value, Decimal) else Decimal(float(value))


def _pattern(digits: int) -> str:
    return "#,##0" + ("." + "0" * digits if digits > 0 else "")


def number(value: object, digits: int = 1, lang: str = "zh") -> str:
    """'1,234.5': `digits` decimals, grouped."""
    if missing(value):
        return MISSING
    return format_decimal(_exact(value), _pattern(digits), locale=_locale(lang))


def count(value: object, lang: str = "zh") -> str:
    """'1,234': a whole number, grouped."""
    if missing(value):
        return MISSING
    return format_decimal(int(value), "#,##0", locale=_locale(lang))


def percent(value: object, digits: int = 1, lang: str = "zh") -> str:
    """'72.3%' for a rate stored in percent (0–100)."""
    if missing(value):
        return MISSING
    return format_percent(_exact(value).scaleb(-2), _pattern(digits) + "%", locale=_locale(lang))


def share(value: object, digits: int = 0, lang: str = "zh") -> str:
    """'42%' for a fraction (0–1)."""
    if missing(value):
        return MISSING
    return format_percent(_exact(value), _pattern(digits) + "%", locale=_locale(lang))


def change(value: object, digits: int = 1, lang: str = "zh") -> str:
    """'+2.3' / '-2.3', or '0' when it rounds to zero at `digits`."""
    if missing(value):
        return MISSING
    exact = _exact(value)
    if round(exact, digits) == 0:
        return "0"
    pattern = _pattern(digits)
    return format_decimal(exact, f"+{pattern};-{pattern}", locale=_locale(lang))


def change_in(value: object, unit_name: str, digits: int = 1, lang: str = "zh") -> str:
    """A signed change with its unit ('+2.3 分', '-8 人次'); '—' stays bare."""
    return unit(change(value, digits, lang), unit_name, lang)


def pp_change(value: object, digits: int = 1, lang: str = "zh") -> str:
    """A change of a rate in percentage points: '+2.3 个百分点' / '+2.3 pp'."""
    return change_in(value, "pp", digits, lang)
