"""Routes of the respondent's flow: intro -> steps -> submit -> thank you.

Views parse the request, call a service and render; the work is in services.py.
The page language comes from ``?lang=``, then the draft, then the browser.
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

from survey.core import clock
from survey.core.errors import DraftMissing, LinkClosed
from survey.distribution.models import Link
from survey.extensions import db
from survey.i18n import locale
from survey.i18n.texts import QuestionnaireTexts
from survey.questionnaires.definition import Questionnaire
from survey.questionnaires.registry import registry
from survey.respond import services, sharing
from survey.respond.answers import typed_answers
from survey.respond.forms import build_form, formdata_from, raw_of
from survey.respond.models import Draft
from survey.respond.steps import Step, all_steps, visible_questions, visible_steps

bp = Blueprint("respond", __name__, template_folder="templates")

_DRAFTS = "drafts"  # session key: link token -> draft id
_SUBMITTED = "submitted"  # session key: link tokens answered from this browser
_CLAIMED = "claimed"  # session key: link tokens whose draft the person at a shared device took up


@bp.before_request
def _private() -> None:
    g.private_page = True


def _context(token: str) -> tuple[Link, Questionnaire]:
    link = services.open_link(db.session, token, clock.today())
    questionnaire = registry().get(services.questionnaire_id_for(link))
    if questionnaire is None:
        raise LinkClosed()
    return link, questionnaire


def _current_draft(link: Link) -> Draft | None:
    draft_id = session.get(_DRAFTS, {}).get(link.token)
    return services.find_draft(db.session, draft_id, link, clock.today())


def _language(questionnaire: Questionnaire, remembered: str | None = None) -> list[str]:
    """Set the page language; returns the languages this questionnaire is offered in."""
    offered = locale.offer().questionnaire(questionnaire.id)
    g.language = locale.choose(offered, remembered)
    return offered


def _texts(questionnaire: Questionnaire) -> QuestionnaireTexts:
    return QuestionnaireTexts(questionnaire, g.language, current_app.config["TRANSLATIONS_DIR"])


def _expiry_days() -> int:
    return int(current_app.config["DRAFT_EXPIRY_DAYS"])


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
    _set_claimed(link, False)  # whoever opens the link again says who they are
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
    _set_claimed(link, True)
    if draft is None:
        language = wanted if wanted in offered else locale.SOURCE_LANGUAGE
        draft = services.start_draft(
            db.session, link, questionnaire.id, language, clock.today(), _expiry_days()
        )
        session.permanent = True  # closing the browser and coming back resumes
        session[_DRAFTS] = {**session.get(_DRAFTS, {}), link.token: draft.id}
    elif wanted in offered and wanted != draft.language:
        services.set_language(db.session, draft, wanted)
    typed = typed_answers(questionnaire, draft.answers)
    first = visible_steps(questionnaire, typed)[0]
    return redirect(url_for(".step", token=token, number=first.number))


@bp.post("/s/<token>/nein")
def decline(token: str):
    """Taking part is voluntary: saying no stores nothing and forgets any draft."""
    link, questionnaire = _context(token)
    draft = _current_draft(link)
    _language(questionnaire, request.form.get("lang"))
    if draft is not None:
        services.discard_draft(db.session, draft)
    drafts = dict(session.get(_DRAFTS, {}))
    if drafts.pop(link.token, None):
        session[_DRAFTS] = drafts
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
    if link is None:
        abort(404)
    services.discard_drafts(db.session, list(session.get(_DRAFTS, {}).values()))
    session.clear()
    return redirect(url_for(".intro", token=token))


@bp.route("/s/<token>/<int:number>", methods=["GET", "POST"])
def step(token: str, number: int):
    link, questionnaire = _context(token)
    draft = _current_draft(link)
    if draft is None:
        if token in session.get(_SUBMITTED, []):
            return redirect(url_for(".thanks", token=token))
        _language(questionnaire)
        raise DraftMissing()
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
        form = build_form(questionnaire, shown, formdata_from(draft.answers), texts)
        if request.args.get("check"):
            form.validate()
        return _render(token, questionnaire, texts, offered, current, shown, form, typed)

    form = build_form(questionnaire, shown, request.form, texts)
    services.save_answers(
        db.session, draft, questionnaire, raw_of(form), clock.today(), _expiry_days()
    )
    typed = typed_answers(questionnaire, draft.answers)
    switch = request.form.get("switch_lang")
    if switch:  # what was typed is saved; the same page comes back in the other language
        if switch in offered:
            services.set_language(db.session, draft, switch)
        return redirect(url_for(".step", token=token, number=current.number))
    if request.form.get("action") == "back":
        return _redirect_before(token, questionnaire, typed, current)
    if not form.validate():
        return _render(token, questionnaire, texts, offered, current, shown, form, typed, 422)

    now_shown = visible_questions(questionnaire, current, typed)
    if any(q not in shown for q in now_shown):
        # An answer on this page opened a follow-up question on the same page.
        form = build_form(questionnaire, now_shown, formdata_from(draft.answers), texts)
        notice = (
            pgettext("children", "Deine Antwort hat noch eine Frage geöffnet. Schau sie dir an.")
            if questionnaire.audience == "children"
            else _("Ihre Antwort hat eine weitere Frage geöffnet. Bitte sehen Sie sie sich an.")
        )
        return _render(
            token, questionnaire, texts, offered, current, now_shown, form, typed, notice=notice
        )
    following = [s for s in visible_steps(questionnaire, typed) if s.number > current.number]
    if following:
        return redirect(url_for(".step", token=token, number=following[0].number))
    return _submit(token, link, questionnaire, draft)


def _submit(token: str, link: Link, questionnaire: Questionnaire, draft: Draft):
    # Check every visible step once more: the definition may have changed, or
    # the answers may have been sent by hand.
    typed = typed_answers(questionnaire, draft.answers)
    for candidate in visible_steps(questionnaire, typed):
        questions = visible_questions(questionnaire, candidate, typed)
        if not build_form(questionnaire, questions, formdata_from(draft.answers)).validate():
            return redirect(url_for(".step", token=token, number=candidate.number, check=1))
    language = draft.language
    granularity = current_app.config["DATE_GRANULARITY"]
    services.submit(db.session, draft.id, questionnaire, clock.today(), granularity)
    drafts = dict(session.get(_DRAFTS, {}))
    drafts.pop(link.token, None)
    session[_DRAFTS] = drafts
    session[_SUBMITTED] = [*session.get(_SUBMITTED, [])[-9:], token]
    return redirect(url_for(".thanks", token=token, lang=language))


@bp.get("/s/<token>/danke")
def thanks(token: str):
    link = db.session.get(Link, token) if len(token) <= 32 else None
    if link is None:
        abort(404)
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
    return redirect(url_for(".intro", token=token))


def _render(
    token, questionnaire, texts, offered, current, shown, form, typed, status=200, notice=None
):
    visible = visible_steps(questionnaire, typed)
    position = next((i for i, s in enumerate(visible) if s.number == current.number), 0) + 1
    first_of_page = current.questions[0] is current.page.questions[0]
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
            position=position,
            total=len(visible),
            is_last=position == len(visible),
            show_page_intro=first_of_page,
            notice=notice,
        ),
        status,
    )
