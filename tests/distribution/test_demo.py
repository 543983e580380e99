"""``survey demo`` builds the demo world idempotently and prints one URL per line."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from survey.distribution.models import Link, School
from survey.extensions import db


def test_demo_prints_one_respondent_url_per_line_and_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    lines = first.stdout.splitlines()
    assert len(lines) == 12  # three schools x four audiences
    assert all(re.fullmatch(r"http://127\.0\.0\.1:5000/s/[a-z2-9]{12}", line) for line in lines)
    again = runner.invoke(args=["demo", "--base-url", "https://mitwirken.example/"])
    assert [u.rsplit("/", 1)[1] for u in again.stdout.splitlines()] == [
        u.rsplit("/", 1)[1] for u in lines
    ]
    assert again.stdout.startswith("https://mitwirken.example/s/")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Link)) == 12
        assert db.session.scalar(select(func.count()).select_from(School)) == 3


def test_every_demo_link_opens(app):
    runner = app.test_cli_runner()
    urls = runner.invoke(args=["demo"]).stdout.splitlines()
    client = app.test_client()
    for url in urls:
        assert client.get(url.split("5000", 1)[1]).status_code == 200


def test_demo_reopens_what_was_closed(app, links):
    with app.app_context():
        db.session.get(Link, links["families"]).revoked = True
        db.session.commit()
    app.test_cli_runner().invoke(args=["demo"])
    assert app.test_client().get(f"/s/{links['families']}").status_code == 200
