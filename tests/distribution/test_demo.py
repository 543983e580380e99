"""``survey demo`` builds the demo world idempotently and prints one URL per line."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from survey.distribution import services
from survey.distribution.models import (
    AUDIENCES,
    Campaign,
    CampaignState,
    District,
    ExpectedCount,
    Link,
    School,
)
from survey.distribution.services import DEMO_SCHOOLS, ensure_demo
from survey.extensions import db

LINKS = len(DEMO_SCHOOLS) * len(AUDIENCES)


def test_demo_prints_one_respondent_url_per_line_and_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    lines = first.stdout.splitlines()
    assert len(lines) == LINKS  # every school x four audiences
    assert all(re.fullmatch(r"http://127\.0\.0\.1:5000/s/[a-z2-9]{12}", line) for line in lines)
    again = runner.invoke(args=["demo", "--base-url", "https://mitwirken.example/"])
    assert [u.rsplit("/", 1)[1] for u in again.stdout.splitlines()] == [
        u.rsplit("/", 1)[1] for u in lines
    ]
    assert again.stdout.startswith("https://mitwirken.example/s/")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Link)) == LINKS
        assert db.session.scalar(select(func.count()).select_from(School)) == len(DEMO_SCHOOLS)


def test_the_demo_world_has_schools_of_every_kind_in_three_districts(app):
    with app.app_context():
        ensure_demo(db.session)
        schools = db.session.scalars(select(School).order_by(School.number)).all()
        districts = {d.name for d in db.session.scalars(select(District))}
        expected = {
            (e.school_id, e.audience): e.expected for e in db.session.scalars(select(ExpectedCount))
        }
        assert {s.district.name for s in schools} == districts
    assert len(schools) >= 8
    assert districts == {"Nord", "Mitte", "Süd"}  # the demo maps draw exactly these
    assert [s.number for s in schools] == [f"9901{i:02d}" for i in range(1, len(schools) + 1)]
    types = {s.school_type for s in schools}
    assert {"Grundschule", "Gesamtschule", "Gymnasium", "Förderschule"} <= types
    assert len(types) >= 5
    levels = {s.sozialindex for s in schools}
    assert min(levels) <= 2 and max(levels) >= 8
    families = sorted(expected[(s.id, "families")] for s in schools)
    assert families[0] < 100 < 500 < families[-1]  # small and large schools
    assert all(expected[(s.id, a)] > 0 for s in schools for a in AUDIENCES)


def test_the_original_demo_schools_and_their_links_stay_as_they_were(app, monkeypatch):
    """A database made by the three-school demo: the new demo adds schools, and the
    printed links of the old ones keep working, on the same lines."""
    with app.app_context():
        monkeypatch.setattr(services, "DEMO_SCHOOLS", DEMO_SCHOOLS[:3])
        old = [(link.token, link.school.number, link.audience) for link in ensure_demo(db.session)]
        before = {
            s.number: (s.name, s.school_type, s.district.name, s.sozialindex)
            for s in db.session.scalars(select(School))
        }
        monkeypatch.undo()
    assert [number for _t, number, _a in old[::4]] == ["990101", "990102", "990103"]
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    tokens = [u.rsplit("/", 1)[1] for u in result.stdout.splitlines()]
    assert tokens[: len(old)] == [t for t, _n, _a in old]
    assert len(tokens) == LINKS
    with app.app_context():
        after = {
            s.number: (s.name, s.school_type, s.district.name, s.sozialindex)
            for s in db.session.scalars(select(School))
        }
    assert {n: after[n] for n in before} == before
    client = app.test_client()
    for token, _number, _audience in old:
        assert client.get(f"/s/{token}").status_code == 200


def test_every_demo_link_opens(app):
    runner = app.test_cli_runner()
    urls = runner.invoke(args=["demo"]).stdout.splitlines()
    client = app.test_client()
    for url in urls:
        assert client.get(url.split("5000", 1)[1]).status_code == 200


def test_demo_reopens_what_was_closed(app, links):
    with app.app_context():
        db.session.get(Link, links["families"]).revoked = True
        campaign = db.session.scalars(select(Campaign).where(Campaign.slug == "demo")).one()
        campaign.state = CampaignState.CLOSED
        db.session.commit()
    app.test_cli_runner().invoke(args=["demo"])
    assert app.test_client().get(f"/s/{links['families']}").status_code == 200


@pytest.mark.parametrize("value", ["-1", "many", "10000001"])
def test_demo_refuses_a_bad_number_of_responses(app, value):
    result = app.test_cli_runner().invoke(args=["demo", "--responses", value])
    assert result.exit_code == 2
    assert "--responses" in result.output
