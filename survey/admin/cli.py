"""``survey users …`` and ``survey demo``: the same services as the web area."""

from __future__ import annotations

import sys
import time

import click
from flask import current_app, url_for
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from survey.admin import services
from survey.core import clock
from survey.core.commands import link_host, require_schema
from survey.core.db import make_engine
from survey.core.errors import SurveyError
from survey.core.permissions import Role
from survey.distribution import synthetic
from survey.distribution.services import demo_campaign, ensure_demo
from survey.extensions import db
from survey.i18n.locale import offer
from survey.questionnaires.registry import registry

#: More would take many minutes; the demo needs far fewer.
MAX_DEMO_RESPONSES = 10_000_000
#: Seconds one statement of `survey demo --responses` may run (a chunk, or the deletion
#: of the demo's earlier responses).
DEMO_STATEMENT_TIMEOUT = 600
ROLES = click.Choice([r.value for r in Role])


def _fail(error: SurveyError) -> None:
    db.session.rollback()
    click.echo(f"error: {error.message if hasattr(error, 'field') else error}", err=True)
    sys.exit(1)


@click.group("users")
def users_group() -> None:
    """Staff accounts (admin, analyst, coordinator)."""


@users_group.command("create")
@click.argument("email")
@click.option("--role", type=ROLES, required=True)
@click.option(
    "--school",
    "schools",
    multiple=True,
    metavar="NUMBER",
    help="Schulnummer (coordinators; repeatable)",
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_command(email: str, role: str, schools: tuple[str, ...], password_stdin: bool) -> None:
    """Create an account; without --password-stdin the password is asked twice."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        found = services.schools_by_number(db.session, schools)
        account = services.create_account(
            db.session, None, email, role, password, found, clock.today()
        )
    except SurveyError as error:
        _fail(error)
        return
    db.session.commit()
    click.echo(f"created {account.email} ({account.role})", err=True)


@users_group.command("list")
@with_appcontext
def list_command() -> None:
    """One line per account: e-mail, role, state, schools."""
    for account in services.list_accounts(db.session):
        state = "active" if account.active else "disabled"
        numbers = ",".join(s.number for s in account.schools)
        click.echo("\t".join([account.email, account.role, state, numbers]).rstrip())


@users_group.command("set-role")
@click.argument("email")
@click.argument("role", type=ROLES)
@click.option("--school", "schools", multiple=True, metavar="NUMBER")
@with_appcontext
def set_role_command(email: str, role: str, schools: tuple[str, ...]) -> None:
    """Change an account's role (and a coordinator's schools)."""
    try:
        account = services.get_account(db.session, email)
        services.set_role(
            db.session, None, account, role, services.schools_by_number(db.session, schools)
        )
    except SurveyError as error:
        _fail(error)
        return
    db.session.commit()
    click.echo(f"{account.email} is now {account.role}", err=True)


def _set_active(email: str, active: bool) -> None:
    try:
        account = services.get_account(db.session, email)
        services.set_active(db.session, None, account, active)
    except SurveyError as error:
        _fail(error)
        return
    db.session.commit()
    click.echo(f"{account.email} {'enabled' if active else 'disabled'}", err=True)


@users_group.command("disable")
@click.argument("email")
@with_appcontext
def disable_command(email: str) -> None:
    """Disable an account (signs it out everywhere)."""
    _set_active(email, False)


@users_group.command("enable")
@click.argument("email")
@with_appcontext
def enable_command(email: str) -> None:
    """Enable a disabled account again."""
    _set_active(email, True)


@click.command("demo")
@click.option("--base-url", help="Address in the printed links (default: BASE_URL setting).")
@click.option(
    "--host",
    help="Print links for a server listening here (0.0.0.0: this computer's network address).",
)
@click.option("--port", type=int, help="Print links for a server on this port.")
@click.option(
    "--responses",
    type=click.IntRange(0, MAX_DEMO_RESPONSES),
    metavar="N",
    help="Replace the demo campaign's responses by N synthetic ones and close it "
    "(without this option the demo campaign is open).",
)
@click.option(
    "--seed",
    type=int,
    default=synthetic.DEFAULT_SEED,
    show_default=True,
    help="Seed of the synthetic responses (the same seed gives the same responses).",
)
@with_appcontext
def demo_command(
    base_url: str | None, host: str | None, port: int | None, responses: int | None, seed: int
) -> None:
    """Create or refresh the demo world and print one respondent URL per line; the demo
    accounts (e-mail and a fresh password per role) go to standard error.

    With --responses N the demo campaign then holds exactly N synthetic responses (any it
    held before, also answers given through its links, are deleted) and is closed, as at
    the end of a field phase, so that its reports can be built at once. Without it, the
    demo campaign is open again (its responses stay).

    The embedded SQLite database is created first if needed; any other database
    must have been brought up to date with `survey db upgrade`.
    """
    require_schema(create_embedded=True)
    base = (base_url or _served_at(host, port) or current_app.config["BASE_URL"]).rstrip("/")
    links = ensure_demo(db.session)
    schools = sorted({link.school for link in links}, key=lambda s: s.number)
    accounts = services.ensure_demo_accounts(db.session, schools, clock.today())
    db.session.commit()
    if responses is not None:
        _fill_demo(responses, seed)
    with current_app.test_request_context("/"):
        for link in links:
            click.echo(base + url_for("respond.intro", token=link.token))
        click.echo(f"staff area: {base}{url_for('admin.signin')}", err=True)
    for role, email, password in accounts:
        click.echo(f"demo account ({role}): {email}  password: {password}", err=True)


def _fill_demo(total: int, seed: int) -> None:
    questionnaires = registry().all()
    started = time.perf_counter()
    # Deleting and writing millions of rows takes longer than the web's statement
    # timeout allows: the command uses an engine of its own, as `survey report` does.
    engine = make_engine(
        current_app.config["DATABASE_URL"],
        int(current_app.config["DB_CONNECT_TIMEOUT"]),
        DEMO_STATEMENT_TIMEOUT,
    )
    try:
        with Session(engine) as session:
            campaign = demo_campaign(session)
            offered = {
                q.questionnaire_id: offer().questionnaire(q.questionnaire_id)
                for q in campaign.questionnaires
            }
            filled = synthetic.fill(
                session,
                campaign,
                questionnaires,
                total,
                clock.today(),
                seed=seed,
                offered=offered,
                granularity=current_app.config["DATE_GRANULARITY"],
            )
    finally:
        engine.dispose()
    click.echo(
        f"demo campaign: {filled.responses} synthetic responses ({filled.answers} answers, "
        f"{filled.first_day} to {filled.last_day}) in {time.perf_counter() - started:.1f} s; "
        "closed, its reports can be built",
        err=True,
    )


def _served_at(host: str | None, port: int | None) -> str | None:
    if host is None and port is None:
        return None
    return f"http://{link_host(host or '127.0.0.1')}:{port or 5000}"
