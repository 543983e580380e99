"""The respond flow's work, free of request globals: the web views and the
tests call the same functions with a database session and today's date."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, delete, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from survey.core.errors import (
    AnswersInvalid,
    CampaignNotOpen,
    DraftMissing,
    LinkClosed,
    LinkUnknown,
)
from survey.distribution.models import Campaign, CampaignQuestionnaire, Link, School
from survey.i18n.texts import QuestionnaireTexts
from survey.questionnaires.definition import Questionnaire, variables_of
from survey.questionnaires.model import Question
from survey.respond import sharing
from survey.respond.answers import (
    Raw,
    answer_rows,
    definition_problems,
    normalize,
    normalize_raw,
    typed_answers,
)
from survey.respond.forms import build_form, formdata_from, raw_of
from survey.respond.markup import State
from survey.respond.models import Answer, Draft, Response, SubmittedDraft
from survey.respond.steps import (
    Progress,
    Step,
    all_steps,
    progress,
    visible_questions,
    visible_steps,
)
from survey.respond.summary import Problem, problems

#: The link, its campaign and school, and the questionnaire the campaign gives the link's
#: audience: one SELECT of plain many-to-one rows (link.campaign and link.school then come
#: from the session, without a query), never cached across requests, so a revoked link or
#: a closed campaign stops at once. (Eager-loading the campaign's list of questionnaires
#: instead cost twice the CPU: a fifth of a page view.)
_OPEN_LINK = (
    select(Link, Campaign, School, CampaignQuestionnaire.questionnaire_id)
    .join(Link.campaign)
    .join(Link.school)
    .outerjoin(
        CampaignQuestionnaire,
        and_(
            CampaignQuestionnaire.campaign_id == Campaign.id,
            CampaignQuestionnaire.audience == Link.audience,
        ),
    )
    .where(Link.token == bindparam("token"))
)


def open_link(session: Session, token: str, today: date, resuming: bool = False) -> Link:
    """The link behind a token, if people may still answer through it.

    A revoked (or regenerated) link answers 404 like one that never existed,
    except to a respondent ``resuming`` a draft begun on it: that draft may still
    be finished. A campaign that is not open says when it runs.
    """
    return open_questionnaire(session, token, today, resuming, required=False)[0]


def open_questionnaire(
    session: Session, token: str, today: date, resuming: bool = False, required: bool = True
) -> tuple[Link, str]:
    """``open_link`` and the id of the questionnaire the link's audience answers
    (LinkClosed when the campaign has none for it, unless not ``required``)."""
    row = (
        session.execute(_OPEN_LINK, {"token": token}).first()
        if token.isascii() and len(token) <= 32
        else None
    )
    # A revoked link answers exactly like one that never existed: nobody can tell
    # a withdrawn (perhaps leaked) token from a guessed one. Only a draft begun on it
    # before may still be finished.
    if row is None or (row[0].revoked and not resuming):
        raise LinkUnknown()
    link, campaign, questionnaire_id = row[0], row[1], row[3]
    if not campaign.is_open_on(today):
        raise CampaignNotOpen(
            campaign.opens_on, campaign.closes_on, not_yet=campaign.not_yet_open_on(today)
        )
    if questionnaire_id is None and required:
        raise LinkClosed()
    return link, questionnaire_id or ""


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


def merged_answers(questionnaire: Questionnaire, answers: Raw, raw: Raw) -> dict[str, list[str]]:
    """A step's raw answers merged into the draft's, without the answers their
    questions now hide (so those are never stored)."""
    merged = {**normalize_raw(questionnaire, answers), **normalize_raw(questionnaire, raw)}
    return prune_hidden(questionnaire, merged)


def keep_answers(
    draft: Draft, answers: dict[str, list[str]], today: date, expiry_days: int
) -> None:
    draft.answers = answers
    draft.expires_on = today + timedelta(days=expiry_days)  # activity keeps a draft alive


@dataclass(frozen=True)
class Next:
    """Where a request on a step leads.

    ``step`` (``number``, query ``args``), ``intro`` (query ``args``), ``before`` (the
    visible step before, or the intro), ``switch`` (same step in ``language``),
    ``submit`` (the answers are complete: store them), ``stored`` (the response is
    stored; thank in ``language``) or ``gone`` (another request stored this draft a
    moment ago).
    """

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


def post_step(
    session: Session,
    draft: Draft,
    questionnaire: Questionnaire,
    current: Step,
    formdata,
    *,
    action: str | None,
    switch: str | None,
    offered: list[str],
    today: date,
    expiry_days: int,
    granularity: str = "day",
    may_store: Callable[[], None] | None = None,
    before_store: Callable[[Session, Link], None] | None = None,
) -> Next:
    """A step was posted: merge what was typed into the draft and decide where to go.

    Every way out but the final submit keeps the answers in the draft (one commit).
    The final submit stores the response instead (``submit``, its own transaction:
    ``may_store`` and ``before_store`` are passed on); when the definition refuses the
    answers, the draft keeps them and the first step with a problem comes back
    checked. Returns ``stored`` or ``gone`` after a submit.
    """
    shown = visible_questions(questionnaire, current, typed_answers(questionnaire, draft.answers))
    form = build_form(questionnaire, shown, formdata)
    answers = merged_answers(questionnaire, draft.answers, raw_of(form))
    target = after_post(
        questionnaire,
        current,
        shown,
        answers,
        valid=form.validate(),
        action=action,
        switch=switch,
        offered=offered,
    )
    if target.kind == "submit":
        language = draft.language
        try:
            stored = submit(
                session,
                draft.id,
                questionnaire,
                today,
                granularity,
                answers=answers,
                may_store=may_store,
                before_store=before_store,
            )
        except AnswersInvalid as refused:  # the definition has the last word
            invalid = first_invalid_step(questionnaire, answers, refused.problems)
            target = Next("step", invalid.number if invalid else current.number, {"check": 1})
        except SQLAlchemyError:  # the database failed: nothing to keep it in
            raise
        except BaseException:  # refused, nothing stored (rate limit, a used access code)
            kept = draft if draft in session else session.get(Draft, draft.id)
            if kept is not None:  # keep what was typed
                keep_answers(kept, answers, today, expiry_days)
                session.commit()
            raise
        else:
            return Next("stored" if stored else "gone", language=language)
    keep_answers(draft, answers, today, expiry_days)
    if target.kind == "switch":
        draft.language = target.language
    session.commit()
    if target.kind == "before":
        return previous(questionnaire, answers, current)
    return target


def previous(questionnaire: Questionnaire, answers: Raw, current: Step) -> Next:
    """The visible step before ``current``; else the intro (a shared tablet's stays put)."""
    typed = typed_answers(questionnaire, answers)
    visible = visible_steps(questionnaire, typed)
    earlier = [s for s in visible if s.number < current.number]
    if earlier:
        return Next("step", earlier[-1].number)
    if current in visible and sharing.asks_before_resuming(questionnaire.audience):
        # The intro of a shared tablet asks who is there: "back" stays at the first question.
        return Next("step", current.number)
    return Next("intro", args={"intro": 1})


def following(questionnaire: Questionnaire, answers: Raw, current: Step) -> Next:
    """The visible step after ``current`` (one hidden by an earlier answer is skipped)."""
    typed = typed_answers(questionnaire, answers)
    later = [s for s in visible_steps(questionnaire, typed) if s.number > current.number]
    if later:
        return Next("step", later[0].number)
    return previous(questionnaire, answers, current)


@dataclass(frozen=True)
class StepPage:
    """What a step page shows one respondent."""

    step: Step
    questions: tuple[Question, ...]
    state: State
    problems: list[Problem]
    progress: Progress
    is_last: bool
    show_page_intro: bool


def step_page(
    questionnaire: Questionnaire,
    answers: Raw,
    number: int,
    *,
    check: bool = False,
    texts: QuestionnaireTexts | None = None,
) -> StepPage | Next | None:
    """The page of step ``number`` for a draft's ``answers``: None if there is no such
    step, a ``Next`` when an earlier answer hides it. ``check``: validate what the
    draft holds and show the errors (after a post that did not validate)."""
    steps = all_steps(questionnaire)
    if not 1 <= number <= len(steps):
        return None
    current = steps[number - 1]
    typed = typed_answers(questionnaire, answers)
    shown = visible_questions(questionnaire, current, typed)
    if not shown:
        return following(questionnaire, answers, current)
    return page_of(questionnaire, current, shown, answers, typed, check=check, texts=texts)


def page_of(
    questionnaire: Questionnaire,
    current: Step,
    shown: tuple[Question, ...],
    answers: Raw,
    typed: Mapping[str, Any],
    *,
    check: bool = False,
    texts: QuestionnaireTexts | None = None,
) -> StepPage:
    raw = normalize(questionnaire, shown, formdata_from(answers))
    errors: dict = {}
    found: list[Problem] = []
    if check:  # only a checked page needs the form: its messages
        form = build_form(questionnaire, shown, formdata_from(raw), texts)
        form.validate()
        errors = form.errors
        found = problems(form, shown, texts)
    visible = visible_steps(questionnaire, typed)
    return StepPage(
        step=current,
        questions=shown,
        state=State(raw, errors, frozenset(p.question_id for p in found)),
        problems=found,
        progress=progress(questionnaire, current, typed),
        is_last=current.number == visible[-1].number if visible else True,
        show_page_intro=current.questions[0] is current.page.questions[0],
    )


def first_invalid_step(
    questionnaire: Questionnaire, answers: Raw, found: list[str] | None = None
) -> Step | None:
    """The first visible step holding an answer the definition does not allow.

    ``found``: the problems ``definition_problems`` already reported for these answers.
    """
    raw = normalize_raw(questionnaire, answers)
    found = definition_problems(questionnaire, raw) if found is None else found
    if not found:
        return None
    wrong = {p.split(":", 1)[0] for p in found}
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
    *,
    may_store: Callable[[], None] | None = None,
    before_store: Callable[[Session, Link], None] | None = None,
) -> uuid.UUID | None:
    """Store the draft as an anonymous response, in one transaction; delete the draft.

    In this order, each a step of its own below:

    1. **check** the answers against the definition (once per submit): ``AnswersInvalid``
       before anything is written, the draft stays to be corrected;
    2. ``may_store()``: the caller's last word before any write (the web's rate limit);
       raising stores nothing;
    3. **claim** the draft: its DELETE is the transaction's first write, so a second
       submit of the same draft (double tap, retry, back and resubmit) finds nothing to
       delete and stores nothing (returns None);
    4. ``before_store(session, link)``: work that must succeed or fail together with
       the response, in the same transaction (consuming a one-time access code,
       ``access.consume``: it must not link the code to the response); raising rolls
       everything back;
    5. **store** the response and its answers, remember the draft as submitted; commit.

    ``answers``: the draft's answers as merged in this request (the final page's
    answers are then never written to the draft, only to the response).
    """
    if session.new or session.dirty or session.deleted:
        session.rollback()  # start clean: the claim below must be this transaction's first write
    draft = session.get(Draft, draft_id)  # from the identity map when this request loaded it
    if draft is None:
        return None
    link = session.get(Link, draft.link_token)
    if link is None:
        raise DraftMissing()
    raw = normalize_raw(questionnaire, draft.answers if answers is None else answers)
    rows = _checked_rows(questionnaire, raw)  # 1. check
    if may_store is not None:
        may_store()  # 2.
    values = {
        "campaign_id": link.campaign_id,
        "school_id": link.school_id,
        "audience": link.audience,
        "language": draft.language,
    }
    if not _claim(session, draft):  # 3. another request submitted it a moment ago
        return None
    if before_store is not None:
        try:
            before_store(session, link)  # 4.
        except BaseException:
            session.rollback()
            raise
    response_id = _store(session, questionnaire, values, rows, today, granularity)  # 5.
    _remember_submitted(session, draft_id, today)
    session.commit()
    return response_id


def _checked_rows(questionnaire: Questionnaire, raw: dict[str, list[str]]) -> list[dict]:
    """The answer rows of the visible questions, or AnswersInvalid (nothing is written)."""
    typed = typed_answers(questionnaire, raw)
    questions = [
        q
        for step in visible_steps(questionnaire, typed)
        for q in visible_questions(questionnaire, step, typed)
    ]
    found = definition_problems(questionnaire, raw, questions)
    if found:
        raise AnswersInvalid(found)
    return list(answer_rows(questionnaire, questions, raw))


# Core statements on the tables, compiled once: the ORM's bulk and "evaluate" machinery
# cost a third of a submit's CPU and buys nothing here (no object is kept).
_DELETE_DRAFT = Draft.__table__.delete().where(Draft.__table__.c.id == bindparam("draft_id"))
_INSERT_RESPONSE = Response.__table__.insert()
_INSERT_ANSWER = Answer.__table__.insert()
_INSERT_SUBMITTED = SubmittedDraft.__table__.insert()


def _claim(session: Session, draft: Draft) -> bool:
    draft_id = draft.id
    session.expunge(draft)  # the draft object must not be flushed back after its DELETE
    deleted = session.execute(_DELETE_DRAFT, {"draft_id": draft_id})
    if deleted.rowcount != 1:
        session.rollback()
        return False
    return True


def _store(
    session: Session,
    questionnaire: Questionnaire,
    values: dict[str, Any],
    rows: list[dict],
    today: date,
    granularity: str,
) -> uuid.UUID:
    response_id = uuid.uuid4()
    session.execute(
        _INSERT_RESPONSE,
        {
            "id": response_id,
            "questionnaire_id": questionnaire.id,
            "questionnaire_version": questionnaire.version,
            "submitted_on": week_start(today) if granularity == "week" else today,
            "complete": True,
            **values,
        },
    )
    if rows:  # one statement for all rows: every row names every column
        empty = {"code": None, "number": None, "text": None}
        session.execute(_INSERT_ANSWER, [{**empty, "response_id": response_id, **r} for r in rows])
    return response_id


def _remember_submitted(session: Session, draft_id: str, today: date) -> None:
    session.execute(
        _INSERT_SUBMITTED,
        {
            "id_hash": _draft_hash(draft_id),
            "expires_on": today + timedelta(days=SUBMITTED_MEMORY_DAYS),
        },
    )


def purge_drafts(session: Session, today: date) -> int:
    """Delete drafts past their expiry; returns how many."""
    result = session.execute(delete(Draft).where(Draft.expires_on < today))
    session.execute(delete(SubmittedDraft).where(SubmittedDraft.expires_on < today))
    session.commit()
    return result.rowcount or 0
