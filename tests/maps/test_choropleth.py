"""The choropleth: classes, and what SVG and PDF show of a suppressed district (nothing but
its name, hatched)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from pdfcheck import assert_fonts_embedded, need, pages, text
from reportlab.graphics import renderPDF
from reportlab.lib.pagesizes import A4

from survey.distribution.outlines import DEMO_FILE, parse
from survey.maps import choropleth, drawing, svg
from survey.maps.choropleth import State
from survey.maps.geometry import inside, rings_of, signed_distance
from survey.pdf.document import new_canvas

SVG = "{http://www.w3.org/2000/svg}"
#: the share the engine hid for Mitte: it must appear nowhere (it never reaches the map)
HIDDEN = 37.5


@pytest.fixture
def outlines():
    return {o.name: o.shape for o in parse(DEMO_FILE.read_bytes())}


@pytest.fixture
def context(app):
    with app.test_request_context():
        yield


def demo_map(outlines, **kw):
    return choropleth.build(
        kw.pop("title", "Familien: mehr Information erwünscht"),
        outlines,
        kw.pop("shares", {"Nord": 62.4, "Süd": 18.0}),
        kw.pop("suppressed", {"Mitte"}),
        5,
        **kw,
    )


@pytest.mark.parametrize(
    ("value", "index"),
    [
        (0, 0),
        (19.9, 0),
        (20, 1),
        (39.9, 1),
        (40, 2),
        (59.9, 2),
        (60, 3),
        (79.9, 3),
        (80, 4),
        (100, 4),
    ],
)
def test_fixed_classes_of_twenty_points(value, index):
    assert choropleth.class_of(value) == index


def test_legend_labels_and_a_palette_that_darkens_in_greyscale(context):
    labels = [c.label for c in choropleth.classes()]
    assert labels == [
        "unter 20\u00a0%",
        "20 bis unter 40\u00a0%",
        "40 bis unter 60\u00a0%",
        "60 bis unter 80\u00a0%",
        "80\u00a0% und mehr",
    ]

    def grey(colour: str) -> float:
        r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    greys = [grey(c) for c in choropleth.PALETTE]
    assert all(a - b > 25 for a, b in zip(greys, greys[1:], strict=False))  # apart on paper
    assert 255 - greys[0] > 25  # and the lightest apart from an empty (white) district


def test_the_model_has_no_value_for_a_suppressed_district(context, outlines):
    chart = demo_map(outlines)
    by_name = {a.name: a for a in chart.areas}
    assert by_name["Mitte"].state is State.SUPPRESSED
    assert by_name["Mitte"].value is None and by_name["Mitte"].value_text is None
    assert by_name["Nord"].class_index == 3 and by_name["Süd"].class_index == 0
    for area in chart.areas:
        assert inside(area.label_at, rings_of(area.shape))
    with pytest.raises(ValueError, match="both published and suppressed"):
        demo_map(outlines, shares={"Mitte": HIDDEN}, suppressed={"Mitte"})


def test_districts_without_answers_or_without_outline(context, outlines):
    chart = demo_map(outlines, shares={"Nord": 50.0, "Ost": 70.0}, suppressed={"West"})
    assert {a.name: a.state for a in chart.areas} == {
        "Nord": State.VALUE,
        "Mitte": State.EMPTY,
        "Süd": State.EMPTY,
    }
    assert chart.unmapped == (
        "Ost (70\u00a0%)",
        "West (nicht ausgewiesen (weniger als 5 Antworten oder geschützt))",
    )
    assert choropleth.build("leer", {}, {}, (), 5) is None


def test_svg_hatches_the_suppressed_district_and_shows_no_value_for_it(context, outlines):
    markup = str(svg.render(demo_map(outlines), "karte-1"))
    root = ET.fromstring(markup)  # well-formed
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Familien: mehr Information erwünscht"
    paths = {p.get("data-district"): p for p in root.iter(f"{SVG}path")}
    assert paths["Mitte"].get("fill") == "url(#karte-1-hatch)"
    assert paths["Mitte"].get("data-state") == "suppressed"
    assert root.find(f".//{SVG}pattern[@id='karte-1-hatch']") is not None
    assert paths["Nord"].get("fill") == choropleth.PALETTE[3]
    labels = {
        g.get("data-label"): [t.text for t in g.iter(f"{SVG}text")]
        for g in root.iter(f"{SVG}g")
        if g.get("data-label")
    }
    assert labels == {
        "Nord": ["Nord", "62,4\u00a0%"],
        "Mitte": ["Mitte"],
        "Süd": ["Süd", "18\u00a0%"],
    }
    words = " ".join(root.itertext())  # every text a reader or a screen reader meets
    legend_bounds = {f"{b}\u00a0%" for b in (20, 40, 60, 80, 100)}  # "unter 20 %", …
    shown = set(re.findall(r"\d+(?:,\d)?\u00a0%", words)) - legend_bounds
    assert shown == {"62,4\u00a0%", "18\u00a0%"}
    assert "37,5" not in words
    legend = [g.get("data-legend") for g in root.iter(f"{SVG}g") if g.get("data-legend")]
    assert legend == ["class"] * 5 + ["suppressed"]
    desc = root.find(f"{SVG}desc").text
    assert "Mitte: nicht ausgewiesen" in desc and "Nord: 62,4\u00a0%" in desc


def test_svg_escapes_names_and_titles(context, outlines):
    hostile = {'<script>alert("x")</script> & Co': outlines["Nord"], "Süd": outlines["Süd"]}
    markup = str(
        svg.render(choropleth.build('"><b>Titel</b>', hostile, {"Süd": 10.0}, set(), 5), 'x"><y')
    )
    assert "<script>" not in markup and "<b>" not in markup
    root = ET.fromstring(markup)
    names = {p.get("data-district") for p in root.iter(f"{SVG}path")}
    assert names == {'<script>alert("x")</script> & Co', "Süd"}
    assert root.find(f"{SVG}title").text == '"><b>Titel</b>'
    assert root.get("aria-labelledby") == "x---y-title x---y-desc"


def _pdf(tmp_path, chart, width=453.0):
    path = tmp_path / "karte.pdf"
    canvas = new_canvas(path, A4, "Karte", "de")
    picture = drawing.drawing(chart, width)
    renderPDF.draw(picture, canvas, 60, A4[1] - 60 - picture.height)
    canvas.showPage()
    canvas.save()
    return path, picture


def test_pdf_hatches_the_suppressed_district_and_shows_no_value_for_it(context, outlines, tmp_path):
    chart = demo_map(outlines)
    path, picture = _pdf(tmp_path, chart)
    assert_fonts_embedded(path)
    found = text(path)
    assert {"Nord", "Mitte", "Süd"} <= {line.strip() for line in found.splitlines()}
    # the legend: the ramp's bounds and the hatch explained
    assert re.search(r"0\s+20\s+40\s+60\s+80\s+100\s%", found)
    assert "nicht ausgewiesen" in found
    # (pdftotext gives the no-break space as a space; 100 % is the legend's end)
    shown = {m.replace("\u00a0", " ") for m in re.findall(r"\d+(?:,\d)?\s%", found)}
    assert shown - {"100 %"} == {"62,4 %", "18 %"}
    assert "37,5" not in found
    # the vector drawing: hatch lines for Mitte only, every one inside Mitte
    hatches = picture.hatches.contents
    counts = {
        area.name: len(group.contents) for area, group in zip(chart.areas, hatches, strict=True)
    }
    assert counts["Mitte"] > 20 and counts["Nord"] == counts["Süd"] == 0
    # and on the page: dark and light pixels alternate inside Mitte, Süd is flat green
    need("pdftoppm")
    png = pages(path, tmp_path, dpi=72)[0]
    from PIL import Image

    image = Image.open(png).convert("L")
    page_height = A4[1]
    left, bottom = 60, A4[1] - 60 - picture.height

    def tones(name: str) -> tuple[float, float]:
        """The shares of white (paper) and of dark (ink) pixels inside the district."""
        area = next(a for a in chart.areas if a.name == name)
        scale = 453.0 / chart.width
        shape = [[(x * scale, y * scale) for x, y in ring] for ring in rings_of(area.shape)]
        label_x, label_y = area.label_at[0] * scale, area.label_at[1] * scale
        white = dark = total = 0
        for gx in range(0, 453, 5):
            for gy in range(0, int(chart.height * scale), 5):
                if signed_distance((gx, gy), shape) < 6 or (
                    abs(gx - label_x) < 40 and abs(gy - label_y) < 20
                ):
                    continue
                # drawing y runs down from the map's top; the page's pixel rows too
                px, py = left + gx, page_height - (bottom + picture.height) + gy
                grey = image.getpixel((int(px), int(py)))
                total += 1
                white += grey > 240
                dark += grey < 170
        assert total > 20
        return white / total, dark / total

    # the hatch: ink (58 of 255) on white; Nord (124) and Süd (222) are flat fills
    white, dark = tones("Mitte")
    assert white > 0.2 and dark > 0.05, (white, dark)
    assert tones("Nord") == (0, 1)
    assert tones("Süd") == (0, 0)


def _crowded_world():
    """A big district beside a cluster of twelve tiny ones with long names: not every
    name and value fits on the map."""

    def square(x, y, size):
        return ((((x, y), (x + size, y), (x + size, y + size), (x, y + size), (x, y)),),)

    shapes = {"Großer Bezirk im Westen": square(7.0, 51.0, 0.2)}
    for i in range(4):
        for j in range(3):
            shapes[f"Kleinstbezirk Nummer {i}{j}"] = square(7.2 + 0.01 * i, 51.0 + 0.01 * j, 0.01)
    shares = {name: 10.0 + 7.3 * n for n, name in enumerate(sorted(shapes))}
    hidden = "Kleinstbezirk Nummer 11"
    del shares[hidden]
    return shapes, shares, hidden


def _overlapping(boxes):
    return [
        (a, b)
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
    ]


def test_labels_never_overlap_and_what_has_no_room_is_named_under_the_map(context, tmp_path):
    shapes, shares, hidden = _crowded_world()
    chart = choropleth.build("Eng", shapes, shares, {hidden}, 5)
    root = ET.fromstring(str(svg.render(chart, "eng")))
    boxes = []
    for g in root.iter(f"{SVG}g"):
        if g.get("data-label"):
            rect = g.find(f"{SVG}rect")
            x, y = float(rect.get("x")), float(rect.get("y"))
            boxes.append((x, y, x + float(rect.get("width")), y + float(rect.get("height"))))
    assert boxes and _overlapping(boxes) == []
    words = " ".join(root.itertext())
    note = " ".join(t.text for t in root.iter(f"{SVG}text") if t.get("data-note") == "crowded")
    assert note.startswith("Zu klein für die Beschriftung:")
    # every published value stands on the map or in the note; the hidden one nowhere
    for name in shares:
        assert chart.areas[[a.name for a in chart.areas].index(name)].value_text in words
    assert f"{hidden} (" not in words
    # the PDF: the labels' boxes (white rectangles of the labels group) apart, the note there
    picture = drawing.drawing(chart, 220.0)
    labels = picture.contents[["areas", "hatches", "borders", "labels"].index("labels")]
    rects = []
    for group in labels.contents:
        r = group.contents[0]
        rects.append((r.x, r.y, r.x + r.width, r.y + r.height))
    assert rects and _overlapping(rects) == []
    path, _picture = _pdf(tmp_path, chart, 220.0)
    assert "Zu klein für die Beschriftung" in text(path)
