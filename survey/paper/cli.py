"""``survey print-questionnaire``, ``flyers``, ``dossier`` and ``letters``: printed matter
from the command line. The options the commands share are declared once below."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from survey.core.commands import require_schema
from survey.extensions import db
from survey.i18n.locale import offer
from survey.paper.dossier import dossier_context, render_template, write_dossier
from survey.paper.flyers import flyer_file_name, pages_for, write_flyers
from survey.paper.letters import MESSAGE_AUDIENCES, messages_file, write_letters
from survey.paper.questionnaire import printable_questionnaire
from survey.paper.services import PrintError, asked_audiences, campaign_flyers, minutes
from survey.questionnaires.registry import registry

#: File name part of each audience's message texts (German, as the school office reads it).
MESSAGE_FILE = {"families": "eltern", "staff": "kollegium", "partners": "partner"}


def offered_language(questionnaire_id: str, language: str) -> None:
    offered = offer().questionnaire(questionnaire_id)
    if language not in offered:
        raise PrintError(
            f"{questionnaire_id} is not offered in {language!r}: its catalog does not cover it "
            f"(offered: {', '.join(offered)})"
        )


def _language_list(_ctx, _param, value: str) -> list[str]:
    return [lang.strip() for lang in value.split(",") if lang.strip()]


campaign_option = click.option(
    "--campaign", required=True, help="The campaign's short name (slug)."
)
contact_option = click.option("--contact", help="Whom to ask, as printed (name, role, phone).")


def schools_option(help: str):  # noqa: A002 (click's own word)
    return click.option("--school", "schools", multiple=True, help=help)


def languages_option(help: str):  # noqa: A002
    """``--lang de,ar,tr``, handed to the command as a list."""
    return click.option(
        "--lang",
        "languages",
        default="de",
        show_default=True,
        callback=_language_list,
        help=help,
    )


def out_option(help: str, folder: bool = True):  # noqa: A002
    kind = (
        click.Path(file_okay=False, path_type=Path)
        if folder
        else click.Path(dir_okay=False, path_type=Path)
    )
    return click.option("--out", type=kind, required=True, help=help)


@click.command("print-questionnaire")
@click.argument("questionnaire")
@click.option("--lang", "language", default="de", show_default=True, help="Language code, e.g. ar.")
@out_option("PDF file to write.", folder=False)
@with_appcontext
def print_questionnaire_command(questionnaire: str, language: str, out: Path) -> None:
    """Write QUESTIONNAIRE as a printable PDF (A4) in one language."""
    found = registry().get(questionnaire)
    if found is None:
        known = ", ".join(sorted(registry().all()))
        raise PrintError(f"no questionnaire {questionnaire!r} (there are: {known})")
    offered_language(found.id, language)
    printable_questionnaire(
        found,
        language,
        current_app.config["TRANSLATIONS_DIR"],
        current_app.config["MIN_GROUP_SIZE"],
        out,
    )
    click.echo(str(out))


@click.command("flyers")
@campaign_option
@schools_option("A school's number (repeat for several; default: every school of the campaign).")
@click.option("--audience", required=True, help="families, staff, children or partners.")
@languages_option("Languages, comma-separated (de,ar,tr): each family language beside German.")
@click.option("--two-up", is_flag=True, help="A5 flyers, two on each A4 sheet (cut in half).")
@click.option("--one-language", is_flag=True, help="One language a page, never side by side.")
@contact_option
@out_option("Folder to write into.")
@with_appcontext
def flyers_command(
    campaign: str,
    schools: tuple[str, ...],
    audience: str,
    languages: list[str],
    two_up: bool,
    one_language: bool,
    contact: str | None,
    out: Path,
) -> None:
    """Flyers with QR codes: one PDF per school, every language in it (one print job)."""
    require_schema()
    questionnaire, flyers, missing = campaign_flyers(
        db.session,
        campaign,
        audience,
        schools,
        registry().get,
        current_app.config["BASE_URL"],
        contact,
    )
    for language in languages:
        offered_language(questionnaire.id, language)
    out.mkdir(parents=True, exist_ok=True)
    pages = pages_for(languages, side_by_side=not one_language)
    for flyer in flyers:
        target = out / flyer_file_name(flyer.key, flyer.school.name, audience)
        write_flyers(target, flyer.link, pages, two_up=two_up)
        click.echo(str(target))
    for key in missing:
        click.echo(f"school {key}: its {audience} link is revoked; no flyer", err=True)


@click.command("dossier")
@campaign_option
@out_option("Folder to write the dossier and its annexes into.")
@with_appcontext
def dossier_command(campaign: str, out: Path) -> None:
    """The approval dossier for the school (German) and, as annexes, every audience's
    printable questionnaire in every offered language."""
    require_schema()
    config = current_app.config
    context, annexes = dossier_context(
        db.session, campaign, registry().get, offer().questionnaire, config
    )
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"genehmigung-{campaign}.pdf"
    markup = render_template(context, current_app.instance_path)
    write_dossier(markup, f"Befragung „{context['campaign']['title']}“", target)
    click.echo(str(target))
    for annex in annexes:
        path = out / annex.file_name
        printable_questionnaire(
            annex.questionnaire,
            annex.language,
            config["TRANSLATIONS_DIR"],
            config["MIN_GROUP_SIZE"],
            path,
        )
        click.echo(str(path))


@click.command("letters")
@campaign_option
@schools_option("A school's number (repeatable; default: all).")
@languages_option("Languages, comma-separated.")
@contact_option
@out_option("Folder to write into.")
@with_appcontext
def letters_command(
    campaign: str, schools: tuple[str, ...], languages: list[str], contact: str | None, out: Path
) -> None:
    """Per school: the letter to parents before their children answer (PDF, one page per
    language) and message texts with the link for families, staff and partners (text files
    to copy from)."""
    require_schema()
    base = current_app.config["BASE_URL"]
    children, _flyers, _missing = campaign_flyers(
        db.session, campaign, "children", (), registry().get, base, contact
    )
    families, flyers, missing = campaign_flyers(
        db.session, campaign, "families", schools, registry().get, base, contact
    )
    for language in languages:
        offered_language(families.id, language)
    out.mkdir(parents=True, exist_ok=True)
    for flyer in flyers:
        stem = flyer_file_name(flyer.key, flyer.school.name, "eltern").removesuffix(".pdf")
        letter = out / f"{stem}-brief.pdf"
        write_letters(letter, flyer.school.name, minutes(children), flyer.link, languages)
        click.echo(str(letter))
    for key in missing:
        click.echo(f"school {key}: its families link is revoked; no letter", err=True)
    asked = asked_audiences(db.session, campaign)
    for audience in (a for a in MESSAGE_AUDIENCES if a in asked):
        questionnaire, found, _revoked = campaign_flyers(
            db.session, campaign, audience, schools, registry().get, base, contact
        )
        offered = [lang for lang in languages if lang in offer().questionnaire(questionnaire.id)]
        for flyer in found:
            name = flyer_file_name(flyer.key, flyer.school.name, MESSAGE_FILE[audience])
            messages = out / name.replace(".pdf", "-nachrichten.txt")
            messages.write_text(messages_file(flyer.link, offered), encoding="utf-8")
            click.echo(str(messages))
