"""From longitude and latitude (WGS84) to drawing units, fitted into a box.

A municipality spans a few kilometres, so a plate carrée with the longitudes shrunk by
the cosine of the middle latitude is exact to well under a pixel there (at 51.5° N a
degree of longitude is 0.62 of a degree of latitude; without the factor the Ruhr would
look half again as wide). No map projection library is needed for that.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from survey.maps.geometry import MultiPolygon, Point, bbox, rings_of


@dataclass(frozen=True)
class Projection:
    """Maps (lon, lat) to (x, y) in a box whose y grows downwards (SVG's direction)."""

    lon0: float
    lat0: float
    #: drawing units per degree of latitude
    scale: float
    #: cos(middle latitude): how much shorter a degree of longitude is
    shrink: float
    x0: float
    y0: float

    def __call__(self, point: Point) -> Point:
        lon, lat = point
        return (
            self.x0 + (lon - self.lon0) * self.shrink * self.scale,
            self.y0 + (self.lat0 - lat) * self.scale,
        )

    def shape(self, shape: MultiPolygon) -> MultiPolygon:
        return tuple(tuple(tuple(self(p) for p in ring) for ring in poly) for poly in shape)


def fit(
    shapes: Iterable[MultiPolygon], width: float, height: float, margin: float = 0
) -> Projection:
    """The projection that shows every shape as large as the box allows, centred.

    ``height`` is the most the map may take; ``fitted_height`` tells what it needs.
    """
    rings = [ring for shape in shapes for ring in rings_of(shape)]
    west, south, east, north = bbox(rings)
    shrink = math.cos(math.radians((south + north) / 2))
    span_x = max((east - west) * shrink, 1e-9)
    span_y = max(north - south, 1e-9)
    scale = min((width - 2 * margin) / span_x, (height - 2 * margin) / span_y)
    # centre the shapes in the box
    x0 = (width - span_x * scale) / 2
    y0 = (height - span_y * scale) / 2
    return Projection(west, north, scale, shrink, x0, y0)


def fitted_height(shapes: Iterable[MultiPolygon], width: float, margin: float = 0) -> float:
    """The height a map ``width`` wide needs for these shapes (their aspect ratio)."""
    rings = [ring for shape in shapes for ring in rings_of(shape)]
    west, south, east, north = bbox(rings)
    shrink = math.cos(math.radians((south + north) / 2))
    span_x = max((east - west) * shrink, 1e-9)
    return (north - south) / span_x * (width - 2 * margin) + 2 * margin
