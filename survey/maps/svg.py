"""The choropleth as inline SVG: accessible, self-contained, no script, no style sheet.

Only presentation attributes are used (no ``style``): the pages' Content-Security-Policy
allows no inline style, and presentation attributes are not styles. The SVG names itself
(``role="img"`` with a ``<title>`` and a ``<desc>`` that says every district's figure in
words) and carries its legend as text. Every name is escaped.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from survey.maps.choropleth import BORDER, HATCH_INK, Area, Choropleth, State, place_labels
from survey.maps.choropleth import ticks as choropleth_ticks
from survey.maps.geometry import rings_of

FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
LABEL_SIZE = 12.0
LEGEND_SIZE = 11.0
ROW = 17.0
#: width of one class in the legend's ramp
RAMP_STEP = 34.0
#: average advance of a character in em (DejaVu Sans is wide): enough to size a label's
#: backing box and to wrap legend text, which need not be exact
CHAR_EM = 0.66


def _id(prefix: str) -> str:
    return re.sub(r"[^a-z0-9-]", "-", prefix.lower()) or "map"


def _num(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def path_data(area: Area) -> str:
    parts = []
    for ring in rings_of(area.shape):
        head, *rest = ring
        points = " ".join(f"{_num(x)} {_num(y)}" for x, y in rest[:-1])
        parts.append(f"M{_num(head[0])} {_num(head[1])} L{points} Z")
    return " ".join(parts)


def _wrap(text: str, width: float, size: float) -> list[str]:
    limit = max(8, int(width / (size * CHAR_EM)))
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if len(candidate) > limit and line:
            lines.append(line)
            line = word
        else:
            line = candidate
    if line:
        lines.append(line)
    return lines


def render(choropleth: Choropleth, id_prefix: str = "map", legend: bool = True) -> Markup:
    """``id_prefix`` keeps the ids of several maps on one page apart; ``legend=False``
    draws the outlines alone (the staff area's preview)."""
    prefix = _id(id_prefix)
    w = choropleth.width
    out: list[str] = []
    add = out.append
    hatch = f"{prefix}-hatch"
    # labels first: those without room on the map are named in the legend's notes
    placed, crowded = place_labels(
        choropleth,
        {a.name: (_box(_lines(a, True)), _box(_lines(a, False))) for a in choropleth.areas},
    )
    key, key_height = (
        _legend(choropleth, hatch, top=choropleth.height + 8, crowded=crowded)
        if legend
        else ("", -8.0)
    )
    total_height = choropleth.height + 8 + key_height
    add(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_num(w)} {_num(total_height)}" '
        f'width="100%" role="img" aria-labelledby="{prefix}-title {prefix}-desc" '
        f'font-family="{FONT}" class="choropleth">'
    )
    add(f'<title id="{prefix}-title">{escape(choropleth.title)}</title>')
    add(f'<desc id="{prefix}-desc">{escape(choropleth.description())}</desc>')
    add(
        f'<defs><pattern id="{hatch}" patternUnits="userSpaceOnUse" width="6" height="6" '
        'patternTransform="rotate(45)">'
        '<rect width="6" height="6" fill="#ffffff"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{HATCH_INK}" stroke-width="2.2"/>'
        "</pattern></defs>"
    )
    add(f'<g class="areas" stroke="{BORDER}" stroke-width="1" stroke-linejoin="round">')
    for area in choropleth.areas:
        fill = f"url(#{hatch})" if area.state is State.SUPPRESSED else choropleth.fill_of(area)
        add(
            f'<path d="{path_data(area)}" fill="{fill}" fill-rule="evenodd" '
            f'data-district="{escape(area.name)}" data-state="{area.state.value}"/>'
        )
    add("</g>")
    for area in choropleth.areas:
        if area.name == choropleth.highlight:
            add(
                f'<path d="{path_data(area)}" fill="none" stroke="#111111" stroke-width="3" '
                'stroke-linejoin="round" data-highlight="true"/>'
            )
    add(f'<g class="labels" text-anchor="middle" font-size="{_num(LABEL_SIZE)}" fill="#111111">')
    areas = {a.name: a for a in choropleth.areas}
    for label in placed:
        add(_label(areas[label.name], label.at, label.with_value))
    add("</g>")
    add(key)
    add("</svg>")
    # every text and attribute above went through escape(); numbers and colours are ours
    return Markup("".join(out))  # noqa: S704


def _box(lines: list[tuple[str, str]]) -> tuple[float, float]:
    return (
        max(len(text) for text, _weight in lines) * LABEL_SIZE * CHAR_EM + 8,
        len(lines) * (LABEL_SIZE + 2) + 4,
    )


def _lines(area: Area, with_value: bool) -> list[tuple[str, str]]:
    lines = [(area.name, "bold")]
    if with_value and area.state is State.VALUE and area.value_text:
        lines.append((area.value_text, "normal"))
    return lines


def _label(area: Area, at: tuple[float, float], with_value: bool) -> str:
    lines = _lines(area, with_value)
    box_w, box_h = _box(lines)
    x, y = at
    top = y - box_h / 2
    parts = [
        f'<g data-label="{escape(area.name)}">'
        f'<rect x="{_num(x - box_w / 2)}" y="{_num(top)}" width="{_num(box_w)}" '
        f'height="{_num(box_h)}" rx="3" fill="#ffffff" fill-opacity="0.85" stroke="none"/>'
    ]
    for row, (text, weight) in enumerate(lines):
        baseline = top + 2 + (row + 1) * (LABEL_SIZE + 2) - 3
        parts.append(
            f'<text x="{_num(x)}" y="{_num(baseline)}" font-weight="{weight}">{escape(text)}</text>'
        )
    parts.append("</g>")
    return "".join(parts)


def _legend(
    choropleth: Choropleth, hatch: str, top: float, crowded: list[str] = ()
) -> tuple[str, float]:
    """A ramp of the five classes with the class bounds under it (each step also names
    its class in a ``<title>``), beside it the hatch and the empty districts; under them
    the districts that have a figure but no outline."""
    w = choropleth.width
    step = RAMP_STEP
    parts = [f'<g class="legend" font-size="{_num(LEGEND_SIZE)}" fill="#111111">']
    for map_class in choropleth.classes:
        x = map_class.index * step
        parts.append(
            f'<g data-legend="class"><title>{escape(map_class.label)}</title>'
            f'<rect x="{_num(x)}" y="{_num(top + 1)}" width="{_num(step)}" height="12" '
            f'fill="{map_class.colour}" stroke="{BORDER}" stroke-width="0.8"/></g>'
        )
    for i, tick in enumerate(choropleth_ticks(choropleth)):
        anchor = "start" if i == 0 else "middle"
        parts.append(
            f'<text x="{_num(i * step)}" y="{_num(top + 27)}" text-anchor="{anchor}">'
            f"{escape(tick)}</text>"
        )
    left_bottom = top + 32
    x = len(choropleth.classes) * step + 24
    y = top
    specials = []
    if choropleth.has(State.SUPPRESSED):
        specials.append((f"url(#{hatch})", choropleth.suppressed_label, "suppressed"))
    if choropleth.has(State.EMPTY):
        specials.append(("#ffffff", choropleth.empty_label, "empty"))
    for fill, label, kind in specials:
        lines = _wrap(label, w - x - 25, LEGEND_SIZE)
        parts.append(_swatch(x, y, fill, lines, kind))
        y += ROW + (len(lines) - 1) * (LEGEND_SIZE + 2)
    y = max(left_bottom, y)
    if choropleth.unmapped:
        from flask_babel import gettext as _

        text = _("Ohne Umriss: %(names)s", names=", ".join(choropleth.unmapped))
        for line in _wrap(text, w, LEGEND_SIZE):
            y += LEGEND_SIZE + 3
            parts.append(f'<text x="0" y="{_num(y)}">{escape(line)}</text>')
        y += 4
    if crowded:
        from flask_babel import gettext as _

        text = _("Zu klein für die Beschriftung: %(names)s", names=", ".join(crowded))
        for line in _wrap(text, w, LEGEND_SIZE):
            y += LEGEND_SIZE + 3
            parts.append(f'<text x="0" y="{_num(y)}" data-note="crowded">{escape(line)}</text>')
        y += 4
    parts.append("</g>")
    return "".join(parts), y - top


def _swatch(x: float, y: float, fill: str, lines: list[str], kind: str = "class") -> str:
    parts = [
        f'<g data-legend="{kind}"><rect x="{_num(x + 1)}" y="{_num(y + 1)}" width="18" height="12" '
        f'fill="{fill}" stroke="{BORDER}" stroke-width="0.8"/>'
    ]
    for row, line in enumerate(lines):
        baseline = y + 11 + row * (LEGEND_SIZE + 2)
        parts.append(f'<text x="{_num(x + 25)}" y="{_num(baseline)}">{escape(line)}</text>')
    parts.append("</g>")
    return "".join(parts)
