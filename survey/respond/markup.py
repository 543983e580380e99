"""A question's markup, rendered once per questionnaire version, language and question.

Rendering the question macros (respond/_questions.html) was the largest share of a
page view. Almost all of it is the same for everybody who answers the questionnaire
in a language: labels, answers, hints, ids. What differs per respondent goes through
one object, the state ``s`` the macros call: ``s.checked(name, value)``,
``s.value(name)``, ``s.error(name)``, ``s.described(name, help_id)``,
``s.invalid(name)``, ``s.flagged(question_id)``.

The first time a (questionnaire version, language, question) is shown, the macro is
rendered with :class:`_Slots`, a state that answers every call with a marker; the
output is split at the markers into fixed text and slots. Every page view then fills
the slots from the respondent's :class:`State`. The cached parts are rendered from
the definition and the catalogs only (a ``_Slots`` holds no answers), so they cannot
carry one respondent's state to another; ``render_direct`` renders the macro with the
real state, and the tests check that both give the same bytes.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

from flask import Flask, current_app
from markupsafe import Markup, escape

from survey.i18n.texts import QuestionnaireTexts
from survey.questionnaires.model import Question

TEMPLATE = "respond/_questions.html"
#: Markers cannot occur in the definition's texts nor the catalogs (control characters).
_MARK = "\x00"
_SEP = "\x1f"
_SLOT = re.compile(f"{_MARK}([^{_MARK}]*){_MARK}")
#: Enough for every question of every shipped questionnaire in every language several
#: times over; beyond it (questionnaires changed many times while running) start afresh.
MAX_ENTRIES = 20_000


@dataclass(frozen=True)
class State:
    """What one respondent sees filled in on one step.

    ``raw``: the answers as typed (normalized, as the draft keeps them); ``errors``:
    the validated form's messages per variable (empty unless the page is checked);
    ``flagged_ids``: ids of the questions listed in the error summary.
    """

    raw: Mapping[str, list[str]]
    errors: Mapping[str, list] = field(default_factory=dict)
    flagged_ids: frozenset[str] = frozenset()

    def checked(self, name: str, value: str) -> str:
        return " checked" if value in self.raw.get(name, ()) else ""

    def value(self, name: str) -> Markup:
        values = self.raw.get(name)
        return escape(values[0]) if values else Markup("")

    def error(self, name: str) -> Markup:
        messages = self.errors.get(name)
        if not messages:
            return Markup("")
        return Markup('<p class="error" id="err-{}">{}</p>').format(name, str(messages[0]))

    def described(self, name: str, help_id: str) -> Markup:
        ids = [help_id] if help_id else []
        wrong = bool(self.errors.get(name))
        if wrong:
            ids.append(f"err-{name}")
        out = Markup(' aria-describedby="{}"').format(" ".join(ids)) if ids else Markup("")
        return out + Markup(' aria-invalid="true"') if wrong else out

    def invalid(self, name: str) -> str:
        return " invalid" if self.errors.get(name) else ""

    def flagged(self, question_id: str) -> str:
        return " invalid" if question_id in self.flagged_ids else ""


class _Slots:
    """The state the cached rendering sees: a marker for every call, no answers."""

    def _slot(self, kind: str, *args: str) -> Markup:
        # Names and codes from the definition (identifiers, digits), cut out again by
        # _compile before anything is sent: never shown as they are.
        return Markup(_MARK + _SEP.join((kind, *args)) + _MARK)  # noqa: S704

    def checked(self, name: str, value: str) -> Markup:
        return self._slot("checked", name, value)

    def value(self, name: str) -> Markup:
        return self._slot("value", name)

    def error(self, name: str) -> Markup:
        return self._slot("error", name)

    def described(self, name: str, help_id: str) -> Markup:
        return self._slot("described", name, help_id)

    def invalid(self, name: str) -> Markup:
        return self._slot("invalid", name)

    def flagged(self, question_id: str) -> Markup:
        return self._slot("flagged", question_id)


#: Fixed text and slots, alternating: parts[0], slot 1, parts[2], slot 3, ...
Compiled = tuple[tuple[str, ...], ...]


def _compile(html: str) -> Compiled:
    pieces = _SLOT.split(html)  # text, slot spec, text, slot spec, ..., text
    return tuple((p,) if i % 2 == 0 else tuple(p.split(_SEP)) for i, p in enumerate(pieces))


def _macro(app: Flask):
    return app.jinja_env.get_template(TEMPLATE).module.question  # type: ignore[attr-defined]


class QuestionMarkup:
    """Per app: the compiled markup of each (questionnaire, version, language, question)."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._compiled: dict[tuple[str, str, str, str], Compiled] = {}
        self._lock = threading.Lock()

    def compiled(self, texts: QuestionnaireTexts, question: Question) -> Compiled:
        """Needs the page's language as the current locale (the macros' own strings)."""
        q = texts.questionnaire
        key = (q.id, q.version, texts.language, question.id)
        found = self._compiled.get(key)
        if found is None:
            found = _compile(str(_macro(self.app)(question, _Slots(), texts)))
            with self._lock:
                if len(self._compiled) >= MAX_ENTRIES:
                    self._compiled.clear()
                self._compiled[key] = found
        return found

    def __len__(self) -> int:
        return len(self._compiled)


def init_app(app: Flask) -> None:
    app.extensions["question_markup"] = QuestionMarkup(app)


def render(texts: QuestionnaireTexts, question: Question, state: State) -> Markup:
    """A question's markup for one respondent: the cached parts, this state filled in."""
    parts = current_app.extensions["question_markup"].compiled(texts, question)
    out = []
    for i, part in enumerate(parts):
        if i % 2 == 0:
            out.append(part[0])
        else:
            kind, *args = part
            out.append(str(getattr(state, kind)(*args)))
    # The parts are the macro's autoescaped output; each State method escapes what it fills in.
    return Markup("".join(out))  # noqa: S704


def render_direct(texts: QuestionnaireTexts, question: Question, state: State) -> Markup:
    """The same markup rendered by the macro itself with this state (no cache)."""
    return _macro(current_app)(question, state, texts)
