"""Figures as a report writes them: one percent format and one number format, Babel's
(CLDR's) for the report's locale, for every renderer (the report model, the maps'
labels and legends). Nothing formats a figure by hand.

Shares come from the engine rounded to one decimal; they are rounded again here (a
float's noise must never show as "42,499999 %") and written with the decimal only where
there is one: "42 %", "42,5 %" (German: a comma and a no-break space before the sign).
Cached: Babel parses its pattern on every call, and a report repeats the same few
hundred values.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from babel.numbers import format_decimal, format_percent

#: the language every report is written in (DESIGN.md: reports are in German)
REPORT_LOCALE = "de"


def percent_text(value: float, locale: str = REPORT_LOCALE) -> str:
    """A share in percent (62.4 -> "62,4 %" in German)."""
    return _percent(round(float(value), 1) + 0.0, locale)


def number_text(value: float, locale: str = REPORT_LOCALE, decimals: int = 1) -> str:
    """A count or a statistic (1234 -> "1.234", 3.75 -> "3,8" in German)."""
    return _number(round(float(value), decimals) + 0.0, locale)


@lru_cache(maxsize=8192)
def _percent(value: float, locale: str) -> str:
    return format_percent(Decimal(repr(value)) / 100, locale=locale, decimal_quantization=False)


@lru_cache(maxsize=8192)
def _number(value: float, locale: str) -> str:
    return format_decimal(Decimal(repr(value)), locale=locale, decimal_quantization=False)
