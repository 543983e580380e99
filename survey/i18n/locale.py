"""Which languages a questionnaire is offered in, and which one a page is shown in.

The choice travels in the URL (``?lang=ar``) so that a shared or printed link
carries it; the respond flow then remembers it in the draft. Direction comes
from the language, never from the text.
"""

from __future__ import annotations

import threading
from functools import lru_cache

from babel import Locale
from babel.numbers import format_decimal
from flask import Flask, current_app, g, request, session
from flask_babel import get_locale, get_translations
from flask_babel.speaklater import LazyString

from survey.i18n import catalogs

SOURCE_LANGUAGE = "de"
#: Scripts written right to left; set from the language, never guessed from text.
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ckb"})


class Offer:
    """Per app: which languages cover the UI and each questionnaire (read once from the .po)."""

    def __init__(self, app: Flask) -> None:
        self.paths = catalogs.paths_for(app)
        self.threshold = float(app.config["LANGUAGE_MIN_COVERAGE"])
        self._by_part: dict[str, list[str]] | None = None
        self._lock = threading.Lock()

    def _parts(self) -> dict[str, list[str]]:
        if self._by_part is None:
            with self._lock:
                if self._by_part is None:
                    found: dict[str, list[str]] = {}
                    for language in self.paths.languages():
                        covered = catalogs.coverage(self.paths, language)
                        if covered.get("ui") is None or covered["ui"].share < self.threshold:
                            continue
                        for part, cov in covered.items():
                            if cov.share >= self.threshold:
                                found.setdefault(part, []).append(language)
                    self._by_part = found
        return self._by_part

    def ui(self) -> list[str]:
        return [SOURCE_LANGUAGE, *self._parts().get("ui", [])]

    def questionnaire(self, questionnaire_id: str) -> list[str]:
        return [SOURCE_LANGUAGE, *self._parts().get(questionnaire_id, [])]


def init_app(app: Flask) -> None:
    # Nobody has to remember a compile step: stale .mo files are rebuilt at start-up.
    try:
        catalogs.compile_catalogs(catalogs.paths_for(app))
    except OSError as exc:  # a read-only installation serves the .mo files it has
        app.logger.warning("could not compile translations: %s", exc)
    app.extensions["language_offer"] = Offer(app)
    app.jinja_env.globals.update(native_name=native_name, direction=direction)
    app.jinja_env.filters["num"] = format_count

    @app.after_request
    def _remember_language(response):
        # In a session that exists anyway (a form was shown): pages that cannot reach
        # the database, which holds the draft's language, still speak it.
        language = g.get("language")
        if language and session and session.get("lang") != language:
            session["lang"] = language
        return response


def offer() -> Offer:
    return current_app.extensions["language_offer"]


def choose(offered: list[str], remembered: str | None = None) -> str:
    """The page language: ``?lang=``, else what the draft remembers, else the browser's wish."""
    wanted = request.args.get("lang")
    if wanted in offered:
        chosen = wanted
    elif remembered in offered:
        chosen = remembered  # type: ignore[assignment]
    else:
        chosen = request.accept_languages.best_match(offered) or SOURCE_LANGUAGE
    return chosen


def by_preference(offered: list[str]) -> list[str]:
    """The browser's preferred languages first, then the rest in their usual order."""
    preferred = [lang for lang, _q in request.accept_languages if lang]
    ranked = []
    for wish in preferred:
        base = wish.split("-")[0].lower()
        if base in offered and base not in ranked:
            ranked.append(base)
    return ranked + [lang for lang in offered if lang not in ranked]


def select_locale() -> str:
    chosen = g.get("language")
    if chosen:
        return chosen
    # The session cookie remembers the last page language: pages that cannot reach
    # the database (which holds the draft's language) still speak it.
    return choose(offer().ui(), session.get("lang"))


def format_count(value: int) -> str:
    """A number written as the page's locale writes it (CLDR's default numbering system)."""
    return format_decimal(value, locale=get_locale() or SOURCE_LANGUAGE, numbering_system="default")


def direction(language: str) -> str:
    return "rtl" if language.split("_")[0] in RTL_LANGUAGES else "ltr"


@lru_cache(maxsize=64)
def native_name(language: str) -> str:
    """The language's name in itself, capitalised: "Türkçe", "العربية", "Українська"."""
    name = Locale.parse(language).get_display_name(language) or language
    return name[:1].upper() + name[1:]


def count_message(singular: str, plural: str, n: int) -> str:
    """``ngettext`` with ``%(num)s`` written as the page's locale writes numbers.

    Flask-Babel's ``ngettext(..., num=...)`` cannot take a formatted ``num`` (it
    passes ``num`` twice and raises TypeError); this is the one way to say a count.
    """
    return get_translations().ngettext(singular, plural, n) % {"num": format_count(n)}


def lazy_count_message(singular: str, plural: str, n: int) -> LazyString:
    """``count_message`` evaluated when shown, in the language of that moment."""
    return LazyString(count_message, singular, plural, n)
