"""Where a survey runs: municipality -> districts -> schools; campaigns and their links."""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, Double, ForeignKey, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.core.db import Base

AUDIENCES = ("families", "staff", "children", "partners")


class SchoolType(StrEnum):
    """School types in NRW; the value is the official German name (what import files hold)."""

    GRUNDSCHULE = "Grundschule"
    HAUPTSCHULE = "Hauptschule"
    REALSCHULE = "Realschule"
    SEKUNDARSCHULE = "Sekundarschule"
    GESAMTSCHULE = "Gesamtschule"
    GYMNASIUM = "Gymnasium"
    FOERDERSCHULE = "Förderschule"
    BERUFSKOLLEG = "Berufskolleg"
    OTHER = "andere"


class CampaignState(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


def _in(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


class Municipality(Base):
    __tablename__ = "municipality"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    districts: Mapped[list[District]] = relationship(back_populates="municipality")


class District(Base):
    """A Sozialraum or Stadtteil: the unit of district reports."""

    __tablename__ = "district"

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    municipality: Mapped[Municipality] = relationship(back_populates="districts")
    schools: Mapped[list[School]] = relationship(back_populates="district")

    def owning_school_ids(self) -> frozenset[int]:
        return frozenset(s.id for s in self.schools)


class School(Base):
    __tablename__ = "school"
    __table_args__ = (
        CheckConstraint(f"school_type IN ({_in(SchoolType)})", name="school_type"),
        CheckConstraint("sozialindex BETWEEN 1 AND 9", name="sozialindex"),
        CheckConstraint("length(number) = 6", name="number_six_digits"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the official Schulnummer (six digits in NRW); kept as text so leading zeros stay
    number: Mapped[str] = mapped_column(String(6), unique=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    school_type: Mapped[str] = mapped_column(String(60))
    #: NRW school Sozialindex, 1 (least) to 9 (most challenging); None when unknown
    sozialindex: Mapped[int | None] = mapped_column(SmallInteger)
    district: Mapped[District] = relationship(back_populates="schools")

    def owning_school_ids(self) -> frozenset[int]:
        return frozenset({self.id})


class Campaign(Base):
    """One field phase of the needs assessment in one municipality.

    State: draft -> open -> closed; an admin may reopen a closed one. Respondents
    can answer only while it is open and today lies between the two dates.
    """

    __tablename__ = "campaign"
    __table_args__ = (
        CheckConstraint(f"state IN ({_in(CampaignState)})", name="state"),
        CheckConstraint(
            "opens_on IS NULL OR closes_on IS NULL OR opens_on <= closes_on", name="dates"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: short identifier used on the command line and in URLs of the staff pages
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"))
    state: Mapped[str] = mapped_column(String(10), default=CampaignState.DRAFT)
    opens_on: Mapped[date | None]
    closes_on: Mapped[date | None]
    #: where children find help at their school, e.g. "bei der Schulsozialarbeit in Raum 12";
    #: shown (as written, in German) with the helpline on the children's pages; None: left out
    school_contact: Mapped[str | None] = mapped_column(String(200))
    municipality: Mapped[Municipality] = relationship()
    questionnaires: Mapped[list[CampaignQuestionnaire]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan"
    )
    schools: Mapped[list[School]] = relationship(secondary="campaign_school", order_by=School.name)

    @property
    def is_open(self) -> bool:
        """Open for answers by its state (dates aside); read-only, for code written
        before the state existed (e.g. the approval dossier of issue 14)."""
        return self.state == CampaignState.OPEN

    def is_open_on(self, today: date) -> bool:
        return (
            self.state == CampaignState.OPEN
            and (self.opens_on is None or self.opens_on <= today)
            and (self.closes_on is None or today <= self.closes_on)
        )

    def not_yet_open_on(self, today: date) -> bool:
        return self.state == CampaignState.DRAFT or (
            self.state == CampaignState.OPEN and self.opens_on is not None and today < self.opens_on
        )

    def questionnaire_for(self, audience: str) -> str | None:
        return next(
            (q.questionnaire_id for q in self.questionnaires if q.audience == audience), None
        )

    def owning_school_ids(self) -> frozenset[int]:
        return frozenset(s.id for s in self.schools)


class CampaignQuestionnaire(Base):
    """Which questionnaire a campaign gives to each audience."""

    __tablename__ = "campaign_questionnaire"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), primary_key=True)
    audience: Mapped[str] = mapped_column(String(20), primary_key=True)
    questionnaire_id: Mapped[str] = mapped_column(String(40))
    campaign: Mapped[Campaign] = relationship(back_populates="questionnaires")


class CampaignSchool(Base):
    """The schools taking part in a campaign."""

    __tablename__ = "campaign_school"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), primary_key=True)


class ExpectedCount(Base):
    """How many respondents a school expects per audience: the denominator of response rates."""

    __tablename__ = "expected_count"
    __table_args__ = (CheckConstraint("expected >= 0", name="expected_not_negative"),)

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), primary_key=True)
    audience: Mapped[str] = mapped_column(String(20), primary_key=True)
    expected: Mapped[int]


class Link(Base):
    """A link or QR code handed out by a school: it names campaign, school and audience.

    Responses never reference a link: the token is not stored with any answer.
    A regenerated link revokes the old one (which then answers 404); drafts begun
    on the old one keep working until they are submitted or expire.
    """

    __tablename__ = "link"

    token: Mapped[str] = mapped_column(String(32), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    audience: Mapped[str] = mapped_column(String(20))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    campaign: Mapped[Campaign] = relationship()
    school: Mapped[School] = relationship()

    def owning_school_ids(self) -> frozenset[int]:
        return frozenset({self.school_id})


class DistrictOutline(Base):
    """A district's outline for the maps of the reports, imported from GeoJSON.

    Kept apart from ``district`` so that the pages and reports that load districts do
    not carry kilobytes of coordinates they never draw.
    """

    __tablename__ = "district_outline"

    district_id: Mapped[int] = mapped_column(
        ForeignKey("district.id", ondelete="CASCADE"), primary_key=True
    )
    #: a GeoJSON MultiPolygon geometry (WGS84 longitude/latitude, 6 decimals), as text:
    #: read whole and drawn, never queried into, so no JSON or PostGIS type is needed
    geometry: Mapped[str] = mapped_column(Text)
    district: Mapped[District] = relationship()

    @property
    def shape(self) -> tuple:
        """The multipolygon as tuples: polygons of rings of (lon, lat) points."""
        coordinates = json.loads(self.geometry)["coordinates"]
        return tuple(
            tuple(tuple((float(x), float(y)) for x, y in ring) for ring in polygon)
            for polygon in coordinates
        )


class AccessCodeScope(Base):
    """One-time access codes switched on for a campaign, school and audience: a link of
    that school and audience then asks for a code before the intro, and a response is
    stored only together with consuming one (survey/respond/access.py)."""

    __tablename__ = "access_code_scope"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), primary_key=True)
    audience: Mapped[str] = mapped_column(String(20), primary_key=True)
    #: False: switched off again (the batches and their counts stay)
    required: Mapped[bool] = mapped_column(Boolean, default=True)

    def owning_school_ids(self) -> frozenset[int]:
        return frozenset({self.school_id})


class AccessCodeBatch(Base):
    """Codes issued together for one campaign, school and audience (one slip sheet PDF).

    A staff record: its serial id and day say when staff printed slips, nothing about
    who answered. The codes themselves are never stored, only their keyed hashes.
    """

    __tablename__ = "access_code_batch"
    __table_args__ = (CheckConstraint("size > 0", name="size_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    audience: Mapped[str] = mapped_column(String(20))
    size: Mapped[int]
    issued_on: Mapped[date]
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)

    def owning_school_ids(self) -> frozenset[int]:
        return frozenset({self.school_id})


class AccessCodeState(StrEnum):
    OPEN = "open"
    USED = "used"
    REVOKED = "revoked"


class AccessCode(Base):
    """One code of a batch, known only by its keyed hash.

    Who took part and what was answered share no key and no time: using a code changes
    this row's ``state`` in place (no new row, no serial number in the order of use, no
    date of use), and nothing here refers to a response.
    """

    __tablename__ = "access_code"
    __table_args__ = (
        CheckConstraint(f"state IN ({_in(AccessCodeState)})", name="state"),
        # Ordered by the (random) hash alone on SQLite: no rowid in the order of issue.
        {"sqlite_with_rowid": False},
    )

    #: HMAC-SHA256 (key: the app's secret key) of campaign, school, audience and code
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    batch_id: Mapped[int] = mapped_column(
        ForeignKey("access_code_batch.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[str] = mapped_column(String(8), default=AccessCodeState.OPEN)


class FrozenCount(Base):
    """What a closed campaign's answers add up to, counted once when it closed
    (``survey.distribution.frozen``): how often each code or number was given per school,
    audience, questionnaire, answer language and variable. Reports of a closed campaign
    are built from these rows, so that they take as long and as much memory for ten
    million answers as for one million, and so that every report shows the same frozen
    set of responses. Free text is not counted. Deleted when the campaign is reopened."""

    __tablename__ = "frozen_count"

    #: the order of these rows is that of the counting (GROUP BY), never of submission
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    audience: Mapped[str] = mapped_column(String(20))
    questionnaire_id: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(12))
    variable: Mapped[str] = mapped_column(String(82))
    code: Mapped[int | None]
    number: Mapped[float | None] = mapped_column(Double)
    #: how many of the ``n`` rows were a response's first (ordinal 0) row of the variable:
    #: summed over the codes, how many answered it (also for a multiple choice)
    answered: Mapped[int]
    n: Mapped[int]


class FrozenRespondents(Base):
    """How many responses a closed campaign holds per school, audience and answer language
    (the size of each group), counted with ``FrozenCount``."""

    __tablename__ = "frozen_respondents"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True
    )
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), primary_key=True)
    audience: Mapped[str] = mapped_column(String(20), primary_key=True)
    language: Mapped[str] = mapped_column(String(12), primary_key=True)
    n: Mapped[int]
