"""One-time access codes, the staff side: switched on and issued by analysts through the
real staff pages (the answer is the slip sheet), revoked, audited, counted on the dashboard."""

from __future__ import annotations

import re

import pdfcheck
import pytest
from conftest import TODAY
from sqlalchemy import func, select, update
from staff import signed_in

from survey.config import Defaults
from survey.core import access_codes
from survey.core.audit import AuditEntry
from survey.distribution import codes, dashboard
from survey.distribution.models import (
    AccessCode,
    AccessCodeBatch,
    AccessCodeScope,
    AccessCodeState,
    Campaign,
    School,
)
from survey.extensions import db

PRINTED = re.compile(rf"\b[{access_codes.ALPHABET}]{{4}}-[{access_codes.ALPHABET}]{{4}}\b")


def _base(world) -> str:
    return f"/kampagnen/{world.campaign}/schulen/{world.school_a}/codes"


@pytest.mark.parametrize("app", [Defaults.QUESTIONNAIRE_DIR], indirect=True)  # with catalogs
def test_an_analyst_switches_codes_on_and_downloads_a_slip_sheet(app, world, tmp_path):
    client, csrf = signed_in(app, "analyse@test.invalid")
    page = client.get(_base(world))
    assert page.status_code == 200 and "Zugangscodes" in page.get_data(as_text=True)
    r = client.post(_base(world) + "/families/schalten", data={"on": "1", "csrf_token": csrf})
    assert r.status_code == 302
    r = client.post(
        _base(world) + "/families/ausgeben",
        data={"count": "12", "lang": "tr", "csrf_token": csrf},
    )
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.headers["Cache-Control"] == "no-store"
    assert (
        "attachment; filename=zugangscodes-100001-families-stapel-"
        in r.headers["Content-Disposition"]
    )
    pdf = tmp_path / "slips.pdf"
    pdf.write_bytes(r.data)
    pdfcheck.assert_fonts_embedded(pdf)
    printed = PRINTED.findall(pdfcheck.text(pdf))
    assert len(set(printed)) == 12
    with app.app_context():
        scope = db.session.get(AccessCodeScope, (world.campaign, world.school_a, "families"))
        assert scope.required
        batch = db.session.scalar(select(AccessCodeBatch))
        assert (batch.size, batch.issued_on, batch.audience) == (12, TODAY, "families")
        actions = list(db.session.scalars(select(AuditEntry.action)))
        assert "codes.on" in actions and "codes.issue" in actions
        # The audit log names the batch, never a code.
        details = " ".join(e.target + e.detail for e in db.session.scalars(select(AuditEntry)))
        assert not any(code in details or code.replace("-", "") in details for code in printed)
    page = client.get(_base(world)).get_data(as_text=True)
    assert "Codes eingeschaltet" in page
    assert "Ausgegeben: 12 · benutzt: 0 · widerrufen: 0 · offen: 12" in page


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"count": "0"}, "Anzahl von 1 bis 2000"),
        ({"count": "zwölf"}, "Anzahl von 1 bis 2000"),
        ({"count": "2001"}, "Anzahl von 1 bis 2000"),
        ({"count": "5", "lang": "xx"}, "Unbekannte Sprache"),
    ],
)
def test_bad_input_is_a_message_and_issues_nothing(app, world, form, message):
    client, csrf = signed_in(app, "analyse@test.invalid")
    r = client.post(_base(world) + "/families/ausgeben", data={**form, "csrf_token": csrf})
    assert r.status_code == 302
    assert message in client.get(r.location).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(AccessCodeBatch)) is None


def test_revoking_a_batch_or_one_code(app, world):
    with app.app_context():
        campaign = db.session.get(Campaign, world.campaign)
        school = db.session.get(School, world.school_a)
        first = codes.issue(db.session, None, campaign, school, "families", 4, "test", TODAY)
        second = codes.issue(db.session, None, campaign, school, "families", 3, "test", TODAY)
        db.session.commit()
        first_id = first.batch.id
    client, csrf = signed_in(app, "analyse@test.invalid")
    r = client.post(
        _base(world) + "/families/code-widerrufen",
        data={"code": access_codes.printed(second.codes[0]).lower(), "csrf_token": csrf},
    )
    assert "Der Code gilt nicht mehr." in client.get(r.location).get_data(as_text=True)
    r = client.post(
        _base(world) + "/families/code-widerrufen", data={"code": "XXXX-XXXX", "csrf_token": csrf}
    )
    assert "gibt es für diese Schule und Zielgruppe nicht" in client.get(r.location).get_data(
        as_text=True
    )
    r = client.post(f"{_base(world)}/stapel/{first_id}/widerrufen", data={"csrf_token": csrf})
    assert "4 Codes dieses Stapels gelten nicht mehr." in client.get(r.location).get_data(
        as_text=True
    )
    with app.app_context():
        states = dict(
            db.session.execute(
                select(AccessCode.state, func.count()).group_by(AccessCode.state)
            ).all()
        )
        assert states == {"revoked": 5, "open": 2}
    # Another school's batch under this school's address: 404.
    r = client.post(
        f"/kampagnen/{world.campaign}/schulen/{world.school_b}/codes/stapel/{first_id}/widerrufen",
        data={"csrf_token": csrf},
    )
    assert r.status_code == 404


def test_coordinators_may_not_issue_codes(app, world):
    client, csrf = signed_in(app, "a@test.invalid")
    assert client.get(_base(world)).status_code == 403
    r = client.post(_base(world) + "/families/ausgeben", data={"count": "5", "csrf_token": csrf})
    assert r.status_code == 403


def _world_with_codes(app, world):
    """School A: codes on for families, 20 issued, 3 used, 2 revoked; 3 responses."""
    from staff import make_responses

    with app.app_context():
        campaign = db.session.get(Campaign, world.campaign)
        school = db.session.get(School, world.school_a)
        codes.switch(db.session, None, campaign, school, "families", True)
        issued = codes.issue(db.session, None, campaign, school, "families", 20, "test", TODAY)
        hashes = [
            access_codes.code_hash("test", campaign.id, school.id, "families", c)
            for c in issued.codes
        ]
        for digest, state in zip(hashes, ["used"] * 3 + ["revoked"] * 2, strict=False):
            db.session.execute(
                update(AccessCode).where(AccessCode.code_hash == digest).values(state=state)
            )
        make_responses(campaign, school, 3, "families")
        make_responses(campaign, db.session.get(School, world.school_b), 9, "families")
        db.session.commit()


def test_the_dashboard_shows_codes_issued_and_used_per_school(app, world):
    _world_with_codes(app, world)
    with app.app_context():
        campaign = db.session.get(Campaign, world.campaign)
        board = dashboard.build(db.session, campaign, None, None)
        (row,) = board.codes
        assert (row.number, row.audience, row.required, row.issued) == (
            "100001",
            "families",
            True,
            20,
        )
        assert row.used == dashboard.Figure(3) and row.open == 15
        # A coordinator sees the used codes as hidden as the responses they stand for.
        hidden = dashboard.build(db.session, campaign, {world.school_a}, 5)
        (row,) = hidden.codes
        assert row.used.hidden and row.used.value is None and row.issued == 20
    client, _csrf = signed_in(app, "analyse@test.invalid")
    html = client.get(f"/kampagnen/{world.campaign}/feldphase").get_data(as_text=True)
    assert "Zugangscodes" in html and "<td>20</td><td>3</td><td>15</td>" in html
    coordinator, _csrf = signed_in(app, "a@test.invalid")
    html = coordinator.get(f"/kampagnen/{world.campaign}/feldphase").get_data(as_text=True)
    assert "Zugangscodes" in html and "<td>20</td><td><span" in html


def test_issuing_1000_codes_gives_1000_distinct_hashes(app, world):
    with app.app_context():
        campaign = db.session.get(Campaign, world.campaign)
        school = db.session.get(School, world.school_a)
        issued = codes.issue(db.session, None, campaign, school, "staff", 1000, "test", TODAY)
        db.session.commit()
        assert len(set(issued.codes)) == 1000
        assert all(access_codes.normalize(c) == c for c in issued.codes)
        count = db.session.scalar(
            select(func.count())
            .select_from(AccessCode)
            .where(AccessCode.state == AccessCodeState.OPEN)
        )
        assert count == 1000
