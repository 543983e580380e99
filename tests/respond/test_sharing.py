"""The shared school tablet: one child's answers are never shown to the next child.

Two respondents use one test client, that is one cookie jar: the same tablet.
"""

from __future__ import annotations

import re

import pytest
from answering import answers_for
from conftest import Respondent, step_number
from sqlalchemy import func, select

from survey.config import Defaults
from survey.distribution.models import Campaign
from survey.extensions import db
from survey.questionnaires.registry import registry
from survey.respond.models import Draft, Response
from survey.respond.sharing import asks_before_resuming
from survey.respond.steps import all_steps

CHECKED = re.compile(r'name="([^"]+)" value="([^"]*)" checked')
PHONE = "116\u00a0111"


def drafts(app) -> list[Draft]:
    with app.app_context():
        return list(db.session.scalars(select(Draft)))


def next_child_on(tablet: Respondent) -> Respondent:
    """Somebody else at the same device: the same client, so the same cookies."""
    return Respondent(tablet.client, tablet.token)


def test_only_children_are_asked_who_they_are():
    assert asks_before_resuming("children")
    assert not any(asks_before_resuming(a) for a in ("families", "staff", "partners"))


def test_the_next_child_cannot_reach_the_last_childs_answers(app, respondent):
    first = respondent("children")
    assert step_number(first.start().location) == 1
    first.post(1, {"feel_school": "2"})
    first.post(2, {"feel_home": "1"})
    # The first child walks away; the teacher opens the link again for the next child.
    second = next_child_on(first)
    intro = second.open()
    html = intro.get_data(as_text=True)
    assert intro.status_code == 200
    assert "Ich bin das Kind von vorhin" in html and 'name="who" value="new"' in html
    assert ">Weitermachen<" not in html
    # No way around the choice: old addresses, the start button, a posted answer.
    for number in (1, 2, 3):
        r = second.open(f"/{number}")
        assert r.status_code == 302 and r.location.endswith(f"/s/{second.token}"), number
    r = second.client.post(f"/s/{second.token}/start", data={"csrf_token": second.csrf})
    assert r.status_code == 302 and r.location.endswith(f"/s/{second.token}")
    r = second.post(2, {"feel_home": "3"})
    assert r.status_code == 302 and r.location.endswith(f"/s/{second.token}")
    assert [d.answers for d in drafts(app)] == [{"feel_school": ["2"], "feel_home": ["1"]}]
    # "Ich bin ein anderes Kind": the first child's draft is gone, nothing is ticked.
    r = second.client.post(
        f"/s/{second.token}/start", data={"csrf_token": second.csrf, "who": "new"}
    )
    assert step_number(r.location) == 1
    assert CHECKED.findall(second.open("/1").get_data(as_text=True)) == []
    assert CHECKED.findall(second.open("/2").get_data(as_text=True)) == []
    assert [d.answers for d in drafts(app)] == [{}]


def test_the_child_who_started_can_say_so_and_go_on(app, respondent):
    child = respondent("children")
    child.start()
    child.post(1, {"feel_school": "4"})
    child.open()  # back at the intro, e.g. after a break
    assert child.open("/1").status_code == 302
    r = child.client.post(f"/s/{child.token}/start", data={"csrf_token": child.csrf, "who": "same"})
    assert step_number(r.location) == 2  # where the child stopped (issue 10)
    assert "Willkommen zurück" in child.client.get(r.location).get_data(as_text=True)
    assert CHECKED.findall(child.open("/1").get_data(as_text=True)) == [("feel_school", "4")]


def test_finished_the_next_child_clears_the_tablet(app, respondent):
    child = respondent("children")
    with app.app_context():
        questionnaire = registry().get("children")
    steps = all_steps(questionnaire)
    r = child.start()
    while "/danke" not in r.location:
        number = step_number(r.location)
        child.open(f"/{number}")
        r = child.post(number, answers_for(questionnaire, steps[number - 1].questions))
    thanks = child.client.get(r.location).get_data(as_text=True)
    assert "Fertig – das nächste Kind ist dran" in thanks and PHONE in thanks
    child.csrf = re.search(r'name="csrf_token" value="([^"]+)"', thanks).group(1)
    r = child.client.post(f"/s/{child.token}/fertig", data={"csrf_token": child.csrf})
    assert r.status_code == 302 and r.location.endswith(f"/s/{child.token}")
    assert child.client.get_cookie("mitwirken") is None  # nothing of that child on the device
    nxt = next_child_on(child)
    html = nxt.open().get_data(as_text=True)
    assert "Los geht" in html and "Kind von vorhin" not in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1


def test_finished_deletes_an_unfinished_draft_too(app, respondent):
    child = respondent("children")
    child.start()
    child.post(1, {"feel_school": "1"})
    html = child.open("/2").get_data(as_text=True)
    assert "Ich möchte aufhören" in html
    stop = child.client.post(
        f"/s/{child.token}/nein",
        data={"csrf_token": child.csrf, "lang": "de"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert drafts(app) == []  # stopping deletes the answers
    assert "Fertig – das nächste Kind ist dran" in stop and PHONE in stop
    again = respondent("children")
    again.start()
    again.post(1, {"feel_school": "5"})
    again.client.post(f"/s/{again.token}/fertig", data={"csrf_token": again.csrf})
    assert drafts(app) == []


def test_families_resume_on_their_own_phone_and_may_start_afresh(app, respondent):
    person = respondent("families")
    person.start()
    person.post(1, {"welcome": "3", "info_enough": "1"})
    assert "notice=resumed" in person.open().location  # on their own phone: straight back
    html = person.open("?intro=1").get_data(as_text=True)  # the intro, one "Zurück" away
    assert ">Weitermachen<" in html and "Neu anfangen" in html
    r = person.client.post(f"/s/{person.token}/start", data={"csrf_token": person.csrf})
    assert step_number(r.location) == 3  # where they stopped (page 2 is hidden)
    assert CHECKED.findall(person.open("/1").get_data(as_text=True))
    person.open("?intro=1")
    person.client.post(f"/s/{person.token}/start", data={"csrf_token": person.csrf, "who": "new"})
    assert [d.answers for d in drafts(app)] == [{}]


@pytest.mark.parametrize("contact", [None, "bei Frau Demir (Schulsozialarbeit), Raum 12"])
def test_help_for_children_on_intro_and_stop_page(app, respondent, contact):
    with app.app_context():
        for campaign in db.session.scalars(select(Campaign)):
            campaign.school_contact = contact
        db.session.commit()
    child = respondent("children")
    intro = child.open().get_data(as_text=True)
    stop = child.client.post(
        f"/s/{child.token}/nein", data={"csrf_token": child.csrf}, follow_redirects=True
    ).get_data(as_text=True)
    for html in (intro, stop):
        assert "Nummer gegen Kummer" in html and PHONE in html
        assert "Montag bis Samstag, von 14 bis 20 Uhr" in html
        assert ("An deiner Schule kannst du hingehen" in html) is (contact is not None)
        if contact:
            assert '<bdi lang="de">bei Frau Demir (Schulsozialarbeit), Raum 12</bdi>' in html
    families = respondent("families").open().get_data(as_text=True)
    assert "Nummer gegen Kummer" not in families


def test_back_from_the_first_question_does_not_ask_the_child_who_it_is(app, respondent):
    child = respondent("children")
    child.start()
    r = child.post(1, {"feel_school": "3"}, action="back")
    assert step_number(r.location) == 1
    assert child.open("/1").status_code == 200


@pytest.mark.parametrize("app", [Defaults.QUESTIONNAIRE_DIR], indirect=True)
@pytest.mark.parametrize("lang", ["ar", "fa", "tr", "ru"])
def test_the_helpline_number_stays_one_group_in_every_language(app, respondent, lang):
    """The number is a placeholder filled with a no-break space: right-to-left text cannot
    reorder its two groups, and a translation cannot drop or mistype it."""
    html = respondent("children").open(query_string={"lang": lang}).get_data(as_text=True)
    assert f'lang="{lang}"' in html
    assert PHONE in html and "Nummer gegen Kummer" in html
    assert "Wenn es dir nicht gut geht" not in html  # translated, not the German source
