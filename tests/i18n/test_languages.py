"""Every shipped language: complete, right to left where it should be, plurals, switching."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from conftest import Respondent, step_number
from flask import g, render_template
from sqlalchemy import select

from survey.config import Defaults
from survey.distribution.services import ensure_demo
from survey.extensions import db
from survey.i18n import catalogs
from survey.i18n.texts import QuestionnaireTexts
from survey.questionnaires.registry import registry
from survey.respond.forms import build_form
from survey.respond.models import Response
from survey.respond.steps import Progress, all_steps
from survey.respond.summary import problems

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = Defaults.QUESTIONNAIRE_DIR
#: Texts that may stay as they are in every language: proper names only.
PROPER_NAMES = {
    line.strip()
    for line in (ROOT / "translations" / "proper-names.txt").read_text("utf-8").splitlines()
    if line.strip() and not line.startswith("#")
}
pytestmark = pytest.mark.parametrize("app", [SHIPPED], indirect=True)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.texts: set[str] = set()
        self._skip = 0
        self._stack: list[bool] = []

    # Skipped: scripts, styles and anything marked as another language on purpose
    # (the language menu names each language in itself: "Deutsch" on an Arabic page).
    VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        other_language = tag != "html" and any(k == "lang" for k, _v in attrs)
        self._stack.append(tag in ("script", "style") or other_language)
        self._skip += self._stack[-1]

    def handle_endtag(self, tag):
        if self._stack:
            self._skip -= self._stack.pop()

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.add(" ".join(data.split()))


def visible_text(html: str) -> set[str]:
    parser = _Text()
    parser.feed(html)
    return parser.texts


def ui_sources() -> set[str]:
    """Every German interface text (both numbers of a plural)."""
    found = set()
    with open(ROOT / "translations" / "messages.pot", "rb") as fh:
        for message in read_po(fh):
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            found.update(" ".join(i.split()) for i in ids if i)
    return found - PROPER_NAMES


def step_texts(texts: QuestionnaireTexts, step) -> list[tuple[str, str]]:
    """(German source, text shown) for every questionnaire text of a step."""
    page, pairs = step.page, []
    pairs += [(page.title, texts.page_title(page)), (page.intro, texts.page_intro(page))]
    for q in step.questions:
        pairs += [
            (q.label, texts.label(q)),
            (q.help, texts.help(q)),
            (getattr(q, "unit", None), texts.unit(q)),
        ]
        pairs += [(item.label, texts.item(q, item)) for item in getattr(q, "items", ())]
        pairs += [(c.label, texts.option(q, c)) for c in texts.questionnaire.options.get(q.id, ())]
    return [(src, shown) for src, shown in pairs if src]


def render_step(app, questionnaire, step, language: str) -> tuple[str, list[tuple[str, str]]]:
    """A step with all its questions shown (conditions ignored), as the respondent sees it."""
    with app.test_request_context(f"/s/x/{step.number}"):
        g.language = language
        texts = QuestionnaireTexts(questionnaire, language, app.config["TRANSLATIONS_DIR"])
        form = build_form(questionnaire, step.questions, None, texts)
        form.validate()  # error messages too
        html = render_template(
            "respond/step.html",
            token="x",
            questionnaire=questionnaire,
            t=texts,
            languages=["de", language],
            step=step,
            questions=step.questions,
            form=form,
            progress=Progress(1, 2, 1, 2),
            is_last=False,
            show_page_intro=True,
            notice=None,
            problems=problems(form, step.questions, texts),
            invalid=set(),
        )
        pairs = step_texts(texts, step)
        if step.number == 1:
            pairs += [(questionnaire.title, texts.title()), (questionnaire.intro, texts.intro())]
        return html, pairs


@pytest.mark.parametrize("language", catalogs.LANGUAGES)
def test_every_page_of_every_questionnaire_is_translated(app, language):
    """No questionnaire text shown as its German source, and no German interface text on
    the page (a translation may coincide with some other German word: Polish "nie")."""
    german_ui = ui_sources()
    untranslated = []
    with app.app_context():
        for questionnaire in registry().all().values():
            for step in all_steps(questionnaire):
                html, pairs = render_step(app, questionnaire, step, language)
                where = f"{questionnaire.id} step {step.number}"
                untranslated += [
                    f"{where}: {src!r}"
                    for src, shown in pairs
                    if shown.strip() == src.strip() and src.strip() not in PROPER_NAMES
                ]
                untranslated += [f"{where} (ui): {t!r}" for t in visible_text(html) & german_ui]
    assert untranslated == []


@pytest.mark.parametrize("language", catalogs.LANGUAGES)
@pytest.mark.parametrize("audience", ["families", "children"])
def test_intro_and_thank_you_pages_are_translated(app, language, audience):
    with app.app_context():
        token = next(link.token for link in ensure_demo(db.session) if link.audience == audience)
    client = app.test_client()
    german_ui = ui_sources()
    for path in (f"/s/{token}?lang={language}", f"/s/{token}/danke?lang={language}"):
        html = client.get(path).get_data(as_text=True)
        assert f'<html lang="{language}"' in html
        assert visible_text(html) & german_ui == set(), path


@pytest.mark.parametrize("language", catalogs.LANGUAGES)
def test_every_language_is_offered_for_every_questionnaire(app, language):
    from survey.i18n.locale import offer

    with app.app_context():
        for questionnaire_id in ("families", "staff", "children", "partners"):
            assert language in offer().questionnaire(questionnaire_id)


@pytest.mark.parametrize(
    ("language", "direction"), [("ar", "rtl"), ("fa", "rtl"), ("tr", "ltr"), ("de", "ltr")]
)
def test_direction_comes_from_the_language(app, language, direction):
    with app.app_context():
        token = next(link.token for link in ensure_demo(db.session) if link.audience == "families")
    html = app.test_client().get(f"/s/{token}?lang={language}").get_data(as_text=True)
    assert f'<html lang="{language}" dir="{direction}">' in html
    assert "<bdi>" in html  # the school name is isolated from the surrounding direction


def test_the_first_screen_offers_every_language_by_its_own_name_preferred_first(app):
    with app.app_context():
        token = next(link.token for link in ensure_demo(db.session) if link.audience == "families")
    client = app.test_client()
    html = client.get(f"/s/{token}", headers={"Accept-Language": "uk,ar;q=0.8"}).get_data(
        as_text=True
    )
    names = re.findall(r'<a href="[^"]*lang=(\w+)" lang="\w+"', html)
    assert names[:2] == ["uk", "ar"]
    assert set(names) == {"de", *catalogs.LANGUAGES}
    for native in ("Türkçe", "العربية", "Українська", "Deutsch", "Polski"):
        assert native in html
    assert 'lang="uk"' in html.split("<main", 1)[0]  # the browser's wish chose the page language


def test_switching_language_mid_questionnaire_keeps_every_answer(app):
    with app.app_context():
        token = next(link.token for link in ensure_demo(db.session) if link.audience == "staff")
    person = Respondent(app.test_client(), token)
    person.open("?lang=tr")
    person.client.post(f"/s/{token}/start", data={"csrf_token": person.csrf, "lang": "tr"})
    page = person.open("/1").get_data(as_text=True)
    assert '<html lang="tr"' in page
    r = person.post(1, {"role": "2"}, action="")  # unsaved: switch instead of "next"
    r = person.client.post(
        f"/s/{token}/1", data={"csrf_token": person.csrf, "role": "2", "switch_lang": "ar"}
    )
    assert step_number(r.location) == 1
    page = person.open("/1").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page
    assert re.search(r'name="role" value="2" checked', page)


def test_a_questionnaire_answered_in_arabic_stores_ar(app):
    from answering import answers_for

    with app.app_context():
        token = next(link.token for link in ensure_demo(db.session) if link.audience == "partners")
        questionnaire = registry().get("partners")
    steps = all_steps(questionnaire)
    person = Respondent(app.test_client(), token)
    person.open("?lang=ar")
    r = person.client.post(f"/s/{token}/start", data={"csrf_token": person.csrf, "lang": "ar"})
    while "/danke" not in r.location:
        number = step_number(r.location)
        assert 'dir="rtl"' in person.open(f"/{number}").get_data(as_text=True)
        data = answers_for(questionnaire, steps[number - 1].questions)
        r = person.post(number, data)
        if r.status_code == 200:
            r = person.post(number, data)
    assert "lang=ar" in r.location
    assert 'dir="rtl"' in person.client.get(r.location).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Response.language)) == "ar"


@pytest.mark.parametrize(
    ("language", "counts"),
    [
        ("ar", (0, 1, 2, 3, 11, 100)),  # zero, one, two, few, many, other
        ("ru", (1, 2, 5)),
        ("uk", (1, 2, 5)),
        ("pl", (1, 2, 5)),
    ],
)
def test_plural_forms(app, language, counts):
    from flask_babel import force_locale, ngettext

    with app.test_request_context("/"), force_locale(language):
        forms = [
            ngettext("Höchstens %(num)s Antwort.", "Höchstens %(num)s Antworten.", n)
            for n in counts
        ]
    assert all(
        str(n) in form and "Höchstens" not in form for n, form in zip(counts, forms, strict=True)
    )
    words = [re.sub(r"\d+", "#", form) for form in forms]
    assert len(set(words)) == len(counts), words  # each count picked its own grammatical form
