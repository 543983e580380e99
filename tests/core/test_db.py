"""The database gives up instead of hanging, and never hands SQL parameters to a log."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import exc, text

from survey.core.db import make_engine
from survey.extensions import db

RUNAWAY = "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r) SELECT count(*) FROM r"


def test_a_runaway_sqlite_statement_is_interrupted_and_the_connection_lives_on():
    engine = make_engine("sqlite://", statement_timeout=1)
    started = time.monotonic()
    with pytest.raises(exc.OperationalError, match="interrupted"), engine.connect() as conn:
        conn.execute(text(RUNAWAY))
    assert time.monotonic() - started < 3
    with engine.connect() as conn:  # the next statement has its own deadline
        assert conn.execute(text("SELECT 1")).scalar() == 1
    engine.dispose()


def test_the_engine_of_the_app_has_its_timeouts(app):
    with app.app_context():
        engine = db.engine
        assert engine.hide_parameters
        if engine.dialect.name == "postgresql":
            with engine.connect() as conn:
                assert conn.execute(text("SHOW statement_timeout")).scalar() == "10s"
            assert engine.pool.timeout() == 3
