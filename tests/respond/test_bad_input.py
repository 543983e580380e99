"""Hostile and unlucky input: never a 500, never an invalid answer stored, nothing lost.

Each test reproduces a defect found by fuzzing the respondent flow (issue 9).
"""

from __future__ import annotations

import json

import pytest
from conftest import step_number
from sqlalchemy import func, select

from survey.config import Defaults
from survey.core.errors import AnswersInvalid
from survey.extensions import db
from survey.questionnaires.registry import registry
from survey.respond import services
from survey.respond.answers import definition_problems
from survey.respond.models import Answer, Draft, Response


def stored_values(app) -> dict[str, list]:
    with app.app_context():
        values: dict[str, list] = {}
        for a in db.session.scalars(select(Answer)):
            value = a.code if a.code is not None else a.number if a.number is not None else a.text
            values.setdefault(a.variable, []).append(value)
        return values


def responses(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Response))


def refused(response) -> bool:
    """Refused: the same step comes back, through a redirect, with the errors (issue 10)."""
    return response.status_code == 302 and "check=1" in response.location


def draft_answers(app) -> dict:
    with app.app_context():
        return db.session.scalar(select(Draft)).answers


def test_a_blank_first_value_cannot_smuggle_in_a_second(app, respondent):
    person = respondent("families")
    person.start()
    r = person.post(1, {"welcome": ["", "7"], "info_enough": "1"})
    assert refused(r)
    r = person.post(1, {"welcome": ["", "3"], "info_channel": ["", "5", "1"], "info_enough": "1"})
    assert refused(r)  # "gar nicht" with another answer, after a blank
    r = person.post(1, {"welcome": "3", "info_enough": "1"})
    assert step_number(r.location) == 3
    for bad in (["", "999999"], ["", "0"], ["", "1e3"], ["", "1_000"], ["", "٣٣"]):
        r = person.post(3, {"children_count": bad})
        assert refused(r), bad
    r = person.post(3, {"events_parents_evening": ["", "2"]})
    assert "notice=opened" in r.location  # wish opened
    assert 'name="wish"' in person.client.get(r.location).get_data(as_text=True)
    r = person.post(3, {"events_parents_evening": ["", "2"], "wish": ["", "x" * 501]})
    assert refused(r)
    r = person.post(3, {"events_parents_evening": ["", "2"], "wish": ["", "abends"]})
    assert r.location.split("?")[0].endswith("/danke")
    assert stored_values(app) == {
        "welcome": [3],
        "info_enough": [1],
        "events_parents_evening": [2],
        "wish": ["abends"],
    }


@pytest.mark.parametrize(
    "poison",
    [
        {"welcome": ["", "9223372036854775808"]},
        {"welcome": ["2147483648"]},
        {"welcome": ["-9223372036854775809"]},
        {"info_channel": ["1", "9223372036854775808"]},
        {"info_channel": ["98"], "info_channel_other": ["a\x00b"]},
    ],
)
def test_a_poisoned_draft_is_corrected_never_a_500(app, respondent, poison):
    person = respondent("families")
    person.start()
    # "Back" saves without validating: the poison reaches the draft (bounded and cleaned).
    person.post(1, {"welcome": "3", "info_enough": "1", **poison}, action="back")
    assert "\x00" not in json.dumps(draft_answers(app))
    person.open("/3")
    r = person.post(3, {"events_parents_evening": "3"})
    # The final check sends the respondent to the page that needs a correction…
    if "/danke" not in r.location:
        assert step_number(r.location) == 1 and "check=1" in r.location
        page = person.client.get(r.location)
        assert page.status_code == 200 and 'class="error' in page.get_data(as_text=True)
        r = person.post(1, {"welcome": "3", "info_enough": "1", "info_channel": "1"})
        assert step_number(r.location) == 3
        r = person.post(3, {"events_parents_evening": "3"})
    # …and the questionnaire is not lost.
    assert r.location.split("?")[0].endswith("/danke")
    assert responses(app) == 1
    values = stored_values(app)
    assert values["welcome"] == [3]
    assert all("\x00" not in str(v) for vs in values.values() for v in vs)


def test_an_old_poisoned_draft_is_refused_by_submit_before_anything_is_written(app, respondent):
    person = respondent("families")
    person.start()
    person.post(1, {"welcome": "3", "info_enough": "1"})
    with app.app_context():
        draft = db.session.scalar(select(Draft))
        # Drafts written before the forms normalized their input held anything.
        draft.answers = {
            **draft.answers,
            "welcome": ["", "9223372036854775808"],
            "children_count": ["", "999999"],
        }
        db.session.commit()
        questionnaire = registry().get("families")
        with pytest.raises(AnswersInvalid) as refused:
            services.submit(db.session, draft.id, questionnaire, _today())
        assert sorted(refused.value.problems) == [
            "children_count: out of bounds",
            "welcome: unreadable",
        ]
        assert "9223372036854775808" not in str(refused.value)  # problems never carry values
        assert db.session.scalar(select(func.count()).select_from(Draft)) == 1
    assert responses(app) == 0


@pytest.mark.parametrize(
    "raw, problem",
    [
        ({"welcome": ["7"]}, "welcome: not offered"),
        ({"welcome": []}, "welcome: required"),
        ({"welcome": ["3"], "info_channel": ["5", "1"]}, "info_channel: exclusive answer combined"),
        ({"welcome": ["3"], "info_channel": ["1", "x"]}, "info_channel: unreadable"),
        (
            {"welcome": ["3"], "info_channel": ["98"]},
            "info_channel_other: other ticked but not explained",
        ),
        (
            {"welcome": ["3"], "info_channel": ["98"], "info_channel_other": ["z" * 201]},
            "info_channel_other: too long",
        ),
        ({"welcome": ["3"], "children_count": ["10"]}, "children_count: out of bounds"),
        (
            {"welcome": ["3"], "events_parents_evening": ["1"], "wish": ["a\x01b"]},
            "wish: control characters",
        ),
        (
            {"welcome": ["3"], "events_parents_evening": ["1"], "wish": ["w" * 501]},
            "wish: too long",
        ),
    ],
)
def test_the_definition_check_names_each_rule(app, raw, problem):
    with app.app_context():
        questionnaire = registry().get("families")
    assert definition_problems(questionnaire, raw) == [problem]


@pytest.mark.parametrize("app", [Defaults.QUESTIONNAIRE_DIR], indirect=True)
def test_a_fourth_tick_where_three_are_allowed_is_asked_back_in_every_language(app, respondent):
    with app.app_context():
        questionnaire = registry().get("families")
    from survey.respond.steps import all_steps

    step = next(
        s
        for s in all_steps(questionnaire)
        if any(getattr(q, "max_choices", None) and not q.show_if for q in s.questions)
    )
    question = next(q for q in step.questions if getattr(q, "max_choices", None))
    codes = [str(c.value) for c in questionnaire.options[question.id] if not c.exclusive][:4]
    for language in ("de", "ar", "fa", "uk"):
        person = respondent("families")
        person.open(f"?lang={language}")
        person.client.post(
            f"/s/{person.token}/start", data={"csrf_token": person.csrf, "lang": language}
        )
        person.open(f"/{step.number}")
        r = person.post(step.number, {question.id: codes})
        assert refused(r), (language, r.status_code)
        assert f'lang="{language}"' in person.client.get(r.location).get_data(as_text=True)


def test_a_retry_whose_first_reply_was_lost_lands_on_the_thank_you_page(app, respondent):
    person = respondent("staff")
    person.start()
    person.post(1, {"role": "1"})
    before = person.client.get_cookie("mitwirken").value  # what the phone still holds
    first = person.post(2, {"partners_known": "1"})
    assert first.location.split("?")[0].endswith("/danke")
    # The reply (and its cookie) never reached the phone: it sends the same again.
    person.client.set_cookie("mitwirken", before)
    again = person.post(2, {"partners_known": "1"})
    assert again.status_code == 302 and again.location.split("?")[0].endswith("/danke")
    person.client.set_cookie("mitwirken", before)
    assert person.client.get(f"/s/{person.token}/2").location.split("?")[0].endswith("/danke")
    person.client.set_cookie("mitwirken", before)
    intro = person.client.get(f"/s/{person.token}")  # not a fresh start
    assert intro.status_code == 302 and intro.location.split("?")[0].endswith("/danke")
    assert person.client.get(intro.location).status_code == 200
    assert responses(app) == 1
    # After that, this browser is where a normal submit leaves it: a new start is possible.
    assert person.client.get(f"/s/{person.token}").status_code == 200


def test_a_draft_keeps_bounded_input_only(app, respondent):
    person = respondent("families")
    person.start()
    person.post(1, {"welcome": "3", "info_enough": "1"})
    big = "x" * 200_000
    for _ in range(8):
        r = person.post(
            3,
            {
                "wish": big,
                "children_count": "9" * 10_000,
                "events_parents_evening": ["1"] * 500,
                "not_a_question": "y" * 10_000,
                "welcome": "z" * 10_000,  # a question of another page
            },
            action="back",
        )
        assert r.status_code == 302
    answers = draft_answers(app)
    assert set(answers) <= {
        "welcome",
        "info_enough",
        "info_channel",
        "info_channel_other",
        "events_parents_evening",
        "events_school_party",
        "events_talk",
        "children_count",
        "wish",
    }
    assert answers["welcome"] == ["3"]
    assert len(answers["wish"][0]) <= 2 * 500
    assert answers["events_parents_evening"] == ["1"]
    assert len(json.dumps(answers)) < 2_000


def test_a_step_may_not_post_a_huge_body_or_grow_the_draft_with_fields(app, respondent):
    person = respondent("families")
    person.start()
    r = person.post(1, {"welcome": "3", "wish": "x" * 300_000})
    assert r.status_code == 413
    assert r.headers["Cache-Control"] == "no-store"
    # Many fields in a multipart post: 413 (a urlencoded one is bounded by its size,
    # and fields that are no question of the step are dropped).
    r = person.client.post(
        f"/s/{person.token}/1",
        data={"csrf_token": person.csrf, **{f"f{i}": "1" for i in range(400)}},
        content_type="multipart/form-data",
    )
    assert r.status_code == 413
    r = person.post(1, {"welcome": "3", **{f"f{i}": "1" for i in range(400)}}, action="back")
    with app.app_context():
        assert set(db.session.scalar(select(Draft)).answers) <= {
            "welcome",
            "info_channel",
            "info_channel_other",
            "info_enough",
        }


def _today():
    from conftest import TODAY

    return TODAY


def test_the_memory_of_submitted_drafts_is_purged_after_a_few_days(app, respondent):
    import datetime as dt

    from survey.respond.models import SubmittedDraft

    person = respondent("staff")
    person.start()
    person.post(1, {"role": "1"})
    person.post(2, {"partners_known": "1"})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SubmittedDraft)) == 1
        services.purge_drafts(
            db.session, _today() + dt.timedelta(days=services.SUBMITTED_MEMORY_DAYS)
        )
        assert db.session.scalar(select(func.count()).select_from(SubmittedDraft)) == 1
        services.purge_drafts(
            db.session, _today() + dt.timedelta(days=services.SUBMITTED_MEMORY_DAYS + 1)
        )
        assert db.session.scalar(select(func.count()).select_from(SubmittedDraft)) == 0
