"""Sign-in plumbing: Flask-Login, the permission gate for every request, idle expiry,
the forced password change, and a session cookie that is ``Secure`` over TLS.
"""

from __future__ import annotations

import time

from flask import Flask, abort, flash, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from survey.core.permissions import PUBLIC, Action, permission_of, role_may
from survey.extensions import db, login

#: session key: when this staff session last did something (seconds since the epoch)
SEEN = "staff_seen"


class SessionInterface(SecureCookieSessionInterface):
    """``Secure`` cookies whenever the request came over TLS (or when configured)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        configured = app.config.get("SESSION_COOKIE_SECURE")
        if configured is not None:
            return bool(configured)
        return request.is_secure if request else False


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    login.init_app(app)
    login.login_view = "admin.signin"
    # Flask-Login's session protection hashes the client address into the session;
    # sessions are guarded by the idle timeout and the account's session epoch instead.
    login.session_protection = None

    @login.user_loader
    def _load(session_id: str):
        from survey.admin.services import load_account

        return load_account(db.session, session_id)

    @login.unauthorized_handler
    def _unauthorized():
        flash(_("Bitte melden Sie sich an."), "notice")
        return redirect(url_for("admin.signin"))

    @app.before_request
    def _gate():
        """Deny by default: a view without a declared rule is not served."""
        endpoint = request.endpoint
        if endpoint is None:  # 404 / 405: let Flask answer
            return None
        needed = permission_of(endpoint, app.view_functions.get(endpoint))
        if needed is None:
            abort(404)
        if needed == PUBLIC:
            return None
        if not current_user.is_authenticated:
            return login.unauthorized()
        idle = int(app.config["STAFF_IDLE_MINUTES"]) * 60
        now = int(time.time())
        seen = session.get(SEEN)
        if not isinstance(seen, int) or now - seen > idle:
            logout_user()
            session.pop(SEEN, None)
            flash(_("Sie wurden nach längerer Inaktivität abgemeldet."), "notice")
            return redirect(url_for("admin.signin"))
        session[SEEN] = now
        if current_user.must_change_password and endpoint not in (
            "admin.password",
            "admin.signout",
        ):
            return redirect(url_for("admin.password"))
        if not role_may(current_user, Action(needed)):
            abort(403)
        return None
