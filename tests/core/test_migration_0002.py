"""Migration 0002: response and answer keep no insertion order on SQLite, and keep their rows."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from survey.core import migrate
from survey.core.db import make_engine

RESPONSE = (
    "INSERT INTO response VALUES (:id, 1, 1, 'families', 'families', 'v', 'de', '2026-11-25', 1)"
)


def _rows(conn) -> tuple[int, int]:
    return (
        conn.execute(text("SELECT count(*) FROM response")).scalar(),
        conn.execute(text("SELECT count(*) FROM answer")).scalar(),
    )


def test_sqlite_tables_without_rowid_keep_every_row_both_ways(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/m.db")
    migrate.upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO municipality (id, name) VALUES (1, 'M')"))
        conn.execute(text("INSERT INTO district (id, municipality_id, name) VALUES (1, 1, 'D')"))
        conn.execute(
            text("INSERT INTO school (id, district_id, name, school_type) VALUES (1, 1, 'S', 'G')")
        )
        conn.execute(
            text(
                "INSERT INTO campaign (id, slug, title, municipality_id, is_open) VALUES (1, 'c', 'C', 1, 1)"
            )
        )
        for i in range(3):
            rid = f"{i:032x}"
            conn.execute(text(RESPONSE), {"id": rid})
            conn.execute(
                text("INSERT INTO answer VALUES (:id, 'x', 0, 3, NULL, NULL)"), {"id": rid}
            )
    migrate.upgrade(engine, "0002")
    with engine.connect() as conn:
        assert _rows(conn) == (3, 3)
        for table in ("response", "answer", "submitted_draft"):
            sql = conn.execute(
                text("SELECT sql FROM sqlite_master WHERE name = :t"), {"t": table}
            ).scalar()
            assert "WITHOUT ROWID" in sql, table
        # The cascade still works on the rebuilt tables.
        conn.execute(text("PRAGMA foreign_keys=ON"))
        conn.execute(text("DELETE FROM response WHERE id = :id"), {"id": f"{0:032x}"})
        assert _rows(conn) == (2, 2)
        conn.rollback()
    config = migrate.alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
    with engine.connect() as conn:
        assert _rows(conn) == (3, 3)
    engine.dispose()
