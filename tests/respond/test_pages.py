"""What a respondent meets on a step page: messages in the page's language, an error
summary that leads to each problem, one hint, a heading and a steady count on every
screen, and a tab order that follows the screen."""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po
from conftest import Respondent, step_number
from flask import g
from werkzeug.datastructures import MultiDict

from survey.config import PROJECT_ROOT, Defaults
from survey.distribution.services import ensure_demo
from survey.extensions import db
from survey.i18n import catalogs
from survey.questionnaires.model import MultiQuestion, NumberQuestion
from survey.questionnaires.registry import registry
from survey.respond.forms import build_form
from survey.respond.steps import all_steps

SHIPPED = Defaults.QUESTIONNAIRE_DIR
WRONG_NUMBERS = {
    "1,5": "Bitte eine ganze Zahl ohne Komma oder Punkt schreiben, zum Beispiel 2.",
    "2.5": "Bitte eine ganze Zahl ohne Komma oder Punkt schreiben, zum Beispiel 2.",
    "1 200": "Bitte die Zahl ohne Leerzeichen schreiben.",
    "abc": "Bitte die Zahl in Ziffern schreiben, zum Beispiel 3.",
}


def translation(language: str, source: str) -> str:
    with open(PROJECT_ROOT / "translations" / language / "LC_MESSAGES" / "messages.po", "rb") as fh:
        found = read_po(fh, locale=language).get(source)
    assert found is not None and found.string, (language, source)
    return found.string


@pytest.mark.parametrize("app", [SHIPPED], indirect=True)
@pytest.mark.parametrize("language", ["de", *catalogs.LANGUAGES])
def test_wrong_entries_are_told_what_to_type_in_the_page_language(app, language):
    with app.app_context():
        every = list(registry().all().values())
    questionnaire, number = next(
        (q, question)
        for q in every
        for page in q.pages
        for question in page.questions
        if isinstance(question, NumberQuestion)
    )
    choice = next(
        question
        for page in questionnaire.pages
        for question in page.questions
        if question.type in ("single", "scale", "yesno")
    )
    for typed, source in {
        **WRONG_NUMBERS,
        "not a choice": "Bitte wählen Sie eine der Antworten.",
    }.items():
        with app.test_request_context("/"):
            g.language = language
            target = choice if typed == "not a choice" else number
            value = "77" if typed == "not a choice" else typed
            form = build_form(questionnaire, (target,), MultiDict({target.id: value}))
            assert not form.validate()
            message = str(form[target.id].errors[0])
        assert "valid" not in message and "Not a" not in message
        assert message == (source if language == "de" else translation(language, source))


def test_the_error_summary_links_to_each_problem_and_marks_its_card(app, respondent):
    person = respondent("families")
    person.start()
    r = person.post(1, {"info_channel": ["1", "98"], "info_channel_other": "", "info_enough": "0"})
    html = person.client.get(r.location).get_data(as_text=True)
    summary = html.split('<div class="summary"', 1)[1].split("</div>", 1)[0]
    assert "autofocus" in summary and 'tabindex="-1"' in summary
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)
    assert [anchor for anchor, _label in links] == ["f-welcome", "f-info_channel_other"]
    assert "Ich fühle mich in der Schule meines Kindes willkommen." in links[0][1]
    for anchor, _label in links:
        assert f'id="{anchor}"' in html
    assert 'class="q scale invalid" id="q-welcome"' in html
    assert 'class="q multi invalid" id="q-info_channel"' in html  # the "other" text is missing
    assert 'class="q yesno" id="q-info_enough"' in html


def test_a_matrix_with_an_error_is_marked_as_a_whole(app, respondent):
    person = respondent("families")
    person.start()
    person.post(1, {"welcome": "1", "info_enough": "1"})
    r = person.post(3, {"events_talk": "9"})  # not one of the answers
    html = person.client.get(r.location).get_data(as_text=True)
    assert 'class="q matrix invalid" id="q-events"' in html
    assert '<a href="#f-events_talk">' in html and "Gespräch mit der Lehrkraft" in html
    assert "Bitte wählen Sie eine der Antworten." in html


@pytest.mark.parametrize("app", [SHIPPED], indirect=True)
def test_a_multiple_choice_shows_one_hint(app):
    with app.app_context():
        token = next(link.token for link in ensure_demo(db.session) if link.audience == "families")
        questionnaires = registry().all()
    person = Respondent(app.test_client(), token)
    person.start()
    questionnaire = questionnaires["families"]
    multis = 0
    for step in all_steps(questionnaire):
        html = person.open(f"/{step.number}").get_data(as_text=True)
        for q in step.questions:
            if not isinstance(q, MultiQuestion) or f'id="q-{q.id}"' not in html:
                continue
            multis += 1
            card = html.split(f'id="q-{q.id}"', 1)[1].split("</fieldset>", 1)[0]
            hints = len(re.findall(r'<p class="(?:help|hint)"', card))
            assert hints == 1, q.id
    assert multis


@pytest.mark.parametrize("app", [SHIPPED], indirect=True)
def test_every_child_screen_has_a_heading_and_a_count_that_never_changes(app):
    with app.app_context():
        token = next(link.token for link in ensure_demo(db.session) if link.audience == "children")
    person = Respondent(app.test_client(), token)
    r = person.start()
    shown, bar = 0, 0
    while "/danke" not in r.location:
        number = step_number(r.location)
        html = person.open(f"/{number}").get_data(as_text=True)
        shown += 1
        assert html.count("<h1>") == 1, f"screen {number} has no single h1"
        counter = re.search(r'<span class="progress-text">([^<]+)</span>', html).group(1)
        assert counter == f"Frage {shown}"  # no "von": the total could still change
        value = int(re.search(r'<progress max="\d+" value="(\d+)"', html).group(1))
        assert value > bar  # the bar only moves forward
        bar = value
        # Answers that open follow-up questions ("ja" to yes/no, every choice ticked).
        r = person.post(number, {"dummy": "1", **_open_everything(html)})
    assert shown > 1


def _open_everything(html: str) -> dict:
    data: dict[str, list[str]] = {}
    for name, value in re.findall(
        r'<input (?:id="[^"]+" )?type="(?:radio|checkbox)" name="([^"]+)" value="([^"]+)"', html
    ):
        if value not in ("98", "99"):
            data.setdefault(name, []).append(value)
    return {name: values[:1] for name, values in data.items()}


def test_the_tab_order_follows_the_screen(app, respondent):
    person = respondent("families")
    person.start()
    html = person.open("/1").get_data(as_text=True)
    form = html.split('<form class="step"', 1)[1]
    default = form.index('<button type="submit" name="action" value="next" hidden tabindex="-1">')
    menu = form.index('<details class="langs">') if "langs" in form else default + 1
    first_question = form.index('class="q ')
    back = form.index('value="back"')
    forward = form.rindex('name="action" value="next"')
    assert default < menu < first_question < back < forward


def test_the_read_aloud_button_cannot_show_itself_while_hidden(app):
    css = (PROJECT_ROOT / "survey" / "static" / "survey.css").read_text("utf-8")
    assert "[hidden]{display:none!important}" in css


def test_progress_counts_only_what_was_shown_and_hides_a_total_that_may_change(app):
    from survey.respond.steps import progress

    with app.app_context():
        children, families = registry().get("children"), registry().get("families")
    steps = all_steps(children)
    first, later = progress(children, steps[0], {}), progress(children, steps[-1], {})
    assert first.total is None and later.total is None
    assert later.maximum == len(steps) and later.value == steps[-1].number
    assert first.position == 1
    page3 = all_steps(families)[2]  # page 2 is hidden without "nein" to info_enough
    assert progress(families, page3, {"info_enough": 1}).position == 2
    assert progress(families, page3, {"info_enough": 0}).position == 3
    assert progress(families, page3, {"info_enough": 1}).total == 2
