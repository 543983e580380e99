"""What the renderers print: only the model's figures (which are the engine's), page
numbers, a table of contents, embedded fonts, and hostile free text as plain text."""

from __future__ import annotations

import html as html_module
import re
import unicodedata

import pdfcheck
import pytest
from document_worlds import HOSTILE, K, build_world, load, shown_values

from survey.core.suppress import LEVELS
from survey.documents import html, model, pdf, services

#: a number as a German report prints it, standing alone (not inside a word or a hash)
NUMBER = re.compile(r"(?<![\w.,])\d{1,3}(?:\.\d{3})*(?:,\d+)?(?![\w]|,\d)")


def _number(token: str) -> float:
    return float(token.replace(".", "").replace(",", "."))


def _allowed(report, pages: int) -> set[float]:
    found = {s.value for s in shown_values(report) if s.value is not None}
    found |= set(range(1, pages + 1))  # page numbers, ranks, the table of contents
    found |= {float(report.k), 100.0, 1.0, 12.0, 2026.0}  # "weniger als k", "100 %", the date
    return {round(float(x), 3) for x in found}


def _unexplained(text: str, allowed: set[float]) -> list[str]:
    return [t for t in NUMBER.findall(text) if round(_number(t), 3) not in allowed]


@pytest.fixture
def src(app):
    build_world(app, hostile=True)
    with app.app_context():
        yield load(app)


def _reports(src, analyst=True):
    for level in LEVELS:
        for unit in model.units(src, level):
            yield model.build(src, level, unit, ["families", "staff"], analyst=analyst)


def test_every_number_in_every_pdf_is_a_figure_of_the_report(app, src, tmp_path):
    with app.test_request_context():
        for report in _reports(src, analyst=False):
            path = tmp_path / "r.pdf"
            path.write_bytes(pdf.render(report))
            pages = pdfcheck.page_count(path)
            text = pdfcheck.text(path)
            assert _unexplained(text, _allowed(report, pages)) == [], report.unit
            assert f"Seite 1 von {pages}" in text and f"Seite {pages} von {pages}" in text
            assert (
                "Inhalt" in text and "Kernergebnisse" in text and "Methoden und Lesehilfe" in text
            )
            pdfcheck.assert_fonts_embedded(path)


def test_every_number_in_every_page_is_a_figure_of_the_report(app, src):
    with app.test_request_context():
        for report in _reports(src, analyst=False):
            page = html.render(report, standalone=True)
            text = html_module.unescape(re.sub(r"<[^>]+>", " ", page.split("<body>", 1)[1]))
            assert _unexplained(text, _allowed(report, 40)) == [], report.unit


def test_a_small_schools_figures_appear_nowhere(app, src, tmp_path):
    small = next(u for u in model.units(src, "school")
                 if src.built.figures.names[("school", u)] == "Kleine Schule")  # fmt: skip
    with app.test_request_context():
        report = model.build(src, "school", small, ["families"])
        path = tmp_path / "small.pdf"
        path.write_bytes(pdf.render(report))
        text = pdfcheck.text(path)
        page = html.render(report, standalone=True)
    assert f"weniger als {K}" in text and f"weniger als {K}" in page
    # the school's three families: no count of 3 (nor 1 or 2) stands next to the school
    for line in text.splitlines():
        if line.strip().startswith("diese Schule"):
            assert not re.search(r"n = [123]\b", line), line


def _analyst_report(src, name="Nordschule"):
    unit = next(
        u for u in model.units(src, "school") if src.built.figures.names[("school", u)] == name
    )
    return unit


def test_hostile_free_text_renders_as_text_in_the_pdf(app, src, tmp_path):
    with app.app_context():
        from survey.extensions import db

        report = services.report(
            db.session, src, "school", _analyst_report(src), ["families"], analyst=True
        )
    with app.test_request_context():
        data = pdf.render(report)
    path = tmp_path / "hostile.pdf"
    path.write_bytes(data)
    assert data.startswith(b"%PDF-") and data.count(b"%PDF-") == 1  # the answer is no header
    text = pdfcheck.text(path)
    # the answers are listed in random order, so a long one may run across a page break:
    # read the pages without their footers ("Bericht: …", "Seite x von y")
    body = "".join(
        line
        for line in text.splitlines()
        if not re.fullmatch(r"\f?(Bericht: .*|Seite \d+ von \d+)", line.strip())
    )
    flat = re.sub(r"\s+", "", body)
    assert '<b>fett</b>&<script>alert("x")</script>&amp;<para>' in flat
    assert "%PDF-1.4)TjETBT/F199Tf(gefälscht" in flat
    assert "Wort" + "x" * 296 in flat  # broken over lines, every letter kept
    assert "Danke" in text and "füralles" in flat
    # emoji drawn by a symbol face (fonts-symbola) and read back as written, or, where no
    # face has them, a visible placeholder: never an empty box, never lost
    assert "Danke👍füralles❤" in flat.replace("\ufe0f", "") or "Danke\ufffdfüralles" in flat
    arabic = unicodedata.normalize("NFKC", "المعلومات")
    assert arabic in text or arabic[::-1] in text
    # scrubbed again when listed
    assert "0171" not in text and "eltern@example.org" not in text and "[entfernt]" in text
    pdfcheck.assert_fonts_embedded(path)


def test_hostile_free_text_is_escaped_in_the_page(app, src):
    with app.app_context():
        from survey.extensions import db

        report = services.report(
            db.session, src, "school", _analyst_report(src), ["families"], analyst=True
        )
    with app.test_request_context():
        page = html.render(report, standalone=True)
    assert "<script" not in page and "<para>" not in page and "<b>fett" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "&amp;amp;" in page
    assert "Wort" + "x" * 296 in page
    assert "نريد مزيدًا من المعلومات" in page and 'dir="auto"' in page
    assert "👍🏽" in page and "0171 2345678" not in page


def test_free_text_only_in_the_analysts_version_and_from_big_enough_schools(app, src):
    with app.app_context():
        from survey.extensions import db

        school = services.report(db.session, src, "school", _analyst_report(src), ["families"])
        small = services.report(db.session, src, "school", _analyst_report(src, "Kleine Schule"),
                                ["families"], analyst=True)  # fmt: skip
        district = services.report(db.session, src, "district", "Nord", ["families"], analyst=True)
    assert "freetext" not in [s.kind for s in school.sections]
    free = next(s for s in small.sections if s.kind == "freetext")
    assert free.questions == ()
    listed = next(s for s in district.sections if s.kind == "freetext")
    answers = [a for q in listed.questions for a in q.answers]
    assert HOSTILE[0] in answers  # Nordschule has 40 families: its answers are listed


def test_the_pdf_is_the_same_for_the_same_report(app, src):
    with app.test_request_context():
        report = next(_reports(src, analyst=False))
        assert pdf.render(report) == pdf.render(report)
