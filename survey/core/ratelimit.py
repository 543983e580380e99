"""Rate limits: who may start how many drafts and submit how many responses.

Open links can be answered many times by one person; these limits make stuffing
a school's results slow, while a school that sends its link to 600 families at
once, a class answering on tablets behind one address, or a parents' evening on
the school's Wi-Fi still pass (figures and reasons in the README).

Counters live in Flask-Limiter's storage: memory per process by default, Redis
(``SURVEY_RATELIMIT_STORAGE_URL=redis://…``) wherever several workers run. No
key holds an address or a link token: both are keyed hashes (HMAC with the
secret key), so the storage cannot say who answered through which link.
"""

from __future__ import annotations

import hashlib
import hmac
import logging

from flask import Flask, current_app, request
from flask_babel import lazy_gettext as _l
from limits import parse_many

from survey.core.errors import SurveyError

log = logging.getLogger(__name__)

#: The respond flow's limits: action -> scope -> limits (Flask-Limiter notation).
DEFAULT_LIMITS = {
    # A new draft: opening the questionnaire, "Los geht's".
    "start": {
        "client": "60/minute;400/hour",
        "link": "2000/10 minutes;6000/day",
        "all": "6000/10 minutes",
    },
    # A one-time access code typed in (survey/respond/access_views.py): as many as new
    # drafts, so a parents' evening on one Wi-Fi passes; a guesser gets at most 6,000 tries
    # a day per link against 21^8 possible codes.
    "code": {
        "client": "60/minute;400/hour",
        "link": "2000/10 minutes;6000/day",
        "all": "6000/10 minutes",
    },
    # A final submit: one stored response.
    "submit": {
        "client": "30/minute;200/hour",
        "link": "1000/10 minutes;3000/day",
        "all": "3000/10 minutes",
    },
}


class TooManyRequests(SurveyError):
    status = 429
    title = _l("Gerade kommen sehr viele Antworten auf einmal")
    message = _l(
        "Bitte versuchen Sie es in ein paar Minuten noch einmal. Was Sie schon beantwortet "
        "haben, bleibt gespeichert."
    )
    retry_after = 120


def keyed_hash(value: str) -> str:
    """A stable pseudonym for an address or a token, useless without the secret key."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:32]


def client_key() -> str:
    """The client for rate limits: a keyed hash of its address (see PROXY_FIX)."""
    return "c:" + keyed_hash(request.remote_addr or "-")


def init_app(app: Flask) -> None:
    from survey.extensions import limiter

    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["RATELIMIT_STORAGE_URL"])
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "mitwirken")
    # Redis away: respondents are let through (and it is logged) rather than turned away.
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    limits = {action: dict(scopes) for action, scopes in DEFAULT_LIMITS.items()}
    for action, scopes in (app.config.get("RESPOND_LIMITS") or {}).items():
        limits.setdefault(action, {}).update(scopes)
    app.extensions["respond_limits"] = {
        action: {scope: parse_many(text) for scope, text in scopes.items()}
        for action, scopes in limits.items()
    }
    limiter.init_app(app)


def enforce(action: str, link_token: str) -> None:
    """Count one ``action`` through a link; TooManyRequests if any limit is reached.

    Every scope is tested before any is counted, so a refused request uses up
    nobody's allowance.
    """
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return
    from survey.extensions import limiter

    identities = {"client": client_key(), "link": "l:" + keyed_hash(link_token), "all": "all"}
    prefix = current_app.config["RATELIMIT_KEY_PREFIX"]
    checks = [
        (item, (prefix, action, scope, identities[scope]))
        for scope, items in current_app.extensions["respond_limits"][action].items()
        for item in items
    ]
    try:
        strategy = limiter.limiter
        if not all(strategy.test(item, *ids) for item, ids in checks):
            raise TooManyRequests()
        for item, ids in checks:
            strategy.hit(item, *ids)
    except TooManyRequests:
        raise
    except Exception as exc:  # storage away: fail open, say so without any key
        log.warning("rate limit storage unavailable (%s): not limiting", type(exc).__name__)
