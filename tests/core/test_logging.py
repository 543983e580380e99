"""No log line holds a link token, a client address next to a time, or an answer."""

from __future__ import annotations

import importlib.util
import logging
import logging.config
from pathlib import Path

import pytest
from conftest import leaks
from sqlalchemy import insert

from survey.core.logging import PrivacyFormatter, RedactFilter, redact
from survey.extensions import db
from survey.respond.models import Answer

ROOT = Path(__file__).resolve().parents[2]


def record(message: str, *args, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("x", logging.ERROR, __file__, 1, message, args, exc_info)


def test_the_suite_wide_check_finds_what_it_looks_for():
    assert leaks([record("GET %s 200", "/s/<token>/2")]) == []
    assert leaks([record("GET /s/ab12cd34ef56/2 200")])
    assert leaks([record("Invalid request from ip=%s", "203.0.113.5")])
    try:
        typed = "Abends, " + "nicht vormittags"  # the source line must not hold it either
        raise ValueError(f"invalid literal for int(): {typed!r}")
    except ValueError:
        import sys

        exc_info = sys.exc_info()
    # The traceback's message is withheld, so this one does not leak…
    assert leaks([record("Exception on /s/<token>/3 [POST]", exc_info=exc_info)]) == []
    # …but the same text in a message does.
    assert leaks([record("saving %s", "Abends, nicht vormittags")])


def test_an_unexpected_error_is_logged_by_route_without_the_answer_it_quotes(app, caplog):
    @app.get("/s/<token>/boom")
    def boom(token):
        from flask import request

        int(request.args["answer"])  # the answer comes from the request, not the source

    caplog.set_level(logging.ERROR)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.testing = False
    response = app.test_client().get(
        "/s/secrettoken123/boom",
        query_string={"answer": "Abends, nicht vormittags"},
        environ_base={"REMOTE_ADDR": "203.0.113.8"},
    )
    assert response.status_code == 500
    assert response.headers["Cache-Control"] == "no-store"
    [logged] = [r for r in caplog.records if r.getMessage().startswith("Exception on")]
    assert logged.getMessage() == "Exception on /s/<token>/boom [GET]"
    text = PrivacyFormatter().format(logged)
    assert "ValueError: (message withheld" in text
    assert "Abends" not in text and "secrettoken123" not in text and "203.0.113.8" not in text


def test_sql_errors_carry_no_parameters(app):
    """The values of a failing INSERT are answers (PostgreSQL: NumericValueOutOfRange)."""
    with app.app_context():
        assert db.engine.hide_parameters
        with pytest.raises(Exception) as failed:
            db.session.execute(
                insert(Answer),
                [
                    {
                        "response_id": "not-a-uuid",
                        "variable": "x",
                        "ordinal": 0,
                        "code": 2**40,
                        "text": "GEHEIM-7Q",
                    }
                ],
            )
        db.session.rollback()
    assert "GEHEIM-7Q" not in str(failed.value) and str(2**40) not in str(failed.value)


def test_redaction_is_the_last_net_for_gunicorns_own_lines():
    line = redact(
        "Error handling request /s/ab12cd34ef56/3?lang=ar from 203.0.113.5 and 2001:db8::17"
    )
    assert line == "Error handling request /s/<token>/3?lang=ar from <addr> and <addr>"
    rec = record("Invalid request from ip=%s: %s", "198.51.100.3", "bad")
    RedactFilter().filter(rec)
    assert rec.getMessage() == "Invalid request from ip=<addr>: bad"
    assert redact("GET /s/<token>/2 200") == "GET /s/<token>/2 200"


def test_the_gunicorn_configuration_logs_no_address_path_or_time_of_request():
    spec = importlib.util.spec_from_file_location(
        "gunicorn_conf", ROOT / "deploy" / "gunicorn.conf.py"
    )
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    for atom in ("%(h)s", "%(r)s", "%(U)s", "%(q)s", "%(f)s", "%(a)s", "%(t)s", "%({"):
        assert atom not in conf.access_log_format
    handler = conf.logconfig_dict["handlers"]["stderr"]
    assert handler["filters"] == ["redact"]
    formatter = conf.logconfig_dict["formatters"]["private"]
    assert formatter["()"] == "survey.core.logging.PrivacyFormatter"
    assert "%M" not in formatter["datefmt"]  # hours, not minutes
    # A valid dictConfig (applied without handlers, so the test run's logging stays).
    logging.config.dictConfig({**conf.logconfig_dict, "root": {"level": "WARNING", "handlers": []}})
