"""Files from the suppressed frames: the tidy CSV (and the XLSX workbook).

Every text cell that a spreadsheet would read as a formula (it begins with =, +, -
or @, or a tab or carriage return that some programs strip first) gets a leading
apostrophe, in every spreadsheet and CSV output.
"""

from __future__ import annotations

import csv
import io
import math

import pandas as pd

from survey.reports.figures import TIDY_COLUMNS

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """A text cell that no spreadsheet runs as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _number(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if float(value).is_integer():
        return str(int(value))
    return f"{float(value):.1f}"


def tidy_csv(frame: pd.DataFrame) -> bytes:
    """The tidy CSV: exactly TIDY_COLUMNS, UTF-8 with BOM (Excel reads it right away),
    hidden figures empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TIDY_COLUMNS)
    for row in frame[TIDY_COLUMNS].itertuples(index=False, name=None):
        level, unit, parent, audience, questionnaire, question, value, n, percent = row
        writer.writerow(
            [
                *(neutralise(str(x)) for x in (level, unit, parent, audience, questionnaire,
                                               question, value)),
                _number(n),
                _number(percent),
            ]
        )  # fmt: skip
    return out.getvalue().encode("utf-8-sig")
