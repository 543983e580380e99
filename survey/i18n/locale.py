"""Which language a page is shown in.

The choice travels in the URL (``?lang=ar``) so that a shared or printed link
carries it; the respond flow remembers it in the draft.
"""

from __future__ import annotations

from babel import Locale
from flask import current_app, g, request

SOURCE_LANGUAGE = "de"
#: Scripts written right to left; set from the language, never guessed from text.
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ckb"})


def available_languages() -> list[str]:
    return [SOURCE_LANGUAGE]


def select_locale() -> str:
    chosen = g.get("language")
    if chosen:
        return chosen
    wanted = request.args.get("lang")
    if wanted in available_languages():
        return wanted
    return current_app.config.get("BABEL_DEFAULT_LOCALE", SOURCE_LANGUAGE)


def direction(language: str) -> str:
    return "rtl" if language.split("_")[0] in RTL_LANGUAGES else "ltr"


def native_name(language: str) -> str:
    return Locale.parse(language).get_display_name(language) or language
