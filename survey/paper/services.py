"""What printed matter needs from the database: a campaign's schools, links and questionnaires."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from survey.core.errors import SurveyError
from survey.distribution.links import full_url, short_url
from survey.distribution.models import AUDIENCES, Campaign, Link, School
from survey.paper.flyers import FlyerLink
from survey.questionnaires.definition import Questionnaire
from survey.questionnaires.length import measure, promised_minutes


class PrintError(SurveyError):
    """A print request that cannot be met (unknown campaign, school or language)."""


def minutes(questionnaire: Questionnaire) -> tuple[int, int]:
    """How long it takes, as the questionnaire's intro promises it ("etwa 15 bis 20 Minuten":
    (15, 20)), else as measured from its texts (survey/questionnaires/length.py)."""
    promised = promised_minutes(questionnaire)
    if promised:
        return promised
    measured = measure(questionnaire).rounded
    return measured, measured


def school_key(school: School) -> str:
    """The number a school is known by on paper and on the command line: its six-digit
    school number (the staff area's, unique), never the database id."""
    return school.number


def find_campaign(session: Session, campaign_slug: str) -> Campaign:
    campaign = session.scalar(select(Campaign).where(Campaign.slug == campaign_slug))
    if campaign is None:
        raise PrintError(f"no campaign {campaign_slug!r}")
    return campaign


def asked_audiences(session: Session, campaign_slug: str) -> list[str]:
    """The audiences the campaign gives a questionnaire, in the usual order."""
    campaign = find_campaign(session, campaign_slug)
    return [a for a in AUDIENCES if campaign.questionnaire_for(a)]


@dataclass(frozen=True)
class SchoolFlyer:
    key: str
    school: School
    link: FlyerLink


def campaign_flyers(
    session: Session,
    campaign_slug: str,
    audience: str,
    school_keys: tuple[str, ...],
    questionnaire: Callable[[str], Questionnaire | None],
    base_url: str,
    contact: str | None = None,
) -> tuple[Questionnaire, list[SchoolFlyer], list[str]]:
    """The flyers to print: one per school with a live link for ``audience``.

    Returns the audience's questionnaire, the flyers, and the keys of chosen schools that
    have no live link (so that the caller can say so).
    """
    campaign = find_campaign(session, campaign_slug)
    if audience not in AUDIENCES:
        raise PrintError(f"no audience {audience!r} (there are: {', '.join(AUDIENCES)})")
    questionnaire_id = campaign.questionnaire_for(audience)
    found = questionnaire(questionnaire_id) if questionnaire_id else None
    if found is None:
        raise PrintError(f"campaign {campaign_slug!r} has no questionnaire for {audience}")
    links = session.scalars(
        select(Link)
        .where(Link.campaign_id == campaign.id, Link.audience == audience)
        .order_by(Link.school_id)
    ).all()
    # A school whose link was regenerated has a revoked link and a live one: the live one counts.
    by_school: dict[str, Link] = {}
    for link in links:
        key = school_key(link.school)
        if key not in by_school or by_school[key].revoked:
            by_school[key] = link
    unknown = [key for key in school_keys if key not in by_school]
    if unknown:
        raise PrintError(f"campaign {campaign_slug!r} has no school {', '.join(unknown)}")
    chosen = set(school_keys) or set(by_school)
    flyers, missing = [], []
    for key, link in by_school.items():
        if key not in chosen:
            continue
        if link.revoked:
            missing.append(key)
            continue
        flyers.append(
            SchoolFlyer(key, link.school, flyer_link(campaign, link, found, base_url, contact))
        )
    return found, flyers, missing


def flyer_link(
    campaign: Campaign,
    link: Link,
    questionnaire: Questionnaire,
    base_url: str,
    contact: str | None = None,
) -> FlyerLink:
    """What the printed matter of one school and audience points to."""
    return FlyerLink(
        school=link.school.name,
        audience=link.audience,
        url=full_url(base_url, link.token),
        minutes=minutes(questionnaire),
        closes_on=campaign.closes_on,
        contact=contact,
        short=short_url(base_url, link.token),
    )
