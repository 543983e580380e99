"""Breakdowns computed beside the web request that asked for them, not inside it.

A download that needs a closed campaign's breakdowns (its breakdowns CSV, any XLSX)
finds them kept (``survey.reports.stored``) or has them computed here, in a thread of
the worker process, while the request waits a few seconds (``REPORT_WAIT_SECONDS``):
a small campaign's file comes at once, a large one's page says it is being prepared
and asks again by itself. The thread opens its own application context and database
session (removed when the context ends); two workers that miss the same campaign take turns on the store's lock, and
the second finds the first one's result.
"""

from __future__ import annotations

import logging
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from flask import Flask

log = logging.getLogger(__name__)

_guard = threading.Lock()
#: (process id, pool): a pool made before a fork (gunicorn --preload) has no thread
_pool: tuple[int, ThreadPoolExecutor] | None = None
#: (store, key of the inputs) -> its computation, while it runs
_running: dict[tuple[Path, str], Future] = {}


def store_folder(app: Flask) -> Path:
    """Where kept breakdowns live: ``REPORT_STORE``, else ``reports`` in the instance
    folder."""
    return Path(app.config.get("REPORT_STORE") or Path(app.instance_path) / "reports")


def start(app: Flask, slug: str, key: str, k: int) -> Future:
    """The computation of campaign ``slug``'s breakdowns whose inputs have ``key``:
    the running one, or a new one."""
    global _pool
    with _guard:
        if _pool is None or _pool[0] != os.getpid():
            # one at a time per process: each takes a core for a large campaign
            _pool = (os.getpid(), ThreadPoolExecutor(1, thread_name_prefix="breakdowns"))
            _running.clear()
        job = (store_folder(app), key)
        running = _running.get(job)
        if running is None:
            running = _pool[1].submit(_compute, app, slug, k)
            _running[job] = running
            running.add_done_callback(lambda _done: _forget(job))
        return running


def _forget(job: tuple[Path, str]) -> None:
    with _guard:
        _running.pop(job, None)


def _compute(app: Flask, slug: str, k: int) -> None:
    from survey.extensions import db
    from survey.questionnaires.registry import registry
    from survey.reports import services

    with app.app_context():
        try:
            services.build(
                db.session,
                slug,
                registry().all(),
                k,
                with_breakdowns=True,
                store=store_folder(app),
            )
        except Exception:
            # the next download asks again; the campaign's slug is no personal data
            log.exception("breakdowns of campaign %s could not be computed", slug)
            raise
