"""Factories for the staff area's tests: schools, campaigns, accounts, responses, sign-in.

Worlds are built with exact figures, so the tests know every count by construction.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert, select

from survey.admin import services as accounts
from survey.distribution.models import (
    Campaign,
    CampaignQuestionnaire,
    CampaignSchool,
    District,
    ExpectedCount,
    Municipality,
    School,
)
from survey.extensions import db
from survey.respond.models import Response

PASSWORD = "richtig-pferd-batterie"
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def make_school(number: str, name: str | None = None, district: str = "Nord", **fields) -> School:
    session = db.session
    municipality = session.scalar(select(Municipality).where(Municipality.name == "Teststadt"))
    if municipality is None:
        municipality = Municipality(name="Teststadt")
        session.add(municipality)
        session.flush()
    found = session.scalar(
        select(District).where(
            District.name == district, District.municipality_id == municipality.id
        )
    )
    if found is None:
        found = District(name=district, municipality_id=municipality.id)
        session.add(found)
        session.flush()
    school = School(
        number=number,
        name=name or f"Schule {number}",
        school_type=fields.pop("school_type", "Grundschule"),
        district_id=found.id,
        **fields,
    )
    session.add(school)
    session.flush()
    return school


def make_campaign(schools, slug: str = "test", state: str = "open", **fields) -> Campaign:
    session = db.session
    municipality = session.scalar(select(Municipality).where(Municipality.name == "Teststadt"))
    audiences = fields.pop("audiences", ("families", "staff", "children", "partners"))
    campaign = Campaign(
        slug=slug,
        title=fields.pop("title", f"Kampagne {slug}"),
        municipality_id=municipality.id,
        state=state,
        **fields,
    )
    campaign.questionnaires = [
        CampaignQuestionnaire(audience=a, questionnaire_id=a) for a in audiences
    ]
    session.add(campaign)
    session.flush()
    for school in schools:
        session.add(CampaignSchool(campaign_id=campaign.id, school_id=school.id))
    session.flush()
    session.expire(campaign, ["schools"])
    return campaign


def set_expected(campaign: Campaign, school: School, **counts: int) -> None:
    for audience, n in counts.items():
        db.session.add(
            ExpectedCount(
                campaign_id=campaign.id, school_id=school.id, audience=audience, expected=n
            )
        )
    db.session.flush()


def make_account(email: str, role: str, schools=(), password: str = PASSWORD, **fields):
    account = accounts.create_account(
        db.session, None, email, role, password, list(schools), dt.date(2026, 11, 25)
    )
    for key, value in fields.items():
        setattr(account, key, value)
    db.session.flush()
    return account


def make_responses(
    campaign: Campaign,
    school: School,
    n: int,
    audience: str = "families",
    language: str = "de",
    day: dt.date = dt.date(2026, 11, 20),
) -> None:
    """``n`` stored responses (without answers: the dashboard counts responses only)."""
    if n:
        db.session.execute(
            insert(Response),
            [
                {
                    "id": uuid.uuid4(),
                    "campaign_id": campaign.id,
                    "school_id": school.id,
                    "audience": audience,
                    "questionnaire_id": audience,
                    "questionnaire_version": "test",
                    "language": language,
                    "submitted_on": day,
                    "complete": True,
                }
                for _ in range(n)
            ],
        )
        db.session.flush()


@dataclass
class World:
    school_a: int
    school_b: int
    campaign: int  #: both schools
    campaign_a: int  #: school A only
    admin: int
    analyst: int
    coord_a: int
    coord_b: int


def make_world(app: Flask) -> World:
    with app.app_context():
        a = make_school("100001", "Grundschule A", "Nord")
        b = make_school("100002", "Grundschule B", "Süd")
        both = make_campaign([a, b], "beide")
        only_a = make_campaign([a], "nur-a")
        world = World(
            school_a=a.id,
            school_b=b.id,
            campaign=both.id,
            campaign_a=only_a.id,
            admin=make_account("admin@test.invalid", "admin").id,
            analyst=make_account("analyse@test.invalid", "analyst").id,
            coord_a=make_account("a@test.invalid", "coordinator", [a]).id,
            coord_b=make_account("b@test.invalid", "coordinator", [b]).id,
        )
        db.session.commit()
        return world


def csrf_of(client: FlaskClient, path: str = "/anmelden") -> str:
    found = CSRF.search(client.get(path).get_data(as_text=True))
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD, **environ):
    token = csrf_of(client)
    return client.post(
        "/anmelden",
        data={"email": email, "password": password, "csrf_token": token},
        environ_base=environ,
    )


def signed_in(app: Flask, email: str) -> tuple[FlaskClient, str]:
    """A client signed in as ``email``, and its CSRF token for later POSTs."""
    client = app.test_client()
    r = sign_in(client, email)
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    return client, csrf_of(client, "/konto/passwort")
