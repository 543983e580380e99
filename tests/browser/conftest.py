"""The respondent pages in a real browser: Debian's Chromium driven by Playwright against
the app served from a thread, at the size of a small phone.

These tests are marked ``browser``. Without Chromium (or playwright) they are skipped
locally, but fail when ``CI`` is set: CI must always run them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from browser import harness
from sqlalchemy import delete

from survey import create_app
from survey.config import Defaults
from survey.core.db import Base
from survey.distribution.services import ensure_demo
from survey.extensions import db


def pytest_collection_modifyitems(config, items):
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_ready() -> None:
    reason = harness.missing()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def axe_script(browser_ready) -> str:
    return str(harness.ensure_axe())


@pytest.fixture(scope="session")
def site(browser_ready, database_url: str) -> Iterator[dict]:
    """The app with the shipped questionnaires and translations, served on a real port
    (``SURVEY_BROWSER_PORT``, default: any free one); the demo world's links."""
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "browser-tests",
            "QUESTIONNAIRE_DIR": Defaults.QUESTIONNAIRE_DIR,
        }
    )
    with app.app_context():
        links: dict[str, str] = {}
        for link in ensure_demo(db.session):
            links.setdefault(link.audience, link.token)
    port = int(os.environ.get("SURVEY_BROWSER_PORT", "0"))
    with harness.serving(app, port) as base:
        yield {"app": app, "base": base, "links": links}
    with app.app_context(), db.engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(delete(table))
    app.extensions["survey_db"].engine.dispose()


@pytest.fixture(scope="session")
def chromium(browser_ready):
    with harness.chromium() as browser:
        yield browser
