"""Label points lie inside, hatch lines stay inside, the projection keeps proportions."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from survey.maps.geometry import (
    hatch_lines,
    inside,
    label_point,
    pole_of_inaccessibility,
    ring_area,
    thin,
)
from survey.maps.projection import fit

SQUARE = ((0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0), (0.0, 0.0))
#: a "U": its centroid lies in the gap, outside the shape
U = (
    (0.0, 0.0), (30.0, 0.0), (30.0, 30.0), (20.0, 30.0), (20.0, 10.0),
    (10.0, 10.0), (10.0, 30.0), (0.0, 30.0), (0.0, 0.0),
)  # fmt: skip
HOLE = ((3.0, 3.0), (7.0, 3.0), (7.0, 7.0), (3.0, 7.0), (3.0, 3.0))


def test_the_label_of_a_u_shape_lies_inside_although_its_centroid_does_not():
    assert not inside((15.0, 13.0), [U])  # about where the centroid is
    point = label_point(((U,),))
    assert inside(point, [U])
    # in one of the thick parts, not on the thin bottom bar's edge
    assert point[1] < 25


def test_a_hole_is_outside_and_the_label_avoids_it():
    polygon = (SQUARE, HOLE)
    assert not inside((5.0, 5.0), polygon)
    assert inside((1.0, 1.0), polygon)
    point = label_point((polygon,))
    assert inside(point, polygon)


def test_the_label_goes_to_the_largest_part():
    small = tuple((x + 100, y) for x, y in SQUARE[:4]) + ((100.0, 0.0),)
    big = tuple((x * 3, y * 3) for x, y in SQUARE)
    x, _y = label_point(((small,), (big,)))
    assert x < 30


def test_hatch_lines_lie_inside_and_cover_the_shape():
    polygon = (SQUARE, HOLE)
    lines = hatch_lines(list(polygon), spacing=1.0)
    assert len(lines) > 10
    for (x1, y1), (x2, y2) in lines:
        middle = ((x1 + x2) / 2, (y1 + y2) / 2)
        assert inside(middle, polygon)
        assert math.isclose(abs(math.degrees(math.atan2(y2 - y1, x2 - x1))) % 180, 45, abs_tol=1e-6)
    # a hole is never hatched
    assert all(not inside(((a[0] + b[0]) / 2, (a[1] + b[1]) / 2), [HOLE]) for a, b in lines)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0.5, 1.0), st.floats(0, 0.3)), min_size=5, max_size=30))
def test_the_label_of_a_random_star_lies_inside(spikes):
    # a star-shaped ring around the origin: random radii at increasing angles
    n = len(spikes)
    ring = [
        (r * math.cos(2 * math.pi * (i + j) / n), r * math.sin(2 * math.pi * (i + j) / n))
        for i, (r, j) in enumerate(spikes)
    ]
    ring.append(ring[0])
    polygon = (tuple(ring),)
    assert inside(label_point((polygon,), precision=0.01), polygon)
    assert inside(pole_of_inaccessibility(polygon, 0.01), polygon) or abs(ring_area(ring)) < 1e-3


def test_thinning_keeps_rings_closed_and_short_rings_whole():
    ring = tuple((math.cos(a / 100), math.sin(a / 100)) for a in range(629)) + ((1.0, 0.0),)
    thinned = thin(ring, 0.2)
    assert thinned[0] == thinned[-1] and 4 <= len(thinned) < 40
    assert thin(SQUARE, 50) == SQUARE


def test_the_projection_shrinks_longitudes_by_the_cosine_of_the_latitude():
    # a "square" of 0.1 by 0.1 degrees at 60 degrees north is half as wide as high
    square = ((((10.0, 60.0), (10.1, 60.0), (10.1, 60.1), (10.0, 60.1), (10.0, 60.0)),),)
    project = fit([square], 1000, 1000)
    (x0, y0), (x1, _), (_, y2) = project((10.0, 60.0)), project((10.1, 60.0)), project((10.0, 60.1))
    assert math.isclose((x1 - x0) / (y0 - y2), math.cos(math.radians(60.05)), rel_tol=1e-6)
    assert y2 < y0  # north is up
    assert min(x0, x1) >= 0 and max(x0, x1) <= 1000


def test_self_crossing_finds_knots_and_lets_touching_corners_be():
    from survey.maps.geometry import self_crossing

    square = ((0, 0), (4, 0), (4, 4), (0, 4), (0, 0))
    assert self_crossing((square,)) is None
    # a bow tie crosses at its middle
    assert self_crossing((((0, 0), (4, 4), (4, 0), (0, 4), (0, 0)),)) == (2.0, 2.0)
    # a hole touching the outside at one corner, and a ring pinched at one point: no knot
    hole = ((0, 0), (1, 2), (2, 1), (0, 0))
    assert self_crossing((square, hole)) is None
    pinched = ((0, 0), (2, 2), (4, 0), (4, 4), (2, 2), (0, 4), (0, 0))
    assert self_crossing((pinched,)) is None
    # a hole crossing the outside, a ring running back along itself, repeated points
    assert self_crossing((square, ((3, 1), (5, 1), (5, 2), (3, 2), (3, 1)))) is not None
    assert self_crossing((((0, 0), (4, 0), (2, 0), (2, 3), (0, 0)),)) is not None
    assert self_crossing((((0, 0), (4, 0), (4, 0), (4, 4), (0, 0)),)) is None


def test_self_crossing_of_a_large_outline_is_quick():
    import math
    import time

    from survey.maps.geometry import self_crossing

    n = 20_000
    ring = tuple(
        (math.cos(2 * math.pi * i / n) * (1 + 0.01 * (i % 7)), math.sin(2 * math.pi * i / n))
        for i in range(n)
    )
    ring = (*ring, ring[0])
    started = time.perf_counter()
    assert self_crossing((ring,)) is None
    assert time.perf_counter() - started < 2
