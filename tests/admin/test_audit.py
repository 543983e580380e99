"""The audit log records staff actions, never a respondent or a full token; admins filter it."""

from __future__ import annotations

from sqlalchemy import select
from staff import signed_in

from survey.core.audit import AuditEntry
from survey.distribution.models import Link
from survey.extensions import db


def test_link_and_campaign_changes_are_logged_without_full_tokens(app, world):
    client, token = signed_in(app, "analyse@test.invalid")
    base = f"/kampagnen/{world.campaign_a}/schulen/{world.school_a}/links"
    client.get(base)
    client.post(f"{base}/families/neu", data={"csrf_token": token})
    client.post(f"{base}/staff/widerrufen", data={"csrf_token": token})
    client.post(f"/kampagnen/{world.campaign_a}/schliessen", data={"csrf_token": token})
    with app.app_context():
        tokens = list(db.session.scalars(select(Link.token)))
        entries = list(db.session.scalars(select(AuditEntry)))
    actions = [e.action for e in entries]
    for wanted in ("link.create", "link.regenerate", "link.revoke", "campaign.close", "signin"):
        assert wanted in actions
    logged = " ".join(f"{e.target} {e.detail}" for e in entries)
    assert tokens and not any(t in logged for t in tokens)
    assert all(e.actor_id is not None for e in entries if e.action.startswith(("link", "campaign")))


def test_admin_filters_the_log(app, world):
    signed_in(app, "analyse@test.invalid")
    admin, _token = signed_in(app, "admin@test.invalid")
    page = admin.get("/admin/protokoll?action=signin&actor=analyse").get_data(as_text=True)
    assert "analyse@test.invalid" in page and "admin@test.invalid" not in page
    everything = admin.get("/admin/protokoll").get_data(as_text=True)
    assert "admin@test.invalid" in everything
    none = admin.get("/admin/protokoll?since=2001-01-01&until=2001-01-02").get_data(as_text=True)
    assert "Keine Einträge" in none
    bad = admin.get("/admin/protokoll?since=gestern")
    assert bad.status_code == 422 and "Keine Einträge" in bad.get_data(as_text=True)


def test_unknown_audit_actions_are_refused(app):
    import pytest

    from survey.core import audit

    with app.app_context(), pytest.raises(ValueError):
        audit.record(db.session, None, "something.else")
