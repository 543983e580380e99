"""Raw answers as typed in a form -> typed values, and typed values -> Answer rows.

A draft keeps the raw strings, so that a wrong entry comes back exactly as it
was typed; conditions and storage use the typed values.

Every raw value passes ``normalize`` first (forms, drafts and the final check
all see the same thing): one value per single-answer variable, the first that
is not blank; no control characters; no more values and characters than the
question can hold. WTForms then validates exactly what will be typed and stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from survey.core.scrub import scrub
from survey.questionnaires.conditions import Unordered
from survey.questionnaires.definition import Questionnaire, VariableKind, variables_of
from survey.questionnaires.model import (
    DONT_KNOW,
    NUMBER_LIMIT,
    OTHER,
    MultiQuestion,
    NumberQuestion,
    Question,
    TextQuestion,
)

Raw = Mapping[str, list[str]]

# Free text must not carry contact details into the data: they are replaced (``scrub``).
#: Larger answers to a number question are not plausible and would not fit every column type.
MAX_NUMBER = NUMBER_LIMIT
#: The text written after "anderes, und zwar:".
OTHER_MAX_LENGTH = 200
#: A code or a number is never longer than this as typed (sign, digits, spaces).
MAX_CODE_CHARS = 24
#: A draft keeps a too-long text up to this many times its maximum, so that the
#: respondent sees it again and can shorten it; anything beyond is cut.
OVERLONG_FACTOR = 2
#: NUL and the other C0/C1 controls (tab, line feed and carriage return excepted),
#: plus the Unicode non-characters: nobody types them, PostgreSQL refuses NUL in text.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_INTEGER = re.compile(r"[+-]?\d{1,18}")


def strip_controls(text: str) -> str:
    return _CONTROL.sub("", text)


def max_length_of(question: Question, variable: str) -> int:
    """The longest text a variable may store."""
    if isinstance(question, TextQuestion) and variable == question.id:
        return question.max_length
    return OTHER_MAX_LENGTH


def normalize(
    questionnaire: Questionnaire, questions: Iterable[Question], formdata: Any
) -> dict[str, list[str]]:
    """What a step's form posted, cut down to what its questions can hold.

    ``formdata`` is anything with ``getlist`` (a request's form, a MultiDict);
    variables of other questions are ignored, so a post cannot grow a draft.
    """
    kinds = {variable: kind for variable, _q, kind in questionnaire.variables()}
    raw: dict[str, list[str]] = {}
    for question in questions:
        for variable in variables_of(question):
            values = [strip_controls(str(v)).strip() for v in formdata.getlist(variable)]
            raw[variable] = _bounded(questionnaire, question, variable, kinds[variable], values)
    return raw


def normalize_raw(questionnaire: Questionnaire, raw: Raw) -> dict[str, list[str]]:
    """``normalize`` for a whole stored draft (older drafts were not normalized)."""
    questions = {q.id: q for q in questionnaire.questions()}
    kinds = {}
    owner = {}
    for variable, question, kind in questionnaire.variables():
        kinds[variable] = kind
        owner[variable] = questions[question.id]
    cleaned: dict[str, list[str]] = {}
    for variable, values in raw.items():
        if variable not in kinds or not isinstance(values, list):
            continue
        texts = [strip_controls(str(v)).strip() for v in values]
        cleaned[variable] = _bounded(
            questionnaire, owner[variable], variable, kinds[variable], texts
        )
    return cleaned


def _bounded(
    questionnaire: Questionnaire,
    question: Question,
    variable: str,
    kind: VariableKind,
    values: list[str],
) -> list[str]:
    present = [v for v in values if v]
    if kind == "codes":
        unique = list(dict.fromkeys(v[:MAX_CODE_CHARS] for v in present))
        # One more than the list offers is enough to tell that something is wrong.
        return unique[: len(questionnaire.options.get(question.id, ())) + 1]
    if not present:
        return []
    if kind == "text":
        return [present[0][: max_length_of(question, variable) * OVERLONG_FACTOR]]
    return [present[0][:MAX_CODE_CHARS]]


def parse_integer(text: str) -> int | None:
    """An integer as a person types it: optional sign and decimal digits (any script)."""
    text = text.strip()
    if not _INTEGER.fullmatch(text):
        return None
    return int(text)


def typed_value(kind: VariableKind, raw: list[str]) -> Any:
    """The value a condition sees; None for unanswered or unparseable.

    Single answers take the first value that is not blank, as ``normalize`` keeps it.
    """
    values = [v.strip() for v in raw if isinstance(v, str) and v.strip()]
    if not values:
        return None
    if kind == "codes":
        codes = [parse_integer(v) for v in values]
        return None if None in codes else sorted(set(codes))  # type: ignore[type-var]
    if kind == "code":
        code = parse_integer(values[0])
        if code is None:
            return None
        return Unordered(code) if code in (DONT_KNOW, OTHER) else code
    if kind == "number":
        number = parse_integer(values[0])
        return number if number is not None and abs(number) <= MAX_NUMBER else None
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
                # A replaced phone number may be longer than what it replaced.
                text = scrub(value)[: max_length_of(question, variable)]
                yield {"variable": variable, "ordinal": 0, "text": text}


def _other_chosen(question: Question, raw: Raw, kinds: Mapping[str, VariableKind]) -> bool:
    chosen = typed_value(kinds[question.id], raw.get(question.id, []))
    return OTHER in (chosen if isinstance(chosen, list) else [chosen])


def definition_problems(questionnaire: Questionnaire, raw: Raw) -> list[str]:
    """Why these answers may not be stored, as ``variable: problem`` (never a value).

    The last check before a response is written, independent of the forms: every
    visible question's answer must be one its definition allows (codes offered,
    numbers within bounds, texts within their length and free of control
    characters, ``max_choices`` and exclusive answers respected), every required
    visible question answered, and "other" explained when ticked.
    """
    from survey.respond.steps import visible_questions, visible_steps

    kinds = {variable: kind for variable, _q, kind in questionnaire.variables()}
    typed = typed_answers(questionnaire, raw)
    found: list[str] = []
    for step in visible_steps(questionnaire, typed):
        for question in visible_questions(questionnaire, step, typed):
            for variable in variables_of(question):
                values = [v for v in raw.get(variable, []) if isinstance(v, str) and v.strip()]
                value = typed_value(kinds[variable], values)
                problem = _problem(
                    questionnaire, question, variable, kinds[variable], values, value
                )
                if (
                    problem is None
                    and variable == f"{question.id}_other"
                    and value is None
                    and _other_chosen(question, raw, kinds)
                ):
                    problem = "other ticked but not explained"
                if problem:
                    found.append(f"{variable}: {problem}")
    return found


def _problem(
    questionnaire: Questionnaire,
    question: Question,
    variable: str,
    kind: VariableKind,
    values: list[str],
    value: Any,
) -> str | None:
    is_other = variable == f"{question.id}_other"
    if value is None:
        if values:
            return "unreadable"
        return "required" if question.required and not is_other else None
    if kind == "text":
        if len(value) > max_length_of(question, variable):
            return "too long"
        if _CONTROL.search(value):
            return "control characters"
        return None
    if kind == "number":
        assert isinstance(question, NumberQuestion)
        low = -MAX_NUMBER if question.min is None else question.min
        high = MAX_NUMBER if question.max is None else question.max
        return None if low <= value <= high else "out of bounds"
    offered = {c.value: c for c in questionnaire.options.get(question.id, ())}
    codes = value if kind == "codes" else [int(value)]
    if any(code not in offered for code in codes):
        return "not offered"
    if isinstance(question, MultiQuestion):
        if question.max_choices and len(codes) > question.max_choices:
            return "too many"
        if len(codes) > 1 and any(offered[c].exclusive for c in codes):
            return "exclusive answer combined"
    return None
