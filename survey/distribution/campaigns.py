"""Campaigns: a field phase with its questionnaires, schools, dates, state and the
expected numbers of respondents per school and audience."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from survey.core import audit
from survey.core.errors import InvalidInput
from survey.core.permissions import User, school_scope
from survey.distribution import frozen
from survey.distribution.models import (
    AUDIENCES,
    Campaign,
    CampaignQuestionnaire,
    CampaignSchool,
    CampaignState,
    ExpectedCount,
    Municipality,
    School,
)

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,58}[a-z0-9]$")


@dataclass(frozen=True)
class CampaignSpec:
    """What a campaign form (or a script) says a campaign should be."""

    slug: str
    title: str
    municipality_id: int
    #: audience -> questionnaire id; an audience left out is not asked
    questionnaires: Mapping[str, str]
    school_ids: Collection[int]
    opens_on: date | None = None
    closes_on: date | None = None
    #: where children find help at their school (shown on the children's pages)
    school_contact: str | None = None


def visible_campaigns(session: Session, user: User) -> list[Campaign]:
    """Campaigns a user may see: coordinators only those their schools take part in."""
    query = select(Campaign).order_by(Campaign.title)
    scope = school_scope(user)
    if scope is not None:
        query = query.where(
            Campaign.id.in_(
                select(CampaignSchool.campaign_id).where(CampaignSchool.school_id.in_(scope))
            )
        )
    return list(session.scalars(query))


def visible_schools_of(campaign: Campaign, user: User) -> list[School]:
    scope = school_scope(user)
    return [s for s in campaign.schools if scope is None or s.id in scope]


def _check(
    session: Session,
    spec: CampaignSpec,
    valid_questionnaires: Mapping[str, str],
    current: Campaign | None,
) -> None:
    if not SLUG.match(spec.slug):
        raise InvalidInput(
            _("Kurzname: 3 bis 60 Zeichen, nur Kleinbuchstaben, Ziffern und Bindestriche."), "slug"
        )
    other = session.scalar(select(Campaign).where(Campaign.slug == spec.slug))
    if other is not None and other is not current:
        raise InvalidInput(_("Diesen Kurznamen hat schon eine andere Kampagne."), "slug")
    if not spec.title.strip() or len(spec.title) > 200:
        raise InvalidInput(_("Bitte geben Sie einen Titel an (höchstens 200 Zeichen)."), "title")
    if session.get(Municipality, spec.municipality_id) is None:
        raise InvalidInput(_("Bitte wählen Sie eine Kommune."), "municipality_id")
    if not spec.questionnaires:
        raise InvalidInput(_("Bitte wählen Sie mindestens einen Fragebogen."), "families")
    for audience, questionnaire_id in spec.questionnaires.items():
        if audience not in AUDIENCES:
            raise InvalidInput(_("Diese Zielgruppe gibt es nicht."), audience)
        if valid_questionnaires.get(questionnaire_id) != audience:
            raise InvalidInput(
                _("Dieser Fragebogen ist nicht gültig oder für eine andere Zielgruppe."), audience
            )
    if spec.opens_on and spec.closes_on and spec.opens_on > spec.closes_on:
        raise InvalidInput(_("Das Ende liegt vor dem Beginn."), "closes_on")
    found = set(session.scalars(select(School.id).where(School.id.in_(spec.school_ids))))
    if found != set(spec.school_ids):
        raise InvalidInput(_("Eine der Schulen gibt es nicht."), "school_ids")


def save_campaign(
    session: Session,
    actor_id: int | None,
    spec: CampaignSpec,
    valid_questionnaires: Mapping[str, str],
    campaign: Campaign | None = None,
) -> Campaign:
    """Create (``campaign`` None) or change a campaign. ``valid_questionnaires`` maps the
    ids of the questionnaires that load without error to their audience."""
    _check(session, spec, valid_questionnaires, campaign)
    created = campaign is None
    if campaign is None:
        campaign = Campaign(state=CampaignState.DRAFT)
        session.add(campaign)
    campaign.slug, campaign.title = spec.slug, spec.title.strip()
    campaign.municipality_id = spec.municipality_id
    campaign.opens_on, campaign.closes_on = spec.opens_on, spec.closes_on
    campaign.school_contact = (spec.school_contact or "").strip() or None
    wanted = dict(spec.questionnaires)
    campaign.questionnaires = [q for q in campaign.questionnaires if q.audience in wanted]
    for q in campaign.questionnaires:
        q.questionnaire_id = wanted.pop(q.audience)
    for audience, questionnaire_id in wanted.items():
        campaign.questionnaires.append(
            CampaignQuestionnaire(audience=audience, questionnaire_id=questionnaire_id)
        )
    session.flush()
    session.execute(
        delete(CampaignSchool).where(
            CampaignSchool.campaign_id == campaign.id,
            CampaignSchool.school_id.not_in(list(spec.school_ids) or [-1]),
        )
    )
    present = set(
        session.scalars(
            select(CampaignSchool.school_id).where(CampaignSchool.campaign_id == campaign.id)
        )
    )
    for school_id in spec.school_ids:
        if school_id not in present:
            session.add(CampaignSchool(campaign_id=campaign.id, school_id=school_id))
    session.flush()
    session.expire(campaign, ["schools"])
    audit.record(
        session,
        actor_id,
        "campaign.create" if created else "campaign.edit",
        f"Kampagne {campaign.slug}",
        f"{len(spec.school_ids)} Schulen",
    )
    return campaign


#: allowed moves: from state -> (to state, audit action, admin only)
TRANSITIONS = {
    ("draft", "open"): ("campaign.open", False),
    ("open", "closed"): ("campaign.close", False),
    ("closed", "open"): ("campaign.reopen", True),
}


def change_state(
    session: Session, actor_id: int | None, campaign: Campaign, to: str, is_admin: bool
) -> None:
    move = TRANSITIONS.get((campaign.state, to))
    if move is None:
        raise InvalidInput(_("Dieser Schritt ist im jetzigen Zustand nicht möglich."))
    action, admin_only = move
    if admin_only and not is_admin:
        raise InvalidInput(_("Nur die Administration kann eine Kampagne wieder öffnen."))
    if to == CampaignState.OPEN and not campaign.questionnaires:
        raise InvalidInput(_("Eine Kampagne ohne Fragebogen kann nicht geöffnet werden."))
    campaign.state = to
    # Closing counts the answers once for every report; reopening forgets those counts.
    # In this transaction: state and counts are committed together or not at all.
    if to == CampaignState.CLOSED:
        frozen.freeze(session, campaign.id)
    elif action == "campaign.reopen":
        frozen.thaw(session, campaign.id)
    audit.record(session, actor_id, action, f"Kampagne {campaign.slug}")
    session.flush()


def expected_counts(session: Session, campaign_id: int, school_id: int) -> dict[str, int]:
    return {
        row.audience: row.expected
        for row in session.scalars(
            select(ExpectedCount).where(
                ExpectedCount.campaign_id == campaign_id, ExpectedCount.school_id == school_id
            )
        )
    }


MAX_EXPECTED = 100_000


def set_expected(
    session: Session,
    actor_id: int | None,
    campaign: Campaign,
    school: School,
    counts: Mapping[str, int | None],
) -> None:
    """Expected respondents per audience; None removes the figure."""
    for audience, value in counts.items():
        if audience not in AUDIENCES:
            raise InvalidInput(_("Diese Zielgruppe gibt es nicht."), audience)
        if value is not None and not 0 <= value <= MAX_EXPECTED:
            raise InvalidInput(_("Bitte eine Zahl von 0 bis %(num)d.", num=MAX_EXPECTED), audience)
    for audience, value in counts.items():
        row = session.get(ExpectedCount, (campaign.id, school.id, audience))
        if value is None:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(
                ExpectedCount(
                    campaign_id=campaign.id, school_id=school.id, audience=audience, expected=value
                )
            )
        else:
            row.expected = value
    audit.record(
        session, actor_id, "expected.set", f"Kampagne {campaign.slug}, Schule {school.number}"
    )
    session.flush()


def municipalities(session: Session) -> list[Municipality]:
    return list(session.scalars(select(Municipality).order_by(Municipality.name)))


def all_schools(session: Session) -> list[School]:
    return list(
        session.scalars(select(School).options(selectinload(School.district)).order_by(School.name))
    )


#: column header (German, as the school statistics name them) -> audience
EXPECTED_COLUMNS = {
    "Familien": "families",
    "Schulpersonal": "staff",
    "Kinder": "children",
    "Partner": "partners",
}


@dataclass
class ExpectedPlan:
    #: school id -> audience -> number (None: leave empty)
    counts: dict[int, dict[str, int | None]]
    bad: list[str]


def plan_expected(session: Session, campaign: Campaign, filename: str, data: bytes) -> ExpectedPlan:
    """Expected numbers from CSV or XLSX: ``Schulnummer`` and any of ``Familien``,
    ``Schulpersonal``, ``Kinder``, ``Partner``. Only schools of the campaign. Reads only."""
    from survey.distribution.places import read_rows

    rows = [r for r in read_rows(filename, data) if any(r)]
    if not rows:
        raise InvalidInput(_("Die Datei ist leer."), "file")
    header = [cell.strip().lower() for cell in rows[0]]
    if "schulnummer" not in header:
        raise InvalidInput(
            _(
                "In der ersten Zeile fehlen diese Spalten: %(columns)s. Die Vorlage zeigt, "
                "wie die Datei aussehen soll.",
                columns="Schulnummer",
            ),
            "file",
        )
    columns = {
        audience: header.index(name.lower())
        for name, audience in EXPECTED_COLUMNS.items()
        if name.lower() in header
    }
    number_at = header.index("schulnummer")
    schools = {s.number: s.id for s in campaign.schools}
    plan = ExpectedPlan({}, [])
    for row_number, cells in enumerate(rows[1:], start=2):

        def cell(index: int, cells=cells) -> str:
            return cells[index].strip() if index < len(cells) else ""

        problems = []
        number = cell(number_at)
        if number not in schools:
            problems.append(
                (
                    "Schulnummer",
                    _("„%(value)s“ gehört zu keiner Schule dieser Kampagne", value=number[:20]),
                )
            )
        counts: dict[str, int | None] = {}
        for name, audience in EXPECTED_COLUMNS.items():
            if audience not in columns:
                continue
            raw = cell(columns[audience])
            if not raw:
                counts[audience] = None
            elif raw.isdigit() and int(raw) <= MAX_EXPECTED:
                counts[audience] = int(raw)
            else:
                problems.append(
                    (
                        name,
                        _(
                            "„%(value)s“ ist keine Zahl von 0 bis %(num)d",
                            value=raw[:20],
                            num=MAX_EXPECTED,
                        ),
                    )
                )
        if problems:
            parts = "; ".join(f"{column}: {problem}" for column, problem in problems)
            plan.bad.append(_("Zeile %(row)d: %(problems)s", row=row_number, problems=parts))
        else:
            plan.counts[schools[number]] = counts
    return plan


def apply_expected(
    session: Session, actor_id: int | None, campaign: Campaign, plan: ExpectedPlan
) -> None:
    if plan.bad:
        raise InvalidInput(_("Die Datei hat fehlerhafte Zeilen; es wurde nichts übernommen."))
    for school in campaign.schools:
        if school.id in plan.counts:
            set_expected(session, actor_id, campaign, school, plan.counts[school.id])
