"""A parent on a small phone answers a whole questionnaire, in German and in Arabic, with
JavaScript on and off: a wrong entry and its error summary, the browser's own Back
button after it, the form's "Zurück", leaving and coming back, and the end."""

from __future__ import annotations

import re

import pytest
from browser import harness
from sqlalchemy import select

from survey.extensions import db
from survey.respond.models import Response

#: What the pages must say in each language (from the catalogs, checked here verbatim
#: so that a page falling back to German or English is caught).
WORDS = {
    "de": {
        "number": "ohne Komma",
        "welcome": "Willkommen zurück",
        "dir": "ltr",
    },
    "ar": {
        "number": "بدون فاصلة",
        "welcome": "أهلًا بعودتكم",
        "dir": "rtl",
    },
}
AUDIENCE = "partners"  # short, with a number question


def start(page, site, language: str) -> None:
    page.goto(f"{site['base']}/s/{site['links'][AUDIENCE]}?lang={language}")
    assert page.locator("html").get_attribute("dir") == WORDS[language]["dir"]
    harness.press(page, page.locator("form[action$='/start'] button"))


def step_of(page) -> int:
    found = re.search(r"/s/[^/]+/(\d+)", page.url)
    assert found, page.url
    return int(found.group(1))


def next_button(page):
    return page.locator(".nav button[value=next]")


@pytest.mark.parametrize(
    ("language", "javascript"), [("de", True), ("ar", False), ("de", False), ("ar", True)]
)
def test_a_whole_questionnaire_on_a_phone(site, chromium, language, javascript):
    context = harness.phone(chromium, javascript=javascript, language=language)
    page = context.new_page()
    words = WORDS[language]
    start(page, site, language)
    assert step_of(page) == 1
    steps, errors_seen, went_back, resumed = 0, 0, False, False
    while "/danke" not in page.url:
        steps += 1
        assert steps < 40, f"no end in sight: {page.url}"
        number = step_of(page)
        assert harness.overflow(page) == 0, f"step {number} is wider than the phone"
        assert page.locator("h1").count() == 1
        numeric = page.locator("input[inputmode=numeric]")
        if not errors_seen and numeric.count():
            # A decimal comma: the summary says what to type, in the page's language,
            # links to the field, and has the focus; the question's card is marked.
            numeric.first.fill("1,5")
            harness.press(page, next_button(page))
            assert re.search(rf"/{number}\?check=1$", page.url)
            summary = page.locator("#summary")
            assert words["number"] in summary.inner_text()
            field_id = numeric.first.get_attribute("id")
            assert summary.locator(f"a[href='#{field_id}']").count() == 1
            assert page.evaluate("() => document.activeElement.id") == "summary"
            assert page.locator(f".q.invalid #{field_id}").count() == 1
            assert numeric.first.input_value() == "1,5"  # kept as typed
            errors_seen += 1
            # The browser's Back after an error: the page before, no resend prompt.
            page.go_back()
            assert step_of(page) == number and "check" not in page.url
            assert page.locator("#summary").count() == 0
            page.go_forward()
            numeric.first.fill("2")
        if number == 2 and not went_back:
            # The form's "Zurück" keeps what was ticked on the page left behind.
            page.evaluate(harness.FILL)
            harness.press(page, page.locator(".nav button[value=back]"))
            assert step_of(page) == 1
            assert page.locator("input:checked").count() > 0
            went_back = True
            harness.press(page, next_button(page))
            assert step_of(page) == 2
            continue
        if number == 3 and not resumed:
            # Leaving and coming back later on this phone: straight to this step.
            page.goto(f"{site['base']}/s/{site['links'][AUDIENCE]}")
            assert step_of(page) == 3
            assert words["welcome"] in page.locator(".notice").inner_text()
            resumed = True
        harness.go_on(page)
    assert errors_seen == 1, f"{AUDIENCE} has no number question to type a wrong entry into"
    assert went_back and resumed
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("h1").count() == 1
    context.close()
    with site["app"].app_context():
        languages = db.session.scalars(select(Response.language)).all()
        assert language in languages


def test_read_aloud_stays_hidden_without_a_voice_or_javascript(site, chromium):
    for javascript in (False, True):
        context = harness.phone(chromium, javascript=javascript)
        page = context.new_page()
        start(page, site, "de")
        assert page.locator("button.speak").count() > 0
        assert page.locator("button.speak:visible").count() == 0
        context.close()


def test_keyboard_order_follows_the_screen(site, chromium):
    """Language menu first, then the questions, then "Zurück" and "Weiter" as drawn;
    Enter in a text field still means "Weiter"."""
    context = harness.phone(chromium)
    page = context.new_page()
    start(page, site, "de")
    order = page.evaluate(
        """() => [...document.querySelectorAll('form.step summary, form.step input:not([type=hidden]),'
            + ' form.step textarea, .nav button')].map(e => e.tagName === 'SUMMARY' ? 'menu'
            : e.closest('.nav') ? e.value : 'field')"""
    )
    assert order[0] == "menu" and order[-2:] == ["back", "next"]
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.tagName") == "SUMMARY"
    ring = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
    )
    assert ring[0] == "solid" and ring[1] >= 3, ring  # more than the browser's thin ring
    back, nxt = page.locator(".nav button[value=back]"), next_button(page)
    assert back.bounding_box()["x"] < nxt.bounding_box()["x"]  # Zurück on the left (ltr)
    for _ in range(12):  # on to the first page with a number field
        if page.locator("input[inputmode=numeric]").count():
            break
        harness.go_on(page)
    number = step_of(page)
    page.locator("input[inputmode=numeric]").first.fill("2")
    with page.expect_navigation():
        page.locator("input[inputmode=numeric]").first.press("Enter")
    assert step_of(page) != number or "notice=opened" in page.url
    context.close()
