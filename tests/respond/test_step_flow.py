"""The step flow as a service, without a request: navigation, re-validation, submission."""

from __future__ import annotations

import pytest
from conftest import TODAY
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from survey.extensions import db
from survey.questionnaires.registry import registry
from survey.respond import services
from survey.respond.models import Answer, Draft, Response
from survey.respond.steps import all_steps


@pytest.fixture
def walk(app, links):
    """An app context with a fresh draft on the families link (fixture questionnaire)."""
    with app.app_context():
        link = services.open_link(db.session, links["families"], TODAY)
        questionnaire = registry().get("families")
        draft = services.start_draft(db.session, link, "families", "de", TODAY, 30)
        steps = all_steps(questionnaire)

        def post(number: int, data: dict, action: str = "next", **kw):
            return services.post_step(
                db.session,
                draft,
                questionnaire,
                steps[number - 1],
                MultiDict(data),
                action=action,
                switch=kw.pop("switch", None),
                offered=["de", "ar"],
                today=TODAY,
                expiry_days=30,
                **kw,
            )

        yield post, draft, questionnaire


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_navigation_forwards_back_and_a_hidden_page_skipped(walk):
    post, draft, questionnaire = walk
    # info_enough = 1 hides page 2 ("more_info"): the next visible step is 3.
    assert post(1, {"welcome": "3", "info_enough": "1"}) == services.Next("step", 3)
    assert draft.answers["welcome"] == ["3"]
    assert post(3, {}, action="back") == services.Next("step", 1)
    assert post(1, {}, action="back") == services.Next("intro", args={"intro": 1})
    assert services.step_page(questionnaire, draft.answers, 2) == services.Next("step", 3)
    assert services.step_page(questionnaire, draft.answers, 99) is None


def test_an_invalid_step_comes_back_checked_and_keeps_what_was_typed(walk):
    post, draft, questionnaire = walk
    assert post(1, {"welcome": "7"}) == services.Next("step", 1, {"check": 1})
    assert draft.answers["welcome"] == ["7"]
    page = services.step_page(questionnaire, draft.answers, 1, check=True)
    assert page.problems and page.problems[0].question_id == "welcome"
    assert page.state.errors["welcome"] and page.state.flagged_ids == {"welcome"}
    assert post(1, {"welcome": "3"}, switch="ar") == services.Next("switch", 1, language="ar")
    assert draft.language == "ar"


def test_the_final_step_stores_the_response_once_and_deletes_the_draft(walk):
    post, draft, _questionnaire = walk
    post(1, {"welcome": "3", "info_enough": "1"})
    done = post(3, {"events_talk": "2", "children_count": "2"})
    assert done == services.Next("stored", language="de")
    assert _count(Response) == 1 and _count(Draft) == 0
    assert {a.variable for a in db.session.scalars(select(Answer))} >= {"welcome", "events_talk"}


def test_the_definition_refuses_a_poisoned_draft_at_the_final_step(walk):
    post, draft, _questionnaire = walk
    post(1, {"welcome": "3", "info_enough": "1"})
    draft.answers = {**draft.answers, "welcome": ["9"]}  # written before the forms checked it
    db.session.commit()
    assert post(3, {"children_count": "2"}) == services.Next("step", 1, {"check": 1})
    assert _count(Response) == 0
    assert db.session.get(Draft, draft.id).answers["children_count"] == ["2"]  # kept


def test_a_refused_submit_keeps_the_last_pages_answers_and_stores_nothing(walk):
    post, draft, _questionnaire = walk
    post(1, {"welcome": "3", "info_enough": "1"})

    def limited():
        raise RuntimeError("too many submits")

    with pytest.raises(RuntimeError):
        post(3, {"children_count": "2"}, may_store=limited)
    assert _count(Response) == 0
    assert db.session.get(Draft, draft.id).answers["children_count"] == ["2"]


def test_before_store_runs_in_the_submit_transaction(walk):
    """The place for work that must succeed or fail with the response (issue 14's access
    codes): it runs after the draft is claimed; raising rolls everything back."""
    post, draft, _questionnaire = walk
    post(1, {"welcome": "3", "info_enough": "1"})
    seen = []

    def refuse(session, link):
        seen.append(session.scalar(select(func.count()).select_from(Draft)))
        raise RuntimeError("code already used")

    with pytest.raises(RuntimeError):
        post(3, {"children_count": "2"}, before_store=refuse)
    assert seen == [0]  # the draft was claimed (deleted) in this transaction
    db.session.rollback()
    assert _count(Response) == 0 and _count(Draft) == 1  # all rolled back

    def accept(session, link):
        seen.append("ok")

    assert post(3, {"children_count": "2"}, before_store=accept).kind == "stored"
    assert seen == [0, "ok"] and _count(Response) == 1
