"""Valid answers for any question, so that a test can walk any questionnaire."""

from __future__ import annotations

from survey.questionnaires.definition import Questionnaire
from survey.questionnaires.model import (
    MatrixQuestion,
    MultiQuestion,
    NumberQuestion,
    Question,
    SingleQuestion,
    TextQuestion,
)


def valid_answer(questionnaire: Questionnaire, q: Question) -> dict[str, str | list[str]]:
    """A valid, non-"don't know" answer for every variable of ``q``."""
    if isinstance(q, NumberQuestion):
        return {q.id: str(q.min if q.min is not None else 3)}
    if isinstance(q, TextQuestion):
        return {q.id: "Mehr Zeit für Gespräche"}
    codes = [
        str(c.value)
        for c in questionnaire.options[q.id]
        if c.value not in (98, 99) and not c.exclusive
    ]
    if isinstance(q, MatrixQuestion):
        return {f"{q.id}_{item.id}": codes[-1] for item in q.items}
    if isinstance(q, MultiQuestion):
        return {q.id: codes[:2]}
    if isinstance(q, SingleQuestion):
        return {q.id: codes[0]}
    return {q.id: codes[-1]}


def answers_for(questionnaire: Questionnaire, questions) -> dict[str, str | list[str]]:
    data: dict[str, str | list[str]] = {}
    for q in questions:
        data.update(valid_answer(questionnaire, q))
    return data
