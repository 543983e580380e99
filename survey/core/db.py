"""Database: declarative base, engine and a request-scoped session.

Plain SQLAlchemy 2.0 rather than Flask-SQLAlchemy: the CLI, the benchmarks and
the tests use the same engine and session without an app-specific query API.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app
from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker

#: Stable constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers work while one writer commits; the busy timeout makes
    # concurrent writers wait instead of failing with "database is locked".
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


#: Seconds to wait for a connection to the database server before giving up.
CONNECT_TIMEOUT = 3
#: Seconds one SQL statement may run; the longest a respondent waits on a stuck database.
STATEMENT_TIMEOUT = 10


def make_engine(
    url: str, connect_timeout: int = CONNECT_TIMEOUT, statement_timeout: int = STATEMENT_TIMEOUT
) -> Engine:
    """An engine that gives up instead of hanging, and never logs SQL parameters.

    ``hide_parameters``: a failing statement's parameters are a respondent's
    answers, and errors get logged.
    """
    if url.startswith("sqlite"):
        # pysqlite opens a transaction only at the first write, so a writer
        # takes the lock there and the busy timeout makes it wait its turn.
        engine = create_engine(url, connect_args={"timeout": 10}, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        _sqlite_statement_timeout(engine, statement_timeout)
        return engine
    return create_engine(
        url,
        hide_parameters=True,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=20,
        pool_timeout=connect_timeout,
        connect_args={
            "connect_timeout": connect_timeout,  # psycopg: the whole connection set-up
            "options": f"-c statement_timeout={statement_timeout * 1000}",
        },
    )


def _sqlite_statement_timeout(engine: Engine, seconds: int) -> None:
    """SQLite has no statement timeout: a progress handler interrupts a statement
    that runs past its deadline (waiting for a lock is the busy timeout's job)."""

    @event.listens_for(engine, "connect")
    def _install(dbapi_connection, record) -> None:
        deadline: list[float | None] = [None]
        record.info["deadline"] = deadline
        dbapi_connection.set_progress_handler(
            lambda: int(deadline[0] is not None and time.monotonic() > deadline[0]), 10_000
        )

    @event.listens_for(engine, "before_cursor_execute")
    def _start(conn, _cursor, _statement, _parameters, context, _executemany) -> None:
        deadline = conn.info.get("deadline")
        if deadline is not None:
            # a statement known to be long (freezing a campaign's counts) may say how long
            options = context.execution_options if context is not None else {}
            deadline[0] = time.monotonic() + options.get("statement_timeout", seconds)

    @event.listens_for(engine, "after_cursor_execute")
    def _stop(conn, _cursor, _statement, _parameters, _context, _executemany) -> None:
        deadline = conn.info.get("deadline")
        if deadline is not None:
            deadline[0] = None


class _Bound:
    def __init__(self, url: str, connect_timeout: int, statement_timeout: int) -> None:
        self.engine = make_engine(url, connect_timeout, statement_timeout)
        self.session = scoped_session(sessionmaker(bind=self.engine, expire_on_commit=False))


class Database:
    """Unbound until ``init_app``; each app gets its own engine and scoped session.

    The session is thread-scoped and removed when the app context ends, so every
    request and every CLI command starts clean.
    """

    def init_app(self, app: Flask) -> None:
        bound = _Bound(
            app.config["DATABASE_URL"],
            int(app.config["DB_CONNECT_TIMEOUT"]),
            int(app.config["DB_STATEMENT_TIMEOUT"]),
        )
        app.extensions["survey_db"] = bound

        @app.teardown_appcontext
        def _remove_session(_exc: BaseException | None) -> None:
            bound.session.remove()

    @staticmethod
    def _bound() -> _Bound:
        return current_app.extensions["survey_db"]

    @property
    def engine(self) -> Engine:
        return self._bound().engine

    @property
    def session(self) -> Session:
        return self._bound().session()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on any error."""
        session = self.session
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
