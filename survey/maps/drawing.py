"""The choropleth as a reportlab Drawing: vector paths, hatch lines, embedded fonts.

A Drawing is a platypus Flowable, so a report puts it into its story as it is (or draws
it on a canvas with ``renderPDF.draw``). Text goes through the PDF toolkit (shaping, right
to left, a face per script), so a district's name is drawn with the embedded fonts. The
hatch of a suppressed district is drawn as lines clipped by computation
(``geometry.hatch_lines``), not left to a clipping path: every viewer and printer draws it
the same.
"""

from __future__ import annotations

from reportlab.graphics.shapes import Drawing, Group, Line, Path, Rect, String
from reportlab.lib.colors import HexColor, white

from survey.maps.choropleth import BORDER, HATCH_INK, Choropleth, State, place_labels, ticks
from survey.maps.geometry import hatch_lines, rings_of
from survey.pdf.fonts import fonts
from survey.pdf.text import Style, layout

LABEL_SIZE = 8.0
LEGEND_SIZE = 8.0
ROW = 12.5
#: the most one class of the legend's ramp may take
RAMP_STEP = 30.0
HATCH_SPACING = 3.6
GAP = 8.0


def drawing(choropleth: Choropleth, width: float = 453.0) -> Drawing:
    """The map ``width`` points wide (16 cm fit an A4 page with margins), legend below."""
    scale = width / choropleth.width
    map_height = choropleth.height * scale
    # labels first: those without room on the map are named in the legend's notes; the
    # boxes are measured in points and placed in the map's units
    boxes = {}
    for area in choropleth.areas:
        full, bare = _texts(area, True), _texts(area, False)
        boxes[area.name] = (_box(full, 1 / scale), _box(bare, 1 / scale))
    placed, crowded = place_labels(choropleth, boxes)
    legend, legend_height = _legend(choropleth, width, crowded)
    total = map_height + GAP + legend_height
    # Without this the renderer begins with Helvetica, a font that is never embedded.
    canvas = Drawing(width, total, initialFontName=fonts().latin.name)

    def at(point):
        return point[0] * scale, total - point[1] * scale

    areas = Group()
    hatches = Group()
    borders = Group()
    for area in choropleth.areas:
        rings = [[at(p) for p in ring] for ring in rings_of(area.shape)]
        fill = HexColor(choropleth.fill_of(area))
        areas.add(_path(rings, fill=fill, stroke=None))
        # one group per area, in the order of ``choropleth.areas`` (empty unless suppressed)
        group = Group()
        if area.state is State.SUPPRESSED:
            for (x1, y1), (x2, y2) in hatch_lines(rings, HATCH_SPACING):
                group.add(Line(x1, y1, x2, y2, strokeColor=HexColor(HATCH_INK), strokeWidth=0.8))
        hatches.add(group)
        borders.add(_path(rings, fill=None, stroke=HexColor(BORDER)))
    canvas.add(areas, name="areas")
    canvas.add(hatches, name="hatches")
    canvas.add(borders, name="borders")
    for area in choropleth.areas:
        if area.name == choropleth.highlight:
            rings = [[at(p) for p in ring] for ring in rings_of(area.shape)]
            heavy = _path(rings, fill=None, stroke=HexColor("#111111"))
            heavy.strokeWidth = 2.0
            canvas.add(heavy, name="highlight")
    labels = Group()
    areas = {a.name: a for a in choropleth.areas}
    for label in placed:
        x, y = at(label.at)
        labels.add(_label(_texts(areas[label.name], label.with_value), x, y))
    canvas.add(labels, name="labels")
    legend.translate(0, 0)
    canvas.add(legend, name="legend")
    return canvas


def _path(rings, fill, stroke) -> Path:
    path = Path(
        fillColor=fill,
        strokeColor=stroke,
        strokeWidth=0.7 if stroke is not None else 0,
        strokeLineJoin=1,
    )
    for ring in rings:
        (x0, y0), *rest = ring
        path.moveTo(x0, y0)
        for x, y in rest[:-1]:
            path.lineTo(x, y)
        path.closePath()
    return path


def _lines_of(text: str, size: float, bold: bool, width: float = 10_000):
    return layout(text, width, Style(size=size, bold=bold), rtl=False)


def _strings(line, left: float, baseline: float, size: float) -> list[String]:
    found = []
    x = left
    for run in line.runs:
        found.append(String(x, baseline, run.text, fontName=run.face.name, fontSize=size))
        x += run.width
    return found


def _texts(area, with_value: bool) -> list[tuple[str, bool]]:
    texts = [(area.name, True)]
    if with_value and area.state is State.VALUE and area.value_text:
        texts.append((area.value_text, False))
    return texts


def _box(texts, factor: float = 1.0) -> tuple[float, float]:
    """The label's box in points (times ``factor``: the map's units)."""
    lines = [_lines_of(text, LABEL_SIZE, bold)[0] for text, bold in texts]
    return (
        (max(line.width for line in lines) + 6) * factor,
        (len(lines) * (LABEL_SIZE + 1.6) + 3) * factor,
    )


def _label(texts, x: float, y: float) -> Group:
    """A label centred on ``x``, ``y`` (placed by ``choropleth.place_labels``)."""
    lines = [_lines_of(text, LABEL_SIZE, bold)[0] for text, bold in texts]
    box_w, box_h = _box(texts)
    group = Group()
    group.add(
        Rect(x - box_w / 2, y - box_h / 2, box_w, box_h, rx=2, ry=2,
             fillColor=white, fillOpacity=0.85, strokeColor=None)
    )  # fmt: skip
    baseline = y + box_h / 2 - 1.5 - LABEL_SIZE * 0.8
    for line in lines:
        for shape in _strings(line, x - line.width / 2, baseline, LABEL_SIZE):
            group.add(shape)
        baseline -= LABEL_SIZE + 1.6
    return group


def _legend(choropleth: Choropleth, width: float, crowded=()) -> tuple[Group, float]:
    """A ramp of the five classes with their bounds under it, beside it the hatch and
    the empty districts, under all the districts without outline. Laid out from the top
    down; the group's y = 0 is the legend's bottom (the map stands above it)."""
    # at least 24 points a class: narrower, "80" and "100 %" run into each other (seen on
    # a half-page map)
    step = min(RAMP_STEP, max(24.0, width * 0.09))
    ramp_x = len(choropleth.classes) * step + 16
    specials = []
    if choropleth.has(State.SUPPRESSED):
        specials.append(("hatch", choropleth.suppressed_label))
    if choropleth.has(State.EMPTY):
        specials.append(("#ffffff", choropleth.empty_label))
    placed = []  # (y from top, fill, lines)
    y = 0.0
    for fill, label in specials:
        lines = _lines_of(label, LEGEND_SIZE, False, width - ramp_x - 20)
        placed.append((y, fill, lines))
        y += ROW + (len(lines) - 1) * (LEGEND_SIZE + 2)
    y = max(y, 9 + 3 + LEGEND_SIZE + 2)
    notes = []
    if choropleth.unmapped:
        from flask_babel import gettext as _

        text = _("Ohne Umriss: %(names)s", names=", ".join(choropleth.unmapped))
        for line in _lines_of(text, LEGEND_SIZE, False, width):
            y += LEGEND_SIZE + 3
            notes.append((y, line))
        y += 2
    if crowded:
        from flask_babel import gettext as _

        text = _("Zu klein für die Beschriftung: %(names)s", names=", ".join(crowded))
        for line in _lines_of(text, LEGEND_SIZE, False, width):
            y += LEGEND_SIZE + 3
            notes.append((y, line))
        y += 2
    height = y
    group = Group()
    border = HexColor(BORDER)
    for map_class in choropleth.classes:
        group.add(
            Rect(map_class.index * step, height - 10, step, 9,
                 fillColor=HexColor(map_class.colour), strokeColor=border, strokeWidth=0.6)
        )  # fmt: skip
    for i, tick in enumerate(ticks(choropleth)):
        line = _lines_of(tick, LEGEND_SIZE, False)[0]
        # centred on its bound; the first starts at the ramp's edge
        left = i * step - (0 if i == 0 else line.width / 2)
        for shape in _strings(line, left, height - 11 - LEGEND_SIZE, LEGEND_SIZE):
            group.add(shape)
    for top, fill, lines in placed:
        box_y = height - top - 10
        x = ramp_x
        if fill == "hatch":
            group.add(Rect(x, box_y, 16, 9, fillColor=white, strokeColor=None))
            square = [
                [(x, box_y), (x + 16, box_y), (x + 16, box_y + 9), (x, box_y + 9), (x, box_y)]
            ]
            for (x1, y1), (x2, y2) in hatch_lines(square, 2.6):
                group.add(Line(x1, y1, x2, y2, strokeColor=HexColor(HATCH_INK), strokeWidth=0.7))
            group.add(Rect(x, box_y, 16, 9, fillColor=None, strokeColor=border, strokeWidth=0.6))
        else:
            group.add(
                Rect(x, box_y, 16, 9, fillColor=HexColor(fill), strokeColor=border, strokeWidth=0.6)
            )
        baseline = box_y + 1.5
        for line in lines:
            for shape in _strings(line, x + 21, baseline, LEGEND_SIZE):
                group.add(shape)
            baseline -= LEGEND_SIZE + 2
    for top, line in notes:
        for shape in _strings(line, 0, height - top, LEGEND_SIZE):
            group.add(shape)
    return group, height
