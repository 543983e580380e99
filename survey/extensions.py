"""Extensions, created unbound and bound to an app in ``create_app``."""

from flask import current_app
from flask_babel import Babel as _FlaskBabel
from flask_babel import Domain
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_wtf import CSRFProtect

from survey.core.db import Database
from survey.core.ratelimit import client_key


class Babel(_FlaskBabel):
    """Flask-Babel with one translations cache per app.

    Flask-Babel keeps the default ``Domain`` on the ``Babel`` object
    (``domain_instance``, a cached property), and the Domain caches every catalog it
    loaded by (locale, domain) only. Our ``babel`` is created once at import, unbound,
    and bound to every app: so all apps of one process shared one cache, and the first
    app to translate a locale decided that locale's texts for every later app, whatever
    its ``TRANSLATIONS_DIR`` (a test app without catalogs left Arabic untranslated for
    the next app that had them). The Domain, and with it the cache, now lives in the
    app's extensions.
    """

    @property  # type: ignore[override]
    def domain_instance(self) -> Domain:
        found = current_app.extensions.get("babel_domain")
        if found is None:
            found = Domain(domain=current_app.extensions["babel"].default_domain)
            current_app.extensions["babel_domain"] = found
        return found


db = Database()
csrf = CSRFProtect()
babel = Babel()
login = LoginManager()
#: Storage from RATELIMIT_STORAGE_URL (memory:// per process, redis://… shared); see core.ratelimit.
limiter = Limiter(key_func=client_key, default_limits=[])
