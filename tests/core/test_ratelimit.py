"""Rate limits with a real Redis: stuffing is slowed, a school's real rush passes.

Redis comes from ``SURVEY_TEST_REDIS_URL`` (default ``redis://127.0.0.1:6379/9``);
the tests skip only when no Redis answers there. Each run uses its own key
prefix and deletes only its own keys.
"""

from __future__ import annotations

import logging
import os
import uuid

import pytest
from conftest import FIXTURE_QUESTIONNAIRES, Respondent, unused_port
from sqlalchemy import func, select

from survey import create_app
from survey.config import Defaults
from survey.core import ratelimit
from survey.extensions import db
from survey.respond.models import Draft, Response

REDIS_URL = os.environ.get("SURVEY_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")


@pytest.fixture
def redis_client():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    yield client
    client.close()


@pytest.fixture
def limited(database_url, redis_client, monkeypatch):
    """An app with the real limits, counting in Redis under a prefix of its own."""
    from survey.core import clock

    prefix = f"mwtest-{uuid.uuid4().hex[:8]}"
    monkeypatch.setattr(clock, "today", lambda: __import__("conftest").TODAY)
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "QUESTIONNAIRE_DIR": FIXTURE_QUESTIONNAIRES,
            "TRANSLATIONS_DIR": Defaults.TRANSLATIONS_DIR,
            "RATELIMIT_STORAGE_URL": REDIS_URL,
            "RATELIMIT_KEY_PREFIX": prefix,
        }
    )
    yield app
    keys = list(redis_client.scan_iter(f"*{prefix}*"))
    if keys:
        redis_client.delete(*keys)
    with app.app_context(), db.engine.begin() as conn:
        from survey.core.db import Base

        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    app.extensions["survey_db"].engine.dispose()


@pytest.fixture
def staff_link(limited):
    from survey.distribution.services import ensure_demo

    with limited.app_context():
        return next(k.token for k in ensure_demo(db.session) if k.audience == "staff")


def answer_staff(app, token: str, address: str, language: str = "de"):
    person = Respondent(app.test_client(), token)
    person.client.environ_base["REMOTE_ADDR"] = address
    person.open(f"?lang={language}")
    r = person.client.post(f"/s/{token}/start", data={"csrf_token": person.csrf, "lang": language})
    if r.status_code != 302:
        return r
    person.open("/1")
    person.post(1, {"role": "2"})
    return person.post(2, {"partners_known": "1"})


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_one_address_cannot_stuff_a_schools_results(limited, staff_link):
    per_minute = 30  # DEFAULT_LIMITS["submit"]["client"]
    for _ in range(per_minute):
        r = answer_staff(limited, staff_link, "198.51.100.20")
        assert r.location and r.location.split("?")[0].endswith("/danke"), r.get_data(as_text=True)[
            -800:
        ]
    refused = answer_staff(limited, staff_link, "198.51.100.20")
    assert refused.status_code == 429
    html = refused.get_data(as_text=True)
    assert "Gerade kommen sehr viele Antworten" in html and "Noch einmal senden" in html
    assert refused.headers["Retry-After"] == "120"
    assert refused.headers["Cache-Control"] == "no-store"
    assert count(limited, Response) == per_minute
    assert count(limited, Draft) == 1  # the refused one keeps its answers for later
    # Someone else at the same school is not affected.
    other = answer_staff(limited, staff_link, "198.51.100.21")
    assert other.location.split("?")[0].endswith("/danke")


def test_the_page_when_a_limit_bites_speaks_the_respondents_language(limited, staff_link):
    limited.extensions["respond_limits"]["start"]["client"] = ratelimit.parse_many("1/minute")
    assert answer_staff(limited, staff_link, "198.51.100.30", "ar").status_code == 302
    refused = answer_staff(limited, staff_link, "198.51.100.30", "ar")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 429 and 'lang="ar"' in html
    assert "Gerade kommen" not in html


def test_a_school_sending_its_link_to_600_families_at_once_passes(limited, staff_link):
    """600 families within the same minutes: most on their own mobile address, some
    behind a carrier's shared address, 60 on the school's Wi-Fi at a parents' evening."""
    addresses = [f"10.{i // 250}.{i % 250}.1" for i in range(480)]
    addresses += [f"100.64.0.{i % 30}" for i in range(60)]  # carrier-grade NAT
    addresses += ["192.0.2.10"] * 60  # the school's Wi-Fi: within an hour
    refused = 0
    for i, address in enumerate(addresses):
        path = f"/s/{staff_link}/start"
        for action in ("start", "submit"):
            with limited.test_request_context(path, environ_base={"REMOTE_ADDR": address}):
                try:
                    # The Wi-Fi families arrive over an hour, two a minute; here all
                    # count in one window, which is harsher than the evening itself.
                    if address == "192.0.2.10" and i % 2:
                        continue
                    ratelimit.enforce(action, staff_link)
                except ratelimit.TooManyRequests:
                    refused += 1
    assert refused == 0


def test_many_addresses_flooding_one_link_are_stopped(limited, staff_link):
    limited.extensions["respond_limits"]["submit"]["link"] = ratelimit.parse_many("50/10 minutes")
    refused = 0
    for i in range(60):
        with limited.test_request_context(environ_base={"REMOTE_ADDR": f"10.9.{i}.1"}):
            try:
                ratelimit.enforce("submit", staff_link)
            except ratelimit.TooManyRequests:
                refused += 1
    assert refused == 10


def test_no_counter_names_an_address_or_a_token(limited, staff_link, redis_client):
    answer_staff(limited, staff_link, "198.51.100.44")
    prefix = limited.config["RATELIMIT_KEY_PREFIX"]
    keys = [k.decode() for k in redis_client.scan_iter(f"*{prefix}*")]
    assert keys, "the counters are in Redis"
    joined = " ".join(keys)
    assert "198.51.100.44" not in joined and staff_link not in joined


def test_without_redis_respondents_are_let_through(database_url, links, caplog):
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "QUESTIONNAIRE_DIR": FIXTURE_QUESTIONNAIRES,
            "RATELIMIT_STORAGE_URL": f"redis://127.0.0.1:{unused_port()}/9",  # nothing listens
        }
    )
    caplog.set_level(logging.WARNING)
    r = answer_staff(app, links["staff"], "198.51.100.50")
    assert r.location.split("?")[0].endswith("/danke")
    assert "rate limit storage unavailable" in caplog.text
    app.extensions["survey_db"].engine.dispose()
