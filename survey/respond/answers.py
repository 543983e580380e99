"""Raw answers as typed in a form -> typed values, and typed values -> Answer rows.

A draft keeps the raw strings, so that a wrong entry comes back exactly as it
was typed; conditions and storage use the typed values.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from survey.questionnaires.conditions import Unordered
from survey.questionnaires.definition import Questionnaire, VariableKind, variables_of
from survey.questionnaires.model import DONT_KNOW, OTHER, Question

Raw = Mapping[str, list[str]]

# Free text must not carry contact details into the data: they are replaced.
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w])(?:\+|00)?\d(?:[\s/().-]{0,2}\d){5,}(?![\w])")
REDACTED = "[entfernt]"
#: Larger answers to a number question are not plausible and would not fit every column type.
MAX_NUMBER = 10**9


def scrub(text: str) -> str:
    """Remove e-mail addresses and phone numbers (six or more digits in a row, spaced or not)."""
    return _PHONE.sub(REDACTED, _EMAIL.sub(REDACTED, text))


def typed_value(kind: VariableKind, raw: list[str]) -> Any:
    """The value a condition sees; None for unanswered or unparseable."""
    values = [v.strip() for v in raw if v and v.strip()]
    if not values:
        return None
    try:
        if kind == "codes":
            return sorted({int(v) for v in values})
        if kind == "code":
            code = int(values[0])
            return Unordered(code) if code in (DONT_KNOW, OTHER) else code
        if kind == "number":
            number = int(values[0])
            return number if abs(number) <= MAX_NUMBER else None
    except ValueError:
        return None
    return values[0]


def typed_answers(questionnaire: Questionnaire, raw: Raw) -> dict[str, Any]:
    return {
        variable: typed_value(kind, raw[variable])
        for variable, _question, kind in questionnaire.variables()
        if variable in raw
    }


def answer_rows(
    questionnaire: Questionnaire, questions: list[Question], raw: Raw
) -> Iterator[dict[str, Any]]:
    """Column values for the Answer rows of the given (visible, validated) questions."""
    kinds = {variable: kind for variable, _q, kind in questionnaire.variables()}
    for question in questions:
        for variable in variables_of(question):
            value = typed_value(kinds[variable], raw.get(variable, []))
            if (
                value is None
                or variable == f"{question.id}_other"
                and not _other_chosen(question, raw, kinds)
            ):
                continue
            kind = kinds[variable]
            if kind == "codes":
                for ordinal, code in enumerate(value):
                    yield {"variable": variable, "ordinal": ordinal, "code": code}
            elif kind == "code":
                yield {"variable": variable, "ordinal": 0, "code": value}
            elif kind == "number":
                yield {"variable": variable, "ordinal": 0, "number": value}
            else:
                yield {"variable": variable, "ordinal": 0, "text": scrub(value)}


def _other_chosen(question: Question, raw: Raw, kinds: Mapping[str, VariableKind]) -> bool:
    chosen = typed_value(kinds[question.id], raw.get(question.id, []))
    return OTHER in (chosen if isinstance(chosen, list) else [chosen])
