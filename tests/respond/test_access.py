"""One-time access codes in the respond flow: asked before the intro, consumed with the
response in one transaction, exactly once under concurrent submits, and kept apart from
the answers in the schema."""

from __future__ import annotations

import threading
import uuid

import pytest
from conftest import FIXTURE_QUESTIONNAIRES, TODAY, Respondent
from sqlalchemy import Date, DateTime, Integer, func, inspect, select, text

from survey.config import Defaults
from survey.core import access_codes
from survey.core.db import Base
from survey.distribution import codes
from survey.distribution.models import AccessCode, Campaign, Link, School
from survey.extensions import db
from survey.respond.models import Answer, Draft, Response

SECRET = "test"  # the test app's SECRET_KEY


def _codes_on(app, token: str, count: int = 3) -> list[str]:
    """Switch codes on for the link's campaign, school and audience; issue ``count``."""
    with app.app_context():
        link = db.session.get(Link, token)
        campaign = db.session.get(Campaign, link.campaign_id)
        school = db.session.get(School, link.school_id)
        codes.switch(db.session, None, campaign, school, link.audience, True)
        issued = codes.issue(
            db.session, None, campaign, school, link.audience, count, SECRET, TODAY
        )
        db.session.commit()
        return issued.codes


def _enter(person: Respondent, code: str, lang: str | None = None):
    query = f"?lang={lang}" if lang else ""
    page = person.open(f"/zugang{query}")
    assert page.status_code == 200, page.status_code
    return person.client.post(
        f"/s/{person.token}/zugang{query}", data={"code": code, "csrf_token": person.csrf}
    )


def _state(app, code: str, token: str) -> str:
    with app.app_context():
        link = db.session.get(Link, token)
        digest = access_codes.code_hash(
            SECRET, link.campaign_id, link.school_id, link.audience, code
        )
        return db.session.get(AccessCode, digest).state


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _answer_staff(person: Respondent, role: str = "2"):
    """The fixture staff questionnaire: role on page 1; page 2 is the last."""
    r = person.start()
    assert r.status_code == 302 and r.location.endswith("/1"), r.location
    assert person.post(1, {"role": role}).status_code == 302
    person.open("/2")
    return person.post(2, {"families_welcome": "3", "partners_known": "1"})


def test_a_link_with_codes_asks_for_one_before_the_intro(app, respondent):
    person = respondent("staff")
    _codes_on(app, person.token)
    r = person.client.get(f"/s/{person.token}")
    assert r.status_code == 302 and r.location.endswith(f"/s/{person.token}/zugang")
    page = person.open("/zugang")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'name="code"' in html and "<script" not in html
    assert page.headers["Cache-Control"] == "no-store"
    # Starting without a code goes to the code page too; nothing is begun.
    r = person.client.post(f"/s/{person.token}/start", data={"csrf_token": person.csrf})
    assert r.status_code == 302 and "/zugang" in r.location
    assert _count(app, Draft) == 0


def test_a_valid_code_lets_one_answer_and_is_used_up(app, respondent):
    person = respondent("staff")
    code = _codes_on(app, person.token)[0]
    typed = " " + access_codes.printed(code).lower() + " "  # as someone types it
    r = _enter(person, typed)
    assert r.status_code == 302 and r.location.split("?")[0].endswith(f"/s/{person.token}")
    assert _state(app, code, person.token) == "open"  # checked, not consumed yet
    done = _answer_staff(person)
    assert done.location.split("?")[0].endswith("/danke"), done.location
    assert _count(app, Response) == 1
    assert _state(app, code, person.token) == "used"
    # The next person with the same slip is told so, in plain words.
    other = respondent("staff")
    r = _enter(other, code)
    assert r.status_code == 422
    assert "Dieser Code wurde schon benutzt" in r.get_data(as_text=True)


def test_a_used_code_refuses_a_second_submit_and_keeps_the_answers(app, respondent):
    first, second = respondent("staff"), respondent("staff")
    code, spare = _codes_on(app, first.token)[:2]
    assert _enter(first, code).status_code == 302
    assert _enter(second, code).status_code == 302  # both hold it: neither has used it
    assert _answer_staff(first).location.split("?")[0].endswith("/danke")
    refused = _answer_staff(second, role="3")
    assert refused.status_code == 302 and "/zugang?grund=used" in refused.location
    assert _count(app, Response) == 1
    with app.app_context():  # every answer of the second person is still in the draft
        draft = db.session.scalar(select(Draft))
        kept = {k: v for k, v in draft.answers.items() if v}
        assert kept == {"role": ["3"], "families_welcome": ["3"], "partners_known": ["1"]}
    page = second.open("/zugang?grund=used").get_data(as_text=True)
    assert "Dieser Code wurde schon benutzt" in page
    assert "Ihre Antworten sind nicht verloren" in page
    # With a new code the same draft goes through: straight back to the last page.
    r = _enter(second, spare)
    r = second.client.get(r.location)
    assert r.status_code == 302 and "/2" in r.location
    second.open("/2")
    done = second.post(2, {"families_welcome": "3", "partners_known": "1"})
    assert done.location.split("?")[0].endswith("/danke")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 2
        roles = sorted(db.session.scalars(select(Answer.code).where(Answer.variable == "role")))
        assert roles == [2, 3]


@pytest.mark.parametrize(
    ("typed", "title"),
    [
        ("XXXX-XXXX", "Diesen Code kennen wir nicht"),
        ("K7MX", "Diesen Code kennen wir nicht"),
        ("", "Diesen Code kennen wir nicht"),
        ("REVOKED", "Dieser Code gilt nicht mehr"),
    ],
)
def test_unknown_and_revoked_codes_are_refused(app, respondent, typed, title):
    person = respondent("staff")
    issued = _codes_on(app, person.token)
    if typed == "REVOKED":
        with app.app_context():
            link = db.session.get(Link, person.token)
            codes.revoke_code(
                db.session,
                None,
                db.session.get(Campaign, link.campaign_id),
                db.session.get(School, link.school_id),
                "staff",
                issued[0],
                SECRET,
            )
            db.session.commit()
        typed = issued[0]
    r = _enter(person, typed)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert title in html and 'aria-invalid="true"' in html and 'role="alert"' in html


def test_a_code_of_another_school_or_audience_is_unknown(app, respondent):
    families, staff = respondent("families"), respondent("staff")
    _codes_on(app, families.token)
    staff_code = _codes_on(app, staff.token)[0]
    assert _enter(families, staff_code).status_code == 422


def test_codes_switched_off_open_the_link_again(app, respondent):
    person = respondent("staff")
    _codes_on(app, person.token)
    with app.app_context():
        link = db.session.get(Link, person.token)
        codes.switch(
            db.session,
            None,
            db.session.get(Campaign, link.campaign_id),
            db.session.get(School, link.school_id),
            "staff",
            False,
        )
        db.session.commit()
    assert person.client.get(f"/s/{person.token}").status_code == 200
    assert _answer_staff(person).location.split("?")[0].endswith("/danke")


def test_codes_switched_on_during_a_draft_are_asked_at_submit(app, respondent):
    person = respondent("staff")
    person.start()
    person.post(1, {"role": "1"})
    code = _codes_on(app, person.token)[0]
    person.open("/2")
    r = person.post(2, {"families_welcome": "2", "partners_known": "1"})
    assert "/zugang?grund=needed" in r.location
    assert _count(app, Response) == 0
    _enter(person, code)
    person.open("/2")
    r = person.post(2, {"families_welcome": "2", "partners_known": "1"})
    assert r.location.split("?")[0].endswith("/danke")
    assert _count(app, Response) == 1


def test_the_code_is_neither_in_the_cookie_nor_in_a_log_line(app, respondent, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    person = respondent("staff")
    code = _codes_on(app, person.token)[0]
    _enter(person, access_codes.printed(code))
    cookie = person.client.get_cookie("mitwirken")
    import base64
    import zlib

    payload = cookie.value.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    session_text = (zlib.decompress(raw) if cookie.value.startswith(".") else raw).decode()
    assert code not in session_text.upper().replace("-", "")
    _answer_staff(person)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert code not in logged and access_codes.printed(code) not in logged


def _walk_to_last_page(app, token: str, code: str) -> Respondent:
    person = Respondent(app.test_client(), token)
    assert _enter(person, code).status_code == 302
    assert person.start().status_code == 302
    assert person.post(1, {"role": "4"}).status_code == 302
    person.open("/2")
    return person


def test_20_concurrent_submits_with_one_code_store_exactly_one(app, links):
    token = links["staff"]
    code = _codes_on(app, token, count=1)[0]
    people = [_walk_to_last_page(app, token, code) for _ in range(20)]
    barrier = threading.Barrier(len(people))
    outcomes: list[str] = []

    def submit(person: Respondent) -> None:
        barrier.wait()
        r = person.post(2, {"families_welcome": "1", "partners_known": "0"})
        outcomes.append(r.location or str(r.status_code))

    threads = [threading.Thread(target=submit, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stored = [o for o in outcomes if o.split("?")[0].endswith("/danke")]
    refused = [o for o in outcomes if "grund=used" in o]
    assert len(stored) == 1 and len(refused) == 19, outcomes
    assert _count(app, Response) == 1
    assert _count(app, Draft) == 19  # nobody's answers were lost
    assert _state(app, code, token) == "used"


def test_the_used_codes_table_cannot_be_joined_to_a_response(app):
    """No column of access_code refers to a response or holds a time or a serial number;
    no foreign key leads from it to the answers or back."""
    table = Base.metadata.tables["access_code"]
    assert {c.name for c in table.columns} == {"code_hash", "batch_id", "state"}
    for column in table.columns:
        assert not isinstance(column.type, Date | DateTime), column.name
    assert [c.name for c in table.primary_key.columns] == ["code_hash"]
    assert not any(isinstance(c.type, Integer) and c.autoincrement is True for c in table.columns)
    reached, todo = {"access_code"}, ["access_code"]
    while todo:
        for fk in Base.metadata.tables[todo.pop()].foreign_keys:
            if fk.column.table.name not in reached:
                reached.add(fk.column.table.name)
                todo.append(fk.column.table.name)
    assert not reached & {"response", "answer", "draft", "submitted_draft", "link"}
    pointing = {
        t.name
        for t in Base.metadata.sorted_tables
        for fk in t.foreign_keys
        if fk.column.table.name in {"access_code", "access_code_batch"}
    }
    assert pointing == {"access_code"}  # only the codes point at their batch
    with app.app_context():  # and the database built by the migrations agrees
        inspector = inspect(db.engine)
        columns = {c["name"]: c for c in inspector.get_columns("access_code")}
        assert set(columns) == {"code_hash", "batch_id", "state"}
        assert {fk["referred_table"] for fk in inspector.get_foreign_keys("access_code")} == {
            "access_code_batch"
        }
        for name in ("response", "answer"):
            referred = {fk["referred_table"] for fk in inspector.get_foreign_keys(name)}
            assert not referred & {"access_code", "access_code_batch"}
        if db.engine.dialect.name == "sqlite":  # no rowid in the order of issue
            sql = db.session.execute(
                text("SELECT sql FROM sqlite_master WHERE name = 'access_code'")
            ).scalar()
            assert "WITHOUT ROWID" in sql
        else:
            default = columns["code_hash"].get("default")
            assert default is None


SHIPPED = pytest.mark.parametrize("app", [Defaults.QUESTIONNAIRE_DIR], indirect=True)
LANGUAGES = ("de", "en", "tr", "ar", "uk", "ru", "pl", "bg", "ro", "ku", "fa")


@SHIPPED
def test_refusals_speak_the_respondents_language(app, links):
    from flask_babel import force_locale

    from survey.respond import access

    token = links["families"]
    issued = _codes_on(app, token, count=2)
    with app.app_context():
        link = db.session.get(Link, token)
        codes.revoke_code(
            db.session,
            None,
            db.session.get(Campaign, link.campaign_id),
            db.session.get(School, link.school_id),
            "families",
            issued[1],
            SECRET,
        )
        db.session.commit()
    seen: dict[str, set[str]] = {}
    for language in LANGUAGES:
        person = Respondent(app.test_client(), token)
        # used: answered once through another client would take long; the page with
        # ?grund=used shows the same message as a refused entry
        unknown = _enter(person, "XXXX-XXXX", lang=language)
        revoked = _enter(person, issued[1], lang=language)
        used_page = person.open(f"/zugang?lang={language}&grund=used")
        with app.test_request_context(), force_locale(language):
            expected = {
                "unknown": str(access.CodeUnknown.title),
                "revoked": str(access.CodeRevoked.title),
                "used": str(access.CodeUsed.title),
            }
        for kind, reply in (("unknown", unknown), ("revoked", revoked), ("used", used_page)):
            html = reply.get_data(as_text=True)
            assert expected[kind] in html, (language, kind)
            assert (
                f'<html lang="{language}" dir="{"rtl" if language in ("ar", "fa") else "ltr"}"'
                in html
            )
            seen.setdefault(kind, set()).add(expected[kind])
    # Every language has its own words (not the German falling through).
    for kind, titles in seen.items():
        assert len(titles) == len(LANGUAGES), (kind, titles)


def test_the_code_page_is_rate_limited(database_url, tmp_path):
    """Guessing codes is slow: the code page counts tries per client, link and overall."""
    from survey import create_app
    from survey.distribution.services import ensure_demo

    limited = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": SECRET,
            "QUESTIONNAIRE_DIR": FIXTURE_QUESTIONNAIRES,
            "TRANSLATIONS_DIR": str(tmp_path / "none"),
            "RATELIMIT_STORAGE_URL": "memory://",
            "RATELIMIT_KEY_PREFIX": f"codes-{uuid.uuid4().hex[:8]}",
            "RESPOND_LIMITS": {"code": {"client": "3/minute"}},
        }
    )
    try:
        with limited.app_context():
            token = next(k.token for k in ensure_demo(db.session) if k.audience == "staff")
        _codes_on(limited, token)
        person = Respondent(limited.test_client(), token)
        replies = [_enter(person, "XXXX-XXXX") for _ in range(4)]
        assert [r.status_code for r in replies] == [422, 422, 422, 429]
        assert "Noch einmal senden" in replies[3].get_data(as_text=True)
    finally:
        with limited.app_context(), db.engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
        limited.extensions["survey_db"].engine.dispose()


def test_purge_reseals_used_codes_so_no_transaction_id_pairs_them(app, respondent):
    """PostgreSQL: a used code row and its response are written by one transaction and
    share ``xmin`` until ``survey purge`` rewrites the used codes."""
    person = respondent("staff")
    code = _codes_on(app, person.token)[0]
    _enter(person, code)
    assert _answer_staff(person).location.split("?")[0].endswith("/danke")

    def xmins() -> tuple[str, str] | None:
        with app.app_context():
            if db.engine.dialect.name != "postgresql":
                return None
            used = db.session.execute(
                text("SELECT xmin::text FROM access_code WHERE state = 'used'")
            ).scalar()
            stored = db.session.execute(text("SELECT xmin::text FROM response")).scalar()
            return used, stored

    before = xmins()
    if before is not None:
        assert before[0] == before[1]  # the pairing this test is about
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0 and "1 used access code(s) resealed" in result.output
    after = xmins()
    if after is not None:
        assert after[0] != after[1]
    assert _state(app, code, person.token) == "used"
