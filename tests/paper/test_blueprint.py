"""Downloads of printed matter through real HTTP: permissions, audit, the PDFs themselves."""

from __future__ import annotations

import re
from pathlib import Path

import pdfcheck
import pytest
from sqlalchemy import select
from staff import signed_in

from survey.config import Defaults
from survey.core.audit import AuditEntry
from survey.distribution import links as link_service
from survey.distribution.models import Campaign, Link, School
from survey.extensions import db

SHIPPED = pytest.mark.parametrize("app", [Defaults.QUESTIONNAIRE_DIR], indirect=True)
BASE = "https://mitwirken.example"
COORD_A, COORD_B, ANALYST = "a@test.invalid", "b@test.invalid", "analyse@test.invalid"


def _save(response, tmp_path: Path, name: str) -> Path:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    path = tmp_path / name
    path.write_bytes(response.data)
    return path


def _token(app, campaign_id: int, school_id: int, audience: str) -> str:
    with app.app_context():
        link = db.session.scalar(
            select(Link).where(
                Link.campaign_id == campaign_id,
                Link.school_id == school_id,
                Link.audience == audience,
                Link.revoked.is_(False),
            )
        )
        return link.token


def _downloads(app) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "download")))


@SHIPPED
def test_coordinator_downloads_the_german_arabic_flyer_of_their_school(app, world, tmp_path):
    app.config["BASE_URL"] = BASE
    client, _csrf = signed_in(app, COORD_A)
    base = f"/kampagnen/{world.campaign}/schulen/{world.school_a}"
    r = client.get(f"{base}/flyer/families.pdf?lang=ar&beside=de&contact=Frau+Yılmaz,+0209+123456")
    assert r.headers["Content-Type"] == "application/pdf"
    assert r.headers["Cache-Control"] == "no-store"
    assert "attachment" in r.headers["Content-Disposition"]
    pdf = _save(r, tmp_path, "flyer.pdf")
    pdfcheck.assert_fonts_embedded(pdf)
    assert pdfcheck.page_count(pdf) == 1
    token = _token(app, world.campaign, world.school_a, "families")
    url = f"{BASE}/s/{token}"
    text = pdfcheck.text(pdf)
    assert url in text
    assert link_service.short_url(BASE, token) in text  # mitwirken.example/k/abcd-efgh-jkmn
    assert "رأيكم مهم" in text  # Arabic in logical order
    assert "Ihre Meinung zählt!" in text
    assert "Frau Yılmaz," in text
    (png,) = pdfcheck.pages(pdf, tmp_path, dpi=150)
    assert sorted(pdfcheck.qr_codes(png)) == sorted([f"{url}?lang=ar", f"{url}?lang=de"])
    # the download is in the audit log, by whom and what, without the token
    (entry,) = _downloads(app)
    assert entry.target == "Flyer 100001 families"
    assert "ar+de" in entry.detail and "A4" in entry.detail
    assert token not in f"{entry.target} {entry.detail}" and "Yılmaz" not in entry.detail
    with app.app_context():
        assert entry.actor_id == world.coord_a


@SHIPPED
def test_a5_two_up_german_turkish_carries_the_short_code_twice(app, world, tmp_path):
    app.config["BASE_URL"] = BASE
    client, _csrf = signed_in(app, ANALYST)
    base = f"/kampagnen/{world.campaign}/schulen/{world.school_b}"
    pdf = _save(
        client.get(f"{base}/flyer/staff.pdf?lang=tr&beside=de&format=a5"), tmp_path, "a5.pdf"
    )
    pdfcheck.assert_fonts_embedded(pdf)
    token = _token(app, world.campaign, world.school_b, "staff")
    text = pdfcheck.text(pdf)
    assert text.count(f"{BASE}/s/{token}") == 4  # two A5 flyers, each in two languages
    assert text.count(link_service.short_code(token)) == 4
    (png,) = pdfcheck.pages(pdf, tmp_path, dpi=200)
    url = f"{BASE}/s/{token}"
    assert sorted(pdfcheck.qr_codes(png)) == sorted([f"{url}?lang=tr", f"{url}?lang=de"] * 2)


def test_a_coordinator_cannot_get_another_schools_materials(app, world):
    client, _csrf = signed_in(app, COORD_B)
    # campaign "beide" has both schools: school A's things are 404 for coordinator B
    base = f"/kampagnen/{world.campaign}/schulen/{world.school_a}"
    for path in (
        "/druck",
        "/flyer/families.pdf",
        "/flyer/families.pdf?format=a5",
        "/elternbrief.pdf",
        "/nachrichten/staff.txt",
    ):
        assert client.get(base + path).status_code == 404, path
    # and the campaign of school A alone, with its questionnaires, is not theirs either
    assert (
        client.get(f"/kampagnen/{world.campaign_a}/fragebogen/families/de.pdf").status_code == 404
    )
    # their own school works
    own = f"/kampagnen/{world.campaign}/schulen/{world.school_b}"
    assert client.get(own + "/flyer/families.pdf").status_code == 200
    assert client.get(f"/kampagnen/{world.campaign}/fragebogen/children/de.pdf").status_code == 200
    # no download of school A happened, so none is logged
    assert [e.target for e in _downloads(app)] == ["Flyer 100002 families", "Fragebogen children"]


def test_the_dossier_is_for_analysts(app, world, tmp_path):
    app.config["MIN_GROUP_SIZE"] = 6
    coordinator, _csrf = signed_in(app, COORD_A)
    assert coordinator.get(f"/kampagnen/{world.campaign}/genehmigung.pdf").status_code == 403
    analyst, _csrf = signed_in(app, ANALYST)
    pdf = _save(analyst.get(f"/kampagnen/{world.campaign}/genehmigung.pdf"), tmp_path, "d.pdf")
    pdfcheck.assert_fonts_embedded(pdf)
    text = re.sub(r"\s+", " ", pdfcheck.text(pdf))
    assert "Kampagne beide" in text
    assert "Ergebnisse werden nur für Gruppen ab 6 Antworten gezeigt" in text
    assert [e.target for e in _downloads(app)] == ["Genehmigungsunterlagen"]
    assert analyst.get("/kampagnen/999/genehmigung.pdf").status_code == 404


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/flyer/pupils.pdf", 404),  # no such audience
        ("/flyer/families.pdf?lang=xx", 400),  # not an offered language
        ("/flyer/families.pdf?lang=de,de2", 400),
        ("/flyer/families.pdf?format=a3", 400),
        ("/flyer/families.pdf?beside=tr", 400),
        ("/flyer/families.pdf?contact=" + "x" * 201, 400),
        ("/elternbrief.pdf?lang=de,xx", 400),
        ("/nachrichten/children.txt", 404),  # children answer in class: no message
        ("/nachrichten/staff.txt?lang=%00", 400),
    ],
)
def test_bad_requests_are_clear_errors(app, world, path, status):
    client, _csrf = signed_in(app, COORD_A)
    r = client.get(f"/kampagnen/{world.campaign}/schulen/{world.school_a}{path}")
    assert r.status_code == status
    assert _downloads(app) == []


def test_a_bad_choice_says_what_to_choose(app, world):
    client, _csrf = signed_in(app, COORD_A)
    base = f"/kampagnen/{world.campaign}/schulen/{world.school_a}/flyer/families.pdf"
    page = client.get(f"{base}?format=a3").get_data(as_text=True)
    assert "Bitte wählen Sie das Format A4 oder A5." in page
    page = client.get(f"{base}?lang=xx").get_data(as_text=True)
    assert "Diese Sprache gibt es für diesen Fragebogen nicht." in page


def test_unknown_campaign_school_audience_or_language(app, world):
    client, _csrf = signed_in(app, ANALYST)
    assert (
        client.get(f"/kampagnen/999/schulen/{world.school_a}/flyer/families.pdf").status_code == 404
    )
    assert client.get(f"/kampagnen/{world.campaign}/schulen/999/druck").status_code == 404
    # school B exists, but is not in the campaign of school A alone
    assert (
        client.get(f"/kampagnen/{world.campaign_a}/schulen/{world.school_b}/druck").status_code
        == 404
    )
    assert client.get(f"/kampagnen/{world.campaign}/fragebogen/pupils/de.pdf").status_code == 404
    # the fixture questionnaires are German only
    assert client.get(f"/kampagnen/{world.campaign}/fragebogen/families/ar.pdf").status_code == 404


def test_a_campaign_without_children_has_no_parents_letter(app, world):
    with app.app_context():
        campaign = db.session.get(Campaign, world.campaign)
        campaign.questionnaires = [q for q in campaign.questionnaires if q.audience != "children"]
        db.session.commit()
    client, _csrf = signed_in(app, ANALYST)
    base = f"/kampagnen/{world.campaign}/schulen/{world.school_a}"
    assert client.get(f"{base}/elternbrief.pdf").status_code == 404
    assert client.get(f"{base}/flyer/children.pdf").status_code == 404
    page = client.get(f"{base}/druck").get_data(as_text=True)
    assert "elternbrief.pdf" not in page and "flyer/children.pdf" not in page


@SHIPPED
def test_letter_and_messages_through_http(app, world, tmp_path):
    app.config["BASE_URL"] = BASE
    client, _csrf = signed_in(app, COORD_A)
    base = f"/kampagnen/{world.campaign}/schulen/{world.school_a}"
    pdf = _save(client.get(f"{base}/elternbrief.pdf?lang=de&lang=ar"), tmp_path, "brief.pdf")
    pdfcheck.assert_fonts_embedded(pdf)
    assert pdfcheck.page_count(pdf) == 2
    families = f"{BASE}/s/{_token(app, world.campaign, world.school_a, 'families')}"
    assert families in pdfcheck.text(pdf, first=2, last=2)
    r = client.get(f"{base}/nachrichten/partners.txt?lang=de,fa")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/plain")
    body = r.get_data(as_text=True)
    partners = f"{BASE}/s/{_token(app, world.campaign, world.school_a, 'partners')}"
    assert f"\n{partners}?lang=de\n" in body and f"\n{partners}?lang=fa\n" in body
    assert "(fa) ===" in body
    assert [e.target for e in _downloads(app)] == [
        "Elternbrief 100001",
        "Nachrichten 100001 partners",
    ]


@SHIPPED
def test_printable_questionnaire_in_arabic_through_http(app, world, tmp_path):
    client, _csrf = signed_in(app, COORD_A)
    r = client.get(f"/kampagnen/{world.campaign}/fragebogen/families/ar.pdf")
    pdf = _save(r, tmp_path, "q.pdf")
    pdfcheck.assert_fonts_embedded(pdf)
    assert "العائلة والمدرسة" in pdfcheck.text(pdf)


def test_staff_pages_lead_to_the_downloads(app, world):
    coordinator, _csrf = signed_in(app, COORD_A)
    campaign = coordinator.get(f"/kampagnen/{world.campaign}").get_data(as_text=True)
    materials = f"/kampagnen/{world.campaign}/schulen/{world.school_a}/druck"
    assert materials in campaign
    assert f"/kampagnen/{world.campaign}/fragebogen/families/de.pdf" in campaign
    assert "genehmigung.pdf" not in campaign  # not for coordinators
    links = coordinator.get(f"/kampagnen/{world.campaign}/schulen/{world.school_a}/links")
    assert materials in links.get_data(as_text=True)
    page = coordinator.get(materials).get_data(as_text=True)
    for audience in ("families", "staff", "children", "partners"):
        assert f"flyer/{audience}.pdf" in page
    for audience in ("families", "staff", "partners"):
        assert f"nachrichten/{audience}.txt" in page
    assert "elternbrief.pdf" in page
    analyst, _csrf = signed_in(app, ANALYST)
    assert "genehmigung.pdf" in analyst.get(f"/kampagnen/{world.campaign}").get_data(as_text=True)


def test_a_download_makes_the_schools_links_when_none_exist_yet(app, world):
    with app.app_context():
        assert db.session.scalars(select(Link)).all() == []
    client, _csrf = signed_in(app, COORD_A)
    r = client.get(f"/kampagnen/{world.campaign}/schulen/{world.school_a}/flyer/partners.pdf")
    assert r.status_code == 200
    with app.app_context():
        made = db.session.scalars(select(Link)).all()
        school = db.session.get(School, world.school_a)
        assert {link.audience for link in made} == {"families", "staff", "children", "partners"}
        assert {link.school_id for link in made} == {school.id}
