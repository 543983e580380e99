"""A fresh app per test on one migrated database; every table is emptied after each test.

The database is SQLite in a temporary folder unless ``SURVEY_TEST_DATABASE_URL``
names a PostgreSQL server (CI runs the suite again against PostgreSQL): the suite
then creates a database of its own there and drops it at the end.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import secrets
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, delete, text
from sqlalchemy.engine import URL, make_url

from survey import create_app
from survey.core import clock, migrate
from survey.core.db import Base, make_engine
from survey.distribution.services import ensure_demo
from survey.extensions import db

TODAY = dt.date(2026, 11, 25)
#: Small questionnaires whose exact content the flow tests rely on; the shipped
#: instruments (questionnaires/) are tested generically in tests/test_instruments.py.
FIXTURE_QUESTIONNAIRES = str(Path(__file__).parent / "fixtures" / "questionnaires")


#: Answers typed in tests that must never reach a log line (see leaks()).
ANSWER_MARKERS = (
    "GEHEIM-7Q",  # every fuzzed free text (tests/respond/test_fuzz.py)
    "Abends, nicht vormittags",
    "über die Nachbarin",
    "beim Bäcker",
    "Mehr Zeit für Gespräche",
)
_TOKEN_IN_PATH = re.compile(r"/s/+(?!<token>)[A-Za-z0-9_-]{4,}")
_ADDRESS = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def leaks(records: list[logging.LogRecord]) -> list[str]:
    """Log lines that hold a link token, a client address or an answer.

    Messages are checked as the code wrote them (before any redaction), tracebacks
    as ``PrivacyFormatter`` writes them.
    """
    from survey.core.logging import PrivacyFormatter

    formatter = PrivacyFormatter()
    found = []
    for record in records:
        message = record.getMessage()
        text = message + (
            "\n" + formatter.formatException(record.exc_info) if record.exc_info else ""
        )
        if _TOKEN_IN_PATH.search(message) or _ADDRESS.search(message):
            found.append(f"{record.name}: {message[:200]}")
        elif any(marker in text for marker in ANSWER_MARKERS):
            found.append(f"{record.name}: answer in {message[:200]}")
    return found


@pytest.fixture(scope="session", autouse=True)
def no_log_line_leaks():
    """Everything logged during the whole suite: no token, no address, no answer."""
    capture = _Capture()
    root = logging.getLogger()
    root.addHandler(capture)
    watched = {name: logging.getLogger(name) for name in ("survey", "werkzeug", "gunicorn")}
    levels = {name: logger.level for name, logger in watched.items()}
    for logger in watched.values():
        logger.setLevel(logging.DEBUG)
    yield capture
    root.removeHandler(capture)
    for name, logger in watched.items():
        logger.setLevel(levels[name])
    assert leaks(capture.records) == []


#: A PostgreSQL run works in a database of its own, created here and dropped at the end:
#: the suite never touches the data of the database named in SURVEY_TEST_DATABASE_URL.
TEST_DATABASE = f"mitwirken_test_{os.getpid()}_{secrets.token_hex(3)}"


def _server_url() -> URL | None:
    given = os.environ.get("SURVEY_TEST_DATABASE_URL")
    return make_url(given) if given else None


def _database_used() -> str:
    server = _server_url()
    if server is None:
        return "database: SQLite in a temporary folder"
    own = server.set(database=TEST_DATABASE).render_as_string(hide_password=True)
    return f"database: {own} (created for this run on the server of SURVEY_TEST_DATABASE_URL, dropped at the end)"


def pytest_terminal_summary(terminalreporter) -> None:
    terminalreporter.write_line(_database_used())  # shown with -q too, unlike a report header


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = _server_url()
    if server is None:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")
        migrate.upgrade(make_engine(url))
        yield url
        return
    if server.get_backend_name() != "postgresql":
        pytest.exit(
            f"SURVEY_TEST_DATABASE_URL: only PostgreSQL is supported, not {server.drivername}"
        )
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{TEST_DATABASE}"'))
    own = server.set(database=TEST_DATABASE)
    engine = make_engine(own.render_as_string(hide_password=False))
    migrate.upgrade(engine)  # from nothing: the migrations must build it all
    engine.dispose()
    try:
        yield own.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{TEST_DATABASE}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def app(
    database_url: str, monkeypatch: pytest.MonkeyPatch, request, tmp_path, tmp_path_factory
) -> Iterator[Flask]:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "TESTING": True,
            # Tests answer hundreds of times from one address; tests/core/test_ratelimit.py
            # switches the limits on.
            "RATELIMIT_ENABLED": False,
            # kept breakdowns: not in tmp_path, which tests write their reports to
            "REPORT_STORE": str(tmp_path_factory.mktemp("kept-reports")),
            # no process computing breakdowns behind a test's back (one test switches it on)
            "REPORT_PREPARE_ON_CLOSE": False,
            **_questionnaires(getattr(request, "param", FIXTURE_QUESTIONNAIRES), tmp_path),
        }
    )
    yield app
    with app.app_context(), db.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(delete(table))
    app.extensions["survey_db"].engine.dispose()


def _questionnaires(directory: str, tmp_path: Path) -> dict[str, str]:
    """The fixture questionnaires are German only (no catalog covers them); the shipped
    ones come with the shipped translations."""
    if directory == FIXTURE_QUESTIONNAIRES:
        return {
            "QUESTIONNAIRE_DIR": directory,
            "TRANSLATIONS_DIR": str(tmp_path / "no-translations"),
        }
    return {"QUESTIONNAIRE_DIR": directory}


@pytest.fixture
def links(app: Flask) -> dict[str, str]:
    """The demo world; audience -> link token of the first school."""
    with app.app_context():
        found: dict[str, str] = {}
        for link in ensure_demo(db.session):
            found.setdefault(link.audience, link.token)
        return found


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Respondent:
    """A person answering through the real HTTP flow of the test client."""

    client: FlaskClient
    token: str
    csrf: str = ""
    history: list[str] = field(default_factory=list)

    def open(self, path: str = "", **kwargs):
        response = self.client.get(f"/s/{self.token}{path}", **kwargs)
        self._remember(response)
        return response

    def start(self):
        self.open()
        return self.client.post(f"/s/{self.token}/start", data={"csrf_token": self.csrf})

    def post(self, step: int, data: dict, action: str = "next"):
        response = self.client.post(
            f"/s/{self.token}/{step}", data={**data, "csrf_token": self.csrf, "action": action}
        )
        self._remember(response)
        return response

    def _remember(self, response) -> None:
        found = CSRF.search(response.get_data(as_text=True))
        if found:
            self.csrf = found.group(1)


@pytest.fixture
def respondent(app: Flask, links: dict[str, str]):
    def make(audience: str = "families", environ: dict | None = None) -> Respondent:
        client = app.test_client()
        client.environ_base.update(environ or {})
        return Respondent(client, links[audience])

    return make


def step_number(location: str | None) -> int:
    assert location, "expected a redirect"
    return int(location.rstrip("/").rsplit("/", 1)[1].split("?")[0])


def unused_port() -> int:
    """A port nothing listens on: the kernel hands out a free one and we let it go again
    (fixed numbers collide when two test runs share a machine)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(autouse=True)
def _cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 with tiny parameters: the tests sign in hundreds of times."""
    from argon2 import PasswordHasher

    from survey.admin import services

    monkeypatch.setattr(
        services, "hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )


@pytest.fixture
def world(app: Flask):
    from staff import make_world

    return make_world(app)
