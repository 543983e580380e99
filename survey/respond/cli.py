"""``survey purge``: delete answer drafts past their expiry."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from survey.core import clock
from survey.core.commands import require_schema
from survey.extensions import db
from survey.respond.services import purge_drafts


@click.command("purge")
@with_appcontext
def purge_command() -> None:
    """Delete unfinished answer drafts whose expiry has passed."""
    require_schema()
    removed = purge_drafts(db.session, clock.today())
    click.echo(f"{removed} expired draft(s) deleted", err=True)
