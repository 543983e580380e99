"""Steps: what one screen shows. A page, or a single question when the
questionnaire asks for one question per screen (children on tablets)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from survey.questionnaires.definition import Questionnaire
from survey.questionnaires.model import Page, Question


@dataclass(frozen=True)
class Step:
    number: int  #: 1-based, stable for a questionnaire version (used in URLs)
    page: Page
    questions: tuple[Question, ...]


#: id of a questionnaire -> (the questionnaire, its steps): a definition never changes.
_STEPS: dict[int, tuple[Questionnaire, tuple[Step, ...]]] = {}


def all_steps(questionnaire: Questionnaire) -> tuple[Step, ...]:
    found = _STEPS.get(id(questionnaire))
    if found is None or found[0] is not questionnaire:
        if len(_STEPS) > 1000:  # definitions reloaded many times over
            _STEPS.clear()
        found = _STEPS[id(questionnaire)] = (questionnaire, _steps(questionnaire))
    return found[1]


def _steps(questionnaire: Questionnaire) -> tuple[Step, ...]:
    steps: list[Step] = []
    for page in questionnaire.pages:
        if questionnaire.file.display == "one_per_screen":
            for question in page.questions:
                steps.append(Step(len(steps) + 1, page, (question,)))
        else:
            steps.append(Step(len(steps) + 1, page, page.questions))
    return tuple(steps)


def visible_questions(
    questionnaire: Questionnaire, step: Step, answers: Mapping[str, Any]
) -> tuple[Question, ...]:
    if not questionnaire.page_visible(step.page, answers):
        return ()
    return tuple(q for q in step.questions if questionnaire.question_visible(q, answers))


def visible_steps(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> list[Step]:
    return [s for s in all_steps(questionnaire) if visible_questions(questionnaire, s, answers)]


@dataclass(frozen=True)
class Progress:
    """Where a step stands, as the respondent is told.

    ``position`` counts the visible steps up to this one; conditions may only name
    earlier questions, so it never changes while the person moves on. ``total`` is
    None where the number of steps could still change as later answers open
    follow-up questions on a one-question-per-screen questionnaire: a child told
    "von 21" and then "von 24" feels cheated. The bar then measures against every
    step there could be, so it never jumps backwards.
    """

    position: int
    total: int | None
    value: int
    maximum: int


def progress(questionnaire: Questionnaire, step: Step, answers: Mapping[str, Any]) -> Progress:
    visible = visible_steps(questionnaire, answers)
    position = sum(1 for s in visible if s.number <= step.number) or 1
    if questionnaire.file.display == "one_per_screen":
        return Progress(position, None, step.number, len(all_steps(questionnaire)))
    return Progress(position, len(visible), position, len(visible))
