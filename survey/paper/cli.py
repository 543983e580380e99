"""``survey print-questionnaire`` and ``survey flyers``: printed matter from the command line."""

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
from survey.paper.letters import messages_file, write_letters
from survey.paper.questionnaire import printable_questionnaire
from survey.paper.services import PrintError, campaign_flyers, minutes
from survey.questionnaires.registry import registry


def offered_language(questionnaire_id: str, language: str) -> None:
    offered = offer().questionnaire(questionnaire_id)
    if language not in offered:
        raise PrintError(
            f"{questionnaire_id} is not offered in {language!r}: its catalog does not cover it "
            f"(offered: {', '.join(offered)})"
        )


@click.command("print-questionnaire")
@click.argument("questionnaire")
@click.option("--lang", "language", default="de", show_default=True, help="Language code, e.g. ar.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="PDF file to write.",
)
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
@click.option("--campaign", required=True, help="The campaign's short name (slug).")
@click.option(
    "--school",
    "schools",
    multiple=True,
    help="A school's number (repeat for several; default: every school of the campaign).",
)
@click.option("--audience", required=True, help="families, staff, children or partners.")
@click.option(
    "--lang",
    "languages",
    default="de",
    show_default=True,
    help="Languages, comma-separated (de,ar,tr): each family language beside German.",
)
@click.option("--two-up", is_flag=True, help="A5 flyers, two on each A4 sheet (cut in half).")
@click.option("--one-language", is_flag=True, help="One language a page, never side by side.")
@click.option("--contact", help="Whom to ask, as printed (name, role, phone).")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write into.",
)
@with_appcontext
def flyers_command(
    campaign: str,
    schools: tuple[str, ...],
    audience: str,
    languages: str,
    two_up: bool,
    one_language: bool,
    contact: str | None,
    out: Path,
) -> None:
    """Flyers with QR codes: one PDF per school, every language in it (one print job)."""
    require_schema()
    wanted = [lang.strip() for lang in languages.split(",") if lang.strip()]
    base = current_app.config["BASE_URL"].rstrip("/")
    questionnaire, flyers, missing = campaign_flyers(
        db.session,
        campaign,
        audience,
        schools,
        registry().get,
        lambda token: f"{base}/s/{token}",
        contact,
    )
    for language in wanted:
        offered_language(questionnaire.id, language)
    out.mkdir(parents=True, exist_ok=True)
    pages = pages_for(wanted, side_by_side=not one_language)
    for flyer in flyers:
        target = out / flyer_file_name(flyer.key, flyer.school.name, audience)
        write_flyers(target, flyer.link, pages, two_up=two_up)
        click.echo(str(target))
    for key in missing:
        click.echo(f"school {key}: its {audience} link is revoked; no flyer", err=True)


@click.command("dossier")
@click.option("--campaign", required=True, help="The campaign's short name (slug).")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write the dossier and its annexes into.",
)
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
@click.option("--campaign", required=True, help="The campaign's short name (slug).")
@click.option(
    "--school", "schools", multiple=True, help="A school's number (repeatable; default: all)."
)
@click.option(
    "--lang", "languages", default="de", show_default=True, help="Languages, comma-separated."
)
@click.option("--contact", help="Whom to ask, as printed (name, role, phone).")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write into.",
)
@with_appcontext
def letters_command(
    campaign: str, schools: tuple[str, ...], languages: str, contact: str | None, out: Path
) -> None:
    """Per school: the letter to parents before their children answer (PDF, one page per
    language) and the message texts with the families link (a text file to copy from)."""
    require_schema()
    wanted = [lang.strip() for lang in languages.split(",") if lang.strip()]
    base = current_app.config["BASE_URL"].rstrip("/")
    children, _flyers, _missing = campaign_flyers(
        db.session, campaign, "children", (), registry().get, lambda token: "", contact
    )
    families, flyers, missing = campaign_flyers(
        db.session,
        campaign,
        "families",
        schools,
        registry().get,
        lambda token: f"{base}/s/{token}",
        contact,
    )
    for language in wanted:
        offered_language(families.id, language)
    out.mkdir(parents=True, exist_ok=True)
    for flyer in flyers:
        stem = flyer_file_name(flyer.key, flyer.school.name, "eltern").removesuffix(".pdf")
        letter = out / f"{stem}-brief.pdf"
        write_letters(letter, flyer.school.name, minutes(children), flyer.link, wanted)
        messages = out / f"{stem}-nachrichten.txt"
        messages.write_text(messages_file(flyer.link, wanted), encoding="utf-8")
        click.echo(str(letter))
        click.echo(str(messages))
    for key in missing:
        click.echo(f"school {key}: its families link is revoked; no letter", err=True)
