"""Chart geometry and colours, shared by both renderers.

Scales are drawn as diverging stacked bars: the lower half of the points (disagreement)
left of zero, the upper half (agreement) right of it, a middle point split across zero,
and "weiß nicht" apart on the right. Positions are in percentage points on one axis for
the whole report, so bars compare across questions; a renderer only maps them to its
own width.

The palette is ColorBrewer's PuOr (orange for disagreement, purple for agreement):
distinguishable with every common colour-vision deficiency, and its steps differ in
lightness, so that a greyscale print still tells the points apart (the position left or
right of zero says the side). Text on a segment is black or white, whichever contrasts
more (at least 4.5:1 on every colour here).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: disagreement side, nearest to zero first
ORANGE = ("#fdb863", "#e08214", "#b35806")
#: agreement side, nearest to zero first
PURPLE = ("#9e9ac8", "#8073ac", "#542788")
NEUTRAL = "#ededed"
# grey levels in a greyscale print (0-255): disagreement 195/146/106, agreement
# 160/125/63, "weiß nicht" 130, the middle point 237 (outlined): a 4- or 5-point scale's
# categories at least 24 levels apart (the lightest agreement step and "weiß nicht" were
# 177 and 189 beside the lightest disagreement's 195: one grey in print)
DONT_KNOW = "#828282"
#: the unit, its district, the campaign: one hue in three lightness steps
COMPARISON = ("#542788", "#8073ac", "#c9c3e0")
#: segments narrower than this share of the whole drawing carry no label inside
LABEL_MIN = 0.065
#: the space between the scale and the "weiß nicht" bar, in percentage points
GAP = 6
#: a bar's figures in HTML, in em of the text around the bar (report.css says the same):
#: they grow with the reader's text size, the bar's width does not
LABEL_EM = 0.75
#: a figure's advance per character and the room it needs beside it, in em of its size
CHAR_EM, LABEL_PAD_EM = 0.58, 0.25
#: the widths (in em of the text size) at which report.css hides the figures of narrower
#: segments (``.fitN`` is hidden in a bar narrower than N em): a figure is shown only
#: where it fits inside its segment at the reader's text size
ROOM_STEPS = (8, 12, 16, 20, 25, 30, 36, 45)


@dataclass(frozen=True)
class Tone:
    """How a segment is filled: colour, text colour, and an outline for the pale neutral."""

    fill: str
    text: str
    outline: bool = False
    #: answers shown together because each alone is hidden: white with grey diagonal lines
    hatched: bool = False


#: the tone of a bar's answers that are hidden one by one (``ScaleRow``): their sum is shown
HIDDEN_TOGETHER = Tone("#ffffff", "#000000", outline=True, hatched=True)
#: the hatch's colour and its spacing (in points in the PDF, in px in the SVG pattern)
HATCH_COLOUR, HATCH_SPACING = "#6b6b6b", 3.0


def tone_of(side: int, step: int, steps: int) -> Tone:
    """side -1 (disagreement), 0 (middle point), +1 (agreement); step 0 is nearest zero.

    With fewer steps than the palette has, they are spread over it (a 4-point scale uses
    the lightest and the darkest step on each side: far apart in a greyscale print too)."""
    if side == 0:
        return Tone(NEUTRAL, "#000000", outline=True)
    colours = ORANGE if side < 0 else PURPLE
    last = len(colours) - 1
    index = last if steps <= 1 else round(min(step, steps - 1) * last / (steps - 1))
    fill = colours[index]
    return Tone(fill, text_on(fill))


def dont_know_tone() -> Tone:
    return Tone(DONT_KNOW, "#000000")


def comparison_tone(index: int) -> Tone:
    fill = COMPARISON[min(index, len(COMPARISON) - 1)]
    return Tone(fill, text_on(fill))


def luminance(colour: str) -> float:
    """Relative luminance (WCAG 2) of a colour written #rrggbb."""

    def channel(c: int) -> float:
        c8 = c / 255
        return c8 / 12.92 if c8 <= 0.03928 else ((c8 + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def text_on(fill: str) -> str:
    """Black or white, whichever contrasts more with ``fill`` (always at least 4.5:1)."""
    light = luminance(fill)
    return "#000000" if (light + 0.05) / 0.05 >= 1.05 / (light + 0.05) else "#ffffff"


def sides(points: int) -> list[tuple[int, int, int]]:
    """(side, step, steps) of each point of a scale, lowest first."""
    half = points // 2
    found = [(-1, half - 1 - i, half) for i in range(half)]
    if points % 2:
        found.append((0, 0, 1))
    found += [(1, i, half) for i in range(half)]
    return found


def stack(
    percents: list[float], points_sides: list[tuple[int, int, int]]
) -> list[tuple[float, float]]:
    """(x0, x1) of each point's segment: disagreement stacked leftwards from zero (the
    point nearest the middle innermost), agreement rightwards, a middle point across zero."""
    middle = sum(p for p, (side, _s, _n) in zip(percents, points_sides, strict=True) if side == 0)
    spans: list[tuple[float, float]] = [(0.0, 0.0)] * len(percents)
    left = -middle / 2
    right = middle / 2
    order = list(range(len(percents)))
    for i in reversed(order):  # disagreement: from the point next to the middle outwards
        side = points_sides[i][0]
        if side < 0:
            spans[i] = (left - percents[i], left)
            left -= percents[i]
    for i in order:
        side = points_sides[i][0]
        if side > 0:
            spans[i] = (right, right + percents[i])
            right += percents[i]
        elif side == 0:
            spans[i] = (-middle / 2, middle / 2)
    return spans


def axis_end(extent: float, step: int = 10, least: int = 30) -> int:
    """The axis reaches ``extent`` rounded up to ``step``, at least ``least``, at most 100."""
    return int(min(100, max(least, math.ceil(extent / step - 1e-9) * step)))


def total_width(axis: tuple[int, int, int]) -> float:
    """The drawing's width in percentage points: both sides, the gap, "weiß nicht"."""
    left, right, dont_know = axis
    return float(left + right + GAP + dont_know)


@dataclass(frozen=True)
class Geometry:
    """Maps the model's percentage points to a renderer's units (``width`` across)."""

    axis: tuple[int, int, int]
    width: float

    @property
    def scale(self) -> float:
        return self.width / total_width(self.axis)

    def x(self, value: float) -> float:
        return (value + self.axis[0]) * self.scale

    def span(self, x0: float, x1: float) -> float:
        return max(0.0, (x1 - x0) * self.scale)

    @property
    def zero(self) -> float:
        return self.x(0.0)

    @property
    def scale_end(self) -> float:
        return self.x(float(self.axis[1]))

    def dont_know_x(self, value: float) -> float:
        return (self.axis[0] + self.axis[1] + GAP + value) * self.scale

    def room(self, x0: float, x1: float, text: str) -> int:
        """The narrowest bar (in em of the text size) in which ``text`` fits inside the
        segment x0..x1, rounded up to one of ``ROOM_STEPS`` (the last where even that is
        too narrow: such a figure shows only in the widest bars)."""
        share = self.span(x0, x1) / self.width if self.width else 0.0
        need = (len(text) * CHAR_EM + LABEL_PAD_EM) * LABEL_EM / max(share, 1e-9)
        return next((step for step in ROOM_STEPS if need <= step), ROOM_STEPS[-1])
