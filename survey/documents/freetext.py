"""The free-text answers of a unit, for the analysts' version of a report only.

An answer is listed only where both the report's unit and the school it came from have
at least k responses of its audience (a text from a school where two families answered
points at them, even inside a district's list). Every text is scrubbed again with the
rule used at storage, and the answers go out in random order, never in the order they
were stored. The text is returned as it is: each renderer escapes it for its medium.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.core.scrub import scrub
from survey.distribution.models import Campaign, School
from survey.documents.respondents import Respondents
from survey.questionnaires.definition import Questionnaire
from survey.respond.models import Answer, Response

#: one listing never holds more (a long report is read by nobody)
MAX_PER_QUESTION = 300

_shuffle = random.SystemRandom().shuffle


def listing(
    session: Session,
    campaign: Campaign,
    questionnaires: Mapping[str, Questionnaire],
    respondents: Respondents,
    level: str,
    unit: str,
    audiences: Iterable[str],
    k: int,
) -> dict[tuple[str, str, str], list[str]]:
    """(audience, questionnaire, variable) -> the texts that may be listed, shuffled."""
    schools = respondents.schools_of.get((level, unit), frozenset())
    found: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for audience in audiences:
        total = respondents.get(level, unit, audience)
        if total.n is None or total.n < k:
            continue  # the unit itself is too small for this audience (or its count hidden)
        allowed = [s for s in schools if respondents.per_school.get((s, audience), 0) >= k]
        if not allowed:
            continue
        text_variables = {
            (qid, v)
            for qid, q in questionnaires.items()
            for v, _question, kind in q.variables()
            if kind == "text"
        }
        rows = session.execute(
            select(Response.questionnaire_id, Answer.variable, Answer.text)
            .join(Response, Answer.response_id == Response.id)
            .join(School, Response.school_id == School.id)
            .where(
                Response.campaign_id == campaign.id,
                Response.audience == audience,
                School.number.in_(allowed),
                Answer.text.is_not(None),
            )
        )
        for qid, variable, text in rows:
            if (qid, variable) not in text_variables:
                continue  # a variable an older version had
            cleaned = scrub(text).strip()
            if cleaned:
                found[(audience, qid, variable)].append(cleaned)
    for texts in found.values():
        _shuffle(texts)
        del texts[MAX_PER_QUESTION:]
    return dict(found)
