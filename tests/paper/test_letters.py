from __future__ import annotations

import pdfcheck
import pytest

from survey.config import Defaults
from survey.distribution.services import ensure_demo
from survey.extensions import db
from survey.i18n.catalogs import LANGUAGES
from survey.paper.services import school_key

SHIPPED = pytest.mark.parametrize("app", [Defaults.QUESTIONNAIRE_DIR], indirect=True)
BASE = "https://mitwirken.example"
EVERY = ["de", *LANGUAGES]


@SHIPPED
def test_letter_and_messages_exist_in_every_offered_language_and_carry_the_link(app, tmp_path):
    app.config["BASE_URL"] = BASE
    with app.app_context():
        link = next(k for k in ensure_demo(db.session) if k.audience == "families")
        key, url = school_key(link.school), f"{BASE}/s/{link.token}"
    out = tmp_path / "out"
    result = app.test_cli_runner().invoke(
        args=[
            "letters",
            "--campaign",
            "demo",
            "--school",
            key,
            "--lang",
            ",".join(EVERY),
            "--out",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    (letter,) = out.glob("*-brief.pdf")
    (messages,) = out.glob("*-nachrichten.txt")
    pdfcheck.assert_fonts_embedded(letter)
    assert pdfcheck.page_count(letter) == len(EVERY)
    for page, language in enumerate(EVERY, start=1):
        text = pdfcheck.text(letter, first=page, last=page)
        assert url in text, language
        if language != "de":
            assert "Liebe Eltern" not in text, f"{language}: the letter is not translated"
    (png,) = pdfcheck.pages(letter, tmp_path, dpi=150)[3:4]  # Arabic
    assert pdfcheck.qr_codes(png) == [f"{url}?lang=ar"]
    body = messages.read_text(encoding="utf-8")
    for language in EVERY:
        assert f"({language}) ===" in body
        assert f"{url}?lang={language}" in body
    assert "أولياء الأمور الأعزاء" in body
