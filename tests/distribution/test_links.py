"""Links: revoke and regenerate, drafts that outlive their link, the short form, QR codes."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from conftest import Respondent
from sqlalchemy import select
from staff import signed_in

from survey.distribution import links
from survey.distribution.models import Campaign, Link, School
from survey.extensions import db


def _links_page(app, world, client, query: str = ""):
    return client.get(
        f"/kampagnen/{world.campaign_a}/schulen/{world.school_a}/links{query}"
    ).get_data(as_text=True)


def _live(app, world, audience: str = "families") -> str:
    with app.app_context():
        return db.session.scalar(
            select(Link.token).where(
                Link.campaign_id == world.campaign_a,
                Link.school_id == world.school_a,
                Link.audience == audience,
                Link.revoked.is_(False),
            )
        )


def test_links_page_shows_full_url_short_form_and_qr(app, world):
    app.config["BASE_URL"] = "https://umfrage.example.de/"
    client, _token = signed_in(app, "a@test.invalid")
    page = _links_page(app, world, client)
    token = _live(app, world)
    assert f"https://umfrage.example.de/s/{token}" in page
    assert f"umfrage.example.de/k/{links.short_code(token)}" in page
    assert 'src="/kampagnen/' in page and "qr.svg" in page
    assert page.count('<section class="linkcard"') == 4  # one per audience


def test_regenerated_link_is_dead_but_an_open_draft_still_finishes(app, world):
    client, token = signed_in(app, "a@test.invalid")
    _links_page(app, world, client)
    old = _live(app, world, "staff")
    person = Respondent(app.test_client(), old)
    r = person.start()
    assert r.status_code == 302  # a draft is begun on the old link
    base = f"/kampagnen/{world.campaign_a}/schulen/{world.school_a}/links/staff"
    assert client.post(f"{base}/neu", data={"csrf_token": token}).status_code == 302
    new = _live(app, world, "staff")
    assert new and new != old
    # A newcomer on the old link: 404, as if it never existed.
    stranger = app.test_client()
    assert stranger.get(f"/s/{old}").status_code == 404
    assert stranger.post(f"/s/{old}/start", data={}).status_code in (400, 404)
    # The one who started goes on and submits.
    from survey.respond.models import Response

    with app.app_context():
        before = db.session.query(Response).count()
    thanks = _finish(app, person)
    with app.app_context():
        assert db.session.query(Response).count() == before + 1
    assert person.client.get(thanks).status_code == 200  # the thank-you page too
    assert app.test_client().get(thanks).status_code == 404  # but only for them
    assert app.test_client().get(f"/s/{new}").status_code == 200


def _finish(app, person):
    from answering import answers_for
    from conftest import step_number

    from survey.questionnaires.registry import registry
    from survey.respond.steps import all_steps

    with app.app_context():
        questionnaire = registry().get("staff")
    steps = all_steps(questionnaire)
    r = person.client.post(f"/s/{person.token}/start", data={"csrf_token": person.csrf})
    while "/danke" not in r.location:
        number = step_number(r.location)
        person.open(f"/{number}")
        data = answers_for(questionnaire, steps[number - 1].questions)
        r = person.post(number, data)
        if r.status_code == 200:
            r = person.post(number, data)
        assert r.status_code == 302, r.get_data(as_text=True)[:300]
    return r.location


def test_revoked_link_answers_404(app, world):
    client, token = signed_in(app, "a@test.invalid")
    _links_page(app, world, client)
    old = _live(app, world, "children")
    base = f"/kampagnen/{world.campaign_a}/schulen/{world.school_a}/links/children"
    client.post(f"{base}/widerrufen", data={"csrf_token": token})
    assert app.test_client().get(f"/s/{old}").status_code == 404
    assert _live(app, world, "children") is None
    _links_page(app, world, client)  # the page makes a new one
    assert _live(app, world, "children") not in (None, old)


def test_short_form_leads_to_the_link(app, world):
    client, _token = signed_in(app, "a@test.invalid")
    _links_page(app, world, client)
    token = _live(app, world)
    typed = links.short_code(token).upper().replace("-", " - ")
    r = app.test_client().get(f"/k/{typed}?lang=en")
    assert r.status_code == 302 and r.location.endswith(f"/s/{token}?lang=en")
    assert app.test_client().get("/k/0000-1111").status_code == 404
    assert links.token_from_code("ABCD-efgh jkmn") == "abcdefghjkmn"
    assert links.token_from_code("ab0d") is None


def decode(png: bytes) -> str:
    """Read a QR code back with zbarimg (Debian zbar-tools) or, failing that, pyzbar."""
    if shutil.which("zbarimg"):
        out = subprocess.run(
            ["zbarimg", "--quiet", "--raw", "-"], input=png, capture_output=True, check=True
        )
        return out.stdout.decode().strip()
    pyzbar = pytest.importorskip("pyzbar.pyzbar")
    from PIL import Image

    return pyzbar.decode(Image.open(io.BytesIO(png)))[0].data.decode()


def test_qr_codes_decode_back_to_the_link_per_language(app, world):
    app.config["BASE_URL"] = "https://umfrage.example.de"
    client, _token = signed_in(app, "a@test.invalid")
    _links_page(app, world, client)
    token = _live(app, world)
    base = f"/kampagnen/{world.campaign_a}/schulen/{world.school_a}/links/families"
    png = client.get(f"{base}/qr.png")
    assert png.mimetype == "image/png" and "attachment" in png.headers["Content-Disposition"]
    assert decode(png.data) == f"https://umfrage.example.de/s/{token}"
    svg = client.get(f"{base}/qr.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    # Languages: only those the questionnaire is offered in (the fixtures are German only).
    assert decode(client.get(f"{base}/qr.png?lang=de").data).endswith(f"/s/{token}?lang=de")
    assert decode(client.get(f"{base}/qr.png?lang=xx").data).endswith(f"/s/{token}")


def test_qr_svg_decodes_too(app, world):
    cairosvg = pytest.importorskip("cairosvg", reason="no SVG rasteriser installed")
    client, _token = signed_in(app, "a@test.invalid")
    _links_page(app, world, client)
    base = f"/kampagnen/{world.campaign_a}/schulen/{world.school_a}/links/families"
    png = cairosvg.svg2png(bytestring=client.get(f"{base}/qr.svg").data)
    assert decode(png).endswith(_live(app, world))


@pytest.mark.parametrize("shipped", [True])
def test_link_language_choice_uses_offered_languages(app, world, shipped):
    client, _token = signed_in(app, "a@test.invalid")
    page = _links_page(app, world, client, "?lang=tr")
    assert "?lang=tr" not in page  # Turkish does not cover the fixture questionnaires
    assert re.search(r"/s/[a-z0-9]{12}\"", page)


def test_links_belong_to_the_campaign_and_school(app, world):
    with app.app_context():
        campaign = db.session.get(Campaign, world.campaign_a)
        school = db.session.get(School, world.school_a)
        made = links.ensure_links(db.session, None, campaign, school)
        again = links.ensure_links(db.session, None, campaign, school)
        assert {a: link.token for a, link in made.items()} == {
            a: link.token for a, link in again.items()
        }
        assert all(len(link.token) == 12 for link in made.values())
