"""How long a questionnaire takes: words read, items answered, and an honest estimate.

The estimate is reading time plus answering time, from assumptions stated here
so that an intro's "etwa N Minuten" can be recomputed after every change
(``benchmarks/instrument_length.py`` prints it; a test holds the intros to it).
Counted are all texts a respondent may see, on the longest path (every
follow-up shown): titles, intros, questions, help, answers (built-in ones too),
a matrix's scale once. Items are the answers given (a matrix item is one).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from survey.questionnaires.definition import Questionnaire
from survey.questionnaires.model import MatrixQuestion, NumberQuestion, TextQuestion

#: Words per minute read, by audience: parents reading German at about A2 level
#: (in their own language they read faster), children in grade 3 reading on a
#: tablet, adults reading their working language and skimming familiar scales.
WORDS_PER_MINUTE = {"families": 90, "children": 70, "staff": 180, "partners": 180}
#: Seconds to choose an answer (or tick a list) once the question is read.
SECONDS_PER_ITEM = {"families": 6, "children": 6, "staff": 4, "partners": 4}
#: Seconds for a free-text answer that someone actually writes (most skip it).
SECONDS_PER_TEXT = 30

_WORD = re.compile(r"\w+(?:[-'’]\w+)*")


@dataclass(frozen=True)
class Length:
    words: int
    items: int
    texts: int
    minutes: float

    @property
    def rounded(self) -> int:
        """The minutes an intro should promise: rounded up to whole minutes."""
        return math.ceil(self.minutes)


def words(text: str | None) -> int:
    return len(_WORD.findall(text or ""))


def measure(questionnaire: Questionnaire) -> Length:
    count = words(questionnaire.title) + words(questionnaire.intro)
    items = texts = 0
    for page in questionnaire.pages:
        count += words(page.title) + words(page.intro)
        for question in page.questions:
            count += words(question.label) + words(question.help)
            if isinstance(question, TextQuestion):
                texts += 1
                continue
            if isinstance(question, NumberQuestion):
                count += words(question.unit)
                items += 1
                continue
            count += sum(words(c.label) for c in questionnaire.options[question.id])
            if isinstance(question, MatrixQuestion):
                count += sum(words(i.label) for i in question.items)
                items += len(question.items)
            else:
                items += 1
    audience = questionnaire.audience
    minutes = (
        count / WORDS_PER_MINUTE[audience]
        + items * SECONDS_PER_ITEM[audience] / 60
        + texts * SECONDS_PER_TEXT / 60
    )
    return Length(words=count, items=items, texts=texts, minutes=minutes)


_PROMISE = re.compile(r"(?:etwa|ungefähr) (\d+)(?: bis (\d+))? Minuten")


def promised_minutes(questionnaire: Questionnaire) -> tuple[int, int] | None:
    """The range of minutes the intro states ("etwa 12 Minuten", "etwa 15 bis 20 Minuten")."""
    found = _PROMISE.search(questionnaire.intro)
    if not found:
        return None
    low = int(found.group(1))
    return low, int(found.group(2) or low)
