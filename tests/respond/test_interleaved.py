"""Two respondents through the same link and the same app, step by step in turn:
nothing one of them typed ever shows on the other's pages or in the other's response."""

from __future__ import annotations

from answering import answers_for
from conftest import CSRF, step_number
from sqlalchemy import select

from survey.extensions import db
from survey.questionnaires.model import TextQuestion
from survey.questionnaires.registry import registry
from survey.respond.models import Answer, Response
from survey.respond.steps import all_steps


def _answers(questionnaire, step, marker: str) -> dict:
    data = answers_for(questionnaire, step.questions)
    if "events_parents_evening" in data:  # opens the free-text question "wish"
        data["events_parents_evening"] = "1"
    for q in step.questions:
        if isinstance(q, TextQuestion):
            data[q.id] = marker
    return data


def test_two_respondents_interleaved_keep_their_own_state(app, respondent):
    with app.app_context():
        questionnaire = registry().get("families")
    steps = all_steps(questionnaire)
    people = {"Anna-1111": respondent("families"), "Bert-2222": respondent("families")}
    where = {m: step_number(p.start().location) for m, p in people.items()}
    done: set[str] = set()
    for _ in range(4 * len(steps)):
        if len(done) == 2:
            break
        for marker, person in people.items():
            if marker in done:
                continue
            other = next(m for m in people if m != marker)
            page = person.open(f"/{where[marker]}").get_data(as_text=True)
            assert other not in page  # never the other person's answers
            reply = person.post(
                where[marker], _answers(questionnaire, steps[where[marker] - 1], marker)
            )
            assert reply.status_code == 302
            if "/danke" in reply.location:
                done.add(marker)
                continue
            number = step_number(reply.location)
            if number == where[marker]:  # a follow-up opened: the page shows this person's text
                page = person.open(f"/{number}").get_data(as_text=True)
                assert other not in page
                reply = person.post(number, _answers(questionnaire, steps[number - 1], marker))
                if "/danke" in reply.location:
                    done.add(marker)
                    continue
                number = step_number(reply.location)
            where[marker] = number
    assert done == set(people)
    with app.app_context():
        responses = db.session.scalars(select(Response)).all()
        assert len(responses) == 2
        stored = []
        for response in responses:
            texts = {
                a.text
                for a in db.session.scalars(select(Answer).where(Answer.response_id == response.id))
                if a.text
            }
            assert len(texts) == 1, texts  # one person's texts only
            stored.append(texts.pop())
        assert sorted(stored) == sorted(people)


def test_two_respondents_on_the_same_page_keep_their_own_values_and_errors(app, respondent):
    """The question markup is rendered once and shared: only the state differs, and it
    is each person's own (values typed, answers ticked, error messages)."""
    anna, bert = respondent("families"), respondent("families")
    for person in (anna, bert):
        person.start()
        person.post(1, {"welcome": "3"})
        person.post(2, {"info_topics": "1"})
    # Anna types a number out of range and a text; Bert a valid number and his text.
    # (The answer to "events" opens the text question "wish" first.)
    anna.post(3, {"events_parents_evening": "1", "children_count": "12"})
    bert.post(3, {"events_parents_evening": "2", "children_count": "4"})
    wrong = anna.post(
        3, {"events_parents_evening": "1", "children_count": "12", "wish": "Anna-1111"}
    )
    assert "check=1" in wrong.location
    right = bert.post(
        3,
        {"events_parents_evening": "2", "children_count": "4", "wish": "Bert-2222"},
        action="back",
    )
    assert "check=1" not in right.location
    a = anna.open("/3?check=1").get_data(as_text=True)
    b = bert.open("/3").get_data(as_text=True)
    a_again = anna.open("/3?check=1").get_data(as_text=True)
    assert CSRF.sub("", a) == CSRF.sub("", a_again)  # the token is signed with the time
    assert "Anna-1111" in a and "Bert-2222" not in a
    assert "Bert-2222" in b and "Anna-1111" not in b
    assert 'value="12"' in a and 'value="4"' not in a
    assert 'value="4"' in b and 'value="12"' not in b
    assert 'aria-invalid="true"' in a and 'id="err-children_count"' in a
    assert 'aria-invalid="true"' not in b and "err-children_count" not in b
    assert 'name="events_parents_evening" value="1" checked' in a
    assert 'name="events_parents_evening" value="2" checked' in b
    assert 'name="events_parents_evening" value="2" checked' not in a
    assert len(app.extensions["question_markup"]) >= 3  # the markup came from the cache
