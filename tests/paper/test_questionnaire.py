from __future__ import annotations

import re
import unicodedata

import pdfcheck
import pytest

from survey.config import Defaults
from survey.paper.conditions import Describer, variables_of
from survey.paper.questionnaire import numbered_questions
from survey.paper.services import PrintError
from survey.questionnaires.model import TextQuestion
from survey.questionnaires.registry import registry

pytestmark = pytest.mark.parametrize("app", [Defaults.QUESTIONNAIRE_DIR], indirect=True)
QUESTIONNAIRES = ("families", "staff", "children", "partners")


def _print(app, tmp_path, questionnaire: str, language: str):
    out = tmp_path / f"{questionnaire}-{language}.pdf"
    result = app.test_cli_runner().invoke(
        args=["print-questionnaire", questionnaire, "--lang", language, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    return out


def _flat(text: str) -> str:
    """Whitespace as one space, and NFKC as pdfcheck.text folds it ("…" is "...")."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text))


@pytest.mark.parametrize("questionnaire", QUESTIONNAIRES)
def test_every_question_of_the_definition_is_printed(app, tmp_path, questionnaire):
    pdf = _print(app, tmp_path, questionnaire, "de")
    pdfcheck.assert_fonts_embedded(pdf)
    text = _flat(pdfcheck.text(pdf))
    with app.app_context():
        definition = registry().get(questionnaire)
    for variable, _q, _kind in definition.variables():
        if not variable.endswith("_other"):
            assert variable in text, f"code {variable} missing from the margin"
    for number, question in numbered_questions(definition):
        assert f"{number}. {_flat(question.label)}" in text, question.id
        if isinstance(question, TextQuestion):
            continue
        for choice in definition.options.get(question.id, ()):
            assert _flat(choice.label).split(" ")[0] in text


@pytest.mark.parametrize("language", ["ar", "fa"])
def test_a_right_to_left_questionnaire_reads_in_logical_order(app, tmp_path, language):
    pdf = _print(app, tmp_path, "families", language)
    pdfcheck.assert_fonts_embedded(pdf)
    text = pdfcheck.text(pdf)
    with app.app_context():
        definition = registry().get("families")
    for variable, _q, _kind in definition.variables():
        if not variable.endswith("_other"):
            assert variable in text
    title = {"ar": "العائلة والمدرسة", "fa": "خانواده و مدرسه"}[language]
    assert title in text


def test_conditions_become_plain_instructions(app, tmp_path):
    text = _flat(pdfcheck.text(_print(app, tmp_path, "families", "de")))
    assert "Nur beantworten, wenn Sie bei Frage" in text
    assert re.search(r"Wenn Sie „[^“]+“ angekreuzt haben: weiter mit Frage \d+\.", text)


@pytest.mark.parametrize("questionnaire", QUESTIONNAIRES)
def test_every_shipped_condition_can_be_put_into_words(app, questionnaire):
    with app.app_context(), app.test_request_context():
        definition = registry().get(questionnaire)
        numbered = numbered_questions(definition)
        variables = variables_of(
            definition,
            numbered,
            lambda q, code: next(c.label for c in definition.options[q.id] if c.value == code),
            lambda q, item: item,
        )
        describer = Describer(definition, variables)
        for key, condition in definition.conditions.items():
            words = describer.only_if(condition)
            assert words is not None and "Frage" in words, key


def test_a_skip_names_the_answers_that_skip_and_the_question_after(app):
    with app.app_context(), app.test_request_context():
        definition = registry().get("families")
        numbered = numbered_questions(definition)
        variables = variables_of(
            definition,
            numbered,
            lambda q, code: next(c.label for c in definition.options[q.id] if c.value == code),
            lambda q, item: item,
        )
        skips = Describer(definition, variables).skips(numbered)
    number = {q.id: n for n, q in numbered}
    # translate_by is shown for translate_need in [2, 3, 4]: "nie" (1) skips it.
    assert skips["translate_need"] == (
        f"Wenn Sie „nie“ angekreuzt haben: weiter mit Frage {number['translate_by'] + 1}."
    )


def test_unknown_questionnaire_or_language_is_a_typed_error(app, tmp_path):
    # The root command turns a SurveyError into one line on standard error (tests/test_cli.py).
    runner = app.test_cli_runner()
    out = str(tmp_path / "x.pdf")
    result = runner.invoke(args=["print-questionnaire", "nope", "--out", out])
    assert isinstance(result.exception, PrintError)
    assert "no questionnaire 'nope'" in str(result.exception)
    result = runner.invoke(args=["print-questionnaire", "families", "--lang", "xx", "--out", out])
    assert isinstance(result.exception, PrintError)
    assert "not offered in 'xx'" in str(result.exception)
    assert not (tmp_path / "x.pdf").exists()


def test_children_are_addressed_as_children_in_the_instructions(app, tmp_path):
    text = _flat(pdfcheck.text(_print(app, tmp_path, "children", "de")))
    assert "Nur beantworten, wenn du bei Frage" in text
    assert re.search(r"Wenn du „[^“]+“ angekreuzt hast: weiter mit Frage \d+\.", text)
    assert "wenn Sie" not in text
