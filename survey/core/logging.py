"""Logging that cannot link a person to a link, nor to an answer.

The access log names method, route pattern (``/s/<token>/<int:step>``, never the
token itself), status and duration. It never names the client address or user
agent. The development server's own access log is switched off, because it
writes the address next to the full path.

Errors are logged with the route pattern instead of the path, SQL without its
parameters (``hide_parameters`` on the engine), and tracebacks without the
message of exceptions that may quote a value (``PrivacyFormatter``). As a last
net, ``RedactFilter`` rewrites anything that looks like a link path or an
address; ``deploy/gunicorn.conf.py`` puts both on gunicorn's logs.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import traceback
from types import TracebackType

from flask import Flask, g, request
from flask.logging import default_handler
from werkzeug.serving import WSGIRequestHandler

from survey.core.access_codes import ALPHABET

access_log = logging.getLogger("survey.access")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_TOKEN_PATH = re.compile(r"/s/+[^/\s?#\]\[\"'<>]+")
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_HEX = "[0-9A-Fa-f]{1,4}"
#: Full (eight groups) or shortened ("::") IPv6; a time of day ("03:40:12") is neither.
_IPV6 = re.compile(
    rf"(?<![\w:])(?:(?:{_HEX}:){{7}}{_HEX}"
    rf"|(?:{_HEX}(?::{_HEX}){{0,6}})?::(?:{_HEX}(?::{_HEX}){{0,6}})?)(?![\w:])"
)


#: A one-time access code as printed (``K7MX-4RTP``) or as a posted field (``code=k7mx4rtp``).
_ACCESS_CODE = re.compile(
    rf"(?<![\w-])[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}(?![\w-])|(?<=code=)[^&\s]+"
)


def redact(text: str) -> str:
    """Link paths lose their token, access codes and addresses disappear."""
    text = _TOKEN_PATH.sub(
        lambda m: "/s/<token>" if "<token>" not in m.group() else m.group(), text
    )
    text = _ACCESS_CODE.sub("<code>", text)
    return _IPV6.sub("<addr>", _IPV4.sub("<addr>", text))


def _withhold_message(exc: BaseException) -> bool:
    """Most exception messages may quote what a respondent typed (``invalid
    literal for int(): '…'``; PostgreSQL's ``out of range: "…"``). Connection
    and timeout errors do not, and are what an administrator needs to read."""
    import sqlalchemy.exc

    from survey.core.errors import SurveyError

    safe = (OSError, sqlalchemy.exc.OperationalError, sqlalchemy.exc.TimeoutError, SurveyError)
    return not isinstance(exc, safe)


class PrivacyFormatter(logging.Formatter):
    """A formatter whose tracebacks keep the frames and drop risky messages."""

    def __init__(self, fmt: str | None = LOG_FORMAT, datefmt: str | None = None) -> None:
        super().__init__(fmt, datefmt)

    def formatException(
        self,
        ei: tuple[type[BaseException], BaseException, TracebackType | None]
        | tuple[None, None, None],
    ) -> str:
        if ei[1] is None:
            return ""
        exc = ei[1]
        te = traceback.TracebackException.from_exception(exc)
        current: traceback.TracebackException | None = te
        seen: set[int] = set()
        chain: BaseException | None = exc
        while current is not None and chain is not None and id(current) not in seen:
            seen.add(id(current))
            if _withhold_message(chain):
                current._str = "(message withheld: it may quote an answer)"  # type: ignore[attr-defined]
                current.__notes__ = None
            nxt = current.__cause__ or (
                None if current.__suppress_context__ else current.__context__
            )
            chain = chain.__cause__ or (None if chain.__suppress_context__ else chain.__context__)
            current = nxt
        return redact("".join(te.format()).rstrip("\n"))

    def format(self, record: logging.LogRecord) -> str:
        # Another handler may have cached its own rendering of the traceback.
        cached, record.exc_text = record.exc_text, None
        try:
            return redact(super().format(record))
        finally:
            record.exc_text = cached


class RedactFilter(logging.Filter):
    """Rewrites a record's message (with its arguments) through ``redact``."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def init_app(app: Flask) -> None:
    default_handler.setFormatter(
        PrivacyFormatter("[%(asctime)s] %(levelname)s in %(module)s: %(message)s")
    )

    def log_exception(exc_info) -> None:
        # Flask's own writes "Exception on /s/<the token>/6 [POST]".
        app.logger.error(
            "Exception on %s [%s]", route_of_request(), request.method, exc_info=exc_info
        )

    app.log_exception = log_exception  # type: ignore[method-assign]

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


class PlainFormatter(PrivacyFormatter):
    """Strips colour codes, so that a log file holds plain text."""

    def format(self, record: logging.LogRecord) -> str:
        return _ANSI.sub("", super().format(record))


def plain_log_handler(stream=None) -> logging.Handler:
    """A handler for ``survey serve``: colours on a terminal, plain text anywhere else."""
    stream = stream or sys.stderr
    handler = logging.StreamHandler(stream)
    fmt = "%(asctime)s %(name)s %(message)s"
    is_terminal = getattr(stream, "isatty", lambda: False)()
    handler.setFormatter(PrivacyFormatter(fmt) if is_terminal else PlainFormatter(fmt))
    handler.addFilter(RedactFilter())
    return handler
