"""A closed campaign's answers, counted once: the frozen counts its reports are built from.

Figures of answers are published only for a closed campaign, from a frozen set of
responses. Closing a campaign counts its answers in the database, in one
``INSERT … SELECT … GROUP BY`` per table (never an answer through Python), into
``frozen_count`` and ``frozen_respondents``; reopening it deletes them, and closing it
again counts afresh. It happens in the same transaction as the change of state, so a
closed campaign's counts and its state are committed together or not at all, and no
report ever waits for the counting or writes anything itself.

Why at closing and not at the first report: reports only read (a download must never
write, nor wait for a lock held by another download), and closing happens once, by
staff, at the end of a field phase. It reads every answer of the campaign once (about
as long as one live report's aggregation: seconds for a million answers; see
``benchmarks/reports.py``).

A response stored after the closing committed (a submit that had begun before it) is
not in the frozen counts, and so never in a report: what was published stays what it
was until the campaign is reopened and closed again.
"""

from __future__ import annotations

from sqlalchemy import case, delete, func, insert, select, text
from sqlalchemy.orm import Session

from survey.distribution.models import FrozenCount, FrozenRespondents
from survey.respond.models import Answer, Response

#: seconds the counting may take (it reads every answer of the campaign once: longer than
#: the web's statement timeout allows for a very large campaign)
FREEZE_TIMEOUT = 300


def freeze(session: Session, campaign_id: int) -> None:
    """(Re)count the answers of ``campaign_id`` into the frozen tables."""
    thaw(session, campaign_id)
    long = {"statement_timeout": FREEZE_TIMEOUT}
    if session.get_bind().dialect.name == "postgresql":  # until the end of this transaction
        session.execute(text(f"SET LOCAL statement_timeout = {FREEZE_TIMEOUT * 1000}"))
    keys = (
        Response.campaign_id,
        Response.school_id,
        Response.audience,
        Response.questionnaire_id,
        Response.language,
        Answer.variable,
        Answer.code,
        Answer.number,
    )
    counted = (
        select(
            *keys,
            func.sum(case((Answer.ordinal == 0, 1), else_=0)),
            func.count(),
        )
        .join(Response, Answer.response_id == Response.id)
        .where(Response.campaign_id == campaign_id, Answer.text.is_(None))
        .group_by(*keys)
    )
    session.execute(
        insert(FrozenCount).from_select(
            ["campaign_id", "school_id", "audience", "questionnaire_id", "language",
             "variable", "code", "number", "answered", "n"],
            counted,
        ),
        execution_options=long,
    )  # fmt: skip
    groups = (Response.campaign_id, Response.school_id, Response.audience, Response.language)
    session.execute(
        insert(FrozenRespondents).from_select(
            ["campaign_id", "school_id", "audience", "language", "n"],
            select(*groups, func.count())
            .where(Response.campaign_id == campaign_id)
            .group_by(*groups),
        ),
        execution_options=long,
    )


def thaw(session: Session, campaign_id: int) -> None:
    """Forget the frozen counts (the campaign is open again: its figures may change)."""
    session.execute(delete(FrozenCount).where(FrozenCount.campaign_id == campaign_id))
    session.execute(delete(FrozenRespondents).where(FrozenRespondents.campaign_id == campaign_id))
