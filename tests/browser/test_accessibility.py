"""axe-core on every kind of respondent page, and the pages at 200 % text.

Every violation counts, whatever its impact. The walk answers each shipped
questionnaire and audits each step that shows a question type not audited yet, plus
the states in between: intro, error summary, notice, language menu, thanks, declined,
and the error pages.
"""

from __future__ import annotations

import pytest
from browser import harness

TYPES = {"single", "multi", "scale", "matrix", "number", "text", "yesno", "smiley"}


def audited(page, axe_script: str, what: str, seen: list[str]) -> None:
    violations = harness.axe(page, axe_script)
    seen.append(what)
    assert violations == [], f"{what}: {violations}"


@pytest.mark.parametrize("language", ["de", "ar"])
def test_axe_finds_nothing_on_any_page_type(site, chromium, axe_script, language):
    context = harness.phone(chromium, language=language)
    page = context.new_page()
    base, links, seen = site["base"], site["links"], []
    types_left = set(TYPES)
    for audience in ("families", "staff", "children", "partners"):
        page.goto(f"{base}/s/{links[audience]}?lang={language}")
        if audience in ("children", "families"):
            audited(page, axe_script, f"{audience} intro", seen)
        harness.press(page, page.locator("form[action$='/start'] button"))
        first = True
        # Walk on while this questionnaire may still show an unaudited state; the rest of a
        # long questionnaire adds nothing new (the thank-you page is opened directly).
        while "/danke" not in page.url and (first or types_left or "error summary" not in seen):
            shown = set(
                page.evaluate("() => [...document.querySelectorAll('.q')].map(q => q.classList[1])")
            )
            if shown & types_left or first:
                audited(page, axe_script, f"{audience} {page.url.rsplit('/', 1)[1]}", seen)
                types_left -= shown
            if first and audience == "families":
                page.locator("details.langs summary").click()
                audited(page, axe_script, "language menu open", seen)
                # Leave and come back: the "Willkommen zurück" note.
                page.goto(f"{base}/s/{links[audience]}")
                assert page.locator(".notice").count() == 1
                audited(page, axe_script, "resumed", seen)
            numeric = page.locator("input[inputmode=numeric]")
            if numeric.count() and "error summary" not in seen:
                numeric.first.fill("abc")
                harness.press(page, page.locator(".nav button[value=next]"))
                assert page.locator("#summary").count() == 1
                audited(page, axe_script, "error summary", seen)
                numeric.first.fill("")
            first = False
            harness.go_on(page)
        if audience == "children" and "/danke" not in page.url:
            # The shared tablet asks who is there before a started draft goes on.
            page.goto(f"{base}/s/{links[audience]}?lang={language}")
            assert page.locator("button[name=who]").count() == 2
            audited(page, axe_script, "children intro: who is at the tablet", seen)
        if audience in ("children", "families"):
            page.goto(f"{base}/s/{links[audience]}/danke?lang={language}")
            audited(page, axe_script, f"{audience} thanks", seen)
    assert not types_left, f"no page showed {types_left}"
    # Saying no, a link that does not exist, and answers that are gone.
    page.goto(f"{base}/s/{links['families']}?lang={language}&intro=1")
    harness.press(page, page.locator("form[action$='/nein'] button"))
    audited(page, axe_script, "declined", seen)
    page.goto(f"{base}/s/nosuchlink")
    audited(page, axe_script, "404", seen)
    fresh = harness.phone(chromium, language=language).new_page()
    fresh.goto(f"{base}/s/{links['staff']}/1?lang={language}")
    audited(fresh, axe_script, "410 draft gone", seen)
    assert fresh.locator("a.button").get_attribute("href").endswith(f"/s/{links['staff']}")
    fresh.context.close()
    context.close()


def test_pages_reflow_at_200_percent_text(site, chromium):
    """The browser's text size at 200 %: no page of the families' and children's
    questionnaires is wider than the phone (scales stack, faces sit beside their labels)."""
    for audience, language, steps in (
        ("families", "tr", 99),
        ("children", "de", 9),
        ("staff", "ar", 99),
    ):
        context = harness.phone(chromium, language=language)
        page = context.new_page()
        harness.text_zoom(page, 200)
        page.goto(f"{site['base']}/s/{site['links'][audience]}?lang={language}")
        assert harness.overflow(page) == 0, f"{audience} intro in {language}"
        harness.press(page, page.locator("form[action$='/start'] button"))
        while "/danke" not in page.url and steps:
            steps -= 1
            assert harness.overflow(page) == 0, f"{page.url} in {language} at 200 %"
            if page.locator(".faces").count():
                boxes = page.locator(".faces .option").evaluate_all(
                    "els => els.map(e => e.getBoundingClientRect()).map(r => [r.top, r.bottom])"
                )
                for (_t1, bottom), (top, _b2) in zip(boxes, boxes[1:], strict=False):
                    assert bottom <= top + 1, "smiley answers overlap at 200 %"
            harness.go_on(page)
        context.close()
