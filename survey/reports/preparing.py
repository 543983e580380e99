"""Breakdowns computed beside the web request that asked for them, not inside it.

A download that needs a closed campaign's breakdowns (its breakdowns CSV, any XLSX)
finds them kept (``survey.reports.stored``) or has them computed here while the request
waits a few seconds (``REPORT_WAIT_SECONDS``): a small campaign's file comes at once, a
large one's page says it is being prepared and asks again by itself.

The computation runs in a process of its own, spawned for it, that builds the app from
this one's configuration: on a 100-school campaign it takes half a minute of CPU and
some 300 MiB at its peak, which a web worker (120 MB budget) should not hold; the
process gives it all back when it ends. Two workers that miss the same campaign take
turns on the store's lock, and the second finds the first one's result.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import multiprocessing
import pickle
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from flask import Flask

log = logging.getLogger(__name__)

_guard = threading.Lock()
#: (store, key of the inputs) -> its computation, while it runs (in this process)
_running: dict[tuple[Path, str], Future] = {}


def store_folder(app: Flask) -> Path:
    """Where kept breakdowns live: ``REPORT_STORE``, else ``reports`` in the instance
    folder."""
    return Path(app.config.get("REPORT_STORE") or Path(app.instance_path) / "reports")


def start(app: Flask, slug: str, key: str, k: int) -> Future:
    """The computation of campaign ``slug``'s breakdowns: the one running under ``key``
    (the inputs' fingerprint, or the campaign's name when it has just closed), or a new
    one. Kept results are found, not computed again (``stored.compute_once``)."""
    job = (store_folder(app), key)
    with _guard:
        running = _running.get(job)
        if running is None:
            pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
            running = pool.submit(
                _compute, app.import_name, app.instance_path, portable(app.config), slug, k
            )
            pool.shutdown(wait=False)  # the process ends when its one job is done
            _running[job] = running
            running.add_done_callback(lambda done: _forget(job, slug, done))
        return running


def portable(config) -> dict:
    """The settings that can travel to another process (a setting that cannot stays
    behind; all of ours can)."""
    found = {}
    for name, value in config.items():
        with contextlib.suppress(Exception):
            pickle.dumps(value)
            found[name] = value
    return found


def app_by_name(import_name: str, instance_path: str, config: dict) -> Flask:
    """Another process's app, made by the factory found by name as ``flask --app`` finds
    it (the reports import no app), from its parent's ``portable`` settings."""
    factory = importlib.import_module(import_name).create_app
    return factory(config, instance_path=instance_path)


def _forget(job: tuple[Path, str], slug: str, done: Future) -> None:
    with _guard:
        _running.pop(job, None)
    if not done.cancelled() and done.exception() is not None:
        # the next download asks again; a campaign's slug is no personal data
        log.error("breakdowns of campaign %s could not be computed: %r", slug, done.exception())


def _compute(import_name: str, instance_path: str, config: dict, slug: str, k: int) -> None:
    """In the spawned process: the app, and the breakdowns built into its store."""
    app = app_by_name(import_name, instance_path, config)
    from survey.extensions import db
    from survey.questionnaires.registry import registry
    from survey.reports import services

    with app.app_context():
        services.build(
            db.session, slug, registry().all(), k, with_breakdowns=True, store=store_folder(app)
        )
