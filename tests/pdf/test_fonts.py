from __future__ import annotations

import pytest
from reportlab.lib.pagesizes import A4

from survey.pdf import fonts as fonts_module
from survey.pdf.document import new_canvas
from survey.pdf.fonts import FontsMissing, fonts


def test_fonts_come_from_the_debian_packages():
    found = fonts()
    assert found.latin.path.name in ("DejaVuSans.ttf", "NotoSans-Regular.ttf")
    assert found.latin.has("ş") and found.latin.has("ț") and found.latin.has("Ж")
    assert found.arabic.has("ب") and found.arabic.has("پ")


def test_noto_arabic_is_preferred_where_installed():
    installed = fonts_module._find("NotoSansArabic-Regular.ttf", fonts_module.FONT_DIRS)
    if installed is None:
        pytest.skip("fonts-noto-core is not installed")
    assert fonts().arabic.path == installed


def test_no_fonts_is_a_clear_error_naming_the_package(tmp_path, monkeypatch):
    monkeypatch.setenv("SURVEY_FONT_DIRS", str(tmp_path))
    with pytest.raises(FontsMissing, match="fonts-dejavu-core"):
        new_canvas(tmp_path / "x.pdf", A4, "x", "de")
