from __future__ import annotations

import pdfcheck
import pytest

from survey.config import Defaults
from survey.distribution.links import short_code
from survey.distribution.services import ensure_demo
from survey.extensions import db
from survey.i18n.catalogs import LANGUAGES
from survey.i18n.locale import native_name as native
from survey.paper.services import school_key

SHIPPED = pytest.mark.parametrize("app", [Defaults.QUESTIONNAIRE_DIR], indirect=True)
BASE = "https://mitwirken.example"
EVERY = ["de", *LANGUAGES]


@SHIPPED
def test_letter_and_messages_exist_in_every_offered_language_and_carry_the_link(app, tmp_path):
    app.config["BASE_URL"] = BASE
    with app.app_context():
        demo = ensure_demo(db.session)
        link = next(k for k in demo if k.audience == "families")
        key, url = school_key(link.school), f"{BASE}/s/{link.token}"
        urls = {
            k.audience: f"{BASE}/s/{k.token}"
            for k in demo
            if k.school_id == link.school_id and not k.revoked
        }
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
    pdfcheck.assert_fonts_embedded(letter)
    assert pdfcheck.page_count(letter) == len(EVERY)
    for page, language in enumerate(EVERY, start=1):
        text = pdfcheck.text(letter, first=page, last=page)
        assert url in text, language
        assert f"mitwirken.example/k/{short_code(url.rsplit('/', 1)[1])}" in text, language
        if language != "de":
            assert "Liebe Eltern" not in text, f"{language}: the letter is not translated"
    (png,) = pdfcheck.pages(letter, tmp_path, dpi=150)[3:4]  # Arabic
    assert pdfcheck.qr_codes(png) == [f"{url}?lang=ar"]
    # message texts for every audience that is reached by message, each with its own link
    files = {p.name.rsplit("-", 2)[-2]: p for p in out.glob("*-nachrichten.txt")}
    assert sorted(files) == ["eltern", "kollegium", "partner"]
    greetings = {
        "eltern": ("families", "أولياء الأمور الأعزاء", "Liebe Eltern"),
        "kollegium": ("staff", "الزميلات والزملاء الأعزاء", "Liebe Kolleginnen und Kollegen"),
        "partner": ("partners", "شركاءنا الأعزاء", "Liebe Partnerinnen und Partner"),
    }
    for name, (audience, arabic, german) in greetings.items():
        body = files[name].read_text(encoding="utf-8")
        blocks = body.split("=== ")[1:]
        assert len(blocks) == len(EVERY)
        for language, block in zip(EVERY, blocks, strict=True):
            assert block.startswith(f"{native(language)} ({language}) ===")
            # the link stands on a line of its own (no bidi reordering around it)
            assert f"\n{urls[audience]}?lang={language}\n" in block, (name, language)
            if language != "de":
                assert german not in block, f"{name}/{language}: not translated"
        assert arabic in body, name
        assert german in body
