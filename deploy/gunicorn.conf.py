"""gunicorn for Mitwirken: ``gunicorn -c deploy/gunicorn.conf.py 'survey:create_app()'``.

Logs that cannot link a person to a link or an answer: the access log has
method, status, size and duration, never the client address, the path (it
holds the link token), the query, the referrer or the browser. The app's own
access log (logger ``survey.access``) adds the route pattern (``/s/<token>``).
gunicorn's error log passes through the same redaction as the app's
(``survey.core.logging``): a path with a token or an address never gets out.

Everything here can be overridden by ``GUNICORN_CMD_ARGS`` or the command line.
"""

import os

bind = os.environ.get("SURVEY_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("SURVEY_WORKERS", "2"))
worker_class = "sync"
# A request waits at most DB_CONNECT_TIMEOUT (3 s) for a connection and
# DB_STATEMENT_TIMEOUT (10 s) per statement; 30 s is the last resort after that.
timeout = 30
graceful_timeout = 30
# Behind a reverse proxy on the same host; set SURVEY_PROXY_FIX=1 for the app as well.
forwarded_allow_ips = os.environ.get("SURVEY_FORWARDED_ALLOW_IPS", "127.0.0.1")

# gunicorn >= 25.1 opens a control socket for ``gunicornc`` at one path per user
# ($XDG_RUNTIME_DIR/gunicorn.ctl or ~/.gunicorn/gunicorn.ctl): a second instance
# under the same user (a second site, a test or benchmark run) deletes and takes
# over the first one's socket, and the first one's shutdown deletes the second's.
# We never use it: off, unless SURVEY_CONTROL_SOCKET names a path of this instance's own.
if os.environ.get("SURVEY_CONTROL_SOCKET"):
    control_socket = os.environ["SURVEY_CONTROL_SOCKET"]
else:
    control_socket_disable = True

accesslog = "-"
#: method, status, response bytes, duration in ms. No %(h)s (address), %(r)s/%(U)s/%(q)s
#: (path and query: the token), %(f)s (referrer), %(a)s (browser), %(t)s (time of request).
access_log_format = "%(m)s %(s)s %(B)s %(M)sms"
errorlog = "-"
loglevel = "info"

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "survey.core.logging.RedactFilter"}},
    "formatters": {
        # Day and hour only next to a line: no time to link an access to a response.
        "private": {
            "()": "survey.core.logging.PrivacyFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s: %(message)s",
            "datefmt": "%Y-%m-%d %H:00",
        },
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "private",
            "filters": ["redact"],
            "stream": "ext://sys.stderr",
        },
    },
    "root": {"level": "INFO", "handlers": ["stderr"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
        "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": True},
        # SQL is never logged (and its parameters are hidden anyway).
        "sqlalchemy": {"level": "WARNING", "handlers": [], "propagate": True},
    },
}


def _warm(app) -> None:
    # Only Mitwirken's app is warmed: this file also serves other WSGI apps
    # (benchmarks/bare_app.py), which have no questionnaires to load.
    if "questionnaires" in getattr(app, "extensions", {}):
        from survey.respond.warm import warm

        warm(app)


def when_ready(server) -> None:
    """With --preload: load questionnaires, catalogs and templates once, before the fork."""
    if server.cfg.preload_app:
        _warm(server.app.wsgi())


def post_worker_init(worker) -> None:
    """Without --preload: each worker warms itself before its first request (no-op otherwise)."""
    _warm(worker.wsgi)
