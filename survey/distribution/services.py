"""Setting up places, campaigns and links."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.distribution.models import (
    AUDIENCES,
    Campaign,
    CampaignQuestionnaire,
    District,
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
    name: str
    school_type: str
    district: str


DEMO_MUNICIPALITY = "Emscherstadt"
DEMO_SCHOOLS = (
    DemoSchool("Grundschule Am Kanal", "Grundschule", "Nord"),
    DemoSchool("Gesamtschule Zeche Erin", "Gesamtschule", "Nord"),
    DemoSchool("Grundschule Lindenhof", "Grundschule", "Süd"),
)
DEMO_QUESTIONNAIRES = {a: a for a in AUDIENCES}  # questionnaire id = audience


def ensure_demo(session: Session) -> list[Link]:
    """Create the demo world, or bring it back to its original state; returns its links.

    Idempotent: running it again finds every object by name and keeps the
    existing link tokens, so printed demo links stay valid.
    """
    municipality = _get_or_add(session, Municipality, name=DEMO_MUNICIPALITY)
    links: list[Link] = []
    campaign = session.scalar(select(Campaign).where(Campaign.slug == "demo"))
    if campaign is None:
        campaign = Campaign(
            slug="demo",
            title="Bestandsaufnahme Familie, Schule und Stadtteil (Demo)",
            municipality=municipality,
        )
        session.add(campaign)
    campaign.is_open, campaign.closes_on = True, None
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
        school = _get_or_add(
            session,
            School,
            name=spec.name,
            district_id=district.id,
            defaults={"school_type": spec.school_type},
        )
        for audience in AUDIENCES:
            link = session.scalar(
                select(Link).where(
                    Link.campaign_id == campaign.id,
                    Link.school_id == school.id,
                    Link.audience == audience,
                )
            )
            if link is None:
                link = Link(
                    token=new_token(),
                    campaign_id=campaign.id,
                    school_id=school.id,
                    audience=audience,
                )
                session.add(link)
            link.revoked = False
            links.append(link)
    session.commit()
    return links


def _get_or_add(session: Session, model, defaults: dict | None = None, **keys):
    found = session.scalar(select(model).filter_by(**keys))
    if found is None:
        found = model(**keys, **(defaults or {}))
        session.add(found)
        session.flush()
    return found
