"""Worlds with exact group sizes for report tests: places, a campaign, responses.

Responses are inserted in bulk, as the respond flow stores them (one Answer row per
code, number or text; a multiple choice one row per tick, numbered from 0).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from survey.distribution.models import (
    Campaign,
    CampaignQuestionnaire,
    CampaignState,
    District,
    Municipality,
    School,
)
from survey.respond.models import Answer, Response

DAY = date(2026, 11, 20)

#: the world of the figures' and breakdowns' tests: school -> (district, school type),
#: and how many families answered at each (one school below k)
SCHOOLS = {
    "Nordschule": ("Nord", "Grundschule"),
    "Hafenschule": ("Nord", "Grundschule"),
    "Kleine Schule": ("Nord", "Förderschule"),
    "Südschule": ("Süd", "Gesamtschule"),
    "Bergschule": ("Süd", "Grundschule"),
    "Waldschule": ("Ost", "Gymnasium"),
}
SIZES = {"Nordschule": 40, "Hafenschule": 23, "Kleine Schule": 3, "Südschule": 31,
         "Bergschule": 9, "Waldschule": 17}  # fmt: skip
#: the share of a school's families answering in each language
LANGUAGE_SHARES = (("de", 0.6), ("tr", 0.25), ("ar", 0.15))


@dataclass
class World:
    campaign: Campaign
    schools: dict[str, School]
    #: every stored answer: (school name, audience, questionnaire, language, {variable: value})
    answers: list[tuple[str, str, str, str, dict[str, Any]]] = field(default_factory=list)


def make_world(
    session: Session,
    schools: Mapping[str, tuple[str, str]],
    *,
    slug: str = "c1",
    municipality: str = "Musterstadt",
    is_open: bool = False,
    questionnaires: Mapping[str, str] | None = None,
) -> World:
    """``schools``: name -> (district, school type)."""
    muni = Municipality(name=municipality)
    session.add(muni)
    session.flush()
    districts: dict[str, District] = {}
    found: dict[str, School] = {}
    for number, (name, (district, kind)) in enumerate(schools.items(), start=100001):
        if district not in districts:
            districts[district] = District(name=district, municipality_id=muni.id)
            session.add(districts[district])
            session.flush()
        found[name] = School(
            number=str(number), name=name, school_type=kind, district_id=districts[district].id
        )
        session.add(found[name])
    campaign = Campaign(
        slug=slug,
        title=slug,
        municipality=muni,
        state=CampaignState.OPEN if is_open else CampaignState.CLOSED,
    )
    for audience, qid in (questionnaires or {"families": "families"}).items():
        campaign.questionnaires.append(
            CampaignQuestionnaire(audience=audience, questionnaire_id=qid)
        )
    session.add(campaign)
    session.flush()
    return World(campaign, found)


def make_families(
    session: Session, world: World, sizes: Mapping[str, int], rnd: random.Random
) -> None:
    """``sizes[school]`` families at each school answering ``random_family``, split over
    the answer languages by LANGUAGE_SHARES."""
    for school, size in sizes.items():
        for language, share in LANGUAGE_SHARES:
            families = [random_family(rnd) for _ in range(round(size * share))]
            make_responses(session, world, school, families, language=language)


def make_responses(
    session: Session,
    world: World,
    school: str,
    answers: Iterable[Mapping[str, Any]],
    *,
    audience: str = "families",
    questionnaire: str = "families",
    language: str = "de",
) -> None:
    """One response per mapping variable -> value: an int is a code, a list the ticks of a
    multiple choice, a float a number, a str a text."""
    responses, rows = [], []
    for given in answers:
        rid = uuid.uuid4()
        responses.append(
            dict(id=rid, campaign_id=world.campaign.id, school_id=world.schools[school].id,
                 audience=audience, questionnaire_id=questionnaire, questionnaire_version="test",
                 language=language, submitted_on=DAY, complete=True)
        )  # fmt: skip
        for variable, value in given.items():
            if isinstance(value, list):
                rows += [dict(response_id=rid, variable=variable, ordinal=i, code=c)
                         for i, c in enumerate(sorted(value))]  # fmt: skip
            elif isinstance(value, bool | int):
                rows.append(dict(response_id=rid, variable=variable, ordinal=0, code=int(value)))
            elif isinstance(value, float):
                rows.append(dict(response_id=rid, variable=variable, ordinal=0, number=value))
            else:
                rows.append(dict(response_id=rid, variable=variable, ordinal=0, text=value))
        world.answers.append((school, audience, questionnaire, language, dict(given)))
    if responses:
        session.execute(insert(Response), responses)
    if rows:
        session.execute(insert(Answer), rows)
    session.flush()


def random_family(rnd: random.Random) -> dict[str, Any]:
    """An answer to the fixture families questionnaire, skewed, with gaps."""
    found: dict[str, Any] = {"welcome": rnd.choice([1, 2, 3, 3, 4, 4, 4, 99])}
    if rnd.random() < 0.8:
        found["info_channel"] = sorted(rnd.sample([1, 2, 3, 4], rnd.randint(1, 3)))
    if rnd.random() < 0.9:
        found["info_enough"] = rnd.choice([0, 1, 1, 99])
    for item in ("parents_evening", "school_party", "talk"):
        if rnd.random() < 0.7:
            found[f"events_{item}"] = rnd.choice([1, 2, 3])
    if rnd.random() < 0.6:
        found["children_count"] = float(rnd.choice([1, 1, 2, 2, 3, 4]))
    if rnd.random() < 0.3:
        found["wish"] = '=HYPERLINK("http://x")'
    return found
