"""Plane geometry of district outlines: areas, containment, a label point, hatch lines.

Outlines are kept as plain tuples (a multipolygon is polygons, a polygon is rings, the
first ring the outside and the others holes, a ring is closed: its last point repeats
its first). Containment follows the even-odd rule over all rings, as the renderers fill
(SVG ``fill-rule="evenodd"``, PDF even-odd fill), so a hole is a hole wherever it lies.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Sequence

Point = tuple[float, float]
Ring = tuple[Point, ...]
Polygon = tuple[Ring, ...]
MultiPolygon = tuple[Polygon, ...]


def ring_area(ring: Sequence[Point]) -> float:
    """Signed area (shoelace): positive when the ring runs counter-clockwise (y up)."""
    total = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
        total += x1 * y2 - x2 * y1
    return total / 2


def polygon_area(polygon: Polygon) -> float:
    outer, *holes = polygon
    return abs(ring_area(outer)) - sum(abs(ring_area(h)) for h in holes)


def bbox(rings: Iterable[Sequence[Point]]) -> tuple[float, float, float, float]:
    xs: list[float] = []
    ys: list[float] = []
    for ring in rings:
        xs.extend(p[0] for p in ring)
        ys.extend(p[1] for p in ring)
    return min(xs), min(ys), max(xs), max(ys)


def rings_of(shape: MultiPolygon) -> list[Ring]:
    return [ring for polygon in shape for ring in polygon]


def inside(point: Point, rings: Iterable[Sequence[Point]]) -> bool:
    """Even-odd containment over all rings (ray casting to the right)."""
    x, y = point
    crossings = 0
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                crossings += 1
    return crossings % 2 == 1


def _segment_distance_sq(p: Point, a: Point, b: Point) -> float:
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    if dx or dy:
        t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
        ax, ay = ax + t * dx, ay + t * dy
    return (px - ax) ** 2 + (py - ay) ** 2


def signed_distance(point: Point, rings: Sequence[Sequence[Point]]) -> float:
    """Distance to the nearest edge, negative outside."""
    nearest = min(
        _segment_distance_sq(point, a, b)
        for ring in rings
        for a, b in zip(ring, ring[1:], strict=False)
    )
    return math.sqrt(nearest) * (1 if inside(point, rings) else -1)


def pole_of_inaccessibility(polygon: Polygon, precision: float = 0.5) -> Point:
    """The inner point farthest from the outline (Mapbox's polylabel: a best-first search
    over square cells): where a name fits best, also in a bent or hollow district, where
    the centroid can lie outside."""
    rings = list(polygon)
    x0, y0, x1, y1 = bbox(rings[:1])
    size = min(x1 - x0, y1 - y0)
    if size <= 0:
        return x0, y0
    half = size / 2
    queue: list[tuple[float, float, float, float, float]] = []
    counter = 0

    def push(cx: float, cy: float, h: float) -> None:
        nonlocal counter
        d = signed_distance((cx, cy), rings)
        # the best distance any point in the cell could reach: its own plus the half diagonal
        heapq.heappush(queue, (-(d + h * math.sqrt(2)), counter, cx, cy, h))
        counter += 1

    cx = x0
    while cx < x1:
        cy = y0
        while cy < y1:
            push(cx + half, cy + half, half)
            cy += size
        cx += size
    # start from the centroid of the outer ring, which is often close
    best = _ring_centroid(rings[0])
    best_d = signed_distance(best, rings)
    bx, by = (x0 + x1) / 2, (y0 + y1) / 2
    d = signed_distance((bx, by), rings)
    if d > best_d:
        best, best_d = (bx, by), d
    while queue and counter < 20000:
        bound, _n, cx, cy, h = heapq.heappop(queue)
        d = signed_distance((cx, cy), rings)
        if d > best_d:
            best, best_d = (cx, cy), d
        if -bound - best_d <= precision:
            continue
        h /= 2
        for sx in (-h, h):
            for sy in (-h, h):
                push(cx + sx, cy + sy, h)
    return best


def _ring_centroid(ring: Sequence[Point]) -> Point:
    area = ring_area(ring)
    if area == 0:
        xs = [p[0] for p in ring]
        ys = [p[1] for p in ring]
        return sum(xs) / len(xs), sum(ys) / len(ys)
    cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
        cross = x1 * y2 - x2 * y1
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    return cx / (6 * area), cy / (6 * area)


def label_point(shape: MultiPolygon, precision: float = 0.5) -> Point:
    """Where a district's name goes: the pole of inaccessibility of its largest part.

    Guarded: the point is checked to lie inside; if the search ever fails (a degenerate
    ring), the middle of the longest inner stretch of a horizontal line through the part
    is taken, which is inside by construction.
    """
    largest = max(shape, key=polygon_area)
    point = pole_of_inaccessibility(largest, precision)
    if inside(point, largest):
        return point
    x0, y0, x1, y1 = bbox(largest[:1])
    best: tuple[float, Point] | None = None
    for step in range(1, 20):
        y = y0 + (y1 - y0) * step / 20
        for a, b in _scanline(largest, y):
            if best is None or b - a > best[0]:
                best = (b - a, ((a + b) / 2, y))
    return best[1] if best else point


def _scanline(rings: Iterable[Sequence[Point]], y: float) -> list[tuple[float, float]]:
    """The inside stretches of the horizontal line at ``y`` (even-odd)."""
    xs = []
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
            if (y1 > y) != (y2 > y):
                xs.append(x1 + (y - y1) * (x2 - x1) / (y2 - y1))
    xs.sort()
    return list(zip(xs[0::2], xs[1::2], strict=False))


def hatch_lines(
    rings: Sequence[Sequence[Point]], spacing: float, angle: float = 45.0
) -> list[tuple[Point, Point]]:
    """Parallel lines ``spacing`` apart at ``angle`` degrees, clipped to the shape (even-odd).

    Computed rather than left to a clipping path, so that every renderer (and every PDF
    viewer) draws the same hatch and a test can count its lines.
    """
    theta = math.radians(angle)
    cos, sin = math.cos(theta), math.sin(theta)
    # rotate the shape by -angle: the hatch becomes horizontal scanlines
    turned = [tuple((x * cos + y * sin, -x * sin + y * cos) for x, y in ring) for ring in rings]
    _x0, y0, _x1, y1 = bbox(turned)
    lines = []
    y = math.floor(y0 / spacing) * spacing + spacing / 2
    while y < y1:
        for a, b in _scanline(turned, y):
            # rotate back
            lines.append(
                ((a * cos - y * sin, a * sin + y * cos), (b * cos - y * sin, b * sin + y * cos))
            )
        y += spacing
    return lines


def thin(ring: Sequence[Point], tolerance: float) -> Ring:
    """The ring with the points dropped that move it less than ``tolerance`` (drawing
    units; Douglas-Peucker after dropping points closer than that to their predecessor):
    a district traced at survey precision need not send 20,000 points to a phone. The
    ring stays closed and keeps at least four points. Neighbours thinned apart may leave
    slivers narrower than ``tolerance`` along a shared border; the border line covers them."""
    if len(ring) <= 4 or tolerance <= 0:
        return tuple(ring)
    limit = tolerance * tolerance
    near = [ring[0]]
    for point in ring[1:-1]:
        last = near[-1]
        if (point[0] - last[0]) ** 2 + (point[1] - last[1]) ** 2 >= limit:
            near.append(point)
    near.append(ring[-1])
    # Douglas-Peucker on the open chain from the first point to the one farthest from it
    # (a closed ring's first and last points coincide, which would make every distance to
    # their "line" a distance to a point)
    far = max(range(len(near)), key=lambda i: _sq(near[i], near[0]))
    keep = [False] * len(near)
    keep[0] = keep[far] = keep[-1] = True
    stack = [(0, far), (far, len(near) - 1)]
    while stack:
        first, last = stack.pop()
        if last <= first + 1:
            continue
        index, worst = first, -1.0
        for i in range(first + 1, last):
            d = _segment_distance_sq(near[i], near[first], near[last])
            if d > worst:
                index, worst = i, d
        if worst > limit:
            keep[index] = True
            stack += [(first, index), (index, last)]
    kept = tuple(p for p, k in zip(near, keep, strict=True) if k)
    if len(kept) < 4 or abs(ring_area(kept)) < limit:
        return tuple(ring)
    return kept


def _sq(a: Point, b: Point) -> float:
    return (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2


def _orientation(a: Point, b: Point, c: Point) -> float:
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def _on_segment(a: Point, b: Point, p: Point) -> bool:
    return min(a[0], b[0]) <= p[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= p[1] <= max(a[1], b[1])


def _cross(a: Point, b: Point, c: Point, d: Point) -> bool:
    """Whether segments ab and cd share a point (crossing, touching or overlapping)."""
    o1, o2 = _orientation(a, b, c), _orientation(a, b, d)
    o3, o4 = _orientation(c, d, a), _orientation(c, d, b)
    if ((o1 > 0 and o2 < 0) or (o1 < 0 and o2 > 0)) and (
        (o3 > 0 and o4 < 0) or (o3 < 0 and o4 > 0)
    ):
        return True
    return (
        (o1 == 0 and _on_segment(a, b, c))
        or (o2 == 0 and _on_segment(a, b, d))
        or (o3 == 0 and _on_segment(c, d, a))
        or (o4 == 0 and _on_segment(c, d, b))
    )


def self_crossing(polygon: Sequence[Sequence[Point]]) -> Point | None:
    """A point where the polygon's rings cross themselves or each other, or None.

    Edges may meet where they share a corner without crossing there (neighbours on a ring,
    a hole touching the outside at a corner, a ring pinched at one point: drawn even-odd
    these still look as meant); any other meeting (a crossing, an edge running along or
    onto another, a ring folding back on itself) is a knot a reader would see. A sweep over the edges sorted
    by their left end compares only edges whose x-ranges overlap, so a district of 20,000
    points is checked in a fraction of a second.
    """
    edges: list[tuple[int, int, Point, Point]] = []
    sizes = []
    for r, ring in enumerate(polygon):
        n = len(ring) - 1  # closed: the last point repeats the first
        sizes.append(n)
        edges.extend((r, i, ring[i], ring[i + 1]) for i in range(n) if ring[i] != ring[i + 1])
    if len(edges) < 3:
        return None
    x0, y0, x1, y1 = bbox(polygon)
    # a grid of about one cell per edge: only edges that share a cell are compared
    cell = max(x1 - x0, y1 - y0) / max(1.0, math.sqrt(len(edges))) or 1.0
    grid: dict[tuple[int, int], list[int]] = {}
    for index, (r, i, a, b) in enumerate(edges):
        seen: set[int] = set()
        gx0, gx1 = sorted((int((a[0] - x0) / cell), int((b[0] - x0) / cell)))
        gy0, gy1 = sorted((int((a[1] - y0) / cell), int((b[1] - y0) / cell)))
        for gx in range(gx0, gx1 + 1):
            for gy in range(gy0, gy1 + 1):
                bucket = grid.setdefault((gx, gy), [])
                for other in bucket:
                    if other in seen:
                        continue
                    seen.add(other)
                    orr, oi, c, d = edges[other]
                    if (
                        max(a[0], b[0]) < min(c[0], d[0])
                        or max(c[0], d[0]) < min(a[0], b[0])
                        or max(a[1], b[1]) < min(c[1], d[1])
                        or max(c[1], d[1]) < min(a[1], b[1])
                    ):
                        continue
                    if orr == r and abs(oi - i) in (1, sizes[r] - 1):
                        # neighbours share a corner; wrong only when they fold back onto
                        # each other (collinear, running the same way from that corner)
                        if _folds(a, b, c, d):
                            return a
                        continue
                    if _cross(a, b, c, d) and not _corner_touch(a, b, c, d):
                        return _meeting(a, b, c, d)
                bucket.append(index)
    return None


def _folds(a: Point, b: Point, c: Point, d: Point) -> bool:
    if _orientation(a, b, c) or _orientation(a, b, d):
        return False
    shared = ({a, b} & {c, d}) or {a}
    corner = next(iter(shared))
    far_1 = b if a == corner else a
    far_2 = d if c == corner else c
    # collinear neighbours fold when both run away from the corner in one direction
    return (far_1[0] - corner[0]) * (far_2[0] - corner[0]) + (far_1[1] - corner[1]) * (
        far_2[1] - corner[1]
    ) > 0


def _corner_touch(a: Point, b: Point, c: Point, d: Point) -> bool:
    """Edges of two rings that meet in one end point only, without crossing."""
    shared = {a, b} & {c, d}
    if len(shared) != 1:
        return False
    corner = next(iter(shared))
    far_1 = b if a == corner else a
    far_2 = d if c == corner else c
    collinear = _orientation(corner, far_1, far_2) == 0
    same_way = (far_1[0] - corner[0]) * (far_2[0] - corner[0]) + (far_1[1] - corner[1]) * (
        far_2[1] - corner[1]
    ) > 0
    return not (collinear and same_way)


def _meeting(a: Point, b: Point, c: Point, d: Point) -> Point:
    """Where ab meets cd (an end point when they only touch or overlap)."""
    denominator = (b[0] - a[0]) * (d[1] - c[1]) - (b[1] - a[1]) * (d[0] - c[0])
    if denominator:
        t = ((c[0] - a[0]) * (d[1] - c[1]) - (c[1] - a[1]) * (d[0] - c[0])) / denominator
        if 0 <= t <= 1:
            return a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])
    for p in (c, d):
        if _on_segment(a, b, p) and _orientation(a, b, p) == 0:
            return p
    return a
