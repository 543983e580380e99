"""A questionnaire's texts in one language.

The YAML is written in German; the ``questionnaires`` catalog holds the
translations, keyed by the same contexts the extractor writes
(``families:welcome``). Built-in answers ("ja", "weiß nicht …") come from the
user-interface catalog. A missing translation falls back to the German source.
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from flask_babel import gettext as ui_gettext

from survey.questionnaires.definition import Questionnaire
from survey.questionnaires.model import (
    DONT_KNOW,
    OTHER,
    Choice,
    MatrixItem,
    Page,
    Question,
    SmileyQuestion,
    YesNoQuestion,
)

DOMAIN = "questionnaires"


@lru_cache(maxsize=64)
def _catalog(directory: str, language: str) -> gettext.NullTranslations:
    # gettext caches the parsed .mo per file; this cache spares the lookup per request.
    return gettext.translation(DOMAIN, localedir=directory, languages=[language], fallback=True)


class Option(NamedTuple):
    """An answer offered by a question: the code as posted, the label as shown."""

    value: str
    label: str


class QuestionnaireTexts:
    def __init__(self, questionnaire: Questionnaire, language: str, directory: Path | str) -> None:
        self.questionnaire = questionnaire
        self.language = language
        self._catalog = _catalog(str(directory), language)
        self._qid = questionnaire.id

    def _t(self, context: str, text: str | None) -> str:
        if not text:
            return ""
        return self._catalog.pgettext(context, text.strip())

    def title(self) -> str:
        return self._t(self._qid, self.questionnaire.title)

    def intro(self) -> str:
        return self._t(self._qid, self.questionnaire.intro)

    def page_title(self, page: Page) -> str:
        return self._t(f"{self._qid}:{page.id}", page.title)

    def page_intro(self, page: Page) -> str:
        return self._t(f"{self._qid}:{page.id}", page.intro)

    def label(self, question: Question) -> str:
        return self._t(f"{self._qid}:{question.id}", question.label)

    def help(self, question: Question) -> str:
        return self._t(f"{self._qid}:{question.id}", question.help)

    def unit(self, question: Question) -> str:
        return self._t(f"{self._qid}:{question.id}", getattr(question, "unit", None))

    def item(self, question: Question, item: MatrixItem) -> str:
        return self._t(f"{self._qid}:{question.id}_{item.id}", item.label)

    def option(self, question: Question, choice: Choice) -> str:
        builtin = (
            choice.value in (DONT_KNOW, OTHER)
            or isinstance(question, YesNoQuestion)
            or isinstance(question, SmileyQuestion)
            and question.choices is None
        )
        if builtin:
            return ui_gettext(choice.label)
        named = getattr(question, "choices", None)
        context = (
            f"{self._qid}:choices:{named}"
            if isinstance(named, str)
            else f"{self._qid}:{question.id}"
        )
        return self._t(context, choice.label)

    def choices(self, question: Question) -> list[Option]:
        """The answers a question offers, in order, labelled in this language."""
        return [
            Option(str(c.value), self.option(question, c))
            for c in self.questionnaire.options.get(question.id, ())
        ]
