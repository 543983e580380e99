"""Fuzzing the step and submit endpoints: no 5xx, and every stored response
satisfies its questionnaire's definition.

Bounded so the suite stays fast; ``SURVEY_FUZZ_EXAMPLES=2000`` runs a bigger campaign.
The checker below reads the stored rows and knows the rules by itself: it does
not call the app's own check (``definition_problems``), so a fault there shows.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict

from conftest import Respondent
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from survey.extensions import db
from survey.questionnaires.conditions import Unordered
from survey.questionnaires.model import (
    DONT_KNOW,
    OTHER,
    MatrixQuestion,
    MultiQuestion,
    NumberQuestion,
    SingleQuestion,
    TextQuestion,
)
from survey.questionnaires.registry import registry
from survey.respond.models import Answer, Response
from survey.respond.steps import all_steps, visible_questions, visible_steps

EXAMPLES = int(os.environ.get("SURVEY_FUZZ_EXAMPLES", "40"))
#: Marks answers typed in the fuzz run; the log check of conftest looks for it.
SECRET = "GEHEIM-7Q"
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

nasty_text = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "a\x00b",
            "\x1b[31m",
            "x" * 5001,
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "٣",
            "۱۲",
            "1_000",
            "1e3",
            "-0",
            "+7",
            "07",
            "9223372036854775808",
            "2147483648",
            "-2147483649",
            "99",
            "98",
            "\ud7ff\ufffe",
            SECRET + " mail me: a@b.de",
        ]
    ),
    st.integers(-(10**20), 10**20).map(str),
    st.text(max_size=30),
)


def value_strategy(questionnaire, question, variable):
    codes = [str(c.value) for c in questionnaire.options.get(question.id, ())]
    if variable.endswith("_other") and variable != question.id:
        good = st.text(min_size=1, max_size=40).map(lambda t: SECRET + t)
    elif isinstance(question, NumberQuestion):
        low = question.min if question.min is not None else -5
        high = question.max if question.max is not None else 500
        good = st.integers(low - 2, high + 2).map(str)
    elif isinstance(question, TextQuestion):
        good = st.text(max_size=question.max_length + 3).map(lambda t: SECRET + t)
    else:
        good = st.sampled_from(codes)
    values = st.lists(st.one_of(good, good, nasty_text), max_size=5)
    # A blank first value once let the second one past the validators.
    return st.one_of(values, values.map(lambda v: ["", *v]))


@st.composite
def step_posts(draw, questionnaire):
    steps = all_steps(questionnaire)
    posts = []
    for _ in range(draw(st.integers(1, len(steps) + 3))):
        step = draw(st.sampled_from(steps))
        data = {}
        for question in step.questions:
            for variable in _variables(question):
                if draw(st.booleans()):
                    data[variable] = draw(value_strategy(questionnaire, question, variable))
        if draw(st.integers(0, 9)) == 0:
            data[draw(st.text(max_size=10))] = draw(nasty_text)
        action = draw(st.sampled_from(["next", "next", "next", "back", "", "x"]))
        posts.append((step.number, data, action))
    return posts


def _variables(question):
    if isinstance(question, MatrixQuestion):
        return [f"{question.id}_{item.id}" for item in question.items]
    names = [question.id]
    if isinstance(question, SingleQuestion | MultiQuestion) and question.other:
        names.append(f"{question.id}_other")
    return names


def violations(questionnaire, rows: list[Answer]) -> list[str]:
    """What in one stored response breaks the definition (codes, bounds, lengths,
    max_choices, exclusive answers, conditions, required questions)."""
    values: dict[str, list] = defaultdict(list)
    for row in rows:
        kinds = [v is not None for v in (row.code, row.number, row.text)]
        if sum(kinds) != 1:
            return [f"{row.variable}: not exactly one value"]
        values[row.variable].append(
            row.code if row.code is not None else row.number if row.number is not None else row.text
        )
    questions = {q.id: q for q in questionnaire.questions()}
    typed = {}
    for variable, found in values.items():
        question = questions.get(variable) or next(
            (q for q in questions.values() if variable in _variables(q)), None
        )
        if question is None:
            return [f"{variable}: not in the questionnaire"]
        if isinstance(question, MultiQuestion) and variable == question.id:
            typed[variable] = sorted(found)
        elif isinstance(question, NumberQuestion):
            typed[variable] = int(found[0])
        elif isinstance(found[0], int) and found[0] in (DONT_KNOW, OTHER):
            typed[variable] = Unordered(found[0])
        else:
            typed[variable] = found[0]
    problems = []
    shown = {
        q.id
        for step in visible_steps(questionnaire, typed)
        for q in visible_questions(questionnaire, step, typed)
    }
    for variable, found in values.items():
        question = next(q for q in questions.values() if variable in _variables(q))
        if question.id not in shown:
            problems.append(f"{variable}: hidden question stored")
        offered = {c.value: c for c in questionnaire.options.get(question.id, ())}
        is_other = variable == f"{question.id}_other"
        if is_other:
            chosen = values.get(question.id, [])
            if OTHER not in chosen:
                problems.append(f"{variable}: other text without other")
            if any(len(t) > 200 or not t.strip() or CONTROL.search(t) for t in found):
                problems.append(f"{variable}: bad other text")
        elif isinstance(question, TextQuestion):
            if len(found) != 1 or len(found[0]) > question.max_length or CONTROL.search(found[0]):
                problems.append(f"{variable}: bad text")
        elif isinstance(question, NumberQuestion):
            low = question.min if question.min is not None else -(10**9)
            high = question.max if question.max is not None else 10**9
            if len(found) != 1 or not low <= found[0] <= high or found[0] != int(found[0]):
                problems.append(f"{variable}: number out of bounds")
        else:
            if any(code not in offered for code in found):
                problems.append(f"{variable}: code not offered")
            if len(found) != len(set(found)):
                problems.append(f"{variable}: code repeated")
            if isinstance(question, MultiQuestion):
                if question.max_choices and len(found) > question.max_choices:
                    problems.append(f"{variable}: too many")
                if len(found) > 1 and any(offered[c].exclusive for c in found if c in offered):
                    problems.append(f"{variable}: exclusive combined")
            elif len(found) != 1:
                problems.append(f"{variable}: more than one code")
    for question in questions.values():
        answered = any(v in values for v in _variables(question) if not v.endswith("_other"))
        if question.required and question.id in shown and not answered:
            problems.append(f"{question.id}: required but missing")
    return problems


def check_every_stored_response(app) -> int:
    with app.app_context():
        by_response = defaultdict(list)
        for row in db.session.scalars(select(Answer)):
            by_response[row.response_id].append(row)
        count = 0
        for response in db.session.scalars(select(Response)):
            questionnaire = registry().get(response.questionnaire_id)
            assert response.questionnaire_version == questionnaire.version
            broken = violations(questionnaire, by_response[response.id])
            assert broken == [], broken
            count += 1
        return count


def fuzz(app, links, audience: str) -> dict[str, int]:
    with app.app_context():
        questionnaire = registry().get(audience)
    tally = defaultdict(int)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(posts=step_posts(questionnaire), finish=st.booleans())
    def run(posts, finish):
        person = Respondent(app.test_client(), links[audience])
        person.start()
        for number, data, action in posts:
            response = person.post(number, data, action=action)
            # A refused step comes back through a redirect to "?check=1" (issue 10).
            refused = "check=1" in (response.location or "")
            tally["refused" if refused else response.status_code] += 1
            assert response.status_code < 500, (number, response.status_code)
            assert "passen nicht zum Fragebogen" not in response.get_data(as_text=True)
            if response.location and "check=1" in response.location:
                assert person.client.get(response.location).status_code == 200
        if finish:  # then answer validly to the end: whatever came before must not block it
            from answering import answers_for

            response = person.start()
            for _ in range(12):
                if "/danke" in (response.location or ""):
                    break
                target = response.location or ""
                number = int(target.split("?")[0].rstrip("/").rsplit("/", 1)[1])
                step = all_steps(questionnaire)[number - 1]
                response = person.post(number, answers_for(questionnaire, step.questions))
                tally[response.status_code] += 1
                assert response.status_code < 500
                if "check=1" in (response.location or "") or "notice=opened" in (
                    response.location or ""
                ):
                    response = person.post(number, answers_for(questionnaire, step.questions))
                    if response.status_code != 302:
                        break
            tally["finished"] += "/danke" in (response.location or "")

    run()
    tally["stored"] = check_every_stored_response(app)
    return dict(tally)


def test_fuzzed_families_posts_never_fail_and_store_only_valid_answers(app, links):
    tally = fuzz(app, links, "families")
    assert tally["stored"] >= 1 and tally.get("refused", 0) >= 1  # it did reach both ends
    print("fuzz families:", tally)


def test_fuzzed_partners_posts_never_fail_and_store_only_valid_answers(app, links):
    tally = fuzz(app, links, "partners")
    assert tally["stored"] >= 1
    print("fuzz partners:", tally)


def test_the_checker_finds_what_it_looks_for(app):
    with app.app_context():
        questionnaire = registry().get("families")

    def row(variable, code=None, number=None, text=None, ordinal=0):
        return Answer(variable=variable, code=code, number=number, text=text, ordinal=ordinal)

    assert violations(questionnaire, [row("welcome", code=3)]) == []
    assert violations(questionnaire, [row("welcome", code=7)]) == ["welcome: code not offered"]
    assert violations(questionnaire, []) == ["welcome: required but missing"]
    assert violations(
        questionnaire,
        [
            row("welcome", code=3),
            row("info_channel", code=5),
            row("info_channel", code=1, ordinal=1),
        ],
    ) == ["info_channel: exclusive combined"]
    assert violations(
        questionnaire, [row("welcome", code=3), row("children_count", number=999999)]
    ) == ["children_count: number out of bounds"]
    assert violations(questionnaire, [row("welcome", code=3), row("wish", text="x")]) == [
        "wish: hidden question stored"
    ]
