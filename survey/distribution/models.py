"""Where a survey runs: municipality -> districts -> schools; campaigns and their links."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.core.db import Base

AUDIENCES = ("families", "staff", "children", "partners")


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


class School(Base):
    __tablename__ = "school"

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    #: e.g. Grundschule, Gesamtschule, Realschule, Gymnasium, Förderschule
    school_type: Mapped[str] = mapped_column(String(60))
    district: Mapped[District] = relationship(back_populates="schools")


class Campaign(Base):
    """One field phase of the needs assessment in one municipality."""

    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: short identifier used on the command line and in URLs of the staff pages
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"))
    #: False once the field phase is over: links then answer 410 Gone
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    closes_on: Mapped[date | None]
    #: where children find help at their school, e.g. "bei der Schulsozialarbeit in Raum 12";
    #: shown (as written, in German) with the helpline on the children's pages; None: left out
    school_contact: Mapped[str | None] = mapped_column(String(200))
    municipality: Mapped[Municipality] = relationship()
    questionnaires: Mapped[list[CampaignQuestionnaire]] = relationship(
        back_populates="campaign", cascade="all, delete-orphan"
    )

    def is_open_on(self, today: date) -> bool:
        return self.is_open and (self.closes_on is None or today <= self.closes_on)

    def questionnaire_for(self, audience: str) -> str | None:
        return next(
            (q.questionnaire_id for q in self.questionnaires if q.audience == audience), None
        )


class CampaignQuestionnaire(Base):
    """Which questionnaire a campaign gives to each audience."""

    __tablename__ = "campaign_questionnaire"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), primary_key=True)
    audience: Mapped[str] = mapped_column(String(20), primary_key=True)
    questionnaire_id: Mapped[str] = mapped_column(String(40))
    campaign: Mapped[Campaign] = relationship(back_populates="questionnaires")


class Link(Base):
    """A link or QR code handed out by a school: it names campaign, school and audience.

    Responses never reference a link: the token is not stored with any answer.
    """

    __tablename__ = "link"

    token: Mapped[str] = mapped_column(String(32), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    audience: Mapped[str] = mapped_column(String(20))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    campaign: Mapped[Campaign] = relationship()
    school: Mapped[School] = relationship()
