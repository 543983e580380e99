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
from survey.documents import charts, html, model, pdf, services

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
    answers = [a.text for q in listed.questions for a in q.answers]
    assert HOSTILE[0] in answers  # Nordschule has 40 families: its answers are listed


def test_the_pdf_is_the_same_for_the_same_report(app, src):
    with app.test_request_context():
        report = next(_reports(src, analyst=False))
        assert pdf.render(report) == pdf.render(report)


# --- reachable, readable charts and tables -------------------------------------------------------


def test_every_scrolling_table_box_is_focusable_and_named_after_its_heading(app, src):
    with app.test_request_context():
        pages = [html.render(r, standalone=True) for r in _reports(src)]
    for page in pages:
        ids = re.findall(r'\sid="([^"]+)"', page)
        assert len(ids) == len(set(ids)), "ids are unique in the page"
        boxes = re.findall(r'<div class="tablebox"[^>]*>', page)
        assert boxes and len(boxes) == page.count('class="tablebox"')
        for box in boxes:
            assert 'tabindex="0"' in box and 'role="region"' in box, box
            named = re.search(r'aria-labelledby="([^"]+)"', box)
            assert named and named.group(1) in ids, box
    assert ".report .tablebox:focus-visible{outline:" in html.CSS


def test_bar_figures_take_their_size_from_the_text_around_them(app, src):
    with app.test_request_context():
        page = html.render(next(_reports(src)), standalone=True)
    bars = re.findall(r'<div class="bar"><svg.*?</svg></div>', page, re.S)
    assert bars and all("viewBox" not in b for b in bars)  # nothing scales the text down
    texts = [t for b in bars for t in re.findall(r"<text[^>]*>", b)]
    assert texts and not any("font-size" in t for t in texts)
    assert all(re.search(r'class="fig fit\d+"', t) for t in texts)
    css = html.CSS.replace("\n", "")
    assert re.search(r"\.report \.bar text\{font-size:[.\d]+(em|rem)\}", css)
    assert re.search(r"\.report \.brow svg\{[^}]*block-size:[.\d]+em", css)
    for step in charts.ROOM_STEPS:  # each figure hidden where its bar is too narrow for it
        assert f"@container (width < {step}em){{.report .bar .fit{step}{{display:none}}}}" in css


def _row_with_a_middle_point() -> model.ScaleRow:
    sides = charts.sides(3)
    spans = charts.stack([30.0, 26.1, 43.9], sides)
    segments = tuple(
        model.Segment(label, model.Shown(f"{v:.1f} %".replace(".", ","), v), x0, x1,
                      charts.tone_of(*side), True)
        for label, v, (x0, x1), side in zip(("nein", "teils", "ja"), (30.0, 26.1, 43.9),
                                            spans, sides, strict=True)
    )  # fmt: skip
    return model.ScaleRow("diese Schule", model.Shown("80", 80.0), segments, None)


def test_the_zero_line_leaves_the_middle_points_figure_free_in_the_page(app):
    row = _row_with_a_middle_point()
    geo = charts.Geometry((50, 50, 0), html.BAR_WIDTH)
    with app.test_request_context():
        macros = app.jinja_env.get_template("documents/_charts.html").module
        svg = str(macros.diverging(row, geo))
    assert ">26,1</text>" in svg
    lines = re.findall(r'<line class="zero"[^>]*y1="([\d.]+)%?" y2="([\d.]+)%?"', svg)
    assert lines
    # the figure stands in the middle (y 50 %, about a third of the bar's height high)
    assert all(float(y2) <= 1 / 3 * 100 or float(y1) >= 2 / 3 * 100 for y1, y2 in lines)


class _Recorder:
    """Enough of a reportlab canvas to see what a chart draws."""

    def __init__(self) -> None:
        self.lines: list[tuple[float, float, float, float]] = []
        self.texts: list[tuple[float, float, str]] = []

    def line(self, x1, y1, x2, y2):
        self.lines.append((x1, y1, x2, y2))

    def drawCentredString(self, x, y, text):  # noqa: N802 (reportlab's name)
        self.texts.append((x, y, text))

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def test_the_zero_line_leaves_the_middle_points_figure_free_in_the_pdf(app):
    row = _row_with_a_middle_point()
    geo = charts.Geometry((50, 50, 0), pdf.WIDTH - pdf.PLACE_W)
    bar = pdf.Bar(row, geo)
    bar.canv = _Recorder()
    with app.app_context():
        bar.draw()
    x, baseline, text = next(t for t in bar.canv.texts if t[2] == "26,1")
    assert abs(x - geo.zero) < 1  # the figure stands on zero
    size = 7  # the figures' size: a comma reaches below the baseline, digits to 0.73 em above
    band = (baseline - 0.2 * size, baseline + 0.8 * size)
    zero = [ln for ln in bar.canv.lines if abs(ln[0] - geo.zero) < 0.01]
    assert zero
    for _x1, y1, _x2, y2 in zero:
        low, high = sorted((y1, y2))
        assert high <= band[0] or low >= band[1], (low, high, band)
