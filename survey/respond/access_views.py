"""The page that asks for a one-time access code, and the few hooks the flow calls.

``gate`` sends a link that needs a code to ``/s/<token>/zugang`` until the session holds
one; ``held`` hands the held code's hash to the submit (which consumes it, see
access.py); ``refused_at_submit`` keeps what was typed when the code was used up
meanwhile. The session keeps the code's keyed hash per link token, never the code.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from survey.core import clock, ratelimit
from survey.core.errors import LinkClosed
from survey.distribution.models import Link
from survey.extensions import db
from survey.i18n import locale
from survey.i18n.texts import QuestionnaireTexts
from survey.questionnaires.registry import registry
from survey.respond import access, services
from survey.respond.models import Draft

bp = Blueprint("access", __name__, template_folder="templates")

#: session key: link token -> keyed hash of the code typed for it
CODES = "codes"
_DRAFTS = "drafts"  # the flow's own key (blueprint.py): link token -> draft id


@bp.before_request
def _private() -> None:
    g.private_page = True


def held(token: str) -> str | None:
    return session.get(CODES, {}).get(token)


def forget(token: str) -> None:
    if token in session.get(CODES, {}):
        session[CODES] = {t: h for t, h in session[CODES].items() if t != token}


def gate(link: Link):
    """A redirect to the code page while this link needs a code the session lacks."""
    if held(link.token) or not access.required(db.session, link):
        return None
    wanted = request.values.get("lang")
    return redirect(
        url_for("access.enter", token=link.token, **({"lang": wanted} if wanted else {}))
    )


def refused_at_submit(token: str, draft_id: str, answers: dict, refused: access.CodeRefused):
    """The code was used (or revoked) since it was typed: the response was not stored.
    Keep every answer in the draft and ask for another code."""
    draft = db.session.get(Draft, draft_id)
    if draft is not None:
        draft.answers = answers
        db.session.commit()
    forget(token)
    return redirect(url_for("access.enter", token=token, grund=refused.kind))


def _page(token: str, status: int = 200, refused: access.CodeRefused | None = None, typed=""):
    resuming = token in session.get(_DRAFTS, {})
    link = services.open_link(db.session, token, clock.today(), resuming=resuming)
    questionnaire = registry().get(services.questionnaire_id_for(link))
    if questionnaire is None:
        raise LinkClosed()
    offered = locale.offer().questionnaire(questionnaire.id)
    g.language = locale.choose(offered, session.get("lang"))
    if not access.required(db.session, link):
        return redirect(url_for("respond.intro", token=token, lang=g.language))
    return link, questionnaire, offered, status, refused, typed


def _render(link, questionnaire, offered, status, refused, typed, kept: bool):
    return (
        render_template(
            "respond/code.html",
            link=link,
            t=QuestionnaireTexts(questionnaire, g.language, current_app.config["TRANSLATIONS_DIR"]),
            languages=locale.by_preference(offered),
            refused=refused,
            typed=typed,
            kept=kept,
        ),
        status,
    )


@bp.get("/s/<token>/zugang")
def enter(token: str):
    found = _page(token)
    if not isinstance(found, tuple):
        return found
    kind = request.args.get("grund")
    refused = access.REFUSALS[kind]() if kind in access.REFUSALS else None
    # Sent back from the final submit: the answers are kept, only a new code is missing.
    kept = refused is not None and token in session.get(_DRAFTS, {})
    return _render(*found[:4], refused, "", kept)


@bp.post("/s/<token>/zugang")
def submit_code(token: str):
    found = _page(token)
    if not isinstance(found, tuple):
        return found
    link, questionnaire, offered, *_rest = found
    typed = request.form.get("code", "")[:40]
    ratelimit.enforce("code", link.token)
    try:
        code_hash = access.check(db.session, link, typed, current_app.config["SECRET_KEY"])
    except access.CodeRefused as refused:
        db.session.rollback()
        return _render(link, questionnaire, offered, refused.status, refused, typed, False)
    session.permanent = True
    # A few links at most (a parent with children at two schools); the oldest go first.
    others = [(t, h) for t, h in session.get(CODES, {}).items() if t != token][-4:]
    session[CODES] = {**dict(others), token: code_hash}
    return redirect(url_for("respond.intro", token=token, lang=g.language))
