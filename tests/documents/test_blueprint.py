"""The report routes: who may open which report, what is written to the audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from staff import make_campaign, make_responses, set_expected, signed_in

from survey.config import Defaults
from survey.core.audit import AuditEntry
from survey.distribution.models import Campaign, School
from survey.extensions import db


@pytest.fixture
def closed(app, world):
    """A closed campaign of schools A and B with responses (staff.make_world's schools)."""
    with app.app_context():
        a = db.session.get(School, world.school_a)
        b = db.session.get(School, world.school_b)
        campaign = make_campaign([a, b], "zu", state="closed")
        make_responses(campaign, a, 12)
        make_responses(campaign, a, 3, audience="staff")
        make_responses(campaign, b, 7)
        set_expected(campaign, a, families=40)
        db.session.commit()
        return campaign.id


def _audits(app):
    with app.app_context():
        return db.session.scalars(select(AuditEntry).where(AuditEntry.action == "download")).all()


def test_a_coordinator_opens_the_own_schools_report_and_no_other(app, world, closed):
    client, _token = signed_in(app, "a@test.invalid")
    page = client.get(f"/berichte/{closed}/school/100001")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Grundschule A" in text and "Kernergebnisse" in text
    assert "weniger als 5" in text  # three staff answered: hidden
    assert ">12<" in text and "30\u00a0%" in text  # 12 families of 40 expected
    assert client.get(f"/berichte/{closed}/school/100002").status_code == 404
    assert client.get(f"/berichte/{closed}/school/100002?format=pdf").status_code == 404
    assert client.get(f"/berichte/{closed}/school/999999").status_code == 404
    assert client.get(f"/berichte/{closed}/district/Nord").status_code == 403
    assert client.get(f"/berichte/{closed}/municipality/Teststadt").status_code == 403
    index = client.get(f"/berichte/{closed}").get_data(as_text=True)
    assert "Grundschule A" in index and "Grundschule B" not in index and "Kommune" not in index


def test_a_coordinator_of_another_school_meets_404_everywhere(app, world, closed):
    with app.app_context():
        only_a = db.session.get(Campaign, world.campaign_a)
        only_a.state = "closed"
        db.session.commit()
    client, _token = signed_in(app, "b@test.invalid")
    assert client.get(f"/berichte/{world.campaign_a}").status_code == 404
    assert client.get(f"/berichte/{world.campaign_a}/school/100001").status_code == 404
    assert client.get(f"/berichte/{closed}/school/100001?format=pdf").status_code == 404


def test_an_open_campaign_has_no_report_for_coordinators_and_a_preview_for_analysts(app, world):
    client, _token = signed_in(app, "a@test.invalid")
    for fmt in ("page", "pdf", "html"):
        refused = client.get(f"/berichte/{world.campaign_a}/school/100001?format={fmt}")
        assert refused.status_code == 409 and refused.mimetype == "text/html"
        assert "Der Bericht kommt nach der Befragung" in refused.get_data(as_text=True)
    analyst, _token = signed_in(app, "analyse@test.invalid")
    page = analyst.get(f"/berichte/{world.campaign_a}/school/100001")
    assert page.status_code == 200 and "Vorschau" in page.get_data(as_text=True)
    pdf = analyst.get(f"/berichte/{world.campaign_a}/school/100001?format=pdf")
    assert pdf.headers["Content-Disposition"].endswith('_preview.pdf"')


def test_downloads_are_pdf_and_html_files_and_each_is_audited(app, world, closed):
    client, _token = signed_in(app, "analyse@test.invalid")
    pdf = client.get(f"/berichte/{closed}/district/Nord?format=pdf&zielgruppe=families")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF-")
    assert 'filename="zu_district_nord_bericht.pdf"' in pdf.headers["Content-Disposition"]
    page = client.get(f"/berichte/{closed}/municipality/Teststadt?format=html&fassung=auswertung")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "_auswertung.html" in page.headers["Content-Disposition"]
    assert "<!doctype html>" in page.get_data(as_text=True).lower()
    shown = client.get(f"/berichte/{closed}/school/100002")
    assert shown.headers["Cache-Control"] == "no-store"
    # the page's own stylesheet is allowed by its hash, nothing else inline
    assert "sha256-" in shown.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in shown.headers["Content-Security-Policy"]
    entries = _audits(app)
    assert len(entries) == 3
    assert {e.target for e in entries} == {
        "Bericht zu district Nord", "Bericht zu municipality Teststadt", "Bericht zu school 100002",
    }  # fmt: skip
    assert any("fassung=auswertung" in e.detail for e in entries)


def test_the_campaign_page_links_to_its_reports(app, world, closed):
    client, _token = signed_in(app, "a@test.invalid")
    assert f"/berichte/{closed}" in client.get(f"/kampagnen/{closed}").get_data(as_text=True)


def test_bad_arguments_are_404_not_500(app, world, closed):
    client, _token = signed_in(app, "analyse@test.invalid")
    assert client.get(f"/berichte/{closed}/nirgends/x").status_code == 404
    assert client.get(f"/berichte/{closed}/district/Atlantis").status_code == 404
    assert client.get(f"/berichte/{closed}/school/100001?format=exe").status_code == 404
    assert client.get(f"/berichte/{closed}/school/100001?zielgruppe=aliens").status_code == 200


@pytest.mark.parametrize("app", [Defaults.QUESTIONNAIRE_DIR], indirect=True)
def test_the_refusal_of_an_open_campaigns_report_speaks_the_staff_language(app, world):
    """Both report areas (the reports to read and the CSV/XLSX tables) refuse alike."""
    client, _token = signed_in(app, "a@test.invalid")
    for url in (
        f"/berichte/{world.campaign_a}/school/100001",
        f"/berichte/{world.campaign_a}/school/100001?format=pdf",
        f"/kampagnen/{world.campaign_a}/berichte/schulen/{world.school_a}/csv",
        f"/kampagnen/{world.campaign_a}/berichte/schulen/{world.school_a}/xlsx",
    ):
        german = client.get(url)
        assert german.status_code == 409, url
        assert "Der Bericht kommt nach der Befragung" in german.get_data(as_text=True)
        joiner = "&" if "?" in url else "?"
        english = client.get(f"{url}{joiner}lang=en")
        text = english.get_data(as_text=True)
        assert english.status_code == 409 and '<html lang="en"' in text, url
        assert "The report comes after the survey" in text
        assert "only then are the figures final" in text
    assert not _audits(app)
