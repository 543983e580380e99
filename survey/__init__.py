"""Mitwirken: multilingual, anonymous needs-assessment surveys for schools."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask


def create_app(config: dict[str, Any] | None = None, instance_path: str | None = None) -> Flask:
    """Build the app: config -> extensions -> blueprints -> CLI -> error handlers.

    The instance folder (database, secret key, config.py) is ``instance/`` in the
    project unless ``instance_path`` or ``SURVEY_INSTANCE_PATH`` names another.
    """
    instance_path = instance_path or os.environ.get("SURVEY_INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_path=os.path.abspath(instance_path) if instance_path else None,
        instance_relative_config=True,
    )

    from survey.config import load_config

    load_config(app, config)

    from survey.admin import auth
    from survey.core import logging as request_logging
    from survey.core import ratelimit, web
    from survey.distribution import labels
    from survey.extensions import babel, csrf, db
    from survey.i18n import locale
    from survey.questionnaires import registry

    db.init_app(app)
    csrf.init_app(app)
    ratelimit.init_app(app)
    auth.init_app(app)
    labels.init_app(app)
    babel.init_app(app, locale_selector=locale.select_locale)
    locale.init_app(app)
    registry.init_app(app)
    request_logging.init_app(app)
    web.init_app(app)

    from survey.admin.blueprint import bp as admin_bp
    from survey.distribution.blueprint import bp as distribution_bp
    from survey.distribution.codes_views import bp as codes_bp
    from survey.documents.blueprint import bp as documents_bp
    from survey.reports.blueprint import bp as reports_bp
    from survey.respond.access_views import bp as access_bp
    from survey.respond.blueprint import bp as respond_bp

    app.register_blueprint(respond_bp)
    app.register_blueprint(access_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(distribution_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(codes_bp)
    app.register_blueprint(reports_bp)

    from survey.cli import register_commands

    register_commands(app)
    return app
