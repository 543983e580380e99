"""What the respond flow stores.

``Draft`` holds answers in progress and is deleted on submit. ``Response`` and
``Answer`` hold what was answered and nothing that leads back to a person: no
address, no browser, no time finer than a day, no link token, no draft id.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import JSON, Boolean, Double, ForeignKey, Integer, SmallInteger, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.core.db import Base


class Draft(Base):
    __tablename__ = "draft"

    #: random, kept only in the respondent's session cookie
    id: Mapped[str] = mapped_column(String(43), primary_key=True)
    link_token: Mapped[str] = mapped_column(ForeignKey("link.token", ondelete="CASCADE"))
    questionnaire_id: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(12))
    #: variable -> list of raw strings as typed (so a bad entry is shown again as it was)
    answers: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    #: day granularity on purpose; ``survey purge`` deletes drafts after it
    expires_on: Mapped[date] = mapped_column(index=True)


class SubmittedDraft(Base):
    """That a draft was submitted, for a few days: so that a retried final submit
    whose first reply never reached the phone lands on the thank-you page instead
    of offering a fresh start (which would store the family twice).

    Only a hash of the draft id and a day: no link, no response, no answers.
    """

    __tablename__ = "submitted_draft"
    __table_args__ = {"sqlite_with_rowid": False}

    #: SHA-256 of the (random, secret) draft id kept in the respondent's cookie
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_on: Mapped[date] = mapped_column(index=True)


class Response(Base):
    __tablename__ = "response"
    # SQLite numbers rows in insertion order (rowid): a table without it is
    # ordered by the random id alone, so the order of submission is not kept.
    __table_args__ = {"sqlite_with_rowid": False}

    #: random (UUID4): the order of ids says nothing about the order of submissions
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    audience: Mapped[str] = mapped_column(String(20))
    questionnaire_id: Mapped[str] = mapped_column(String(40))
    #: content hash of the questionnaire file that was answered
    questionnaire_version: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(12))
    #: the day (or the Monday of the week) of submission, never a time
    submitted_on: Mapped[date]
    complete: Mapped[bool] = mapped_column(Boolean)
    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )


class Answer(Base):
    """One value: a code, a number or a text. A multiple choice has one row per code."""

    __tablename__ = "answer"
    __table_args__ = {"sqlite_with_rowid": False}

    response_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("response.id", ondelete="CASCADE"), primary_key=True
    )
    variable: Mapped[str] = mapped_column(String(82), primary_key=True)
    #: position within a multiple choice; 0 otherwise. No serial ids: they would order responses.
    ordinal: Mapped[int] = mapped_column(SmallInteger, primary_key=True, default=0)
    code: Mapped[int | None] = mapped_column(Integer)
    number: Mapped[float | None] = mapped_column(Double)
    text: Mapped[str | None] = mapped_column(Text)
    response: Mapped[Response] = relationship(back_populates="answers")
