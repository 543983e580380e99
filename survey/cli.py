"""The ``survey`` command: one Click group, also reachable as ``flask --app survey``.

The root of the command tree: app-wide commands live here, each feature brings
its own (``survey/<feature>/cli.py``). Commands parse, call a service and print.
The root turns the project's typed errors, a bad setting and an unreachable
database into one line on standard error and exit status 1, for every command.
"""

from __future__ import annotations

import logging

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy.exc import OperationalError

from survey.config import ConfigError
from survey.core import migrate
from survey.core.commands import database_unreachable, link_host, require_schema, safe_url
from survey.core.errors import SurveyError


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
    """Create or update the database schema (safe to run again)."""
    from survey.extensions import db

    migrate.upgrade(db.engine, revision)
    click.echo(f"database at revision {migrate.current(db.engine)}: {safe_url()}", err=True)


@db_group.command("revision")
@click.option("-m", "--message", required=True, help="What the change to the models is.")
@with_appcontext
def db_revision(message: str) -> None:
    """Write a migration for model changes (developers)."""
    from survey.extensions import db

    migrate.revision(db.engine, message)


@click.command("serve")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; 0.0.0.0 lets phones in the same network connect.",
)
@click.option("--port", default=5000, show_default=True, type=int, help="Port to listen on.")
@with_appcontext
def serve(host: str, port: int) -> None:
    """Serve the app for local use (not for production: use gunicorn there)."""
    from werkzeug.serving import run_simple

    from survey.core.logging import QuietRequestHandler, plain_log_handler
    from survey.questionnaires.registry import registry

    registry().all()  # a broken questionnaire stops start-up, not the first respondent
    require_schema()
    logging.basicConfig(level=logging.INFO, handlers=[plain_log_handler()])
    click.echo(f"Mitwirken at http://{link_host(host)}:{port}/  (Ctrl+C stops)", err=True)
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
    from survey.distribution.codes_cli import codes_group
    from survey.i18n.cli import i18n_group
    from survey.paper.cli import (
        dossier_command,
        flyers_command,
        letters_command,
        print_questionnaire_command,
    )
    from survey.questionnaires.cli import check_command, codebook_command, schema_command
    from survey.reports.cli import export_command, report_command
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
        report_command,
        export_command,
        print_questionnaire_command,
        flyers_command,
        dossier_command,
        letters_command,
        codes_group,
    ):
        app.cli.add_command(command)


class SurveyGroup(FlaskGroup):
    """Flask's group without its options for choosing an app (there is only this one)."""

    def __init__(self, **extra) -> None:
        super().__init__(
            create_app=_create_app,
            add_default_commands=False,
            add_version_option=False,
            load_dotenv=False,
            set_debug_flag=False,
            **extra,
        )
        self.params = [p for p in self.params if p.name not in ("env_file", "app", "debug")]

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (SurveyError, ConfigError) as exc:
            raise click.ClickException(str(exc)) from None
        except OperationalError as exc:
            raise click.ClickException(database_unreachable(exc)) from None


cli = SurveyGroup(
    help="Mitwirken: surveys for schools and their neighbourhood.\n\n"
    "To try it: survey db upgrade, then survey demo (prints the links), then survey serve. "
    "Settings come from instance/config.py and SURVEY_* variables (see README.md). "
    "Run survey COMMAND --help for the options of a command.",
)


def main() -> None:
    cli(prog_name="survey")
