"""The ``survey`` command: one Click group, also reachable as ``flask --app survey``.

The root of the command tree: app-wide commands live here, each feature brings
its own (``survey/<feature>/cli.py``). Commands parse, call a service and print.
"""

from __future__ import annotations

import logging
import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from survey.core import migrate


def _create_app() -> Flask:
    from survey import create_app

    return create_app()


@click.group("db")
def db_group() -> None:
    """Database schema (Alembic migrations)."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Create or update the database schema."""
    from survey.extensions import db

    migrate.upgrade(db.engine, revision)
    click.echo(f"database at revision {revision}: {_safe_url()}", err=True)


@db_group.command("revision")
@click.option("-m", "--message", required=True)
@with_appcontext
def db_revision(message: str) -> None:
    """Write a migration for model changes (developers)."""
    from survey.extensions import db

    migrate.revision(db.engine, message)


def _safe_url() -> str:
    from sqlalchemy.engine import make_url

    return make_url(current_app.config["DATABASE_URL"]).render_as_string(hide_password=True)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@with_appcontext
def serve(host: str, port: int) -> None:
    """Serve the app for local use (not for production: use gunicorn there)."""
    from werkzeug.serving import run_simple

    from survey.core.errors import QuestionnaireInvalid
    from survey.core.logging import QuietRequestHandler
    from survey.questionnaires.registry import registry

    try:
        registry().all()
    except QuestionnaireInvalid as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    click.echo(f"Mitwirken at http://{host}:{port}/  (Ctrl+C stops)", err=True)
    run_simple(
        host,
        port,
        current_app._get_current_object(),  # type: ignore[attr-defined]
        threaded=True,
        request_handler=QuietRequestHandler,
    )


def register_commands(app: Flask) -> None:
    """Attach every command to ``app.cli`` so that ``flask --app survey`` has them too."""
    from survey.admin.cli import demo_command, users_group
    from survey.distribution.cli import places_group
    from survey.i18n.cli import i18n_group
    from survey.questionnaires.cli import check_command, codebook_command, schema_command
    from survey.respond.cli import purge_command

    for command in (
        db_group,
        serve,
        check_command,
        codebook_command,
        schema_command,
        demo_command,
        users_group,
        places_group,
        purge_command,
        i18n_group,
    ):
        app.cli.add_command(command)


cli = FlaskGroup(
    create_app=_create_app,
    add_default_commands=False,
    add_version_option=False,
    help="Mitwirken: surveys for schools and their neighbourhood.",
)


def main() -> None:
    cli(prog_name="survey")
