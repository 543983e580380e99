"""How long a questionnaire takes, estimated from its questions (for flyers and letters).

Seconds per answer to read and tick, from the usual rules of thumb for self-completion
questionnaires (about 3–4 simple closed items a minute, longer for open ones). The
estimate assumes every question is shown, so conditions can only make it shorter.
"""

from __future__ import annotations

import math

from survey.questionnaires.definition import Questionnaire
from survey.questionnaires.model import (
    MatrixQuestion,
    MultiQuestion,
    NumberQuestion,
    TextQuestion,
)

SECONDS = {"matrix_item": 8, "multi": 25, "number": 10, "text": 45, "text_multiline": 75}
#: A single, scale, yes/no or smiley question.
SECONDS_CLOSED = 12
#: Reading the introduction and the promise of anonymity.
SECONDS_INTRO = 45


def seconds(questionnaire: Questionnaire) -> int:
    total = SECONDS_INTRO
    for question in questionnaire.questions():
        if isinstance(question, MatrixQuestion):
            total += 6 + SECONDS["matrix_item"] * len(question.items)
        elif isinstance(question, MultiQuestion):
            total += SECONDS["multi"]
        elif isinstance(question, NumberQuestion):
            total += SECONDS["number"]
        elif isinstance(question, TextQuestion):
            total += SECONDS["text_multiline" if question.multiline else "text"]
        else:
            total += SECONDS_CLOSED
    return total


def minutes(questionnaire: Questionnaire) -> int:
    """The authors' own figure (``minutes:`` in the file), else the estimate in whole minutes,
    rounded up to a multiple of five from ten minutes on ("about 15")."""
    if questionnaire.file.minutes is not None:
        return questionnaire.file.minutes
    raw = math.ceil(seconds(questionnaire) / 60)
    return raw if raw < 10 else 5 * math.ceil(raw / 5)
