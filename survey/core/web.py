"""What every page shares: security headers, the inline stylesheet, error pages."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, g, render_template, request
from flask_babel import get_locale
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from survey.core.errors import SurveyError
from survey.core.logging import route_of_request
from survey.i18n.locale import direction

STATIC = Path(__file__).resolve().parent.parent / "static"


class KeyConverter(IntegerConverter):
    """``<int:...>`` bounded to what an integer column holds (PostgreSQL ``integer``):
    a longer number in an address is no object of ours, so 404, not an overflow (500)
    in the database driver."""

    def __init__(self, map, *args, max: int = 2**31 - 1, **kwargs) -> None:  # noqa: A002
        super().__init__(map, *args, max=max, **kwargs)


def init_app(app: Flask) -> None:
    # "/s//<token>" would be redirected to "/s/<token>" on the host the request
    # named (a forged Host header sends the visitor elsewhere): no slash merging.
    app.url_map.merge_slashes = False
    # Before any route is added: every <int:...> segment is a database key.
    app.url_map.converters["int"] = KeyConverter
    proxies = int(app.config.get("PROXY_FIX", 0) or 0)
    if proxies:
        # Behind that many proxies, the client address and the scheme come from
        # their X-Forwarded-* headers; the host is never taken from them.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=0)  # type: ignore[method-assign]
    # The stylesheet is small; inlining it saves a phone one round trip. Its
    # hash goes into the Content-Security-Policy so no other style can run.
    css = (STATIC / "survey.css").read_text(encoding="utf-8")
    # The staff pages add their own small stylesheet, allowed by its hash as well.
    staff_css = (STATIC / "staff.css").read_text(encoding="utf-8")
    # The read-aloud script is the only script: inline too, allowed by its hash alone.
    script = (STATIC / "readaloud.js").read_text(encoding="utf-8")
    csp = (
        "default-src 'none'; "
        f"style-src 'sha256-{_sha256(css)}' 'sha256-{_sha256(staff_css)}'; "
        f"script-src 'sha256-{_sha256(script)}'; "
        "img-src 'self' data:; "
        "form-action 'self'; "
        "frame-ancestors 'none'; "
        "base-uri 'none'"
    )

    def _upload_limit() -> None:
        # Runs first (before CSRF reads the form): a view that takes a larger file than
        # MAX_CONTENT_LENGTH allows says so with ``upload_limit``.
        view = app.view_functions.get(request.endpoint or "")
        limit = getattr(view, "max_content_length", None)
        if limit:
            request.max_content_length = limit

    app.before_request_funcs.setdefault(None, []).insert(0, _upload_limit)

    # Pages that inline a stylesheet of their own (the reports) add its hash to this.
    app.extensions["survey.csp"] = csp

    @app.context_processor
    def _page_globals() -> dict:
        language = str(get_locale() or "de")
        return {
            "inline_css": css,
            "inline_staff_css": staff_css,
            "inline_script": script,
            "page_lang": language,
            "page_dir": direction(language),
        }

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers["X-Content-Type-Options"] = "nosniff"
        # Links carry tokens: never hand them to another site in a Referer header.
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        if g.get("private_page") or response.status_code >= 400:
            # Answers on a shared family phone must not come back from a cache;
            # neither may an error page, which can name what was asked for.
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(SurveyError)
    def _survey_error(error: SurveyError):
        retry_after = getattr(error, "retry_after", None)
        resend = None
        if retry_after and request.method == "POST":  # a post refused for now: send it again later
            resend = _resend()
        action = (error.action_label, error.action_url) if error.action_url else None
        page = render_template(
            "error.html", title=error.title, message=error.message, resend=resend, action=action
        )
        headers = {"Retry-After": str(retry_after)} if retry_after else {}
        return page, error.status, headers

    @app.errorhandler(CSRFError)
    def _csrf_error(_error: CSRFError):
        from flask_babel import gettext as _

        return (
            render_template(
                "error.html",
                title=_("Die Seite war zu lange offen"),
                message=_(
                    "Zu Ihrer Sicherheit konnten wir diese Eingabe nicht annehmen. Bitte gehen "
                    "Sie zurück, laden Sie die Seite neu und versuchen Sie es noch einmal."
                ),
                retry=request.path,
            ),
            400,
        )

    for error_class in DATABASE_AWAY:
        app.register_error_handler(error_class, database_away_page)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        from flask_babel import gettext as _

        if error.code == 404:
            title, message = _("Diese Seite gibt es nicht"), _("Bitte prüfen Sie die Adresse.")
        elif error.code == 429:
            title = _("Zu viele Versuche")
            message = _("Bitte warten Sie einige Minuten und versuchen Sie es dann noch einmal.")
        elif error.code == 403:
            title = _("Kein Zugriff")
            message = _("Diese Seite ist für Ihr Konto nicht freigegeben.")
        else:  # rare for respondents; Werkzeug's own wording is precise enough
            title, message = error.name, error.description
        return render_template("error.html", title=title, message=message), error.code or 500


F = TypeVar("F", bound=Callable[..., Any])


def upload_limit(size: int) -> Callable[[F], F]:
    """Let a view accept a body of up to ``size`` bytes (a staff upload of a big file);
    every other request keeps MAX_CONTENT_LENGTH."""

    def mark(view: F) -> F:
        view.max_content_length = size  # type: ignore[attr-defined]
        return view

    return mark


#: What SQLAlchemy raises when the database cannot be reached or does not answer in
#: time (refused, timed out, locked too long, connection lost, pool exhausted).
DATABASE_AWAY = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.TimeoutError,
    sa_exc.DisconnectionError,
)
RETRY_AFTER_SECONDS = 60


def log_database_away(error: Exception) -> None:
    from flask import current_app

    cause = getattr(error, "orig", None) or error
    current_app.logger.warning(
        "database unavailable on %s [%s]: %s",
        route_of_request(),
        request.method,
        type(cause).__name__,
    )


def database_away_page(error: Exception):
    """503 in the visitor's language; a post can be sent again as it was, because
    nothing of it could be saved."""
    from flask_babel import gettext as _

    log_database_away(error)
    resend = None
    if request.method == "POST":
        resend = {
            "action": request.full_path.rstrip("?"),
            "fields": list(request.form.items(multi=True)),
        }
    page = render_template(
        "error.html",
        title=_("Gerade geht es nicht weiter"),
        message=_(
            "Wir können gerade nichts speichern. Bitte versuchen Sie es in einer Minute "
            "noch einmal."
        ),
        resend=resend,
    )
    return page, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def _resend() -> dict:
    """A post as it came, to be sent again from the error page with one button."""
    return {"action": request.full_path.rstrip("?"), "fields": list(request.form.items(multi=True))}


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
