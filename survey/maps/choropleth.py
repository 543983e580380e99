"""A choropleth of one indicator by district: the model both renderers draw.

Classes: five fixed classes of 20 percentage points (under 20 %, 20 to under 40 %, …,
80 % and more), not quantiles. A municipality has a handful to a few dozen districts:
quantile breaks over so few values move with every campaign and stretch a spread of a
few points over the whole colour ramp, so the same colour would mean different shares on
two maps of one report. Fixed breaks keep "dark = most" comparable across indicators,
audiences and years, and a reader can say what a colour means without the legend's small
print.

Colours: five steps of ColorBrewer's YlGnBu (sequential, safe for the common forms of
colour blindness, and of evenly falling lightness: 222, 187, 158, 124 and 87 of 255 in
greyscale, so the classes stay apart on a black-and-white printer). Its lightest, nearly
white steps are left out so that a district without any answers (white) cannot be
mistaken for the lowest class.

A suppressed district (the engine hid its share) is drawn white with a dark diagonal
hatch and carries its name only: the model has no value for it to show. Its share never
reaches this module (``build`` takes published shares and a list of suppressed names).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from flask_babel import gettext as _

from survey.core.numbers import number_text, percent_text
from survey.maps.geometry import MultiPolygon, Point, bbox, inside, label_point, ring_area, thin
from survey.maps.projection import fit, fitted_height

#: upper bounds (exclusive) of the lower classes, in percent
BREAKS = (20.0, 40.0, 60.0, 80.0)
#: ColorBrewer YlGnBu (7 classes), steps 3 to 7
PALETTE = ("#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8")
EMPTY_FILL = "#ffffff"
HATCH_INK = "#3a3a3a"
BORDER = "#4d4d4d"
#: drawing units of the map (the SVG's viewBox width); the PDF scales to its own width
WIDTH = 400.0
#: the most a map may take in height, as a share of its width (a long thin municipality)
MAX_ASPECT = 1.15
MARGIN = 6.0


class State(StrEnum):
    VALUE = "value"
    #: the engine hid the share (fewer than k answers, or hidden so it cannot be worked out)
    SUPPRESSED = "suppressed"
    #: no answers from this district at all
    EMPTY = "empty"


@dataclass(frozen=True)
class MapClass:
    index: int
    low: float
    #: None for the top class (up to 100 %)
    high: float | None
    colour: str
    label: str


@dataclass(frozen=True)
class Area:
    name: str
    #: in drawing units, y downwards
    shape: MultiPolygon
    label_at: Point
    state: State
    #: the published share in percent; None unless ``state`` is VALUE
    value: float | None = None
    value_text: str | None = None
    class_index: int | None = None


@dataclass(frozen=True)
class Choropleth:
    title: str
    width: float
    height: float
    areas: tuple[Area, ...]
    classes: tuple[MapClass, ...]
    suppressed_label: str
    empty_label: str
    #: districts with a figure but no outline, as "name (figure)": said under the map
    unmapped: tuple[str, ...] = ()
    #: the district a district report is about: drawn with a heavy outline
    highlight: str | None = None

    def has(self, state: State) -> bool:
        return any(a.state is state for a in self.areas)

    def fill_of(self, area: Area) -> str:
        if area.state is State.VALUE and area.class_index is not None:
            return self.classes[area.class_index].colour
        return EMPTY_FILL

    def description(self) -> str:
        """The map in words, for screen readers and for anyone who cannot tell colours."""
        parts = []
        for area in sorted(self.areas, key=lambda a: a.name):
            if area.state is State.VALUE:
                parts.append(f"{area.name}: {area.value_text}")
            elif area.state is State.SUPPRESSED:
                parts.append(f"{area.name}: {self.suppressed_label}")
            else:
                parts.append(f"{area.name}: {self.empty_label}")
        return "; ".join(parts)


def classes() -> tuple[MapClass, ...]:
    bounds = (0.0, *BREAKS)
    found = []
    for index, low in enumerate(bounds):
        high = BREAKS[index] if index < len(BREAKS) else None
        if index == 0:
            label = _("unter %(high)s", high=percent_text(BREAKS[0]))
        elif high is None:
            label = _("%(low)s und mehr", low=percent_text(low))
        else:
            label = _("%(low)s bis unter %(high)s", low=number_text(low), high=percent_text(high))
        found.append(MapClass(index, low, high, PALETTE[index], label))
    return tuple(found)


def ticks(choropleth: Choropleth) -> list[str]:
    """The bounds under the legend's ramp: 0, 20, …, 100 %."""
    bounds = [c.low for c in choropleth.classes] + [100.0]
    return [number_text(b) for b in bounds[:-1]] + [percent_text(bounds[-1])]


def class_of(value: float) -> int:
    for index, high in enumerate(BREAKS):
        if value < high:
            return index
    return len(BREAKS)


def build(
    title: str,
    outlines: Mapping[str, MultiPolygon],
    shares: Mapping[str, float],
    suppressed: Collection[str],
    k: int,
    *,
    width: float = WIDTH,
    fmt: Callable[[float], str] = percent_text,
    empty_label: str | None = None,
    highlight: str | None = None,
) -> Choropleth | None:
    """The map of one indicator: ``outlines`` in longitude/latitude by district name,
    ``shares`` the published shares (percent) by district, ``suppressed`` the districts
    whose share the engine hid. Districts with an outline in neither are drawn empty.
    None when no district has an outline."""
    if not outlines:
        return None
    overlap = set(shares) & set(suppressed)
    if overlap:
        raise ValueError(f"a district is both published and suppressed: {sorted(overlap)}")
    height, placed = layout(tuple(sorted(outlines.items())), width)
    map_classes = classes()
    areas = []
    for name, shape, at in placed:
        if name in shares:
            value = float(shares[name])
            areas.append(Area(name, shape, at, State.VALUE, value, fmt(value), class_of(value)))
        elif name in suppressed:
            areas.append(Area(name, shape, at, State.SUPPRESSED))
        else:
            areas.append(Area(name, shape, at, State.EMPTY))
    suppressed_label = _("nicht ausgewiesen (weniger als %(k)s Antworten oder geschützt)", k=k)
    empty_label = empty_label or _("keine Antworten")
    unmapped = tuple(
        f"{name} ({fmt(float(shares[name])) if name in shares else suppressed_label})"
        for name in sorted(set(shares) | set(suppressed))
        if name not in outlines
    )
    return Choropleth(
        title,
        width,
        height,
        tuple(areas),
        map_classes,
        suppressed_label,
        empty_label,
        unmapped,
        highlight if highlight in outlines else None,
    )


#: drawing units a thinned outline may move: under the width of a border line
THIN = 0.5


@lru_cache(maxsize=16)
def layout(
    outlines: tuple[tuple[str, MultiPolygon], ...], width: float
) -> tuple[float, tuple[tuple[str, MultiPolygon, Point], ...]]:
    """The map's height and each district's drawn outline and label point. The same for
    every map of one municipality: computed once (a report draws dozens of maps of the
    same outlines, and the label search is the costly part)."""
    shapes = [shape for _name, shape in outlines]
    height = min(fitted_height(shapes, width, MARGIN), width * MAX_ASPECT)
    project = fit(shapes, width, height, MARGIN)
    placed = []
    for name, outline in outlines:
        shape = tuple(
            tuple(thin(ring, THIN) for ring in polygon) for polygon in project.shape(outline)
        )
        placed.append((name, shape, label_point(shape)))
    return height, tuple(placed)


#: a label box: width and height in the map's drawing units
Box = tuple[float, float]


@dataclass(frozen=True)
class PlacedLabel:
    name: str
    #: the middle of the label's box, in drawing units
    at: Point
    #: whether the value stands under the name (else the name alone)
    with_value: bool


def place_labels(
    choropleth: Choropleth, boxes: Mapping[str, tuple[Box, Box]], pad: float = 1.0
) -> tuple[list[PlacedLabel], list[str]]:
    """Where each district's label goes so that no two labels overlap; and what could not
    be placed, as "name (figure)" for a note under the map (nothing is left out).

    ``boxes``: per district the renderer's size of its label with the value and of its
    name alone (each renderer measures its own text; the rule is the same). The largest
    districts are placed first, each at its label point if that is free, else at the free
    point inside the district nearest to it; where the name and value find no room, the
    name alone is tried, and the value goes to the note; where not even the name fits,
    both go there. A suppressed or empty district has its name alone in any case.
    """
    order = sorted(choropleth.areas, key=lambda a: -sum(abs(ring_area(p[0])) for p in a.shape))
    taken: list[tuple[float, float, float, float]] = []
    placed: list[PlacedLabel] = []
    crowded: list[str] = []
    for area in order:
        full, bare = boxes[area.name]
        has_value = area.state is State.VALUE and bool(area.value_text)
        tries = [(full, True), (bare, False)] if has_value else [(bare, False)]
        for box, with_value in tries:
            spot = _free_spot(area, box, taken, choropleth.width, choropleth.height, pad)
            if spot is not None:
                placed.append(PlacedLabel(area.name, spot, with_value))
                taken.append(_rect(spot, box, pad))
                if has_value and not with_value:
                    crowded.append(f"{area.name} ({area.value_text})")
                break
        else:
            crowded.append(f"{area.name} ({area.value_text})" if has_value else area.name)
    by_name = {a.name: i for i, a in enumerate(choropleth.areas)}
    placed.sort(key=lambda p: by_name[p.name])
    return placed, sorted(crowded)


def _rect(at: Point, box: Box, pad: float) -> tuple[float, float, float, float]:
    w, h = box
    return at[0] - w / 2 - pad, at[1] - h / 2 - pad, at[0] + w / 2 + pad, at[1] + h / 2 + pad


def _clamped(at: Point, box: Box, width: float, height: float) -> Point:
    w, h = box
    return min(max(at[0], w / 2), width - w / 2), min(max(at[1], h / 2), height - h / 2)


def _free_spot(area: Area, box: Box, taken, width: float, height: float, pad: float):
    def free(at: Point) -> bool:
        x0, y0, x1, y1 = _rect(at, box, pad)
        return all(x1 <= a0 or b1 <= x0 or y1 <= c0 or d1 <= y0 for a0, c0, b1, d1 in taken)

    first = _clamped(area.label_at, box, width, height)
    if free(first):
        return first
    rings = [ring for polygon in area.shape for ring in polygon]
    x0, y0, x1, y1 = bbox(rings)
    step = max(2.0, min(box[1] / 2, (x1 - x0) / 4, (y1 - y0) / 4))
    candidates = []
    y = y0 + step / 2
    while y < y1:
        x = x0 + step / 2
        while x < x1:
            if inside((x, y), rings):
                candidates.append((x, y))
            x += step
        y += step
    lx, ly = area.label_at
    candidates.sort(key=lambda p: (p[0] - lx) ** 2 + (p[1] - ly) ** 2)
    for at in candidates[:400]:
        spot = _clamped(at, box, width, height)
        if free(spot):
            return spot
    return None
