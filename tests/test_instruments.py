"""The four shipped instruments of the needs assessment (questionnaires/)."""

from __future__ import annotations

from collections import defaultdict

import pytest
from answering import answers_for
from conftest import Respondent, step_number
from sqlalchemy import func, select

from survey.config import Defaults
from survey.distribution.services import ensure_demo
from survey.extensions import db
from survey.questionnaires.definition import Questionnaire
from survey.questionnaires.loader import THEMES_FILE, load_directory, load_themes
from survey.questionnaires.model import TextQuestion
from survey.questionnaires.registry import registry
from survey.respond.models import Response
from survey.respond.steps import all_steps

SHIPPED = Defaults.QUESTIONNAIRE_DIR
AUDIENCES = ("families", "staff", "children", "partners")


@pytest.fixture(scope="module")
def instruments() -> dict[str, Questionnaire]:
    found, problems = load_directory(SHIPPED)
    assert problems == []
    return found


@pytest.fixture(scope="module")
def catalogue():
    from pathlib import Path

    return load_themes(Path(SHIPPED) / THEMES_FILE)


def test_one_instrument_per_audience(instruments):
    assert {q.audience: q.id for q in instruments.values()} == {a: a for a in AUDIENCES}


def test_every_theme_is_asked_from_at_least_two_perspectives(instruments, catalogue):
    perspectives = defaultdict(set)
    for questionnaire in instruments.values():
        for theme in questionnaire.themes.values():
            perspectives[theme].add(questionnaire.audience)
    thin = {
        t.id: sorted(perspectives[t.id]) for t in catalogue.themes if len(perspectives[t.id]) < 2
    }
    assert thin == {}


def test_every_item_has_a_theme(instruments):
    missing = [
        f"{q.id}.{variable}"
        for q in instruments.values()
        for variable, question, kind in q.variables()
        if kind != "text" and variable not in q.themes and not variable.endswith("_other")
    ]
    assert missing == []


def test_every_indicator_is_measured_and_counts_real_answers(instruments, catalogue):
    used = {use.indicator for q in instruments.values() for use in q.indicators}
    assert {i.id for i in catalogue.indicators} <= used
    for questionnaire in instruments.values():
        for use in questionnaire.indicators:
            question = next(q for v, q, _k in questionnaire.variables() if v == use.variable)
            codes = {c.value for c in questionnaire.options[question.id]}
            assert set(use.codes) <= codes and 99 not in use.codes, (questionnaire.id, use)


def test_same_named_scales_are_the_same_everywhere(instruments):
    seen: dict[str, tuple] = {}
    for questionnaire in instruments.values():
        for name, choices in questionnaire.file.choices.items():
            labels = tuple((c.value, c.label) for c in choices)
            assert seen.setdefault(name, labels) == labels, f"{questionnaire.id}: {name}"


def test_children_never_have_to_type(instruments):
    children = instruments["children"]
    assert children.file.display == "one_per_screen"
    required_text = [
        q.id for q in children.questions() if isinstance(q, TextQuestion) and q.required
    ]
    assert required_text == []


@pytest.mark.parametrize("app", [SHIPPED], indirect=True)
@pytest.mark.parametrize("audience", AUDIENCES)
def test_a_full_http_run_through_each_instrument(app, audience):
    with app.app_context():
        token = next(link.token for link in ensure_demo(db.session) if link.audience == audience)
        questionnaire = registry().get(audience)
    steps = all_steps(questionnaire)
    person = Respondent(app.test_client(), token)
    response = person.start()
    while "/danke" not in response.location:
        number = step_number(response.location)
        assert person.open(f"/{number}").status_code == 200
        data = answers_for(questionnaire, steps[number - 1].questions)
        response = person.post(number, data)
        if response.status_code == 200:  # a follow-up question opened on the same page
            response = person.post(number, data)
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1


@pytest.mark.parametrize("audience", AUDIENCES)
def test_each_intro_states_the_time_it_takes(instruments, audience):
    """Recomputed from words and items (survey/questionnaires/length.py): the estimate,
    rounded up, lies in the promised range or at most two minutes below it."""
    from survey.questionnaires.length import measure, promised_minutes

    questionnaire = instruments[audience]
    promise = promised_minutes(questionnaire)
    assert promise is not None, "the intro must say how long it takes"
    low, high = promise
    assert low - 2 <= measure(questionnaire).rounded <= high, (measure(questionnaire), promise)


def test_families_and_children_share_grade_bands(instruments):
    def labels(qid, question_id):
        return [c.label for c in instruments[qid].options[question_id]]

    assert {"Klasse 3 oder 4", "Klasse 5, 6 oder 7"} <= set(labels("families", "child_grade"))
    assert labels("children", "grade_band") == ["Klasse 3 oder 4", "Klasse 5, 6 oder 7"]
    families = instruments["families"]
    assert families.pages[0].questions[0].id == "child_grade"  # asked before the transition item
