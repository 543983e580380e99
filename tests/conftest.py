"""A fresh app per test on one migrated database; every table is emptied after each test.

The database is SQLite in a temporary folder unless ``SURVEY_TEST_DATABASE_URL``
names another (CI runs the suite again against PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, text

from survey import create_app
from survey.core import clock, migrate
from survey.core.db import Base, make_engine
from survey.distribution.services import ensure_demo
from survey.extensions import db

TODAY = dt.date(2026, 11, 25)
#: Small questionnaires whose exact content the flow tests rely on; the shipped
#: instruments (questionnaires/) are tested generically in tests/test_instruments.py.
FIXTURE_QUESTIONNAIRES = str(Path(__file__).parent / "fixtures" / "questionnaires")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("SURVEY_TEST_DATABASE_URL") or (
        "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")
    )
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:  # start from nothing: the migrations must build it all
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture
def app(database_url: str, monkeypatch: pytest.MonkeyPatch, request, tmp_path) -> Iterator[Flask]:
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "TESTING": True,
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
