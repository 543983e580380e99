"""The respond flow's work, free of request globals: the web views and the
tests call the same functions with a database session and today's date."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session, joinedload

from survey.core.errors import (
    AnswersInvalid,
    CampaignNotOpen,
    DraftMissing,
    LinkClosed,
    LinkUnknown,
)
from survey.distribution.models import Campaign, Link
from survey.questionnaires.definition import Questionnaire, variables_of
from survey.respond.answers import (
    Raw,
    answer_rows,
    definition_problems,
    normalize,
    normalize_raw,
    typed_answers,
)
from survey.respond.models import Answer, Draft, Response, SubmittedDraft
from survey.respond.steps import Step, visible_questions, visible_steps

_LINK_WITH_CAMPAIGN = (
    joinedload(Link.campaign).joinedload(Campaign.questionnaires),
    joinedload(Link.school),
)


def open_link(session: Session, token: str, today: date, resuming: bool = False) -> Link:
    """The link behind a token, if people may still answer through it.

    A revoked (or regenerated) link answers 404 like one that never existed,
    except to a respondent ``resuming`` a draft begun on it: that draft may still
    be finished. A campaign that is not open says when it runs.
    """
    # One SELECT for the link, its school, its campaign and the campaign's questionnaires; never
    # cached across requests, so a revoked link or a closed campaign stops at once.
    link = (
        session.get(Link, token, options=_LINK_WITH_CAMPAIGN)
        if token.isascii() and len(token) <= 32
        else None
    )
    # A revoked link answers exactly like one that never existed: nobody can tell
    # a withdrawn (perhaps leaked) token from a guessed one. Only a draft begun on it
    # before may still be finished.
    if link is None or (link.revoked and not resuming):
        raise LinkUnknown()
    campaign = link.campaign
    if not campaign.is_open_on(today):
        raise CampaignNotOpen(
            campaign.opens_on, campaign.closes_on, not_yet=campaign.not_yet_open_on(today)
        )
    return link


def questionnaire_id_for(link: Link) -> str:
    questionnaire_id = link.campaign.questionnaire_for(link.audience)
    if questionnaire_id is None:
        raise LinkClosed()
    return questionnaire_id


def start_draft(
    session: Session,
    link: Link,
    questionnaire_id: str,
    language: str,
    today: date,
    expiry_days: int,
) -> Draft:
    draft = Draft(
        id=secrets.token_urlsafe(24),
        link_token=link.token,
        questionnaire_id=questionnaire_id,
        language=language,
        answers={},
        expires_on=today + timedelta(days=expiry_days),
    )
    session.add(draft)
    session.commit()
    return draft


def find_draft(session: Session, draft_id: str | None, link: Link, today: date) -> Draft | None:
    if not draft_id:
        return None
    draft = session.get(Draft, draft_id)
    if draft is None or draft.link_token != link.token or draft.expires_on < today:
        return None
    return draft


def save_answers(
    session: Session,
    draft: Draft,
    questionnaire: Questionnaire,
    raw: Raw,
    today: date,
    expiry_days: int,
    commit: bool = True,
) -> None:
    """Merge one step's raw answers into the draft, then drop answers whose
    questions the new answers hide (so they are never stored)."""
    merged = {**normalize_raw(questionnaire, draft.answers), **normalize_raw(questionnaire, raw)}
    draft.answers = prune_hidden(questionnaire, merged)
    draft.expires_on = today + timedelta(days=expiry_days)  # activity keeps a draft alive
    if commit:
        session.commit()


@dataclass(frozen=True)
class Next:
    """Where a step's POST leads: ``step`` (number, query args), ``before`` (the
    step before, or the intro), ``switch`` (same step in ``language``) or ``submit``."""

    kind: str
    number: int = 0
    args: dict = field(default_factory=dict)
    language: str = ""


def after_post(
    questionnaire: Questionnaire,
    current: Step,
    shown: tuple,
    answers: dict,
    *,
    valid: bool,
    action: str | None,
    switch: str | None,
    offered: list[str],
) -> Next:
    """The navigation after a step was posted and its answers merged into ``answers``."""
    typed = typed_answers(questionnaire, answers)
    if switch:  # what was typed is saved; the same page comes back in the other language
        if switch in offered:
            return Next("switch", current.number, language=switch)
        return Next("step", current.number)
    if action == "back":
        return Next("before")
    if not valid:  # what was typed is in the draft: the GET shows it again with the errors
        return Next("step", current.number, {"check": 1})
    now_shown = visible_questions(questionnaire, current, typed)
    if any(q not in shown for q in now_shown):
        # An answer on this page opened a follow-up question on the same page.
        return Next("step", current.number, {"notice": "opened"})
    following = [s for s in visible_steps(questionnaire, typed) if s.number > current.number]
    if following:
        return Next("step", following[0].number)
    return Next("submit")


def first_invalid_step(questionnaire: Questionnaire, answers: Raw) -> Step | None:
    """The first visible step holding an answer the definition does not allow."""
    raw = normalize_raw(questionnaire, answers)
    problems = definition_problems(questionnaire, raw)
    if not problems:
        return None
    wrong = {p.split(":", 1)[0] for p in problems}
    typed = typed_answers(questionnaire, raw)
    for step in visible_steps(questionnaire, typed):
        for question in visible_questions(questionnaire, step, typed):
            if wrong & set(variables_of(question)):
                return step
    return visible_steps(questionnaire, typed)[0]


def posted_answers(questionnaire: Questionnaire, step: Step, formdata) -> dict[str, list[str]]:
    """A step's posted answers, normalized, without the database (to show them again)."""
    return normalize(questionnaire, step.questions, formdata)


def set_language(session: Session, draft: Draft, language: str) -> None:
    draft.language = language
    session.commit()


def discard_draft(session: Session, draft: Draft) -> None:
    session.delete(draft)
    session.commit()


def discard_drafts(session: Session, draft_ids: list[str]) -> None:
    """Delete these drafts (the device is handed to the next person)."""
    if draft_ids:
        session.execute(delete(Draft).where(Draft.id.in_(draft_ids)))
    session.commit()


def prune_hidden(questionnaire: Questionnaire, raw: dict[str, list[str]]) -> dict[str, list[str]]:
    # Hiding can cascade (a hidden answer may hide more), so repeat until stable.
    while True:
        visible = set()
        typed = typed_answers(questionnaire, raw)
        for step in visible_steps(questionnaire, typed):
            for question in visible_questions(questionnaire, step, typed):
                visible.update(variables_of(question))
        pruned = {k: v for k, v in raw.items() if k in visible}
        if pruned == raw:
            return pruned
        raw = pruned


#: Days a submitted draft is remembered (as a hash) for retries whose first reply was lost.
SUBMITTED_MEMORY_DAYS = 3


def _draft_hash(draft_id: str) -> str:
    return hashlib.sha256(draft_id.encode()).hexdigest()


def was_submitted(session: Session, draft_id: str | None, today: date) -> bool:
    """Whether this draft id was submitted in the last few days."""
    if not draft_id or not isinstance(draft_id, str) or len(draft_id) > 64:
        return False
    row = session.get(SubmittedDraft, _draft_hash(draft_id))
    return row is not None and row.expires_on >= today


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def submit(
    session: Session,
    draft_id: str,
    questionnaire: Questionnaire,
    today: date,
    granularity: str = "day",
    answers: Raw | None = None,
    check: Callable[[Session, Link], None] | None = None,
) -> uuid.UUID | None:
    """Store the draft as an anonymous response, in one transaction; delete the draft.

    Exactly once: the DELETE of the draft is the first write, so a second
    submit of the same draft (double tap, retry, back and resubmit) finds
    nothing to delete and stores nothing. Returns None in that case.
    ``answers``: the draft's answers as merged in this request (the final page's
    answers are then never written to the draft, only to the response).
    """
    session.rollback()  # start clean: the DELETE below must be this transaction's first write
    draft = session.get(Draft, draft_id)
    if draft is None:
        return None
    link = session.get(Link, draft.link_token)
    if link is None:
        raise DraftMissing()
    raw = normalize_raw(questionnaire, draft.answers if answers is None else answers)
    language = draft.language
    campaign_id, school_id, audience = link.campaign_id, link.school_id, link.audience
    typed = typed_answers(questionnaire, raw)
    questions = [
        q
        for step in visible_steps(questionnaire, typed)
        for q in visible_questions(questionnaire, step, typed)
    ]
    problems = definition_problems(questionnaire, raw)
    if problems:  # nothing is written: the draft stays, to be corrected
        session.rollback()
        raise AnswersInvalid(problems)
    rows = list(answer_rows(questionnaire, questions, raw))
    session.expunge_all()  # the draft object must not be flushed back after its DELETE

    deleted = session.execute(delete(Draft).where(Draft.id == draft_id))
    if deleted.rowcount != 1:  # another request submitted it a moment ago
        session.rollback()
        return None
    if check is not None:
        try:
            check(session, link)
        except Exception:
            session.rollback()
            raise
    response_id = uuid.uuid4()
    session.execute(
        insert(Response).values(
            id=response_id,
            campaign_id=campaign_id,
            school_id=school_id,
            audience=audience,
            questionnaire_id=questionnaire.id,
            questionnaire_version=questionnaire.version,
            language=language,
            submitted_on=week_start(today) if granularity == "week" else today,
            complete=True,
        )
    )
    if rows:
        session.execute(insert(Answer), [{"response_id": response_id, **row} for row in rows])
    session.execute(
        insert(SubmittedDraft).values(
            id_hash=_draft_hash(draft_id),
            expires_on=today + timedelta(days=SUBMITTED_MEMORY_DAYS),
        )
    )
    session.commit()
    return response_id


def purge_drafts(session: Session, today: date) -> int:
    """Delete drafts past their expiry; returns how many."""
    result = session.execute(delete(Draft).where(Draft.expires_on < today))
    session.execute(delete(SubmittedDraft).where(SubmittedDraft.expires_on < today))
    session.commit()
    return result.rowcount or 0
