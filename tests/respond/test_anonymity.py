"""Nothing stored or logged can lead back to a person."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import urllib.request
import uuid

from answering import answers_for
from conftest import FIXTURE_QUESTIONNAIRES, step_number
from sqlalchemy import DateTime, Time, inspect, select, text
from werkzeug.serving import make_server

import survey.admin.models  # noqa: F401  (registers the staff tables)
import survey.core.audit  # noqa: F401
from survey.core.db import Base
from survey.core.logging import QuietRequestHandler
from survey.extensions import db
from survey.questionnaires.registry import registry
from survey.respond.models import Response
from survey.respond.steps import all_steps

ADDRESS = "203.0.113.77"  # documentation range: appears nowhere unless we leak it
AGENT = "Mozilla/5.0 (Linux; Android 8.1; Tecno-W5) Test-Agent/77.3"


def answer_all(app, person, audience: str = "families") -> None:
    with app.app_context():
        questionnaire = registry().get(audience)
    steps = all_steps(questionnaire)
    r = person.start()
    while "/danke" not in r.location:
        number = step_number(r.location)
        person.open(f"/{number}")
        data = answers_for(questionnaire, steps[number - 1].questions)
        r = person.post(number, data)
        if r.status_code == 200:
            r = person.post(number, data)


def every_stored_value(app) -> list[str]:
    with app.app_context():
        values = []
        for table in Base.metadata.sorted_tables:
            for row in db.session.execute(select(table)):
                values.extend(str(v) for v in row)
        return values


def test_no_table_holds_address_agent_token_or_draft(app, respondent):
    person = respondent("families", environ={"REMOTE_ADDR": ADDRESS, "HTTP_USER_AGENT": AGENT})
    person.start()
    with person.client.session_transaction() as session:
        draft_id = session["drafts"][person.token]
    person.client.post(f"/s/{person.token}/1", data={"action": "back", "csrf_token": person.csrf})
    answer_all(app, person)
    with app.app_context():
        response = db.session.scalar(select(Response))
        assert response is not None
        response_values = [str(v) for v in db.session.execute(select(Response.__table__)).one()]
        answer_values = [
            str(v) for row in db.session.execute(text("SELECT * FROM answer")) for v in row
        ]
    stored = " ".join(every_stored_value(app))
    assert ADDRESS not in stored and "203.0.113" not in stored
    assert "Tecno" not in stored and "Test-Agent" not in stored
    assert draft_id not in stored
    # The token lives only in the link table: not in a response or an answer.
    assert person.token not in " ".join(response_values + answer_values)


#: Staff tables: they may hold times (sign-ins, audit), and no response may lead to them.
STAFF_TABLES = {"account", "account_school", "audit_entry"}


def reachable_from(start: set[str]) -> set[str]:
    """Every table a row of ``start`` leads to by following foreign keys."""
    tables = {t.name: t for t in Base.metadata.sorted_tables}
    seen, todo = set(start), list(start)
    while todo:
        for fk in tables[todo.pop()].foreign_keys:
            if fk.column.table.name not in seen:
                seen.add(fk.column.table.name)
                todo.append(fk.column.table.name)
    return seen


def test_no_path_from_a_response_to_a_link_a_user_or_a_time():
    reached = reachable_from({"response", "answer"})
    assert reached == {"response", "answer", "campaign", "school", "district", "municipality"}
    assert not reached & ({"link", "draft"} | STAFF_TABLES)
    for table in Base.metadata.sorted_tables:
        if table.name in reached:
            for column in table.columns:
                assert not isinstance(column.type, DateTime | Time), f"{table.name}.{column.name}"
    # Nothing points at a response but its own answers (no click, code or user table).
    pointing = {
        t.name
        for t in Base.metadata.sorted_tables
        for fk in t.foreign_keys
        if fk.column.table.name == "response"
    }
    assert pointing == {"answer"}


def test_only_staff_tables_hold_times_finer_than_a_day():
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, DateTime | Time):
                assert table.name in STAFF_TABLES, f"{table.name}.{column.name}"


def test_submission_date_is_a_day_or_a_week(app, respondent, database_url):
    answer_all(app, respondent("staff"), "staff")
    with app.app_context():
        assert db.session.scalar(select(Response.submitted_on)) == dt.date(2026, 11, 25)
    from survey import create_app

    weekly = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "t",
            "DATE_GRANULARITY": "week",
            "QUESTIONNAIRE_DIR": FIXTURE_QUESTIONNAIRES,
        }
    )
    with weekly.app_context():
        from survey.distribution.services import ensure_demo

        token = next(link.token for link in ensure_demo(db.session) if link.audience == "staff")
    from conftest import Respondent

    answer_all(weekly, Respondent(weekly.test_client(), token), "staff")
    with weekly.app_context():
        days = set(db.session.scalars(select(Response.submitted_on)))
    weekly.extensions["survey_db"].engine.dispose()
    assert dt.date(2026, 11, 23) in days  # the Monday of that week


def test_response_ids_are_random_not_sequential(app, respondent):
    for _ in range(12):
        answer_all(app, respondent("staff"), "staff")
    with app.app_context():
        ids = list(db.session.scalars(select(Response.id)))
    assert len(ids) == 12
    assert all(isinstance(i, uuid.UUID) and i.version == 4 for i in ids)
    assert sorted(ids) != ids or sorted(ids, reverse=True) != ids


def test_schema_has_no_path_from_answers_to_links_or_drafts(app):
    with app.app_context():
        inspector = inspect(db.engine)
        for table in ("response", "answer"):
            referred = {fk["referred_table"] for fk in inspector.get_foreign_keys(table)}
            assert referred <= {"campaign", "school", "response"}, (table, referred)
            columns = {c["name"] for c in inspector.get_columns(table)}
            assert not columns & {
                "token",
                "link_token",
                "draft_id",
                "ip",
                "user_agent",
                "created_at",
                "submitted_at",
            }


def test_request_log_names_no_address_and_no_token(app, respondent, caplog):
    caplog.set_level(logging.DEBUG)
    person = respondent("families", environ={"REMOTE_ADDR": ADDRESS, "HTTP_USER_AGENT": AGENT})
    answer_all(app, person)
    person.client.get("/s/unknowntoken1")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "GET /s/<token>" in logged  # the access log is there…
    assert person.token not in logged and "unknowntoken1" not in logged  # …without tokens
    assert ADDRESS not in logged and "Tecno" not in logged


def test_development_server_logs_no_address_next_to_a_token(app, links, capfd, caplog):
    caplog.set_level(logging.DEBUG)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        token = links["families"]
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/s/{token}") as reply:
            assert reply.status == 200
        with contextlib.suppress(Exception):  # only what gets logged matters here
            urllib.request.urlopen(f"http://127.0.0.1:{server.port}/s/{token}/danke?x=1%")
    finally:
        server.shutdown()
        thread.join()
    out, err = capfd.readouterr()
    logged = out + err + "\n".join(r.getMessage() for r in caplog.records)
    assert token not in logged
    assert "127.0.0.1" not in logged
