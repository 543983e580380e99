"""Migration 0005 (one-time access codes) goes up and down on SQLite and, where the suite
runs on PostgreSQL, there too, in a database of its own."""

from __future__ import annotations

import os
import secrets

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from survey.core import migrate
from survey.core.db import make_engine

TABLES = {"access_code", "access_code_batch", "access_code_scope"}


def _engines(tmp_path):
    yield "sqlite", make_engine(f"sqlite:///{tmp_path}/m5.db"), None
    given = os.environ.get("SURVEY_TEST_DATABASE_URL")
    if given:
        server = make_url(given)
        name = f"mitwirken_m5_{secrets.token_hex(3)}"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        own = server.set(database=name).render_as_string(hide_password=False)
        yield "postgresql", make_engine(own), (admin, name)


def _drop(cleanup) -> None:
    if cleanup is not None:
        admin, name = cleanup
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_0005_up_and_down(tmp_path):
    ran = []
    for dialect, engine, cleanup in _engines(tmp_path):
        try:
            migrate.upgrade(engine, "0004")
            assert not TABLES & set(inspect(engine).get_table_names())
            migrate.upgrade(engine, "0005")
            assert set(inspect(engine).get_table_names()) >= TABLES
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO municipality (id, name) VALUES (1, 'M')"))
                conn.execute(
                    text("INSERT INTO district (id, municipality_id, name) VALUES (1, 1, 'D')")
                )
                conn.execute(
                    text(
                        "INSERT INTO school (id, number, district_id, name, school_type) "
                        "VALUES (1, '123456', 1, 'S', 'Grundschule')"
                    )
                )
                conn.execute(
                    text(
                        "INSERT INTO campaign (id, slug, title, municipality_id, state) "
                        "VALUES (1, 'c', 'C', 1, 'open')"
                    )
                )
                conn.execute(
                    text(
                        "INSERT INTO access_code_batch (campaign_id, school_id, audience, size, "
                        "issued_on, revoked) VALUES (1, 1, 'families', 1, '2026-11-25', false)"
                    )
                )
                batch = conn.execute(text("SELECT id FROM access_code_batch")).scalar()
                conn.execute(
                    text("INSERT INTO access_code VALUES (:h, :b, 'open')"),
                    {"h": "a" * 64, "b": batch},
                )
            with pytest.raises(IntegrityError), engine.begin() as conn:  # the CHECK holds
                conn.execute(text("UPDATE access_code SET state = 'gone'"))
            migrate.downgrade(engine, "0004")
            assert not TABLES & set(inspect(engine).get_table_names())
            migrate.upgrade(engine, "head")
            assert set(inspect(engine).get_table_names()) >= TABLES
            ran.append(dialect)
        finally:
            engine.dispose()
            _drop(cleanup)
    assert "sqlite" in ran
