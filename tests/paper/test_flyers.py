from __future__ import annotations

import re

import pdfcheck
import pytest
from sqlalchemy import select

from survey.config import Defaults
from survey.distribution.links import short_code, short_url
from survey.distribution.models import Link
from survey.distribution.services import DEMO_SCHOOLS, ensure_demo
from survey.extensions import db
from survey.paper.flyers import pages_for
from survey.paper.services import PrintError, minutes, school_key
from survey.questionnaires.registry import registry

SHIPPED = pytest.mark.parametrize("app", [Defaults.QUESTIONNAIRE_DIR], indirect=True)
BASE = "https://mitwirken.example"


@pytest.fixture
def world(app):
    """The demo world; school key -> families link URL."""
    app.config["BASE_URL"] = BASE
    with app.app_context():
        links = ensure_demo(db.session)
        return {
            school_key(link.school): f"{BASE}/s/{link.token}"
            for link in links
            if link.audience == "families"
        }


def _flyers(app, tmp_path, *args):
    out = tmp_path / "out"
    result = app.test_cli_runner().invoke(
        args=["flyers", "--campaign", "demo", *args, "--out", str(out)]
    )
    return result, out


@SHIPPED
def test_one_pdf_per_school_with_every_language(app, world, tmp_path):
    result, out = _flyers(app, tmp_path, "--audience", "families", "--lang", "de,ar,tr")
    assert result.exit_code == 0, result.output
    files = sorted(out.glob("*.pdf"))
    assert len(files) == len(world) == len(DEMO_SCHOOLS)
    for pdf in files:
        assert pdfcheck.page_count(pdf) == 3  # German; Arabic + German; Turkish + German
        pdfcheck.assert_fonts_embedded(pdf)


@SHIPPED
def test_the_german_arabic_flyer(app, world, tmp_path):
    key, url = next(iter(world.items()))
    result, out = _flyers(
        app,
        tmp_path,
        "--audience",
        "families",
        "--lang",
        "de,ar",
        "--school",
        key,
        "--contact",
        "Frau Yılmaz, Schulsozialarbeit, 0209 123456",
    )
    assert result.exit_code == 0, result.output
    (pdf,) = out.glob(f"{key}-*.pdf")
    text = pdfcheck.text(pdf, first=2, last=2)
    assert url in text, (url, text)
    # the short form to type, in both columns
    assert text.count(short_url(BASE, url.rsplit("/", 1)[1])) == 2
    # Arabic letters in logical order (folded from their joined forms)
    assert "رأيكم مهم" in text
    # (poppler orders a number inside Arabic text its own way: only the words are compared)
    assert "يستغرق ذلك حوالي" in text
    with app.app_context():
        low, high = minutes(registry().get("families"))
    span = str(high) if low == high else f"{low}–{high}"
    assert f"Das dauert etwa {span} Minuten." in text
    assert "Frau Yılmaz, Schulsozialarbeit," in text
    assert "Grundschule Am Kanal" in text
    page = pdfcheck.pages(pdf, tmp_path, dpi=150)[1]
    assert sorted(pdfcheck.qr_codes(page)) == sorted([f"{url}?lang=ar", f"{url}?lang=de"])


@SHIPPED
def test_a5_two_up_german_turkish(app, world, tmp_path):
    key, url = next(iter(world.items()))
    result, out = _flyers(
        app, tmp_path, "--audience", "families", "--lang", "de,tr", "--school", key, "--two-up"
    )
    assert result.exit_code == 0, result.output
    (pdf,) = out.glob("*.pdf")
    pdfcheck.assert_fonts_embedded(pdf)
    text = pdfcheck.text(pdf, first=2, last=2)
    assert text.count(url) == 4  # two A5 flyers on the sheet, each in two languages
    assert text.count(short_code(url.rsplit("/", 1)[1])) == 4
    assert text.count("Fikriniz önemli!") == 2
    page = pdfcheck.pages(pdf, tmp_path, dpi=200)[1]
    codes = pdfcheck.qr_codes(page)
    assert sorted(codes) == sorted([f"{url}?lang=tr", f"{url}?lang=de"] * 2)


@SHIPPED
@pytest.mark.parametrize("audience", ["staff", "children", "partners"])
def test_every_audience_has_its_flyer(app, world, tmp_path, audience):
    result, out = _flyers(app, tmp_path, "--audience", audience, "--lang", "de,uk,fa")
    assert result.exit_code == 0, result.output
    files = list(out.glob("*.pdf"))
    assert len(files) == len(DEMO_SCHOOLS)
    for pdf in files:
        pdfcheck.assert_fonts_embedded(pdf)
        for page in range(1, 4):  # German; Ukrainian + German; Farsi + German
            text = pdfcheck.text(pdf, first=page, last=page)
            tokens = re.findall(r"/s/([a-z2-9]{12})", text)
            assert tokens and len(set(tokens)) == 1, (pdf.name, page)
            assert text.count(f"mitwirken.example/k/{short_code(tokens[0])}") == len(tokens)


@SHIPPED
def test_a_revoked_link_gets_no_flyer(app, world, tmp_path):
    with app.app_context():
        link = db.session.scalars(select(Link).where(Link.audience == "families")).first()
        link.revoked = True
        revoked = school_key(link.school)
        db.session.commit()
    result, out = _flyers(app, tmp_path, "--audience", "families")
    assert result.exit_code == 0
    assert f"school {revoked}: its families link is revoked" in result.output
    assert len(list(out.glob("*.pdf"))) == len(DEMO_SCHOOLS) - 1
    assert not list(out.glob(f"{revoked}-*.pdf"))


@SHIPPED
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--audience", "families", "--school", "999"], "has no school 999"),
        (["--audience", "pupils"], "no audience 'pupils'"),
        (["--audience", "families", "--lang", "de,xx"], "not offered in 'xx'"),
    ],
)
def test_wrong_requests_are_typed_errors(app, world, tmp_path, args, message):
    result, out = _flyers(app, tmp_path, *args)
    assert isinstance(result.exception, PrintError)
    assert message in str(result.exception)


def test_pages_put_each_family_language_beside_german():
    assert pages_for(["de", "ar", "tr"]) == [("de",), ("ar", "de"), ("tr", "de")]
    assert pages_for(["ar", "tr"]) == [("ar",), ("tr",)]
    assert pages_for(["de", "ar"], side_by_side=False) == [("de",), ("ar",)]


@SHIPPED
def test_the_time_is_what_the_questionnaire_promises(app):
    from survey.questionnaires.length import promised_minutes

    with app.app_context():
        for questionnaire in registry().all().values():
            promised = promised_minutes(questionnaire)
            assert promised is not None, questionnaire.id
            assert minutes(questionnaire) == promised
