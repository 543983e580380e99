"""``survey purge`` deletes drafts past their expiry and nothing else."""

from __future__ import annotations

import datetime as dt

from conftest import Respondent
from sqlalchemy import func, select

from survey.core import clock
from survey.extensions import db
from survey.respond.models import Draft


def test_purge_deletes_only_expired_drafts(app, links, monkeypatch):
    Respondent(app.test_client(), links["staff"]).start()  # expires in 30 days
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 12, 20))
    Respondent(app.test_client(), links["staff"]).start()  # started later
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 12, 26))
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0
    assert "1 expired draft(s) deleted" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Draft)) == 1


def test_an_expired_draft_is_not_resumed(app, links, monkeypatch):
    person = Respondent(app.test_client(), links["staff"])
    person.start()
    person.post(1, {"role": "3"})
    monkeypatch.setattr(clock, "today", lambda: dt.date(2027, 1, 30))
    assert person.client.get(f"/s/{links['staff']}/2").status_code == 410
    assert "Los geht" in person.open().get_data(as_text=True)
