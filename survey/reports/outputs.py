"""Files from the suppressed frames: the tidy CSV, the breakdowns CSV beside it (and the
XLSX workbook).

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


def breakdowns_csv(frame: pd.DataFrame, language: str = "de") -> bytes:
    """The breakdowns CSV: BREAKDOWN_COLUMNS with the group's name (``group_label``, in
    ``language``) after its code; UTF-8 with BOM, hidden figures empty, every text cell
    neutralised as in the tidy CSV."""
    from survey.reports.breakdowns import BREAKDOWN_COLUMNS, group_label

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    columns = [*BREAKDOWN_COLUMNS[:5], "group_label", *BREAKDOWN_COLUMNS[5:]]
    writer.writerow(columns)
    labels: dict[tuple[str, str], str] = {}
    for row in frame[BREAKDOWN_COLUMNS].itertuples(index=False):
        level, unit, parent, breakdown, group, audience, questionnaire, question, value, n, pc = row
        if (breakdown, group) not in labels:
            labels[(breakdown, group)] = group_label(breakdown, group, language)
        texts = (level, unit, parent, breakdown, group, labels[(breakdown, group)], audience,
                 questionnaire, question, value)  # fmt: skip
        writer.writerow([*(neutralise(str(x)) for x in texts), _number(n), _number(pc)])
    return out.getvalue().encode("utf-8-sig")
