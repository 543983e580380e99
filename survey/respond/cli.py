"""``survey purge``: delete answer drafts past their expiry; reseal used access codes."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from survey.core import clock
from survey.core.commands import require_schema
from survey.extensions import db
from survey.respond.access import reseal
from survey.respond.services import purge_drafts


@click.command("purge")
@with_appcontext
def purge_command() -> None:
    """Delete unfinished answer drafts whose expiry has passed; rewrite the used access
    codes so that on PostgreSQL none shares a transaction id with its response."""
    require_schema()
    removed = purge_drafts(db.session, clock.today())
    click.echo(f"{removed} expired draft(s) deleted", err=True)
    resealed = reseal(db.session)
    click.echo(f"{resealed} used access code(s) resealed", err=True)
