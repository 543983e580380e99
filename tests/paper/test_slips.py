"""Slip sheets of one-time access codes, read as a person and a phone would: fonts
embedded, every code and the short link in the text, the QR codes lead to the link."""

from __future__ import annotations

import re

import pdfcheck
import pytest
from conftest import TODAY

from survey.config import Defaults
from survey.core import access_codes
from survey.distribution import links as link_service
from survey.distribution.models import AccessCode, AccessCodeBatch, Link
from survey.distribution.services import ensure_demo
from survey.extensions import db
from survey.paper.services import school_key

SHIPPED = pytest.mark.parametrize("app", [Defaults.QUESTIONNAIRE_DIR], indirect=True)
BASE = "https://mitwirken.example"
PRINTED = re.compile(rf"\b[{access_codes.ALPHABET}]{{4}}-[{access_codes.ALPHABET}]{{4}}\b")


@pytest.fixture
def families(app) -> Link:
    app.config["BASE_URL"] = BASE
    with app.app_context():
        link = next(k for k in ensure_demo(db.session) if k.audience == "families")
        db.session.expunge(link)
        return link


def _issue(app, link: Link, key: str, tmp_path, *extra):
    out = tmp_path / "slips.pdf"
    result = app.test_cli_runner().invoke(
        args=[
            "codes",
            "issue",
            "--campaign",
            "demo",
            "--school",
            key,
            "--audience",
            "families",
            *extra,
            "--out",
            str(out),
        ]
    )
    return result, out


def _key(app, link: Link) -> str:
    with app.app_context():
        return school_key(db.session.get(Link, link.token).school)


@SHIPPED
def test_the_slip_sheet_carries_every_code_the_link_and_a_working_qr(app, families, tmp_path):
    key = _key(app, families)
    result, pdf = _issue(app, families, key, tmp_path, "--count", "23", "--lang", "de,ar")
    assert result.exit_code == 0, result.output
    assert pdfcheck.page_count(pdf) == 3  # ten slips a page
    pdfcheck.assert_fonts_embedded(pdf)
    text = pdfcheck.text(pdf)
    printed = PRINTED.findall(text)
    assert len(printed) == len(set(printed)) == 23
    short = link_service.short_url(BASE, families.token)
    assert text.count(short) == 23
    assert "Er gilt für eine Antwort" in text and "الرمز صالح لإجابة واحدة" in text
    # Each printed code is one of the batch's (by its keyed hash); nothing else is stored.
    with app.app_context():
        stored = set(
            db.session.scalars(
                AccessCode.__table__.select().with_only_columns(AccessCode.code_hash)
            )
        )
        for code in printed:
            digest = access_codes.code_hash(
                "test", families.campaign_id, families.school_id, "families", code.replace("-", "")
            )
            assert digest in stored
        assert len(stored) == 23
        batch = db.session.scalar(
            AccessCodeBatch.__table__.select().with_only_columns(AccessCodeBatch.size)
        )
        assert batch == 23
    assert not any(code.replace("-", "") in pdf.name for code in printed)
    png = pdfcheck.pages(pdf, tmp_path, dpi=150)[0]
    decoded = pdfcheck.qr_codes(png)
    assert len(decoded) == 10 and set(decoded) == {link_service.full_url(BASE, families.token)}


@SHIPPED
def test_bad_requests_are_one_line_and_store_nothing(app, families, tmp_path):
    key = _key(app, families)
    for extra, message in (
        (("--count", "0"), "0"),
        (("--count", "5", "--lang", "de,ar,tr"), "zwei Sprachen"),
        (("--count", "5", "--lang", "xx"), "xx"),
    ):
        result, pdf = _issue(app, families, key, tmp_path, *extra)
        # (the `survey` command prints a SurveyError as one line: tests/test_cli.py)
        said = result.output + str(result.exception or "")
        assert result.exit_code != 0 and message in said, said
        assert not pdf.exists()
    result = app.test_cli_runner().invoke(
        args=[
            "codes",
            "issue",
            "--campaign",
            "demo",
            "--school",
            "999999",
            "--audience",
            "families",
            "--count",
            "3",
            "--out",
            str(tmp_path / "x.pdf"),
        ]
    )
    assert result.exit_code == 1 and "no school '999999'" in str(result.exception)
    with app.app_context():
        assert db.session.query(AccessCode).count() == 0


@SHIPPED
def test_codes_commands_switch_revoke_and_count(app, families, tmp_path):
    key = _key(app, families)
    runner = app.test_cli_runner()
    common = ["--campaign", "demo", "--school", key, "--audience", "families"]
    result, pdf = _issue(app, families, key, tmp_path, "--count", "4")
    assert "codes are off" in result.output
    assert runner.invoke(args=["codes", "on", *common]).exit_code == 0
    code = PRINTED.findall(pdfcheck.text(pdf))[0]
    r = runner.invoke(args=["codes", "revoke", *common, "--code", code.lower()])
    assert r.exit_code == 0, r.output
    r = runner.invoke(args=["codes", "revoke", *common, "--code", code])
    assert r.exit_code == 1 and "schon widerrufen" in str(r.exception)
    status = runner.invoke(args=["codes", "status", "--campaign", "demo"]).output
    assert f"{key}\tfamilies\ton\t4\t0\t1\t3" in status
    with app.app_context():
        batch_id = db.session.scalar(
            AccessCodeBatch.__table__.select().with_only_columns(AccessCodeBatch.id)
        )
    r = runner.invoke(args=["codes", "revoke", "--batch", str(batch_id)])
    assert r.exit_code == 0 and "3 unused code(s) revoked" in r.output
    status = runner.invoke(args=["codes", "status", "--campaign", "demo"]).output
    assert f"{key}\tfamilies\ton\t4\t0\t4\t0" in status
    assert TODAY  # the batch is dated by the frozen clock
