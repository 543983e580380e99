"""Configuration: defaults here, then ``instance/config.py``, then ``SURVEY_*`` variables.

Later sources win. Environment values are parsed as JSON where they can be
(``SURVEY_MIN_GROUP_SIZE=7`` is the integer 7), as Flask's ``from_prefixed_env`` does.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Defaults:
    #: SQLAlchemy URL; the SQLite file lives in the instance folder unless set.
    DATABASE_URL: str | None = None
    #: Set when DATABASE_URL is the default SQLite file in the instance folder.
    DATABASE_EMBEDDED = False
    #: Seconds to wait for the database server to accept a connection (PostgreSQL).
    DB_CONNECT_TIMEOUT = 3
    #: Seconds one SQL statement may take before it is cancelled.
    DB_STATEMENT_TIMEOUT = 10
    #: Where rate-limit counters live: memory:// counts per process; use Redis
    #: (redis://127.0.0.1:6379/0) wherever several workers or hosts serve the app.
    RATELIMIT_STORAGE_URL = "memory://"
    #: False switches the respondent rate limits off (benchmarks; never in the field).
    RATELIMIT_ENABLED = True
    #: Overrides of survey.core.ratelimit.DEFAULT_LIMITS, e.g.
    #: {"submit": {"client": "10/minute"}} (SURVEY_RESPOND_LIMITS as JSON).
    RESPOND_LIMITS: dict = {}
    #: Folder with the questionnaire YAML files.
    QUESTIONNAIRE_DIR = str(PROJECT_ROOT / "questionnaires")
    #: gettext catalogs: translations/<lang>/LC_MESSAGES/{messages,questionnaires}.po
    TRANSLATIONS_DIR = str(PROJECT_ROOT / "translations")
    #: A questionnaire is offered in a language only if this share of its texts is translated.
    LANGUAGE_MIN_COVERAGE = 1.0
    #: Smallest group that any aggregate may show (never below 3).
    MIN_GROUP_SIZE = 5
    #: Folder where a closed campaign's breakdowns are kept once computed (None: the
    #: instance folder's ``reports``), and how long a download waits for them to be
    #: computed before it answers with a page that asks again.
    REPORT_STORE: str | None = None
    REPORT_WAIT_SECONDS = 8
    #: Closing a campaign in the staff area starts on its breakdowns at once.
    REPORT_PREPARE_ON_CLOSE = True
    #: Days an unfinished answer draft is kept before ``survey purge`` deletes it.
    DRAFT_EXPIRY_DAYS = 30
    #: Granularity of the stored submission date: "day" or "week".
    DATE_GRANULARITY = "day"
    #: Address printed in respondent links (``survey demo``).
    BASE_URL = "http://127.0.0.1:5000"
    #: The approval dossier (``survey dossier``): who is responsible (name and address) and
    #: the data-protection officer to contact; None: the campaign's municipality and its
    #: officer, named as such. Months after a campaign closes by which its answers are deleted.
    RESPONSIBLE_BODY: str | None = None
    DATA_PROTECTION_OFFICER: str | None = None
    RETENTION_MONTHS = 24
    BABEL_DEFAULT_LOCALE = "de"
    BABEL_DEFAULT_TIMEZONE = "Europe/Berlin"
    #: The session cookie carries only the draft id and the CSRF token.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_NAME = "mitwirken"
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session; a draft may take days
    #: Served over TLS (directly or behind a proxy): the session cookie gets the Secure flag.
    SECURE_COOKIES = False
    #: Number of reverse proxies in front of the app whose X-Forwarded-For/-Proto to trust
    #: (0: none). Rate limits key on the client address, Secure cookies on the scheme.
    PROXY_FIX = 0
    #: A step's post: 256 KB in all (a 5,000-character answer in any script fits many
    #: times), a multipart post at most 300 fields; larger posts get 413. Fields that
    #: are no question of the step are dropped before anything is kept.
    MAX_CONTENT_LENGTH = 256 * 1024
    MAX_FORM_PARTS = 300
    #: ``Secure`` session cookie: None = whenever the request came over TLS (see
    #: ``survey.admin.auth``; behind a proxy with PROXY_FIX); SECURE_COOKIES forces it.
    SESSION_COOKIE_SECURE: bool | None = None
    #: A staff session ends after this many minutes without a request.
    STAFF_IDLE_MINUTES = 30
    #: Failed sign-ins in a row that lock an account, and for how long.
    SIGNIN_LOCK_AFTER = 5
    SIGNIN_LOCK_MINUTES = 15
    #: Flask-Limiter limits on failed sign-ins (per client address, per account).
    SIGNIN_LIMIT_PER_ADDRESS = "20 per 10 minutes"
    SIGNIN_LIMIT_PER_ACCOUNT = "10 per 10 minutes"


MIN_GROUP_SIZE_FLOOR = 3


class ConfigError(RuntimeError):
    """A setting that the app cannot run with."""


def load_config(app: Flask, overrides: dict[str, Any] | None = None) -> None:
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("SURVEY")
    if overrides:
        app.config.update(overrides)
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = "sqlite:///" + os.path.join(app.instance_path, "survey.db")
        #: The embedded default: commands may create its schema themselves.
        app.config["DATABASE_EMBEDDED"] = True
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))
    # Two gettext domains from the same folder: the respondents' interface ("messages")
    # and the staff area ("staff"), so that staff texts do not decide which languages
    # respondents are offered.
    app.config.setdefault(
        "BABEL_TRANSLATION_DIRECTORIES",
        app.config["TRANSLATIONS_DIR"] + ";" + app.config["TRANSLATIONS_DIR"],
    )
    app.config.setdefault("BABEL_DOMAIN", "messages;staff")
    app.config["PERMANENT_SESSION_LIFETIME"] = 86400 * int(app.config["DRAFT_EXPIRY_DAYS"])
    if app.config["SECURE_COOKIES"]:
        app.config["SESSION_COOKIE_SECURE"] = True
    _validate(app.config)


def _validate(config: dict[str, Any]) -> None:
    if int(config["MIN_GROUP_SIZE"]) < MIN_GROUP_SIZE_FLOOR:
        raise ConfigError(
            f"MIN_GROUP_SIZE is {config['MIN_GROUP_SIZE']}; it may not be below "
            f"{MIN_GROUP_SIZE_FLOOR}, or small groups could be re-identified."
        )
    if config["DATE_GRANULARITY"] not in ("day", "week"):
        raise ConfigError(
            f"DATE_GRANULARITY is {config['DATE_GRANULARITY']!r}; use 'day' or 'week'."
        )
    if int(config["DRAFT_EXPIRY_DAYS"]) < 1:
        raise ConfigError("DRAFT_EXPIRY_DAYS must be at least 1.")
    if int(config["RETENTION_MONTHS"]) < 1:
        raise ConfigError("RETENTION_MONTHS must be at least 1.")


def _instance_secret_key(instance: Path) -> str:
    """Read the secret key from the instance folder, creating it on first run.

    The key never lives in the repository: ``instance/`` is ignored by git apart
    from its README.
    """
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker wrote it first
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
    return key
