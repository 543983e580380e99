"""The access-code page in a real browser at phone size, JavaScript off: axe-core finds
nothing (empty, refused, and in Arabic right to left), and a valid code leads on."""

from __future__ import annotations

import pytest
from browser import harness
from conftest import TODAY

from survey.distribution import codes
from survey.distribution.models import Link
from survey.distribution.services import ensure_demo
from survey.extensions import db


@pytest.fixture(scope="module")
def coded(site):
    """A families link of another demo school than the other browser tests use, with
    codes switched on, and two codes."""
    app = site["app"]
    with app.app_context():
        link = [k for k in ensure_demo(db.session) if k.audience == "families"][1]
        link = db.session.get(Link, link.token)
        codes.switch(db.session, None, link.campaign, link.school, "families", True)
        issued = codes.issue(
            db.session,
            None,
            link.campaign,
            link.school,
            "families",
            2,
            app.config["SECRET_KEY"],
            TODAY,
        )
        db.session.commit()
        return link.token, issued.codes


@pytest.mark.parametrize("language", ["de", "ar"])
def test_the_code_page_is_accessible_and_leads_on(site, chromium, axe_script, coded, language):
    token, issued = coded
    context = harness.phone(chromium, language=language)
    page = context.new_page()
    page.goto(f"{site['base']}/s/{token}?lang={language}")
    assert page.url.split("?")[0].endswith("/zugang")
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    assert harness.axe(page, axe_script) == []
    page.fill("#code", "XXXX-XXXX")
    harness.press(page, page.locator("button.primary"))
    assert page.locator("[role=alert]").count() == 1
    assert page.locator("#code").get_attribute("aria-invalid") == "true"
    assert harness.axe(page, axe_script) == []
    page.fill("#code", issued[0 if language == "de" else 1].lower())
    harness.press(page, page.locator("button.primary"))
    assert page.locator("form[action$='/start']").count() == 1  # the intro
    context.close()
