"""Question markup rendered once and filled in per respondent (survey/respond/markup.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import g
from flask_babel import force_locale

from survey.i18n import locale
from survey.i18n.texts import QuestionnaireTexts
from survey.questionnaires.definition import variables_of
from survey.questionnaires.registry import registry
from survey.respond import markup
from survey.respond.forms import build_form, formdata_from
from survey.respond.markup import State

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = str(ROOT / "questionnaires")


def _states(questionnaire, question) -> list[State]:
    """Nothing, a valid answer, wrong answers with errors on every variable, odd text."""
    variables = variables_of(question)
    codes = [str(c.value) for c in questionnaire.options.get(question.id, ())]
    valid = {v: codes[-1:] if codes else ["7"] for v in variables}
    wrong = {v: ["<b>&\"'</b>", "2"] for v in variables}
    errors = {v: [f"Fehler <{v}> & Co."] for v in variables}
    return [
        State({}),
        State(valid),
        State({v: codes[:3] for v in variables}),
        State(wrong, errors, frozenset({question.id})),
        State(valid, {variables[-1]: ["nur der letzte"]}, frozenset({question.id})),
    ]


@pytest.mark.parametrize("app", [SHIPPED], indirect=True)
@pytest.mark.parametrize("language", ["de", "ar", "tr", "uk"])
def test_filled_in_markup_is_byte_for_byte_the_macro_rendered_with_the_same_state(app, language):
    with app.test_request_context():
        g.language = language
        for questionnaire in registry().all().values():
            if language not in locale.offer().questionnaire(questionnaire.id):
                continue
            texts = QuestionnaireTexts(questionnaire, language, app.config["TRANSLATIONS_DIR"])
            for question in questionnaire.questions():
                for state in _states(questionnaire, question):
                    cached = markup.render(texts, question, state)
                    assert cached == markup.render_direct(texts, question, state), question.id
                    assert "\x00" not in cached


@pytest.mark.parametrize("app", [SHIPPED], indirect=True)
def test_the_cache_holds_no_answer_and_one_respondent_never_sees_anothers(app):
    with app.test_request_context():
        g.language = "de"
        questionnaire = registry().get("families")
        texts = QuestionnaireTexts(questionnaire, "de", app.config["TRANSLATIONS_DIR"])
        text_question = next(q for q in questionnaire.questions() if q.type == "text")
        anna = markup.render(texts, text_question, State({text_question.id: ["Anna-1111"]}))
        bert = markup.render(texts, text_question, State({text_question.id: ["Bert-2222"]}))
        assert "Anna-1111" in anna and "Anna-1111" not in bert
        assert "Bert-2222" in bert
        cache = app.extensions["question_markup"]
        assert len(cache) == 1
        assert "Anna-1111" not in repr(cache._compiled) and "Bert" not in repr(cache._compiled)


@pytest.mark.parametrize("app", [SHIPPED], indirect=True)
def test_one_compiled_markup_per_language(app):
    """German and Arabic pages of the same question never share their markup."""
    with app.test_request_context():
        questionnaire = registry().get("families")
        question = next(questionnaire.questions())
        pages = {}
        for language in ("de", "ar"):
            with force_locale(language):
                g.language = language
                texts = QuestionnaireTexts(questionnaire, language, app.config["TRANSLATIONS_DIR"])
                pages[language] = str(markup.render(texts, question, State({})))
        assert pages["de"] != pages["ar"]
        assert 'title="Vorlesen"' in pages["de"] and 'title="Vorlesen"' not in pages["ar"]
        assert len(app.extensions["question_markup"]) == 2


@pytest.mark.parametrize("app", [SHIPPED], indirect=True)
def test_errors_come_from_the_validated_form_as_before(app):
    """A checked page's state carries the form's messages; the markup ties them to the field."""
    with app.test_request_context():
        g.language = "de"
        questionnaire, question = next(
            (qn, q)
            for qn in registry().all().values()
            for q in qn.questions()
            if q.type == "number"
        )
        raw = {question.id: ["1,5"]}
        form = build_form(questionnaire, (question,), formdata_from(raw))
        assert not form.validate()
        texts = QuestionnaireTexts(questionnaire, "de", app.config["TRANSLATIONS_DIR"])
        html = str(markup.render(texts, question, State(raw, form.errors, frozenset())))
        assert f'id="err-{question.id}"' in html
        assert 'aria-invalid="true"' in html
        assert 'value="1,5"' in html
