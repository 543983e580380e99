"""Every staff page renders in German and in English, as an admin and as a coordinator,
with the same CSP as the respondent pages (no inline script, hashed styles)."""

from __future__ import annotations

import pytest
from staff import make_responses, signed_in

from survey.config import Defaults
from survey.core.permissions import PUBLIC, permission_of
from survey.distribution.models import Campaign, School
from survey.extensions import db

SHIPPED = Defaults.QUESTIONNAIRE_DIR


def _get_pages(app, world):
    with app.app_context():
        campaign = db.session.get(Campaign, world.campaign_a)
        make_responses(campaign, db.session.get(School, world.school_a), 7, "families", "tr")
        db.session.commit()
    args = {
        "campaign_id": world.campaign_a,
        "school_id": world.school_a,
        "account_id": world.analyst,
        "audience": "families",
        "level": "school",
        "unit": "100001",
    }
    for rule in app.url_map.iter_rules():
        needed = permission_of(rule.endpoint, app.view_functions.get(rule.endpoint))
        if "GET" not in rule.methods or needed == PUBLIC or rule.endpoint.startswith("respond."):
            continue
        if rule.rule.endswith((".svg", ".png", ".csv", ".xlsx")) or "fmt" in rule.arguments:
            continue  # files, not pages (tests/reports/test_blueprint.py downloads those)
        yield rule.build({k: args[k] for k in rule.arguments}, append_unknown=False)[1]


@pytest.mark.parametrize("app", [SHIPPED], indirect=True)
@pytest.mark.parametrize("email", ["admin@test.invalid", "a@test.invalid"])
def test_every_staff_page_renders_in_german_and_english(app, world, email):
    client, _token = signed_in(app, email)
    pages = list(_get_pages(app, world))
    assert len(pages) >= 15
    for url in pages:
        german = client.get(url)
        # 409: a coordinator's report of a campaign still open ("comes after the survey")
        assert german.status_code in (200, 403, 409), (url, german.status_code)
        if german.status_code in (403, 409):
            continue
        html = german.get_data(as_text=True)
        assert '<html lang="de"' in html, url
        assert "<script" not in html, url
        assert "script-src" in german.headers["Content-Security-Policy"]
        joiner = "&" if "?" in url else "?"
        english = client.get(f"{url}{joiner}lang=en")
        text = english.get_data(as_text=True)
        assert english.status_code == 200 and '<html lang="en"' in text, url
        for german_word in ("Abmelden", "Kampagnen", "Schulen", "Speichern", "Anmelden"):
            assert f">{german_word}<" not in text, (url, german_word)


@pytest.mark.parametrize("app", [SHIPPED], indirect=True)
def test_sign_in_page_in_english(app):
    page = app.test_client().get("/anmelden?lang=en").get_data(as_text=True)
    assert "<h1>Sign in</h1>" in page and "Password" in page
