"""Words for the vocabularies (audiences, school types, campaign states, roles) in the
page's language. The stored values stay German or English codes; only labels translate."""

from __future__ import annotations

from flask import Flask
from flask_babel import format_date, format_percent
from flask_babel import lazy_gettext as _l

AUDIENCE_LABELS = {
    "families": _l("Familien"),
    "staff": _l("Schulpersonal"),
    "children": _l("Kinder"),
    "partners": _l("Partner im Stadtteil"),
}
SCHOOL_TYPE_LABELS = {
    "Grundschule": _l("Grundschule"),
    "Hauptschule": _l("Hauptschule"),
    "Realschule": _l("Realschule"),
    "Sekundarschule": _l("Sekundarschule"),
    "Gesamtschule": _l("Gesamtschule"),
    "Gymnasium": _l("Gymnasium"),
    "Förderschule": _l("Förderschule"),
    "Berufskolleg": _l("Berufskolleg"),
    "andere": _l("andere Schulform"),
}
STATE_LABELS = {
    "draft": _l("Entwurf"),
    "open": _l("offen"),
    "closed": _l("geschlossen"),
}
ROLE_LABELS = {
    "admin": _l("Administration"),
    "analyst": _l("Analyse"),
    "coordinator": _l("Schulkoordination"),
}


def _label(table, value: str) -> str:
    return str(table.get(value, value))


def date_or_dash(value) -> str:
    return format_date(value, "medium") if value else "–"


def percent(value: float) -> str:
    return format_percent(value, format="#,##0 %")


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(date_or_dash=date_or_dash, percent=percent)
    app.jinja_env.globals.update(
        audience_label=lambda v: _label(AUDIENCE_LABELS, v),
        school_type_label=lambda v: _label(SCHOOL_TYPE_LABELS, v),
        state_label=lambda v: _label(STATE_LABELS, v),
        role_label=lambda v: _label(ROLE_LABELS, v),
    )
