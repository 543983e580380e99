"""``survey demo``: a small demo world with one link per school and audience."""

from __future__ import annotations

import click
from flask import current_app, url_for
from flask.cli import with_appcontext

from survey.distribution.services import ensure_demo
from survey.extensions import db


@click.command("demo")
@click.option("--base-url", help="Address in the printed links (default: BASE_URL setting).")
@with_appcontext
def demo_command(base_url: str | None) -> None:
    """Create or refresh the demo world and print one respondent URL per line."""
    base = (base_url or current_app.config["BASE_URL"]).rstrip("/")
    links = ensure_demo(db.session)
    with current_app.test_request_context("/"):
        for link in links:
            click.echo(base + url_for("respond.intro", token=link.token))
