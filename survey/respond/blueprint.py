"""Routes of the respondent's flow: intro -> steps -> submit -> thank you.

Views parse the request, call a service and render; the work is in services.py.
The page language comes from ``?lang=``, then the draft, then the browser.
Every POST answers with a redirect (errors and notices are shown by the GET that
follows), so the browser's Back button never asks to resend a form.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import pgettext

from survey.core import clock, ratelimit
from survey.core.errors import DraftMissing, LinkClosed, LinkUnknown
from survey.core.web import (
    DATABASE_AWAY,
    RETRY_AFTER_SECONDS,
    database_away_page,
    log_database_away,
)
from survey.distribution.models import Link
from survey.extensions import db
from survey.i18n import locale
from survey.i18n.texts import QuestionnaireTexts
from survey.questionnaires.definition import Questionnaire, variables_of
from survey.questionnaires.registry import registry
from survey.respond import access, access_views, resume, services, sharing
from survey.respond.answers import typed_answers
from survey.respond.forms import build_form, formdata_from, raw_of
from survey.respond.models import Draft
from survey.respond.steps import Step, all_steps, progress, visible_questions, visible_steps
from survey.respond.summary import problems

bp = Blueprint("respond", __name__, template_folder="templates")

_DRAFTS = "drafts"  # session key: link token -> draft id
_SUBMITTED = "submitted"  # session key: link tokens answered from this browser
_SHOWN = "shown"  # session key: link token -> number of the step last shown (for resuming)
_CLAIMED = "claimed"  # session key: link tokens whose draft the person at a shared device took up


@bp.before_request
def _private() -> None:
    g.private_page = True


#: link token -> questionnaire id, as this process last saw it: lets a step that
#: cannot reach the database still show its questions (see _database_away).
_questionnaire_of: dict[str, str] = {}


def _context(token: str) -> tuple[Link, Questionnaire]:
    resuming = token in session.get(_DRAFTS, {})
    link = services.open_link(db.session, token, clock.today(), resuming=resuming)
    questionnaire = registry().get(services.questionnaire_id_for(link))
    if questionnaire is None:
        raise LinkClosed()
    if len(_questionnaire_of) < 10_000:
        _questionnaire_of[token] = questionnaire.id
    return link, questionnaire


def _database_away(error: Exception):
    """The database is away while a step is sent: the page comes back with what
    was typed in it (the draft cannot be saved), to be sent again in a minute."""
    args = request.view_args or {}
    questionnaire = registry().get(_questionnaire_of.get(args.get("token", ""), ""))
    steps = all_steps(questionnaire) if questionnaire else []
    number = args.get("number", 0)
    if (
        request.endpoint != "respond.step"
        or request.method != "POST"
        or not 1 <= number <= len(steps)
    ):
        return database_away_page(error)
    assert questionnaire is not None
    log_database_away(error)
    current = steps[number - 1]
    offered = _language(questionnaire, session.get("lang"))
    posted = services.posted_answers(questionnaire, current, request.form)
    typed = typed_answers(questionnaire, posted)
    shown = tuple(
        q
        for q in current.questions
        if q in visible_questions(questionnaire, current, typed)
        or any(posted.get(v) for v in variables_of(q))
    )
    texts = _texts(questionnaire)
    form = build_form(questionnaire, shown or current.questions, formdata_from(posted), texts)
    notice = _(
        "Wir können Ihre Antworten gerade nicht speichern. Bitte senden Sie die Seite in einer Minute noch einmal: Was Sie eingegeben haben, steht noch da."
    )
    page, _status = _render(
        token=args["token"],
        questionnaire=questionnaire,
        texts=texts,
        offered=offered,
        current=current,
        shown=shown or current.questions,
        form=form,
        typed=typed,
        notice=notice,
    )
    return page, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}


for _error_class in DATABASE_AWAY:
    bp.register_error_handler(_error_class, _database_away)


def _current_draft(link: Link) -> Draft | None:
    draft_id = session.get(_DRAFTS, {}).get(link.token)
    return services.find_draft(db.session, draft_id, link, clock.today())


def _submitted_draft(link: Link) -> bool:
    """The cookie still names a draft that was submitted: the reply to the final
    submit never arrived. Forget it here, as that reply would have done."""
    drafts = dict(session.get(_DRAFTS, {}))
    if not services.was_submitted(db.session, drafts.get(link.token), clock.today()):
        return False
    drafts.pop(link.token, None)
    session[_DRAFTS] = drafts
    session[_SUBMITTED] = [*session.get(_SUBMITTED, [])[-9:], link.token]
    return True


def _language(questionnaire: Questionnaire, remembered: str | None = None) -> list[str]:
    """Set the page language; returns the languages this questionnaire is offered in."""
    offered = locale.offer().questionnaire(questionnaire.id)
    g.language = locale.choose(offered, remembered)
    return offered


def _texts(questionnaire: Questionnaire) -> QuestionnaireTexts:
    return QuestionnaireTexts(questionnaire, g.language, current_app.config["TRANSLATIONS_DIR"])


def _expiry_days() -> int:
    return int(current_app.config["DRAFT_EXPIRY_DAYS"])


def _resume_at(token: str, questionnaire: Questionnaire, draft: Draft) -> Step:
    return resume.resume_step(questionnaire, draft, session.get(_SHOWN, {}).get(token))


def _claimed(link: Link) -> bool:
    """On a shared device, whether the person now answering took up this draft."""
    return not sharing.asks_before_resuming(link.audience) or link.token in session.get(
        _CLAIMED, []
    )


def _set_claimed(link: Link, claimed: bool) -> None:
    if sharing.asks_before_resuming(link.audience):
        tokens = [t for t in session.get(_CLAIMED, []) if t != link.token]
        session[_CLAIMED] = [*tokens, link.token] if claimed else tokens


@bp.get("/s/<token>")
def intro(token: str):
    link, questionnaire = _context(token)
    draft = _current_draft(link)
    if draft is None and _submitted_draft(link):
        return redirect(url_for(".thanks", token=token))
    if (ask_code := access_views.gate(link)) is not None:  # one-time access codes
        return ask_code
    _set_claimed(link, False)  # whoever opens the link again says who they are
    if (
        draft is not None
        and not request.args.get("intro")
        and resume.may_resume(questionnaire, draft)
    ):
        # Coming back: straight to where they stopped, with a short note; the
        # intro is one "Zurück" away (?intro=1).
        wanted = request.args.get("lang")
        return redirect(
            url_for(
                ".step",
                token=token,
                number=_resume_at(token, questionnaire, draft).number,
                notice="resumed",
                **({"lang": wanted} if wanted else {}),
            )
        )
    ask_who = draft is not None and sharing.asks_before_resuming(link.audience)
    offered = _language(questionnaire, draft.language if draft and not ask_who else None)
    return render_template(
        "respond/intro.html",
        link=link,
        questionnaire=questionnaire,
        t=_texts(questionnaire),
        languages=locale.by_preference(offered),
        resume=draft is not None,
        ask_who=ask_who,
        school_contact=link.campaign.school_contact,
        steps=len(visible_steps(questionnaire, {})),
        expiry_days=_expiry_days(),
    )


@bp.post("/s/<token>/start")
def start(token: str):
    link, questionnaire = _context(token)
    draft = _current_draft(link)
    offered = locale.offer().questionnaire(questionnaire.id)
    wanted = request.form.get("lang")
    who = request.form.get("who")  # "new": start afresh; "same": the person who started
    if draft is not None and who == "new":
        services.discard_draft(db.session, draft)
        draft = None
    elif draft is not None and who != "same" and not _claimed(link):
        return redirect(url_for(".intro", token=token))  # never resumed silently
    if draft is None and link.revoked:  # only a draft begun before the revocation goes on
        raise LinkUnknown()
    if (ask_code := access_views.gate(link)) is not None:
        return ask_code
    _set_claimed(link, True)
    if draft is None:
        language = wanted if wanted in offered else locale.SOURCE_LANGUAGE
        g.language = language  # also the language of a refusal
        ratelimit.enforce("start", link.token)
        draft = services.start_draft(
            db.session, link, questionnaire.id, language, clock.today(), _expiry_days()
        )
        session.permanent = True  # closing the browser and coming back resumes
        session[_DRAFTS] = {**session.get(_DRAFTS, {}), link.token: draft.id}
        # A new draft starts at the beginning, whatever an earlier one reached.
        session[_SHOWN] = {t: n for t, n in session.get(_SHOWN, {}).items() if t != token}
        first = visible_steps(questionnaire, {})[0]
        return redirect(url_for(".step", token=token, number=first.number))
    if wanted in offered and wanted != draft.language:
        services.set_language(db.session, draft, wanted)
    return redirect(
        url_for(
            ".step",
            token=token,
            number=_resume_at(token, questionnaire, draft).number,
            notice="resumed",
        )
    )


@bp.post("/s/<token>/nein")
def decline(token: str):
    """Taking part is voluntary: saying no stores nothing and forgets any draft."""
    link, questionnaire = _context(token)
    draft = _current_draft(link)
    offered = locale.offer().questionnaire(questionnaire.id)
    if draft is not None:
        services.discard_draft(db.session, draft)
    drafts = dict(session.get(_DRAFTS, {}))
    if drafts.pop(link.token, None):
        session[_DRAFTS] = drafts
    wanted = request.form.get("lang")
    return redirect(
        url_for(".declined", token=token, **({"lang": wanted} if wanted in offered else {}))
    )


@bp.get("/s/<token>/nein")
def declined(token: str):
    link, questionnaire = _context(token)
    _language(questionnaire)
    return render_template(
        "respond/declined.html",
        token=token,
        audience=link.audience,
        school_contact=link.campaign.school_contact,
    )


@bp.post("/s/<token>/fertig")
def next_person(token: str):
    """ "Fertig – das nächste Kind ist dran": nothing of this person stays on the device."""
    link = db.session.get(Link, token) if len(token) <= 32 else None
    if link is None or link.revoked:  # revoked answers like unknown (see open_link)
        raise LinkUnknown()
    services.discard_drafts(db.session, list(session.get(_DRAFTS, {}).values()))
    session.clear()
    return redirect(url_for(".intro", token=token))


@bp.route("/s/<token>/<int:number>", methods=["GET", "POST"])
def step(token: str, number: int):
    link, questionnaire = _context(token)
    draft = _current_draft(link)
    if draft is None:
        if token in session.get(_SUBMITTED, []) or _submitted_draft(link):
            return redirect(url_for(".thanks", token=token))
        _language(questionnaire)
        raise DraftMissing(action_url=url_for(".intro", token=token))
    if not _claimed(link):  # a shared device: the next person must say who they are
        return redirect(url_for(".intro", token=token))
    offered = _language(questionnaire, draft.language)
    if g.language != draft.language:  # ?lang= on a step page
        services.set_language(db.session, draft, g.language)
    steps = all_steps(questionnaire)
    if not 1 <= number <= len(steps):
        abort(404)
    current = steps[number - 1]
    texts = _texts(questionnaire)
    typed = typed_answers(questionnaire, draft.answers)
    shown = visible_questions(questionnaire, current, typed)

    if request.method == "GET":
        if not shown:  # hidden by an earlier answer: move on
            return _redirect_after(token, questionnaire, typed, current)
        if session.get(_SHOWN, {}).get(token) != current.number:
            session[_SHOWN] = {
                **{
                    t: n
                    for t, n in session.get(_SHOWN, {}).items()
                    if t in session.get(_DRAFTS, {})
                },
                token: current.number,
            }
        form = build_form(questionnaire, shown, formdata_from(draft.answers), texts)
        if request.args.get("check"):
            form.validate()
        notice = _notice(questionnaire, request.args.get("notice"))
        return _render(
            token, questionnaire, texts, offered, current, shown, form, typed, notice=notice
        )

    form = build_form(questionnaire, shown, request.form, texts)
    # What was typed joins the draft in this transaction; every way out below but
    # the final submit commits it, the final submit stores the response instead.
    services.save_answers(
        db.session, draft, questionnaire, raw_of(form), clock.today(), _expiry_days(), commit=False
    )
    answers = dict(draft.answers)
    target = services.after_post(
        questionnaire,
        current,
        shown,
        answers,
        valid=form.validate(),
        action=request.form.get("action"),
        switch=request.form.get("switch_lang"),
        offered=offered,
    )
    if target.kind == "submit":
        return _submit(token, link, questionnaire, draft, answers)
    if target.kind == "switch":
        services.set_language(db.session, draft, target.language)  # commits
    db.session.commit()
    return _redirect_to(token, questionnaire, answers, current, target)


def _redirect_to(token, questionnaire, answers, current, target: services.Next):
    if target.kind == "before":
        return _redirect_before(
            token, questionnaire, typed_answers(questionnaire, answers), current
        )
    return redirect(url_for(".step", token=token, number=target.number, **target.args))


def _submit(token: str, link: Link, questionnaire: Questionnaire, draft: Draft, answers: dict):
    # Check the whole draft once more against the definition (not the forms): the
    # definition may have changed, or the answers may have been sent by hand.
    invalid = services.first_invalid_step(questionnaire, answers)
    if invalid is not None:
        db.session.commit()  # keep what was typed on this page
        return redirect(url_for(".step", token=token, number=invalid.number, check=1))
    try:
        ratelimit.enforce("submit", link.token)
    except Exception:
        db.session.commit()
        raise
    language = draft.language
    granularity = current_app.config["DATE_GRANULARITY"]
    draft_id, code = draft.id, access_views.held(token)
    try:
        services.submit(
            db.session,
            draft_id,
            questionnaire,
            clock.today(),
            granularity,
            answers=answers,
            check=lambda tx, link: access.consume(tx, link, code),
        )
    except access.CodeRefused as refused:  # nothing stored; the answers stay in the draft
        return access_views.refused_at_submit(token, draft_id, answers, refused)
    access_views.forget(token)
    drafts = dict(session.get(_DRAFTS, {}))
    drafts.pop(link.token, None)
    session[_DRAFTS] = drafts
    session[_SUBMITTED] = [*session.get(_SUBMITTED, [])[-9:], token]
    return redirect(url_for(".thanks", token=token, lang=language))


@bp.get("/s/<token>/danke")
def thanks(token: str):
    link = db.session.get(Link, token) if len(token) <= 32 else None
    # Revoked answers like unknown (see open_link), except to whoever just finished a
    # draft begun on it before the revocation.
    if link is None or (link.revoked and token not in session.get(_SUBMITTED, [])):
        raise LinkUnknown()
    questionnaire = registry().get(link.campaign.questionnaire_for(link.audience) or "")
    if questionnaire is not None:
        _language(questionnaire)
    return render_template(
        "respond/thanks.html",
        token=token,
        audience=link.audience,
        school_contact=link.campaign.school_contact,
    )


def _redirect_after(token: str, questionnaire: Questionnaire, typed: dict, current: Step):
    following = [s for s in visible_steps(questionnaire, typed) if s.number > current.number]
    if following:
        return redirect(url_for(".step", token=token, number=following[0].number))
    return _redirect_before(token, questionnaire, typed, current)


def _redirect_before(token: str, questionnaire: Questionnaire, typed: dict, current: Step):
    earlier = [s for s in visible_steps(questionnaire, typed) if s.number < current.number]
    if earlier:
        return redirect(url_for(".step", token=token, number=earlier[-1].number))
    visible = current in visible_steps(questionnaire, typed)
    if visible and sharing.asks_before_resuming(questionnaire.audience):
        # The intro of a shared tablet asks who is there: "back" stays at the first question.
        return redirect(url_for(".step", token=token, number=current.number))
    return redirect(url_for(".intro", token=token, intro=1))


def _notice(questionnaire: Questionnaire, kind: str | None) -> str | None:
    children = questionnaire.audience == "children"
    if kind == "opened":
        if children:
            return pgettext(
                "children", "Deine Antwort hat noch eine Frage geöffnet. Schau sie dir an."
            )
        return _("Ihre Antwort hat eine weitere Frage geöffnet. Bitte sehen Sie sie sich an.")
    if kind == "resumed":
        if children:
            return pgettext(
                "children", "Willkommen zurück! Du machst da weiter, wo du aufgehört hast."
            )
        return _("Willkommen zurück! Sie machen da weiter, wo Sie aufgehört haben.")
    return None


def _render(
    token, questionnaire, texts, offered, current, shown, form, typed, status=200, notice=None
):
    visible = visible_steps(questionnaire, typed)
    first_of_page = current.questions[0] is current.page.questions[0]
    found = problems(form, shown, texts)
    return (
        render_template(
            "respond/step.html",
            token=token,
            questionnaire=questionnaire,
            t=texts,
            languages=offered,
            step=current,
            questions=shown,
            form=form,
            progress=progress(questionnaire, current, typed),
            is_last=current.number == visible[-1].number if visible else True,
            show_page_intro=first_of_page,
            notice=notice,
            problems=found,
            invalid={p.question_id for p in found},
        ),
        status,
    )
