"""Warming before the fork (gunicorn --preload): what a first request would load is loaded."""

from __future__ import annotations

import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest

from survey.i18n import locale
from survey.questionnaires.registry import registry
from survey.respond.warm import warm

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = str(ROOT / "questionnaires")


@pytest.mark.parametrize("app", [SHIPPED], indirect=True)
def test_warm_loads_questionnaires_catalogs_and_templates(app):
    with app.app_context():
        assert registry()._loaded is None
        assert locale.offer()._by_part is None
    warm(app)
    with app.app_context():
        assert registry()._loaded and "families" in registry()._loaded
        assert locale.offer()._by_part is not None
    assert len(app.jinja_env.cache) > 3  # templates compiled
    warm(app)  # a second call is a no-op


@pytest.mark.parametrize("app", [SHIPPED], indirect=True)
def test_gunicorn_hooks_warm_with_and_without_preload(app):
    hooks = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    server = SimpleNamespace(
        cfg=SimpleNamespace(preload_app=False), app=SimpleNamespace(wsgi=lambda: app)
    )
    hooks["when_ready"](server)  # not preloaded: the master must not load the app
    assert not app.extensions.get("survey_warm")
    hooks["post_worker_init"](SimpleNamespace(wsgi=app))
    assert app.extensions.get("survey_warm")


@pytest.mark.parametrize("app", [SHIPPED], indirect=True)
def test_first_page_after_warm_is_served(app, links):
    warm(app)
    assert app.test_client().get(f"/s/{links['families']}").status_code == 200


def test_gunicorn_hooks_leave_other_wsgi_apps_alone():
    """The deployment's configuration also serves benchmarks/bare_app.py: nothing to warm there."""
    from flask import Flask

    hooks = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    other = Flask("other")
    hooks["post_worker_init"](SimpleNamespace(wsgi=other))  # no KeyError: 'questionnaires'
    assert "survey_warm" not in other.extensions


def test_gunicorn_control_socket_is_off_unless_given_a_path_of_its_own(monkeypatch):
    """gunicorn's default control socket is one path per user, taken over by any second instance."""
    monkeypatch.delenv("SURVEY_CONTROL_SOCKET", raising=False)
    conf = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert conf["control_socket_disable"] is True
    monkeypatch.setenv("SURVEY_CONTROL_SOCKET", "/run/mitwirken/gunicorn.ctl")
    conf = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))
    assert conf["control_socket"] == "/run/mitwirken/gunicorn.ctl"
    assert "control_socket_disable" not in conf
