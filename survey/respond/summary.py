"""The error summary at the top of a step: one entry per problem, linked to its field."""

from __future__ import annotations

from dataclasses import dataclass

from wtforms import Form

from survey.i18n.texts import QuestionnaireTexts
from survey.questionnaires.definition import variables_of
from survey.questionnaires.model import MatrixQuestion, Question


@dataclass(frozen=True)
class Problem:
    question_id: str
    anchor: str  #: id of the field (the first input of a group) the entry links to
    label: str  #: the question (and matrix item) in the page's language
    message: str


def problems(
    form: Form, questions: tuple[Question, ...], texts: QuestionnaireTexts | None
) -> list[Problem]:
    """The form's errors in the order of the page."""
    found = []
    for question in questions:
        items = {f"{question.id}_{i.id}": i for i in getattr(question, "items", ())}
        for variable in variables_of(question):
            field = form._fields.get(variable)
            if field is None or not field.errors:
                continue
            label = texts.label(question) if texts else question.label
            if isinstance(question, MatrixQuestion):
                item = items[variable]
                label = f"{label} – {texts.item(question, item) if texts else item.label}"
            found.append(Problem(question.id, f"f-{variable}", label, str(field.errors[0])))
    return found
