"""The respondent's whole HTTP flow, through the test client and the real database."""

from __future__ import annotations

import re

import pytest
from answering import answers_for
from conftest import step_number
from sqlalchemy import func, select

from survey.distribution.models import Campaign, Link
from survey.extensions import db
from survey.questionnaires.registry import registry
from survey.respond.models import Answer, Draft, Response
from survey.respond.steps import all_steps

CHECKED = re.compile(r'name="([^"]+)" value="([^"]*)" checked')


def checked(html: str) -> set[tuple[str, str]]:
    """(name, value) of every ticked radio button and checkbox."""
    return set(CHECKED.findall(html))


def stored(app) -> dict[str, list]:
    """variable -> stored values of the only response."""
    with app.app_context():
        responses = db.session.scalars(select(Response)).all()
        assert len(responses) == 1
        values: dict[str, list] = {}
        for a in db.session.scalars(select(Answer).order_by(Answer.variable, Answer.ordinal)):
            value = a.code if a.code is not None else a.number if a.number is not None else a.text
            values.setdefault(a.variable, []).append(value)
        return values


def walk(app, person, audience: str) -> int:
    """Answer every visible question with valid values until the thank-you page."""
    with app.app_context():
        questionnaire = registry().get(audience)
    steps = all_steps(questionnaire)
    response = person.start()
    seen = 0
    while "/danke" not in (response.location or ""):
        number = step_number(response.location)
        page = person.open(f"/{number}")
        assert page.status_code == 200
        seen += 1
        response = person.post(number, answers_for(questionnaire, steps[number - 1].questions))
        # (a follow-up question that opened on the same page brings the same step back)
        assert response.status_code == 302, response.get_data(as_text=True)
    assert person.client.get(response.location).status_code == 200
    return seen


@pytest.mark.parametrize("audience", ["families", "staff", "children", "partners"])
def test_every_audience_answers_to_the_end(app, respondent, audience):
    person = respondent(audience)
    assert walk(app, person, audience) >= 1
    values = stored(app)
    assert values
    with app.app_context():
        response = db.session.scalar(select(Response))
        assert response.audience == audience
        assert response.questionnaire_version == registry().get(audience).version
        assert response.language == "de"
        assert response.complete
        assert db.session.scalar(select(func.count()).select_from(Draft)) == 0


def test_every_question_type_is_stored_with_its_value(app, respondent):
    person = respondent("families")
    step_number(person.start().location)
    r = person.post(
        1,
        {
            "welcome": "4",
            "info_channel": ["2", "98"],
            "info_channel_other": "über die Nachbarin",
            "info_enough": "0",
        },
    )
    assert step_number(r.location) == 2
    r = person.post(2, {"info_topics": "98", "info_topics_other": "Hausaufgaben"})
    assert step_number(r.location) == 3
    r = person.post(
        3, {"events_parents_evening": "1", "events_school_party": "3", "children_count": "2"}
    )
    assert r.location.endswith("/3?notice=opened")  # "wish" opened on this page
    html = person.open("/3?notice=opened").get_data(as_text=True)
    assert 'name="wish"' in html and "eine weitere Frage geöffnet" in html
    r = person.post(
        3,
        {
            "events_parents_evening": "1",
            "events_school_party": "3",
            "children_count": "2",
            "wish": "Abends, nicht vormittags",
        },
    )
    assert r.location.split("?")[0].endswith("/danke")
    assert stored(app) == {
        "welcome": [4],
        "info_channel": [2, 98],
        "info_channel_other": ["über die Nachbarin"],
        "info_enough": [0],
        "info_topics": [98],
        "info_topics_other": ["Hausaufgaben"],
        "events_parents_evening": [1],
        "events_school_party": [3],
        "children_count": [2.0],
        "wish": ["Abends, nicht vormittags"],
    }


def test_smiley_and_one_question_per_screen(app, respondent):
    person = respondent("children")
    assert step_number(person.start().location) == 1
    page = person.open("/1").get_data(as_text=True)
    assert page.count("<svg") == 5 and 'name="feel_home"' not in page
    r = person.post(1, {"feel_school": "5"})
    assert step_number(r.location) == 2
    assert person.open("/2").get_data(as_text=True).count("<svg") == 3
    person.post(2, {"feel_home": "1"})
    person.post(3, {"adult_school": "99"})
    r = person.post(4, {"afterschool": ["1", "3"]})
    assert r.location.split("?")[0].endswith("/danke")
    assert stored(app) == {
        "feel_school": [5],
        "feel_home": [1],
        "adult_school": [99],
        "afterschool": [1, 3],
    }


def test_back_and_forward_keep_every_answer(app, respondent):
    person = respondent("families")
    person.start()
    person.post(1, {"welcome": "2", "info_channel": ["1", "3"], "info_enough": "1"})
    # page 2 is hidden (info_enough is yes): next is page 3
    page3 = person.open("/3").get_data(as_text=True)
    assert "Elternabend" in page3
    r = person.post(3, {"children_count": "4"}, action="back")
    assert step_number(r.location) == 1  # back skips the hidden page
    page1 = person.open("/1").get_data(as_text=True)
    assert checked(page1) == {
        ("welcome", "2"),
        ("info_channel", "1"),
        ("info_channel", "3"),
        ("info_enough", "1"),
    }
    page3 = person.open("/3").get_data(as_text=True)
    assert 'value="4"' in page3  # typed on page 3 before going back


def test_back_keeps_even_an_invalid_entry(app, respondent):
    person = respondent("families")
    person.start()
    person.post(1, {"welcome": "3", "info_enough": "1"})
    person.post(3, {"children_count": "zwei"}, action="back")
    assert 'value="zwei"' in person.open("/3").get_data(as_text=True)


def test_resume_after_closing_the_browser(app, respondent):
    person = respondent("families")
    person.start()
    person.post(1, {"welcome": "3", "info_enough": "1"})
    # A new browser process on the same device: only the (persistent) cookie survives.
    cookie = person.client.get_cookie("mitwirken")
    assert cookie is not None and cookie.expires is not None, (
        "the session cookie must outlive the browser"
    )
    later = respondent("families")
    later.client.set_cookie("mitwirken", cookie.value)
    r = later.open()  # straight back to where they stopped (page 2 is hidden: page 3)
    assert step_number(r.location) == 3 and "notice=resumed" in r.location
    html = later.client.get(r.location).get_data(as_text=True)
    assert "Willkommen zurück" in html and "Elternabend" in html
    # "Zurück" from there, and from page 1 back to the intro, which offers to go on.
    later.open("/3")
    r = later.post(3, {}, action="back")
    assert step_number(r.location) == 1
    assert checked(later.open("/1").get_data(as_text=True)) == {
        ("welcome", "3"),
        ("info_enough", "1"),
    }
    r = later.post(1, {"welcome": "3", "info_enough": "1"}, action="back")
    assert r.location.endswith(f"/s/{later.token}?intro=1")
    intro = later.open("?intro=1").get_data(as_text=True)
    assert "Weitermachen" in intro
    r = later.client.post(f"/s/{later.token}/start", data={"csrf_token": later.csrf})
    assert step_number(r.location) == 1  # the step last shown


def test_resume_without_the_last_step_goes_to_the_first_unanswered(app, respondent):
    person = respondent("families")
    person.start()
    person.post(1, {"welcome": "3", "info_enough": "0"})
    with person.client.session_transaction() as session:
        session.pop("shown", None)  # e.g. a session written before the app remembered it
    r = person.open()
    assert step_number(r.location) == 2


def test_a_rule_may_forbid_resuming_silently(app, respondent, monkeypatch):
    from survey.respond import resume

    person = respondent("families")
    person.start()
    person.post(1, {"welcome": "3", "info_enough": "1"})
    monkeypatch.setattr(resume, "may_resume", lambda questionnaire, draft: False)
    r = person.open()
    assert r.status_code == 200 and "Weitermachen" in r.get_data(as_text=True)


def test_validation_error_keeps_everything_typed(app, respondent):
    person = respondent("families")
    person.start()
    r = person.post(1, {"info_channel": ["1", "98"], "info_channel_other": "", "info_enough": "0"})
    assert r.location.endswith("/1?check=1")  # redirect after POST: Back never resends
    html = person.open("/1?check=1").get_data(as_text=True)
    assert 'id="err-welcome"' in html and 'aria-describedby="err-welcome"' in html
    assert "Bitte beantworten Sie diese Frage." in html
    assert 'id="err-info_channel_other"' in html  # "other" ticked, nothing written
    assert checked(html) == {("info_channel", "1"), ("info_channel", "98"), ("info_enough", "0")}
    person.post(1, {"welcome": "1", "info_enough": "1"})
    r = person.post(3, {"children_count": "12", "events_talk": "2"})
    assert r.location.endswith("/3?check=1")
    html = person.open("/3?check=1").get_data(as_text=True)
    assert 'value="12"' in html and "von 1 bis 9" in html
    assert ("events_talk", "2") in checked(html)


def test_show_if_hides_pages_and_drops_answers_that_become_hidden(app, respondent):
    person = respondent("families")
    person.start()
    r = person.post(1, {"welcome": "3", "info_enough": "0"})
    assert step_number(r.location) == 2
    person.post(2, {"info_topics": "1"})
    # Going back and answering "yes" hides page 2: its answer must not be stored.
    person.post(2, {"info_topics": "1"}, action="back")
    r = person.post(1, {"welcome": "3", "info_enough": "1"})
    assert step_number(r.location) == 3
    assert person.open("/2").status_code == 302  # a hidden page moves on
    with app.app_context():
        draft = db.session.scalar(select(Draft))
        assert "info_topics" not in draft.answers
    # "wish" shows only if parents' evenings were rare; "always" keeps it hidden.
    r = person.post(3, {"events_parents_evening": "3", "wish": "abends"})
    assert r.location.split("?")[0].endswith("/danke")
    values = stored(app)
    assert "info_topics" not in values and "wish" not in values


def test_hidden_question_is_not_rendered(app, respondent):
    person = respondent("partners")
    person.start()
    html = person.open("/1").get_data(as_text=True)
    assert 'name="cooperation_good"' not in html  # needs schools_count > 0
    r = person.post(1, {"kind": "2", "schools_count": "3"})
    assert "notice=opened" in r.location
    assert 'name="cooperation_good"' in person.client.get(r.location).get_data(as_text=True)


def test_double_submit_stores_one_response(app, respondent):
    person = respondent("staff")
    person.start()
    person.post(1, {"role": "1"})
    first = person.post(2, {"partners_known": "1"})
    again = person.post(2, {"partners_known": "1"})  # double tap / back and resubmit
    assert first.location.split("?")[0].endswith("/danke") and again.location.split("?")[
        0
    ].endswith("/danke")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1


def test_expired_or_foreign_draft_gets_a_friendly_page(app, respondent):
    person = respondent("staff")
    r = person.client.get(f"/s/{person.token}/1")
    assert r.status_code == 410
    html = r.get_data(as_text=True)
    assert "neu beginnen" in html
    assert f'<a class="button" href="/s/{person.token}">Fragebogen neu beginnen</a>' in html


def test_unknown_revoked_and_closed_links(app, respondent, links):
    person = respondent("families")
    r = person.client.get("/nowhere")
    assert r.status_code == 404 and "Diese Seite gibt es nicht" in r.get_data(as_text=True)
    r = person.client.get("/s/doesnotexist")
    assert r.status_code == 404 and "Diesen Link gibt es nicht" in r.get_data(as_text=True)
    with app.app_context():
        db.session.get(Link, links["staff"]).revoked = True
        db.session.commit()
    revoked = person.client.get(f"/s/{links['staff']}")
    unknown = person.client.get("/s/doesnotexist")
    # A revoked token cannot be told from a guessed one.
    assert revoked.status_code == unknown.status_code == 404
    assert revoked.get_data() == unknown.get_data()
    assert dict(revoked.headers) == dict(unknown.headers)
    for path in ("/1", "/danke"):
        assert person.client.get(f"/s/{links['staff']}{path}").get_data() == unknown.get_data()
    with app.app_context():
        db.session.scalar(select(Campaign)).is_open = False
        db.session.commit()
    r = person.client.get(f"/s/{links['families']}")
    assert r.status_code == 410 and "beendet" in r.get_data(as_text=True)
    assert "Traceback" not in r.get_data(as_text=True)


def test_a_post_without_csrf_token_is_refused(app, respondent):
    person = respondent("families")
    r = person.client.post(f"/s/{person.token}/start")
    assert r.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Draft)) == 0


def test_pages_work_without_javascript_and_are_private(app, respondent):
    person = respondent("families")
    person.start()
    r = person.open("/1")
    html = r.get_data(as_text=True)
    # The only script is the optional read-aloud: its buttons are hidden until it finds a voice.
    assert html.count("<script>") == 1
    assert all(
        " hidden " in b for b in re.findall(r'<button type="button" class="speak"[^>]*>', html)
    )
    assert "script-src 'sha256-" in r.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in r.headers["Content-Security-Policy"]
    assert r.headers["Cache-Control"] == "no-store"
    assert r.headers["Referrer-Policy"] == "no-referrer"
    assert '<fieldset class="q scale' in html and "<legend>" in html
    assert 'lang="de" dir="ltr"' in html


def test_saying_no_stores_nothing_and_forgets_the_draft(app, respondent):
    child = respondent("children")
    intro = child.open().get_data(as_text=True)
    assert "Ich möchte nicht mitmachen" in intro
    r = child.client.post(f"/s/{child.token}/nein", data={"csrf_token": child.csrf})
    assert r.location.endswith(f"/s/{child.token}/nein")
    r = child.client.get(r.location)
    assert r.status_code == 200 and "Es wurde nichts gespeichert" in r.get_data(as_text=True)
    parent = respondent("families")
    parent.start()
    parent.post(1, {"welcome": "2"}, action="back")
    parent.open()
    r = parent.client.post(f"/s/{parent.token}/nein", data={"csrf_token": parent.csrf})
    assert "Sie nehmen nicht teil" in parent.client.get(r.location).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Draft)) == 0
        assert db.session.scalar(select(func.count()).select_from(Response)) == 0
    assert parent.client.get(f"/s/{parent.token}/1").status_code == 410


def test_children_are_told_in_their_words_that_answers_stay_secret(app, respondent):
    html = respondent("children").open().get_data(as_text=True)
    assert "Das bleibt geheim" in html and "deine Eltern sehen nicht" in html
    assert "Ihre" not in html.split("<main", 1)[1]  # no grown-up "Sie" on the children's intro


def test_an_answer_that_stands_alone_cannot_be_combined(app, respondent):
    person = respondent("families")
    person.start()
    r = person.post(1, {"welcome": "3", "info_channel": ["1", "5"], "info_enough": "1"})
    assert "check=1" in r.location
    html = person.client.get(r.location).get_data(as_text=True)
    assert "„gar nicht“ passt nicht zu den anderen Antworten." in html
    r = person.post(1, {"welcome": "3", "info_channel": ["5"], "info_enough": "1"})
    assert r.status_code == 302


def test_numbers_typed_in_arabic_or_persian_digits_are_understood(app, respondent):
    person = respondent("families")
    person.start()
    person.post(1, {"welcome": "3", "info_enough": "1"})
    r = person.post(3, {"children_count": "٣"})  # Arabic-Indic three
    assert r.status_code == 302
    person2 = respondent("partners")
    person2.start()
    r = person2.post(1, {"kind": "2", "schools_count": "۱۲"})  # Persian twelve
    assert "notice=opened" in r.location
    assert 'name="cooperation_good"' in person2.client.get(r.location).get_data(as_text=True)


def test_every_link_route_answers_a_revoked_token_like_an_unknown_one(app, respondent, links):
    """Route by route from the URL map, so that a new route cannot forget it."""
    person = respondent("staff")
    person.open()  # a session with a CSRF token, so that posts get past CSRF
    with app.app_context():
        db.session.get(Link, links["staff"]).revoked = True
        db.session.commit()
    rules = [r for r in app.url_map.iter_rules() if "<token>" in r.rule]
    assert len(rules) >= 5
    for rule in rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            replies = []
            for token in (links["staff"], "unknowntoken"):
                path = rule.rule.replace("<token>", token).replace("<int:number>", "1")
                replies.append(
                    person.client.open(path, method=method, data={"csrf_token": person.csrf})
                )
            revoked, unknown = replies
            assert (revoked.status_code, revoked.get_data()) == (
                unknown.status_code,
                unknown.get_data(),
            ), (rule.rule, method)
