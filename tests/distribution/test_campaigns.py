"""Campaigns: form, states, admin-only reopen, respondent pages when not open, expected numbers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select
from staff import signed_in

from survey.distribution import links
from survey.distribution.models import Campaign, ExpectedCount, Link, School
from survey.extensions import db


def _form(world, **overrides):
    data = {
        "title": "Herbst 2026",
        "slug": "herbst-2026",
        "municipality_id": "1",
        "families": "families",
        "staff": "staff",
        "children": "",
        "partners": "",
        "opens_on": "2026-11-01",
        "closes_on": "2026-12-15",
        "school_ids": [str(world.school_a), str(world.school_b)],
        "school_contact": " die Schulsozialarbeit in Raum 12 ",
    }
    data.update(overrides)
    return data


def _municipality(app) -> str:
    from survey.distribution.models import Municipality

    with app.app_context():
        return str(db.session.scalar(select(Municipality.id)))


def test_create_a_campaign_from_valid_questionnaires(app, world):
    client, token = signed_in(app, "analyse@test.invalid")
    form = _form(world, municipality_id=_municipality(app), csrf_token=token)
    bad = client.post("/kampagnen/neu", data={**form, "slug": "Herbst 2026"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'id="slug-error"' in page and 'value="Herbst 2026"' in page
    bad = client.post("/kampagnen/neu", data={**form, "closes_on": "2026-10-01"})
    assert bad.status_code == 422 and 'id="closes_on-error"' in bad.get_data(as_text=True)
    wrong_audience = client.post("/kampagnen/neu", data={**form, "families": "staff"})
    assert wrong_audience.status_code == 422  # not offered for that audience
    r = client.post("/kampagnen/neu", data=form)
    assert r.status_code == 302
    with app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "herbst-2026"))
        assert campaign.state == "draft"
        assert {q.audience: q.questionnaire_id for q in campaign.questionnaires} == {
            "families": "families",
            "staff": "staff",
        }
        assert {s.number for s in campaign.schools} == {"100001", "100002"}
        assert campaign.opens_on == dt.date(2026, 11, 1)
        assert campaign.school_contact == "die Schulsozialarbeit in Raum 12"


def test_states_draft_open_closed_and_reopen_only_by_admins(app, world):
    analyst, token = signed_in(app, "analyse@test.invalid")
    with app.app_context():
        db.session.get(Campaign, world.campaign_a).state = "draft"
        db.session.commit()
    url = f"/kampagnen/{world.campaign_a}"
    analyst.post(f"{url}/oeffnen", data={"csrf_token": token})
    analyst.post(f"{url}/schliessen", data={"csrf_token": token})
    assert analyst.post(f"{url}/wieder-oeffnen", data={"csrf_token": token}).status_code == 403
    with app.app_context():
        assert db.session.get(Campaign, world.campaign_a).state == "closed"
    admin, admin_token = signed_in(app, "admin@test.invalid")
    assert "Wieder öffnen" in admin.get(url).get_data(as_text=True)
    admin.post(f"{url}/wieder-oeffnen", data={"csrf_token": admin_token})
    with app.app_context():
        assert db.session.get(Campaign, world.campaign_a).state == "open"
    # A step that does not fit the state is refused with a message, not a 500.
    r = admin.post(f"{url}/oeffnen", data={"csrf_token": admin_token}, follow_redirects=True)
    assert "nicht möglich" in r.get_data(as_text=True)


def _token(app, world) -> str:
    with app.app_context():
        campaign = db.session.get(Campaign, world.campaign_a)
        school = db.session.get(School, world.school_a)
        made = links.ensure_links(db.session, None, campaign, school)
        db.session.commit()
        return made["families"].token


SHIPPED = str(Path(__file__).resolve().parents[2] / "questionnaires")


@pytest.mark.parametrize("app", [SHIPPED], indirect=True)  # with the shipped translations
def test_respondents_see_when_a_campaign_runs(app, world):
    token = _token(app, world)
    client = app.test_client()
    with app.app_context():
        campaign = db.session.get(Campaign, world.campaign_a)
        campaign.opens_on, campaign.closes_on = dt.date(2026, 12, 1), dt.date(2026, 12, 20)
        db.session.commit()
    r = client.get(f"/s/{token}")  # today is 2026-11-25
    page = r.get_data(as_text=True)
    assert r.status_code == 403 and "noch nicht begonnen" in page
    assert "1. Dezember 2026" in page and "20. Dezember 2026" in page
    english = client.get(f"/s/{token}?lang=en").get_data(as_text=True)
    assert "not started yet" in english and "December 1, 2026" in english
    with app.app_context():
        campaign = db.session.get(Campaign, world.campaign_a)
        campaign.opens_on, campaign.closes_on = dt.date(2026, 11, 1), dt.date(2026, 11, 20)
        db.session.commit()
    r = client.get(f"/s/{token}")
    assert r.status_code == 410 and "bis zum 20. November 2026" in r.get_data(as_text=True)
    with app.app_context():
        campaign = db.session.get(Campaign, world.campaign_a)
        campaign.state, campaign.opens_on, campaign.closes_on = "draft", None, None
        db.session.commit()
    r = client.get(f"/s/{token}")
    assert r.status_code == 403 and "noch nicht begonnen" in r.get_data(as_text=True)
    assert "Traceback" not in r.get_data(as_text=True)


def test_coordinator_enters_expected_numbers(app, world):
    client, token = signed_in(app, "a@test.invalid")
    url = f"/kampagnen/{world.campaign_a}/schulen/{world.school_a}/erwartet"
    bad = client.post(url, data={"csrf_token": token, "families": "-3", "staff": "20"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'id="families-error"' in page and 'value="20"' in page
    assert (
        client.post(url, data={"csrf_token": token, "families": "120", "staff": "20"}).status_code
        == 302
    )
    with app.app_context():
        counts = {
            e.audience: e.expected
            for e in db.session.scalars(
                select(ExpectedCount).where(ExpectedCount.school_id == world.school_a)
            )
        }
    assert counts == {"families": 120, "staff": 20}
    client.post(url, data={"csrf_token": token, "families": "", "staff": "25"})
    with app.app_context():
        assert {e.audience: e.expected for e in db.session.scalars(select(ExpectedCount))} == {
            "staff": 25
        }
    other, other_token = signed_in(app, "b@test.invalid")
    assert other.post(url, data={"csrf_token": other_token, "families": "1"}).status_code == 404


def test_links_exist_only_for_audiences_the_campaign_asks(app, world):
    with app.app_context():
        campaign = db.session.get(Campaign, world.campaign_a)
        campaign.questionnaires = [q for q in campaign.questionnaires if q.audience != "children"]
        db.session.commit()
    client, token = signed_in(app, "a@test.invalid")
    client.get(f"/kampagnen/{world.campaign_a}/schulen/{world.school_a}/links")
    with app.app_context():
        audiences = set(db.session.scalars(select(Link.audience)))
    assert audiences == {"families", "staff", "partners"}
    base = f"/kampagnen/{world.campaign_a}/schulen/{world.school_a}/links/children/neu"
    assert client.post(base, data={"csrf_token": token}).status_code == 404


def test_expected_numbers_are_imported_for_many_schools(app, world):
    import io

    client, token = signed_in(app, "analyse@test.invalid")
    url = f"/kampagnen/{world.campaign}/erwartet-import"
    broken = b"Schulnummer;Familien;Kinder\n100001;120;x\n999999;5;5\n"
    r = client.post(
        url,
        data={"csrf_token": token, "file": (io.BytesIO(broken), "erwartet.csv")},
        content_type="multipart/form-data",
    )
    page = r.get_data(as_text=True).replace("&#34;", '"')
    assert r.status_code == 422
    assert "Zeile 2: Kinder: „x“ ist keine Zahl" in page
    assert "Zeile 3: Schulnummer: „999999“ gehört zu keiner Schule dieser Kampagne" in page
    with app.app_context():
        assert db.session.scalars(select(ExpectedCount)).all() == []
    good = b"Schulnummer;Familien;Kinder;Partner\n100001;120;300;\n100002;80;;4\n"
    r = client.post(
        url,
        data={"csrf_token": token, "file": (io.BytesIO(good), "erwartet.csv")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    with app.app_context():
        stored = {
            (e.school_id, e.audience): e.expected for e in db.session.scalars(select(ExpectedCount))
        }
    assert stored == {
        (world.school_a, "families"): 120,
        (world.school_a, "children"): 300,
        (world.school_b, "families"): 80,
        (world.school_b, "partners"): 4,
    }
