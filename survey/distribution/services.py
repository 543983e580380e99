"""The demo world, and the link token's alphabet."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.distribution import frozen
from survey.distribution.models import (
    AUDIENCES,
    Campaign,
    CampaignQuestionnaire,
    CampaignSchool,
    CampaignState,
    District,
    ExpectedCount,
    Link,
    Municipality,
    School,
)

#: No 0/o, 1/l/i: a token copied from a printed flyer must not be misread.
TOKEN_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # noqa: S105 (an alphabet, not a secret)


def new_token(length: int = 12) -> str:
    """12 characters from 31 (about 59 random bits): short enough to type from paper."""
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(length))


@dataclass(frozen=True)
class DemoSchool:
    #: made up: real NRW school numbers do not start with 99
    number: str
    name: str
    school_type: str
    district: str
    sozialindex: int
    #: expected respondents per audience (families, staff, children, partners): about one
    #: family per pupil, the children of the grades asked (3-4 or 5-7), the staff, and the
    #: partners the school works with; the denominators of the dashboard's response rates
    expected: tuple[int, int, int, int]


DEMO_MUNICIPALITY = "Emscherstadt"
#: Nine schools in three districts, of every common type and size, from the most
#: (Sozialindex 9) to the least challenging (1). The first three are the original demo
#: schools: their numbers, names and link tokens never change (printed links stay valid).
#: The smallest (Förderschule, Heidedorf) expect so few staff and partners that
#: suppression bites there. District names are fixed: the demo maps draw these three.
DEMO_DISTRICTS = ("Nord", "Mitte", "Süd")
DEMO_SCHOOLS = (
    DemoSchool("990101", "Grundschule Am Kanal", "Grundschule", "Nord", 7, (210, 24, 95, 8)),
    DemoSchool("990102", "Gesamtschule Zeche Erin", "Gesamtschule", "Nord", 8, (780, 85, 300, 12)),
    DemoSchool("990103", "Grundschule Lindenhof", "Grundschule", "Süd", 3, (260, 26, 120, 6)),
    DemoSchool("990104", "Grundschule Am Marktplatz", "Grundschule", "Mitte", 5, (230, 22, 105, 7)),
    DemoSchool("990105", "Sekundarschule Alte Post", "Sekundarschule", "Mitte", 6, (480, 50, 250, 9)),
    DemoSchool("990106", "Gymnasium am Rosenhügel", "Gymnasium", "Süd", 2, (820, 75, 330, 8)),
    DemoSchool("990107", "Förderschule Regenbogen", "Förderschule", "Nord", 9, (70, 24, 40, 4)),
    DemoSchool("990108", "Realschule Stadtgarten", "Realschule", "Mitte", 4, (540, 45, 260, 6)),
    DemoSchool("990109", "Grundschule Heidedorf", "Grundschule", "Süd", 1, (75, 8, 35, 3)),
)  # fmt: skip
DEMO_QUESTIONNAIRES = {a: a for a in AUDIENCES}  # questionnaire id = audience
DEMO_SLUG = "demo"


def ensure_demo(session: Session) -> list[Link]:
    """Create the demo world, or bring it back to its original state; returns its links.

    Idempotent: running it again finds every object by name and keeps the
    existing link tokens, so printed demo links stay valid.
    """
    municipality = _get_or_add(session, Municipality, name=DEMO_MUNICIPALITY)
    links: list[Link] = []
    campaign = session.scalar(select(Campaign).where(Campaign.slug == DEMO_SLUG))
    if campaign is None:
        campaign = Campaign(
            slug=DEMO_SLUG,
            title="Bestandsaufnahme Familie, Schule und Stadtteil (Demo)",
            municipality=municipality,
        )
        session.add(campaign)
    campaign.state = CampaignState.OPEN
    campaign.opens_on = campaign.closes_on = None
    if campaign.id is not None:  # open again: counts frozen at its close no longer hold
        frozen.thaw(session, campaign.id)
    existing = {q.audience: q for q in campaign.questionnaires}
    for audience, questionnaire_id in DEMO_QUESTIONNAIRES.items():
        if audience in existing:
            existing[audience].questionnaire_id = questionnaire_id
        else:
            campaign.questionnaires.append(
                CampaignQuestionnaire(audience=audience, questionnaire_id=questionnaire_id)
            )
    session.flush()
    for spec in DEMO_SCHOOLS:
        district = _get_or_add(
            session, District, name=spec.district, municipality_id=municipality.id
        )
        school = session.scalar(select(School).where(School.number == spec.number))
        if school is None:
            school = session.scalar(
                select(School).where(School.name == spec.name, School.district_id == district.id)
            )
        if school is None:
            school = School(number=spec.number, name=spec.name, district_id=district.id)
            session.add(school)
        school.number, school.name, school.district_id = spec.number, spec.name, district.id
        school.school_type, school.sozialindex = spec.school_type, spec.sozialindex
        session.flush()
        if session.get(CampaignSchool, (campaign.id, school.id)) is None:
            session.add(CampaignSchool(campaign_id=campaign.id, school_id=school.id))
        for audience, expected in zip(AUDIENCES, spec.expected, strict=True):
            count = session.get(ExpectedCount, (campaign.id, school.id, audience))
            if count is None:
                count = ExpectedCount(
                    campaign_id=campaign.id, school_id=school.id, audience=audience
                )
                session.add(count)
            count.expected = expected  # back to the demo's figure, as everything else
        for audience in AUDIENCES:
            link = session.scalar(
                select(Link)
                .where(
                    Link.campaign_id == campaign.id,
                    Link.school_id == school.id,
                    Link.audience == audience,
                )
                .order_by(Link.revoked)  # the live one if there is one
                .limit(1)
            )
            if link is None:
                link = Link(
                    token=new_token(),
                    campaign_id=campaign.id,
                    school_id=school.id,
                    audience=audience,
                )
                session.add(link)
            link.revoked = False  # the demo's printed links work again
            links.append(link)
    from survey.distribution.outlines import load_demo  # synthetic outlines for the maps

    load_demo(session, municipality)
    session.commit()
    return links


def demo_campaign(session: Session) -> Campaign:
    """The demo campaign (``ensure_demo`` makes it)."""
    return session.scalars(select(Campaign).where(Campaign.slug == DEMO_SLUG)).one()


def _get_or_add(session: Session, model, defaults: dict | None = None, **keys):
    found = session.scalar(select(model).filter_by(**keys))
    if found is None:
        found = model(**keys, **(defaults or {}))
        session.add(found)
        session.flush()
    return found
