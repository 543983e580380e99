from __future__ import annotations

import unicodedata

import pdfcheck
import pytest
from reportlab.lib.pagesizes import A4

from survey.pdf.document import new_canvas
from survey.pdf.text import Style, draw_text, layout

ARABIC = (
    "مرحبا بكم في مدرسة Grundschule Am Kanal (الشمال). "
    "الرابط: https://example.org/s/abc23 والهاتف 0201 123456."
)


def _visual(lines) -> str:
    return unicodedata.normalize("NFKC", "".join(r.text for r in lines[0].runs))


def test_arabic_is_shaped_and_drawn_right_to_left():
    lines = layout("مرحبا", 500, Style(), rtl=True)
    drawn = "".join(r.text for r in lines[0].runs)
    # presentation forms (joined letters), in visual order: the last letter comes first
    assert all("\ufe70" <= ch <= "\ufeff" for ch in drawn)
    assert unicodedata.normalize("NFKC", drawn) == "ابحرم"


def test_a_latin_name_inside_arabic_keeps_its_order_and_brackets_mirror_correctly():
    line = _visual(layout("في مدرسة Grundschule Am Kanal (الشمال)", 1000, Style(), rtl=True))
    assert "Grundschule Am Kanal" in line
    # visual order: the bracketed Arabic word is drawn leftmost, its brackets still enclose it
    assert line.startswith("(") and line.index("(") < line.index(")") < line.index("Grund")


def test_lines_are_wrapped_in_logical_order():
    lines = layout(ARABIC, 200, Style(size=12), rtl=True)
    assert len(lines) > 1
    firsts = unicodedata.normalize("NFKC", lines[0].logical)
    assert firsts.startswith("مرحبا"), "the first words read belong on the first line"


def test_a_phone_number_is_never_broken():
    lines = layout(ARABIC, 150, Style(size=12), rtl=True)
    assert any("0201\u00a0123456" in line.logical for line in lines)


@pytest.mark.parametrize(
    "text", ["Çocuğunuzun okulu: ş ğ ı İ", "Ваша школа: ї є ґ ъ", "școală, țară: ă â î"]
)
def test_turkish_cyrillic_and_romanian_letters_are_drawn_by_one_face(text):
    lines = layout(text, 500, Style(), rtl=False)
    assert "".join(r.text for r in lines[0].runs) == text
    assert len({r.face for r in lines[0].runs}) == 1


def test_runs_take_a_face_that_has_their_letters():
    lines = layout(ARABIC, 1000, Style(), rtl=True)
    for run in lines[0].runs:
        assert all(run.face.has(ch) for ch in run.text if ch != " ")


def test_the_pdf_embeds_its_fonts_and_reads_in_logical_order(tmp_path):
    pdf = tmp_path / "t.pdf"
    canvas = new_canvas(pdf, A4, "Test", "ar")
    draw_text(canvas, ARABIC, 50, 800, 400, Style(size=12), rtl=True)
    draw_text(canvas, "این پرسشنامه ناشناس است.", 50, 700, 400, Style(bold=True), rtl=True)
    canvas.save()
    pdfcheck.assert_fonts_embedded(pdf)
    found = pdfcheck.text(pdf)
    assert "مرحبا بكم في مدرسة" in found
    assert "https://example.org/s/abc23" in found
    assert "این پرسشنامه ناشناس است" in found


def test_a_link_is_made_smaller_rather_than_broken():
    from survey.pdf.text import fit_on_one_line

    url = "https://mitwirken.example/s/abcdefghjkmn"
    style = fit_on_one_line(url, 150, Style(size=11, bold=True), rtl=False)
    assert style.size < 11
    assert len(layout(url, 150, style, rtl=False)) == 1


EMOJI = "Danke 👍🏽 für alles ❤️ ✓ 😀"


def test_emoji_are_drawn_by_a_symbol_face_and_read_back_as_written(tmp_path):
    from survey.pdf.fonts import fonts

    if not any(f.path.stem.startswith("Symbola") for f in fonts().symbols):
        pytest.skip("fonts-symbola is not installed (.ci/apt-packages)")
    pdf = tmp_path / "emoji.pdf"
    canvas = new_canvas(pdf, A4, "Test", "de")
    draw_text(canvas, EMOJI, 50, 800, 400, Style(size=12), rtl=False)
    canvas.save()
    pdfcheck.assert_fonts_embedded(pdf)
    assert any(f["name"].endswith("Symbola") for f in pdfcheck.fonts(pdf))
    # the ToUnicode map names characters beyond U+FFFF as UTF-16 pairs: 😀 is not U+F600
    found = pdfcheck.text(pdf).replace("\ufe0f", "")
    # (the skin tone is left out: a black-and-white face draws it as a swatch of its own)
    assert "Danke 👍 für alles ❤ ✓ 😀" in found
    for run in layout(EMOJI, 1000, Style(), rtl=False)[0].runs:
        assert all(run.face.has(ch) for ch in run.text if ch != " ")


def test_without_a_symbol_face_an_emoji_becomes_a_visible_placeholder(tmp_path, monkeypatch):
    from survey.pdf import fonts as fonts_module
    from survey.pdf.text import MISSING

    dejavu = fonts_module._find("DejaVuSans.ttf", fonts_module.FONT_DIRS)
    assert dejavu is not None
    monkeypatch.setenv("SURVEY_FONT_DIRS", str(dejavu.parent))
    assert fonts_module.fonts().symbols == ()
    line = layout("Danke 👍🏽 😀!", 1000, Style(), rtl=False)[0]
    drawn = "".join(run.text for run in line.runs)
    # DejaVu has the emoticons (😀), not the thumb; the skin tone is left out
    assert drawn == f"Danke {MISSING} 😀!"
    for run in line.runs:
        assert all(run.face.has(ch) for ch in run.text)
    pdf = tmp_path / "plain.pdf"
    canvas = new_canvas(pdf, A4, "Test", "de")
    draw_text(canvas, "Danke 👍 sehr 😀", 50, 800, 400, Style(size=12), rtl=False)
    canvas.save()
    assert f"Danke {MISSING} sehr 😀" in pdfcheck.text(pdf)
