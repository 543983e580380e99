"""``survey demo``: a small demo world with one link per school and audience."""

from __future__ import annotations

import click
from flask import current_app, url_for
from flask.cli import with_appcontext

from survey.core.commands import link_host, require_schema
from survey.distribution.services import ensure_demo
from survey.extensions import db


@click.command("demo")
@click.option("--base-url", help="Address in the printed links (default: BASE_URL setting).")
@click.option(
    "--host",
    help="Print links for a server listening here (0.0.0.0: this computer's network address).",
)
@click.option("--port", type=int, help="Print links for a server on this port.")
@with_appcontext
def demo_command(base_url: str | None, host: str | None, port: int | None) -> None:
    """Create or refresh the demo world and print one respondent URL per line.

    The embedded SQLite database is created first if needed; any other database
    must have been brought up to date with `survey db upgrade`.
    """
    require_schema(create_embedded=True)
    base = (base_url or _served_at(host, port) or current_app.config["BASE_URL"]).rstrip("/")
    links = ensure_demo(db.session)
    with current_app.test_request_context("/"):
        for link in links:
            click.echo(base + url_for("respond.intro", token=link.token))


def _served_at(host: str | None, port: int | None) -> str | None:
    if host is None and port is None:
        return None
    return f"http://{link_host(host or '127.0.0.1')}:{port or 5000}"
