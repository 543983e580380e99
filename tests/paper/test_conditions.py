"""show_if in words: the German sentences for each form of the condition language."""

from __future__ import annotations

import textwrap

import pytest

from survey.paper.conditions import Describer, variables_of
from survey.paper.questionnaire import numbered_questions
from survey.questionnaires.loader import load_file

YAML = textwrap.dedent(
    """
    id: probe
    audience: families
    title: Probe
    intro: Etwas.
    choices:
      agree4:
        - {value: 1, label: gar nicht}
        - {value: 2, label: eher nicht}
        - {value: 3, label: eher ja}
        - {value: 4, label: ganz}
    pages:
      - id: p1
        questions:
          - {id: told, type: yesno, label: Wurden Sie informiert?}
          - {id: why_not, type: text, label: Warum nicht?, show_if: told == 0}
          - {id: channels, type: multi, label: Wie?, choices: [{value: 1, label: Brief}, {value: 2, label: App}, {value: 3, label: Anruf}]}
          - {id: by_phone, type: text, label: Wer rief an?, show_if: 3 in channels}
          - id: mood
            type: matrix
            label: Wie sehr?
            choices: agree4
            items: [{id: a, label: Schule}, {id: b, label: Hort}]
          - {id: why, type: text, label: Warum?, show_if: "not (mood_a == 4 and mood_b == 4)"}
          - {id: kids, type: number, label: Wie viele Kinder?}
          - {id: ages, type: text, label: Alter?, show_if: kids >= 2 or unanswered(kids)}
          - {id: last, type: yesno, label: Fertig?}
    """
)


@pytest.fixture
def describer(app, tmp_path):
    path = tmp_path / "probe.yaml"
    path.write_text(YAML, encoding="utf-8")
    questionnaire = load_file(path)
    numbered = numbered_questions(questionnaire)
    variables = variables_of(
        questionnaire,
        numbered,
        lambda q, code: next(c.label for c in questionnaire.options[q.id] if c.value == code),
        lambda q, item: next(i.label for i in q.items if i.id == item),
    )
    with app.test_request_context():
        yield questionnaire, numbered, Describer(questionnaire, variables)


def _only_if(describer, question_id):
    questionnaire, _numbered, words = describer
    return words.only_if(questionnaire.conditions[question_id])


def test_a_choice(describer):
    assert (
        _only_if(describer, "why_not")
        == "Nur beantworten, wenn Sie bei Frage 1 „nein“ angekreuzt haben."
    )


def test_a_ticked_answer_of_a_multiple_choice(describer):
    assert (
        _only_if(describer, "by_phone")
        == "Nur beantworten, wenn Sie bei Frage 3 „Anruf“ angekreuzt haben."
    )


def test_not_and_becomes_or_of_not(describer):
    assert _only_if(describer, "why") == (
        "Nur beantworten, wenn Sie bei Frage 5 (Schule) „ganz“ nicht angekreuzt oder "
        "bei Frage 5 (Hort) „ganz“ nicht angekreuzt haben."
    )


def test_a_number_or_unanswered(describer):
    assert _only_if(describer, "ages") == (
        "Nur beantworten, wenn Sie bei Frage 7 eine Zahl ≥ 2 eingetragen oder Frage 7 ausgelassen haben."
    )


def test_skips_follow_the_question_they_depend_on(describer):
    _questionnaire, numbered, words = describer
    skips = words.skips(numbered)
    assert skips == {"told": "Wenn Sie „ja“ angekreuzt haben: weiter mit Frage 3."}
