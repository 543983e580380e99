"""The extensions bound to more than one app in a process (tests, and any tool that
builds two apps) keep each app's state apart."""

from __future__ import annotations

from flask_babel import force_locale, gettext

from survey import create_app


def test_each_app_translates_from_its_own_catalogs(tmp_path, database_url):
    """An app without catalogs translating Arabic first must not leave its empty
    translations to a later app that has them (flask-babel caches catalogs on the Domain,
    which it keeps on the one shared Babel object)."""
    bare = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "t", "TESTING": True,
                       "TRANSLATIONS_DIR": str(tmp_path / "no-translations")})  # fmt: skip
    shipped = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "t", "TESTING": True})
    with bare.app_context(), force_locale("ar"):
        assert gettext("Übersicht") == "Übersicht"
    with shipped.app_context(), force_locale("ar"):
        assert gettext("Übersicht") == "نظرة عامة"
    # and the other way round, in a fresh pair of app contexts
    with bare.app_context(), force_locale("ar"):
        assert gettext("Übersicht") == "Übersicht"
