"""Every validation message of the step forms, rendered in every language.

A message is only known to work once it has been turned into text: the
``lazy_ngettext(..., num=...)`` messages raised TypeError exactly there (a 500
for anyone ticking one answer too many), and no test had rendered them.
"""

from __future__ import annotations

import pytest
from flask import g
from werkzeug.datastructures import MultiDict

from survey.config import Defaults
from survey.i18n import locale
from survey.i18n.texts import QuestionnaireTexts
from survey.questionnaires.model import (
    OTHER,
    MatrixQuestion,
    MultiQuestion,
    NumberQuestion,
    SingleQuestion,
    TextQuestion,
)
from survey.questionnaires.registry import registry
from survey.respond.forms import build_form

SHIPPED = Defaults.QUESTIONNAIRE_DIR


def bad_inputs(questionnaire, q) -> list[MultiDict]:
    """Posts that break each rule a question has (one rule per post where possible)."""
    codes = [str(c.value) for c in questionnaire.options.get(q.id, ()) if c.value != OTHER]
    posts: list[list[tuple[str, str]]] = []
    if q.required:
        posts.append([])
    if isinstance(q, MultiQuestion):
        plain = [c for c in questionnaire.options[q.id] if not c.exclusive and c.value != OTHER]
        if q.max_choices:
            posts.append([(q.id, str(c.value)) for c in plain[: q.max_choices + 1]])
        for alone in (c for c in questionnaire.options[q.id] if c.exclusive):
            posts.append([(q.id, str(alone.value)), (q.id, str(plain[0].value))])
        posts.append([(q.id, "12345")])
    elif isinstance(q, NumberQuestion):
        posts += [[(q.id, "1000000001")], [(q.id, "-1000000001")], [(q.id, "zwei")]]
    elif isinstance(q, TextQuestion):
        posts.append([(q.id, "x" * (q.max_length + 1))])
    elif isinstance(q, MatrixQuestion):
        posts.append([(f"{q.id}_{q.items[0].id}", "12345")])
    else:
        posts.append([(q.id, "12345")])
    if isinstance(q, SingleQuestion | MultiQuestion) and q.other:
        posts.append([(q.id, str(OTHER))])
        posts.append([(q.id, str(OTHER)), (f"{q.id}_other", "y" * 201)])
    assert codes or isinstance(q, NumberQuestion | TextQuestion)
    return [MultiDict(p) for p in posts]


def rendered_errors(app, questionnaire, q, language: str) -> list[str]:
    texts: list[str] = []
    for post in bad_inputs(questionnaire, q):
        with app.test_request_context():
            g.language = language
            t = QuestionnaireTexts(questionnaire, language, app.config["TRANSLATIONS_DIR"])
            form = build_form(questionnaire, (q,), post, t)
            assert not form.validate(), (q.id, post)
            texts += [str(m) for messages in form.errors.values() for m in messages]
    return texts


@pytest.mark.parametrize("app", [SHIPPED], indirect=True)
def test_every_message_renders_in_every_language(app):
    with app.app_context():
        languages = locale.offer().ui()
        questionnaires = registry().all()
    assert len(languages) == 11
    seen_max_choices = 0
    for questionnaire in questionnaires.values():
        for q in questionnaire.questions():
            german = rendered_errors(app, questionnaire, q, "de")
            for language in languages:
                messages = rendered_errors(app, questionnaire, q, language)
                assert messages and all(messages), (questionnaire.id, q.id, language)
                if isinstance(q, MultiQuestion) and q.max_choices:
                    seen_max_choices += 1
                    with app.test_request_context():
                        g.language = language
                        count = locale.format_count(q.max_choices)
                    assert any(count in m for m in messages), (q.id, language, messages)
                if language != "de":  # our own messages are translated (WTForms' own: issue 10)
                    ours = [m for m in messages if "choice" not in m.lower()]
                    assert not set(ours) & set(german) - {""}, (q.id, language, ours)
    assert seen_max_choices >= len(languages)  # the shipped max_choices questions were tried


def test_the_length_and_count_messages_use_the_page_numbers(app):
    with app.app_context():
        questionnaire = registry().get("families")
    wish = next(q for q in questionnaire.questions() if q.id == "wish")
    with app.test_request_context():
        g.language = "de"
        form = build_form(questionnaire, (wish,), MultiDict([("wish", "x" * 501)]))
        assert not form.validate()
        assert form.errors["wish"] == ["Bitte höchstens 500 Zeichen."]


def test_no_python_code_passes_num_to_ngettext():
    """Flask-Babel's (lazy_)ngettext sets ``num`` itself: ``num=`` again is a TypeError
    when the text is shown. Counts go through ``count_message``/``lazy_count_message``."""
    import ast
    from pathlib import Path

    package = Path(__file__).resolve().parents[2] / "survey"
    offenders = []
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", "")
                if name.endswith("ngettext") and any(k.arg == "num" for k in node.keywords):
                    offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []
