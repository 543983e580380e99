"""The palette: points of a scale stay apart in a greyscale print, figures on the bars are
readable (contrast), and the stacking puts each side where it belongs."""

from __future__ import annotations

import pytest

from survey.documents import charts


def _luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.mark.parametrize("points", [2, 3, 4, 5, 6, 7])
def test_the_points_of_one_side_differ_in_greyscale(points):
    tones = [charts.tone_of(*side) for side in charts.sides(points)]
    for side in (-1, 1):
        greys = sorted(
            _luminance(t.fill)
            for t, s in zip(tones, charts.sides(points), strict=True)
            if s[0] == side
        )
        assert all(b - a > 0.12 for a, b in zip(greys, greys[1:], strict=False)), (points, greys)


@pytest.mark.parametrize("points", [3, 4, 5, 7])
def test_figures_on_every_segment_are_readable(points):
    for side in charts.sides(points):
        tone = charts.tone_of(*side)
        assert _contrast(tone.fill, tone.text) >= 4.5, tone
    for i in range(3):
        tone = charts.comparison_tone(i)
        assert _contrast(tone.fill, tone.text) >= 4.5
    tone = charts.dont_know_tone()
    assert _contrast(tone.fill, tone.text) >= 4.5


def test_disagreement_left_agreement_right_middle_across_zero():
    spans = charts.stack([10.0, 20.0, 30.0, 25.0, 15.0], charts.sides(5))
    assert spans[2] == (-15.0, 15.0)
    assert spans[1] == (-35.0, -15.0) and spans[0] == (-45.0, -35.0)
    assert spans[3] == (15.0, 40.0) and spans[4] == (40.0, 55.0)
    assert charts.axis_end(55.0) == 60 and charts.axis_end(3.0) == 30


def test_a_figure_needs_a_wider_bar_the_narrower_its_segment_and_the_longer_it_is():
    geo = charts.Geometry((50, 50, 0), 100.0)
    wide, narrow = geo.room(0, 40, "26,1"), geo.room(0, 7, "26,1")
    assert wide < narrow and narrow in charts.ROOM_STEPS
    assert geo.room(0, 10, "5") < geo.room(0, 10, "26,1")
    # at its step a figure fits: its width in em of the text is within its segment
    for share in (0.065, 0.1, 0.2, 0.4):
        step = geo.room(0, share * 106, "26,1")
        label = (4 * charts.CHAR_EM) * charts.LABEL_EM
        assert share * step >= label or step == charts.ROOM_STEPS[-1]
