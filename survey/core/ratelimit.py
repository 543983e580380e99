"""Rate limiting: who a request counts against, without storing who that is.

The client key is a keyed hash (HMAC with the app's secret key) of the address, so
neither memory nor Redis ever holds a raw IP address; without the secret key the
keys cannot be turned back into addresses, not even by trying all 2**32 of them.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import Flask, current_app, request


def keyed_hash(value: str, purpose: str) -> str:
    """HMAC-SHA256 of ``value`` with the secret key; ``purpose`` separates the uses."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()[:32]


def client_key() -> str:
    return "addr:" + keyed_hash(request.remote_addr or "-", "ratelimit-address")


def init_app(app: Flask) -> None:
    """Bind the limiter to ``RATELIMIT_STORAGE_URL`` (``SURVEY_RATELIMIT_STORAGE_URL``)."""
    from survey.extensions import limiter

    app.config["RATELIMIT_STORAGE_URI"] = app.config.get("RATELIMIT_STORAGE_URL") or "memory://"
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "mitwirken")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    # A Redis outage must not take sign-in down: count in memory until it is back.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    limiter.init_app(app)
