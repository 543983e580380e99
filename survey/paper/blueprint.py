"""Downloads of printed matter in the staff area: flyers, the parents' letter, message
texts, printable questionnaires, and the approval dossier.

Thin views over the same services as ``survey flyers``/``letters``/``print-questionnaire``/
``dossier``. Coordinators get what belongs to their own schools (404 for any other, as
everywhere in the staff area), analysts and admins everything; the dossier is for analysts
and admins. Every download is written to the audit log in the same transaction as the
links it may have created. Bad input (an audience the campaign does not ask, a language
its questionnaire is not offered in, an unknown format) answers 404 or 400 with a page
that says what to choose, never 500.
"""

from __future__ import annotations

import re
from io import BytesIO
from typing import TYPE_CHECKING

from flask import Blueprint, abort, current_app, render_template, request, send_file
from flask_babel import gettext as _
from flask_login import current_user

from survey.core import audit
from survey.core.errors import InvalidInput
from survey.core.permissions import Action, can, found, requires
from survey.distribution import links as link_service
from survey.distribution.models import AUDIENCES, Campaign, School
from survey.extensions import db
from survey.i18n.locale import SOURCE_LANGUAGE, offer
from survey.questionnaires.definition import Questionnaire
from survey.questionnaires.registry import registry

if TYPE_CHECKING:
    from survey.paper.flyers import FlyerLink

bp = Blueprint("paper", __name__, template_folder="templates")

#: ``format`` of a flyer: A4, or A5 two on an A4 sheet
FORMATS = ("a4", "a5")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
PDF = "application/pdf"


@bp.app_template_global()
def print_languages(questionnaire_id: str) -> list[str]:
    """The languages a questionnaire (and so its printed matter) is offered in."""
    return offer().questionnaire(questionnaire_id) if registry().get(questionnaire_id) else []


@bp.app_template_global()
def may_download_dossier() -> bool:
    return can(current_user, Action.VIEW_DOSSIER)


# --- looking things up: 404 for what does not exist or is not the user's ---------------


def _campaign(campaign_id: int, action: Action) -> Campaign:
    return found(current_user, action, db.session.get(Campaign, campaign_id))


def _school(campaign: Campaign, school_id: int) -> School:
    school = next((s for s in campaign.schools if s.id == school_id), None)
    return found(current_user, Action.PRINT_MATERIALS, school)


def _questionnaire(campaign: Campaign, audience: str) -> Questionnaire:
    questionnaire_id = campaign.questionnaire_for(audience) if audience in AUDIENCES else None
    found = registry().get(questionnaire_id) if questionnaire_id else None
    if found is None:  # the campaign does not ask this audience
        abort(404)
    return found


def _link(campaign: Campaign, school: School, audience: str, contact: str | None) -> FlyerLink:
    from survey.paper.services import flyer_link  # reportlab: imported when printing

    questionnaire = _questionnaire(campaign, audience)
    # As on the links page: a school's links are made when first needed.
    live = link_service.ensure_links(db.session, current_user.id, campaign, school)
    if audience not in live:
        abort(404)
    return flyer_link(
        campaign, live[audience], questionnaire, str(current_app.config["BASE_URL"]), contact
    )


# --- parsing the query: 400 for values that cannot be used -------------------------------


def _languages(questionnaire: Questionnaire, several: bool) -> list[str]:
    """``?lang=ar`` (or ``?lang=de,ar&lang=tr`` where several are allowed); default German."""
    wanted = [
        code.strip()
        for value in request.args.getlist("lang")
        for code in value.split(",")
        if code.strip()
    ] or [SOURCE_LANGUAGE]
    wanted = list(dict.fromkeys(wanted))
    offered = offer().questionnaire(questionnaire.id)
    if any(code not in offered for code in wanted):
        raise InvalidInput(
            _(
                "Diese Sprache gibt es für diesen Fragebogen nicht. Bitte wählen Sie eine der angebotenen Sprachen."
            ),
            "lang",
        )
    if len(wanted) > 1 and not several:
        raise InvalidInput(_("Ein Flyer hat eine Sprache; Deutsch kann daneben stehen."), "lang")
    return wanted


def _format() -> str:
    value = request.args.get("format", FORMATS[0])
    if value not in FORMATS:
        raise InvalidInput(_("Bitte wählen Sie das Format A4 oder A5."), "format")
    return value


def _beside() -> str:
    value = request.args.get("beside", "")
    if value not in ("", SOURCE_LANGUAGE):
        raise InvalidInput(_("Ein Flyer hat eine Sprache; Deutsch kann daneben stehen."), "beside")
    return value


def _contact() -> str | None:
    """Whom to ask, as the school typed it: one line, at most 200 characters."""
    value = _CONTROL.sub(" ", request.args.get("contact", "")).strip()
    if len(value) > 200:
        raise InvalidInput(_("Die Ansprechperson darf höchstens 200 Zeichen lang sein."), "contact")
    return " ".join(value.split()) or None


def _download(buffer: BytesIO, name: str, mimetype: str = PDF):
    buffer.seek(0)
    response = send_file(buffer, mimetype=mimetype, as_attachment=True, download_name=name)
    # A flyer carries a working link: no shared cache keeps a copy.
    response.headers["Cache-Control"] = "no-store"
    return response


def _logged(what: str, campaign: Campaign, detail: str) -> None:
    """The download in the audit log, committed with any link it made."""
    audit.record(
        db.session, current_user.id, "download", what, f"Kampagne {campaign.slug}, {detail}"
    )
    db.session.commit()


# --- pages ------------------------------------------------------------------------------


@bp.get("/kampagnen/<int:campaign_id>/schulen/<int:school_id>/druck")
@requires(Action.PRINT_MATERIALS)
def school_materials(campaign_id: int, school_id: int):
    """Everything a school prints, per audience: flyers, the parents' letter, messages."""
    from survey.paper.letters import MESSAGE_AUDIENCES

    found = _campaign(campaign_id, Action.PRINT_MATERIALS)
    school = _school(found, school_id)
    audiences = [
        {
            "audience": audience,
            "languages": offer().questionnaire(questionnaire_id),
            "messages": audience in MESSAGE_AUDIENCES,
        }
        for audience in AUDIENCES
        if (questionnaire_id := found.questionnaire_for(audience))
        and registry().get(questionnaire_id) is not None
    ]
    asked = {a["audience"] for a in audiences}
    families = next((a for a in audiences if a["audience"] == "families"), None)
    return render_template(
        "paper/school.html",
        campaign=found,
        school=school,
        audiences=audiences,
        letter_languages=families["languages"] if families and "children" in asked else [],
    )


# --- downloads --------------------------------------------------------------------------


@bp.get("/kampagnen/<int:campaign_id>/schulen/<int:school_id>/flyer/<audience>.pdf")
@requires(Action.PRINT_MATERIALS)
def flyer(campaign_id: int, school_id: int, audience: str):
    """``?lang=ar`` one language; ``&beside=de`` German beside it; ``&format=a5`` two-up."""
    from survey.paper.flyers import flyer_file_name, write_flyers

    found = _campaign(campaign_id, Action.PRINT_MATERIALS)
    school = _school(found, school_id)
    questionnaire = _questionnaire(found, audience)
    (language,) = _languages(questionnaire, several=False)
    beside = _beside()
    size = _format()
    contact = _contact()
    link = _link(found, school, audience, contact)
    languages = [language] if language == SOURCE_LANGUAGE or not beside else [language, beside]
    page = (language, beside) if len(languages) == 2 else (language,)
    buffer = BytesIO()
    write_flyers(buffer, link, [page], two_up=size == "a5")
    name = flyer_file_name(school.number, school.name, audience).removesuffix(".pdf")
    _logged(f"Flyer {school.number} {audience}", found, f"{'+'.join(page)}, {size.upper()}")
    return _download(buffer, f"{name}-{'-'.join(page)}-{size}.pdf")


@bp.get("/kampagnen/<int:campaign_id>/schulen/<int:school_id>/elternbrief.pdf")
@requires(Action.PRINT_MATERIALS)
def letter(campaign_id: int, school_id: int):
    """The letter to parents before their children answer: one page per ``lang``."""
    from survey.paper.flyers import flyer_file_name
    from survey.paper.letters import write_letters
    from survey.paper.services import minutes

    found = _campaign(campaign_id, Action.PRINT_MATERIALS)
    school = _school(found, school_id)
    children = _questionnaire(found, "children")
    families = _questionnaire(found, "families")
    languages = _languages(families, several=True)
    link = _link(found, school, "families", _contact())
    buffer = BytesIO()
    write_letters(buffer, school.name, minutes(children), link, languages)
    name = flyer_file_name(school.number, school.name, "eltern").removesuffix(".pdf")
    _logged(f"Elternbrief {school.number}", found, "+".join(languages))
    return _download(buffer, f"{name}-brief.pdf")


@bp.get("/kampagnen/<int:campaign_id>/schulen/<int:school_id>/nachrichten/<audience>.txt")
@requires(Action.PRINT_MATERIALS)
def messages(campaign_id: int, school_id: int, audience: str):
    """Message texts with the link, for the school's messenger app or e-mail."""
    from survey.paper.flyers import flyer_file_name
    from survey.paper.letters import MESSAGE_AUDIENCES, messages_file

    found = _campaign(campaign_id, Action.PRINT_MATERIALS)
    school = _school(found, school_id)
    if audience not in MESSAGE_AUDIENCES:
        abort(404)
    languages = _languages(_questionnaire(found, audience), several=True)
    text = messages_file(_link(found, school, audience, None), languages)
    name = flyer_file_name(school.number, school.name, audience).removesuffix(".pdf")
    _logged(f"Nachrichten {school.number} {audience}", found, "+".join(languages))
    return _download(
        BytesIO(text.encode("utf-8")), f"{name}-nachrichten.txt", "text/plain; charset=utf-8"
    )


@bp.get("/kampagnen/<int:campaign_id>/fragebogen/<audience>/<language>.pdf")
@requires(Action.PRINT_MATERIALS)
def questionnaire(campaign_id: int, audience: str, language: str):
    """The campaign's questionnaire for ``audience`` to print, in ``language``."""
    from survey.paper.questionnaire import printable_questionnaire

    found = _campaign(campaign_id, Action.PRINT_MATERIALS)
    definition = _questionnaire(found, audience)
    if language not in offer().questionnaire(definition.id):
        abort(404)
    config = current_app.config
    buffer = BytesIO()
    printable_questionnaire(
        definition, language, config["TRANSLATIONS_DIR"], config["MIN_GROUP_SIZE"], buffer
    )
    _logged(f"Fragebogen {definition.id}", found, f"{audience}, {language}")
    return _download(buffer, f"fragebogen-{definition.id}-{language}.pdf")


@bp.get("/kampagnen/<int:campaign_id>/genehmigung.pdf")
@requires(Action.VIEW_DOSSIER)
def dossier(campaign_id: int):
    """The approval dossier (German); its annexes are the questionnaire downloads."""
    from survey.paper.dossier import dossier_context, write_dossier
    from survey.paper.dossier import render_template as render_dossier

    found = _campaign(campaign_id, Action.VIEW_DOSSIER)
    if any(registry().get(q.questionnaire_id) is None for q in found.questionnaires):
        abort(404)
    context, _annexes = dossier_context(
        db.session, found.slug, registry().get, offer().questionnaire, current_app.config
    )
    buffer = BytesIO()
    write_dossier(
        render_dossier(context, current_app.instance_path),
        f"Befragung „{found.title}“",
        buffer,
    )
    _logged("Genehmigungsunterlagen", found, "Dossier")
    return _download(buffer, f"genehmigung-{found.slug}.pdf")
