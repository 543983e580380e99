"""Sign-in, sign-out, lockout, rate limits, forced password change, idle expiry,
cookie flags, and ``survey users``."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select
from staff import PASSWORD, csrf_of, sign_in, signed_in

from survey.admin.models import Account
from survey.core.audit import AuditEntry
from survey.extensions import db

GENERIC = "E-Mail-Adresse oder Passwort stimmen nicht"


def test_sign_in_and_out(app, world):
    client = app.test_client()
    assert client.get("/").location.endswith("/anmelden")
    r = sign_in(client, "Analyse@Test.invalid ")  # case and spaces do not matter
    assert r.status_code == 302 and r.location.endswith("/")
    assert "Willkommen" in client.get("/").get_data(as_text=True)
    token = csrf_of(client, "/")
    assert client.post("/abmelden", data={"csrf_token": token}).status_code == 302
    assert client.get("/kampagnen").location.endswith("/anmelden")
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions[-2:] == ["signin", "signout"]


def test_wrong_password_and_unknown_address_get_the_same_answer(app, world):
    client = app.test_client()
    wrong = sign_in(client, "analyse@test.invalid", "falsch-falsch-falsch")
    unknown = sign_in(client, "niemand@test.invalid", "falsch-falsch-falsch")
    assert wrong.status_code == unknown.status_code == 401
    assert GENERIC in wrong.get_data(as_text=True) and GENERIC in unknown.get_data(as_text=True)
    # The typed address stays in the field, the password does not.
    assert 'value="niemand@test.invalid"' in unknown.get_data(as_text=True)
    assert "falsch-falsch-falsch" not in unknown.get_data(as_text=True)
    with app.app_context():
        entries = list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    assert [e.action for e in entries if e.action.startswith("signin")] == ["signin.failed"] * 2
    assert "niemand" not in " ".join(e.target + e.detail for e in entries)


def test_account_locks_after_repeated_failures(app, world):
    client = app.test_client()
    for _ in range(5):
        assert sign_in(client, "analyse@test.invalid", "falsch-falsch-falsch").status_code == 401
    # Locked: even the right password is refused, with the same message.
    r = sign_in(client, "analyse@test.invalid", PASSWORD)
    assert r.status_code == 401 and GENERIC in r.get_data(as_text=True)
    with app.app_context():
        account = db.session.scalar(select(Account).where(Account.email == "analyse@test.invalid"))
        assert account.locked_until is not None
        account.locked_until = None  # the lock ran out
        db.session.commit()
    assert sign_in(client, "analyse@test.invalid", PASSWORD).status_code == 302


@pytest.fixture
def limited(app, world, database_url):
    """The same database, with rate limits on (the suite's app has them off)."""
    from conftest import FIXTURE_QUESTIONNAIRES

    from survey import create_app

    limited = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "QUESTIONNAIRE_DIR": FIXTURE_QUESTIONNAIRES,
            "RATELIMIT_ENABLED": True,
        }
    )
    yield limited
    limited.extensions["survey_db"].engine.dispose()


def test_failed_sign_ins_are_rate_limited_per_address(limited):
    app = limited
    app.config["SIGNIN_LIMIT_PER_ADDRESS"] = "3 per 10 minutes"
    client = app.test_client()
    for n in range(3):
        email = f"x{n}@test.invalid"
        assert sign_in(client, email, "falsch", REMOTE_ADDR="198.51.100.7").status_code == 401
    r = sign_in(client, "analyse@test.invalid", PASSWORD, REMOTE_ADDR="198.51.100.7")
    assert r.status_code == 429 and "Zu viele Versuche" in r.get_data(as_text=True)
    # Another address is not affected.
    assert (
        sign_in(client, "analyse@test.invalid", PASSWORD, REMOTE_ADDR="198.51.100.8").status_code
        == 302
    )


def test_failed_sign_ins_are_rate_limited_per_account(limited):
    app = limited
    app.config["SIGNIN_LIMIT_PER_ACCOUNT"] = "2 per 10 minutes"
    app.config["SIGNIN_LOCK_AFTER"] = 100
    for n in range(2):
        client = app.test_client()
        r = sign_in(client, "analyse@test.invalid", "falsch", REMOTE_ADDR=f"198.51.100.{n}")
        assert r.status_code == 401
    r = sign_in(app.test_client(), "analyse@test.invalid", PASSWORD, REMOTE_ADDR="198.51.100.99")
    assert r.status_code == 429


def test_successful_sign_ins_are_not_counted(limited):
    app = limited
    app.config["SIGNIN_LIMIT_PER_ADDRESS"] = "2 per 10 minutes"
    for _ in range(4):
        assert sign_in(app.test_client(), "analyse@test.invalid").status_code == 302


REDIS_URL = os.environ.get("SURVEY_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")


def test_rate_limit_counts_in_redis_without_addresses(database_url, world, app):
    redis = pytest.importorskip("redis")
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    from conftest import FIXTURE_QUESTIONNAIRES

    from survey import create_app

    def signin_keys():  # only the sign-in counters: other tests may share this database
        return [k.decode() for k in connection.scan_iter("*admin.signin*")]

    for key in signin_keys():
        connection.delete(key)
    redis_app = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "RATELIMIT_STORAGE_URL": REDIS_URL,
            "SIGNIN_LIMIT_PER_ADDRESS": "2 per 10 minutes",
            "QUESTIONNAIRE_DIR": FIXTURE_QUESTIONNAIRES,
            "RATELIMIT_ENABLED": True,
        }
    )
    try:
        for _ in range(2):
            r = sign_in(
                redis_app.test_client(), "x@test.invalid", "falsch", REMOTE_ADDR="203.0.113.9"
            )
            assert r.status_code == 401
        r = sign_in(redis_app.test_client(), "x@test.invalid", "falsch", REMOTE_ADDR="203.0.113.9")
        assert r.status_code == 429
        keys = signin_keys()
        assert keys, "the counters live in Redis"
        assert not any("203.0.113" in k or "x@test" in k for k in keys)
        # A second app (another worker) shares the counters.
        other = create_app(
            {
                "DATABASE_URL": database_url,
                "SECRET_KEY": "test",
                "RATELIMIT_STORAGE_URL": REDIS_URL,
                "SIGNIN_LIMIT_PER_ADDRESS": "2 per 10 minutes",
                "QUESTIONNAIRE_DIR": FIXTURE_QUESTIONNAIRES,
                "RATELIMIT_ENABLED": True,
            }
        )
        r = sign_in(other.test_client(), "y@test.invalid", "falsch", REMOTE_ADDR="203.0.113.9")
        assert r.status_code == 429
        other.extensions["survey_db"].engine.dispose()
    finally:
        for key in signin_keys():
            connection.delete(key)
        redis_app.extensions["survey_db"].engine.dispose()


def test_reset_forces_a_new_password(app, world):
    admin, token = signed_in(app, "admin@test.invalid")
    r = admin.post(f"/admin/konten/{world.analyst}/passwort", data={"csrf_token": token})
    page = r.get_data(as_text=True)
    temporary = page.split("<code>")[1].split("</code>")[0]
    user = app.test_client()
    assert sign_in(user, "analyse@test.invalid", PASSWORD).status_code == 401  # the old one is gone
    r = sign_in(user, "analyse@test.invalid", temporary)
    assert r.location.endswith("/konto/passwort")
    assert user.get("/kampagnen").location.endswith("/konto/passwort")  # nothing else first
    token = csrf_of(user, "/konto/passwort")
    short = user.post(
        "/konto/passwort",
        data={"csrf_token": token, "current": temporary, "password": "kurz", "repeat": "kurz"},
    )
    assert short.status_code == 422 and "mindestens 10 Zeichen" in short.get_data(as_text=True)
    new = "ein-ganz-neues-passwort"
    r = user.post(
        "/konto/passwort",
        data={"csrf_token": token, "current": temporary, "password": new, "repeat": new},
    )
    assert r.status_code == 302
    assert user.get("/kampagnen").status_code == 200


def test_password_change_keeps_typed_input_and_shows_errors_by_the_field(app, world):
    client, token = signed_in(app, "analyse@test.invalid")
    r = client.post(
        "/konto/passwort",
        data={"csrf_token": token, "current": "falsch", "password": "abcdefghijk", "repeat": "x"},
    )
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert 'id="repeat-error"' in page and "nicht gleich" in page


def test_disabled_account_is_signed_out_and_cannot_sign_in(app, world):
    user, _token = signed_in(app, "analyse@test.invalid")
    admin, token = signed_in(app, "admin@test.invalid")
    admin.post(f"/admin/konten/{world.analyst}/sperren", data={"csrf_token": token})
    assert user.get("/kampagnen").location.endswith("/anmelden")
    assert sign_in(app.test_client(), "analyse@test.invalid").status_code == 401
    admin.post(f"/admin/konten/{world.analyst}/entsperren", data={"csrf_token": token})
    assert sign_in(app.test_client(), "analyse@test.invalid").status_code == 302


def test_admin_creates_an_account_and_errors_stay_by_the_field(app, world):
    admin, token = signed_in(app, "admin@test.invalid")
    bad = admin.post(
        "/admin/konten/neu",
        data={
            "csrf_token": token,
            "email": "neu@test.invalid",
            "role": "coordinator",
            "schools": "999999",
            "password": "ein-gutes-passwort",
        },
    )
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'id="schools-error"' in page and "999999" in page
    assert 'value="neu@test.invalid"' in page
    good = admin.post(
        "/admin/konten/neu",
        data={
            "csrf_token": token,
            "email": "neu@test.invalid",
            "role": "coordinator",
            "schools": "100001",
            "password": "ein-gutes-passwort",
        },
    )
    assert good.status_code == 302
    r = sign_in(app.test_client(), "neu@test.invalid", "ein-gutes-passwort")
    assert r.location.endswith("/konto/passwort")  # first sign-in: own password


def test_idle_sessions_expire(app, world, monkeypatch):
    import time

    client, _token = signed_in(app, "analyse@test.invalid")
    assert client.get("/kampagnen").status_code == 200
    later = time.time() + 31 * 60
    monkeypatch.setattr(time, "time", lambda: later)
    r = client.get("/kampagnen")
    assert r.location.endswith("/anmelden")
    assert "Inaktivität" in client.get("/anmelden").get_data(as_text=True)


def test_session_cookie_flags(app, world):
    client = app.test_client()
    r = sign_in(client, "analyse@test.invalid")
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    tls = app.test_client()
    csrf = csrf_of(tls)
    r = tls.post(
        "/anmelden",
        base_url="https://localhost",
        headers={"Referer": "https://localhost/anmelden"},
        data={"email": "analyse@test.invalid", "password": PASSWORD, "csrf_token": csrf},
    )
    assert "Secure" in r.headers["Set-Cookie"]


def test_no_account_table_holds_an_address(app, world):
    sign_in(app.test_client(), "analyse@test.invalid", REMOTE_ADDR="203.0.113.77")
    sign_in(app.test_client(), "analyse@test.invalid", "falsch", REMOTE_ADDR="203.0.113.77")
    from survey.core.db import Base

    with app.app_context():
        stored = [
            str(v)
            for table in Base.metadata.sorted_tables
            for row in db.session.execute(select(table))
            for v in row
        ]
    assert stored and not any("203.0.113" in v for v in stored)


# --- survey users -----------------------------------------------------------------------


def test_users_commands(app, world):
    runner = app.test_cli_runner()
    r = runner.invoke(
        args=[
            "users",
            "create",
            "neu@test.invalid",
            "--role",
            "coordinator",
            "--school",
            "100001",
            "--school",
            "100002",
            "--password-stdin",
        ],
        input="ein-gutes-passwort\n",
    )
    assert r.exit_code == 0, r.output
    listed = runner.invoke(args=["users", "list"]).output
    assert "neu@test.invalid\tcoordinator\tactive\t100001,100002" in listed
    assert runner.invoke(args=["users", "set-role", "neu@test.invalid", "analyst"]).exit_code == 0
    assert runner.invoke(args=["users", "disable", "neu@test.invalid"]).exit_code == 0
    assert "neu@test.invalid\tanalyst\tdisabled" in runner.invoke(args=["users", "list"]).output
    assert runner.invoke(args=["users", "enable", "neu@test.invalid"]).exit_code == 0
    assert sign_in(app.test_client(), "neu@test.invalid", "ein-gutes-passwort").status_code == 302


def test_users_create_asks_twice_and_reports_errors_in_one_line(app, world):
    runner = app.test_cli_runner()
    r = runner.invoke(
        args=["users", "create", "z@test.invalid", "--role", "admin"],
        input="ein-gutes-passwort\nein-gutes-passwort\n",
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(
        args=["users", "create", "c@test.invalid", "--role", "coordinator", "--password-stdin"],
        input="ein-gutes-passwort\n",
    )
    assert r.exit_code == 1 and "mindestens eine Schule" in r.output
    r = runner.invoke(args=["users", "disable", "nobody@test.invalid"])
    assert r.exit_code == 1 and "Traceback" not in r.output
    r = runner.invoke(
        args=["users", "create", "kurz@test.invalid", "--role", "admin", "--password-stdin"],
        input="kurz\n",
    )
    assert r.exit_code == 1 and "10 Zeichen" in r.output


def test_demo_prints_one_account_per_role_on_stderr(app):
    from click.testing import CliRunner

    runner = CliRunner()
    from flask.cli import ScriptInfo

    result = runner.invoke(
        app.cli, ["demo"], obj=ScriptInfo(create_app=lambda: app), catch_exceptions=False
    )
    assert result.exit_code == 0
    stdout, stderr = result.stdout, result.stderr
    assert "/s/" in stdout and "@demo.invalid" not in stdout
    lines = [line for line in stderr.splitlines() if line.startswith("demo account")]
    assert [line.split("(")[1].split(")")[0] for line in lines] == [
        "admin",
        "analyst",
        "coordinator",
    ]
    email, password = lines[2].split(": ", 1)[1].split("  password: ")
    r = sign_in(app.test_client(), email, password)
    assert r.status_code == 302
    with app.app_context():
        coordinator = db.session.scalar(select(Account).where(Account.email == email))
        assert [s.number for s in coordinator.schools] == ["990101"]


def test_the_last_active_admin_stays(app, world):
    runner = app.test_cli_runner()
    r = runner.invoke(args=["users", "set-role", "admin@test.invalid", "analyst"])
    assert r.exit_code == 1 and "letzte aktive Admin-Konto" in r.output
    r = runner.invoke(args=["users", "disable", "admin@test.invalid"])
    assert r.exit_code == 1 and "letzte aktive Admin-Konto" in r.output
    assert runner.invoke(args=["users", "set-role", "analyse@test.invalid", "admin"]).exit_code == 0
    assert runner.invoke(args=["users", "disable", "admin@test.invalid"]).exit_code == 0
