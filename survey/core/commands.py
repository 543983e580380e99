"""What every feature's commands share: the database they need, and the links they print."""

from __future__ import annotations

import socket
from pathlib import Path

import click
from flask import current_app
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from survey.core import migrate
from survey.core.errors import SurveyError


def safe_url() -> str:
    """The database URL without its password, for messages."""
    return make_url(current_app.config["DATABASE_URL"]).render_as_string(hide_password=True)


def require_schema(*, create_embedded: bool = False) -> None:
    """Stop a command that needs the tables when the schema is not the code's.

    ``create_embedded`` lets a command build the schema of the embedded SQLite
    file itself (nothing else uses that file); any other database is left to
    ``survey db upgrade``, which an administrator runs deliberately.
    """
    from survey.extensions import db

    try:
        migrate.require_current(db.engine)
    except SurveyError:
        if not (create_embedded and current_app.config["DATABASE_EMBEDDED"]):
            raise
        migrate.upgrade(db.engine)
        click.echo(
            f"database created at revision {migrate.current(db.engine)}: {safe_url()}", err=True
        )


def link_host(host: str) -> str:
    """The address to print in links: a phone cannot open 0.0.0.0, but it can open the LAN address."""
    if host not in ("0.0.0.0", "::", ""):  # noqa: S104  (compared, not bound)
        return host
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.255.255.255", 1))  # UDP: picks the outgoing interface, sends nothing
        return probe.getsockname()[0]
    except OSError:
        return "127.0.0.1"
    finally:
        probe.close()


def database_unreachable(exc: OperationalError) -> str:
    """One line saying which database could not be used, and why (without SQL or parameters)."""
    url = make_url(current_app.config["DATABASE_URL"]) if current_app else None
    shown = url.render_as_string(hide_password=True) if url else "the database"
    if url is not None and url.get_backend_name() == "sqlite" and url.database:
        folder = Path(url.database).parent
        if not folder.is_dir():
            return f"cannot open the database {shown}: the folder {folder} does not exist"
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "unknown error"
    return f"cannot open the database {shown}: {reason}"
