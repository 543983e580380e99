"""Everything a respondent's first request would otherwise load, loaded at once.

Under ``gunicorn --preload`` the master calls :func:`warm` before it forks (see
deploy/gunicorn.conf.py), so every worker shares the parsed questionnaires, the
translation catalogs, the locale data and the compiled templates, and a fresh
worker's first request costs what any request costs. Without ``--preload`` each
worker warms itself once after it starts, before it accepts a request.
Warming serves nobody's state: only files shipped with the app are read, and the
respond flow's queries run once for a token that cannot exist, so that SQLAlchemy
compiles them here (its compiled cache survives the fork; the connections do not:
the pool is emptied again). Last, ``gc.freeze()`` moves everything loaded so far out
of the collector's reach: no collection walks it in a worker, and the pages stay
shared.
"""

from __future__ import annotations

import contextlib
import gc

from babel import Locale
from babel.numbers import format_decimal
from flask import Flask
from flask_babel import force_locale, get_translations
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import configure_mappers

from survey.i18n import locale
from survey.i18n.catalogs import LANGUAGES, SOURCE
from survey.i18n.texts import _catalog


def warm(app: Flask) -> None:
    if app.extensions.get("survey_warm"):
        return
    from survey.questionnaires.registry import registry

    with app.test_request_context():
        registry().all()  # parse and check every questionnaire (raises if one is broken)
        locale.offer().ui()  # which languages cover what (reads the .po files once)
        directory = str(app.config["TRANSLATIONS_DIR"])
        for language in (SOURCE, *LANGUAGES):
            Locale.parse(language)  # CLDR data: names, numbers, direction
            locale.native_name(language)
            format_decimal(1, locale=language, numbering_system="default")
            _catalog(directory, language)  # the questionnaires' texts
            with force_locale(language):
                get_translations()  # the user interface's catalog
        for name in app.jinja_env.list_templates():
            if name.endswith(".html"):
                app.jinja_env.get_template(name)
        configure_mappers()
        _compile_queries()
    app.extensions["survey_warm"] = True
    gc.collect()
    gc.freeze()


def _compile_queries() -> None:
    from survey.core import clock
    from survey.core.errors import SurveyError
    from survey.extensions import db
    from survey.respond import services
    from survey.respond.models import Draft

    nobody = "~warm~"  # not a token: tokens are URL-safe base64
    try:
        with contextlib.suppress(SurveyError):
            services.open_questionnaire(db.session, nobody, clock.today())
        db.session.get(Draft, nobody)
        services.was_submitted(db.session, nobody, clock.today())
    except SQLAlchemyError:  # no database yet (or away): the first request compiles them
        pass
    finally:
        db.session.rollback()
        db.session.close()
        db.engine.dispose()  # no connection crosses the fork
