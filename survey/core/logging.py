"""Request logging that cannot link a person to a link.

The access log names method, route pattern (``/s/<token>/<int:step>``, never the
token itself), status and duration. It never names the client address or user
agent. The development server's own access log is switched off, because it
writes the address next to the full path.
"""

from __future__ import annotations

import logging
import re
import sys
import time

from flask import Flask, g, request
from werkzeug.serving import WSGIRequestHandler

access_log = logging.getLogger("survey.access")


def init_app(app: Flask) -> None:
    @app.before_request
    def _start_timer() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def _log_request(response):
        started = g.get("request_started")
        millis = (time.perf_counter() - started) * 1000 if started else 0.0
        access_log.info(
            "%s %s %s %.1fms", request.method, route_of_request(), response.status_code, millis
        )
        return response


def route_of_request() -> str:
    """The matched URL rule, e.g. ``/s/<token>``: never the values in it, never the query."""
    rule = request.url_rule
    return rule.rule if rule is not None else "<unmatched>"


class QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's handler without its access log (address + full path)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None

    def address_string(self) -> str:  # used by werkzeug's error log lines
        return "-"


#: Werkzeug colours its start-up lines with ANSI escapes whether or not anyone sees them.
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class PlainFormatter(logging.Formatter):
    """Strips colour codes, so that a log file holds plain text."""

    def format(self, record: logging.LogRecord) -> str:
        return _ANSI.sub("", super().format(record))


def plain_log_handler(stream=None) -> logging.Handler:
    """A handler for ``survey serve``: colours on a terminal, plain text anywhere else."""
    stream = stream or sys.stderr
    handler = logging.StreamHandler(stream)
    fmt = "%(asctime)s %(name)s %(message)s"
    is_terminal = getattr(stream, "isatty", lambda: False)()
    handler.setFormatter(logging.Formatter(fmt) if is_terminal else PlainFormatter(fmt))
    return handler
