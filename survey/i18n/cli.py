"""``survey i18n extract | update | compile | init LANG | status``."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from survey.i18n import catalogs


def _paths() -> catalogs.Paths:
    return catalogs.paths_for(current_app)


@click.group("i18n")
def i18n_group() -> None:
    """Translations: gettext catalogs under translations/."""


@i18n_group.command("extract")
@with_appcontext
def extract_command() -> None:
    """Collect the texts of the code, templates and questionnaires into the .pot templates."""
    for domain, count in catalogs.extract(_paths()).items():
        click.echo(f"{domain}.pot: {count} messages", err=True)


@i18n_group.command("update")
@with_appcontext
def update_command() -> None:
    """Extract, then merge the templates into every language (changed texts become fuzzy)."""
    paths = _paths()
    catalogs.extract(paths)
    for path in catalogs.update(paths):
        click.echo(f"updated {path}", err=True)


@i18n_group.command("compile")
@click.option("--force", is_flag=True, help="Rebuild every .mo, not only stale ones.")
@with_appcontext
def compile_command(force: bool) -> None:
    """Build the .mo files (the app also does this at start-up when they are stale)."""
    written = catalogs.compile_catalogs(_paths(), force=force)
    click.echo(f"{len(written)} catalog(s) compiled", err=True)


@i18n_group.command("init")
@click.argument("language")
@with_appcontext
def init_command(language: str) -> None:
    """Start the catalogs of a new language, e.g. "survey i18n init tr" for Turkish."""
    try:
        written = catalogs.init(_paths(), language)
    except ValueError as exc:
        click.echo(f"unknown language {language!r}: {exc}", err=True)
        sys.exit(1)
    for path in written:
        click.echo(f"created {path}", err=True)


@i18n_group.command("status")
@with_appcontext
def status_command() -> None:
    """Per language and part (ui, each questionnaire): translated, fuzzy, missing."""
    paths = _paths()
    click.echo(
        f"{'language':<9}{'part':<16}{'translated':>11}{'fuzzy':>7}{'missing':>9}{'share':>8}"
    )
    for language in paths.languages():
        for part, cov in catalogs.coverage(paths, language).items():
            click.echo(
                f"{language:<9}{part:<16}{cov.translated:>11}{cov.fuzzy:>7}{cov.missing:>9}"
                f"{cov.share:>8.0%}"
            )
