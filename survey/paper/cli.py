"""``survey print-questionnaire`` and ``survey flyers``: printed matter from the command line."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from survey.core.errors import SurveyError
from survey.i18n.locale import offer
from survey.paper.questionnaire import printable_questionnaire
from survey.questionnaires.registry import registry


class PrintError(SurveyError):
    """A print request that cannot be met (unknown questionnaire, language not offered)."""


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
