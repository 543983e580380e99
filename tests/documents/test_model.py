"""The report model against the engine's figures: every figure is the engine's, every
hidden one is a text without a number."""

from __future__ import annotations

import math

import pytest
from document_worlds import SCHOOLS, K, build_world, load, shown_values

from survey.core.suppress import ALL, LEVELS
from survey.documents import model
from survey.documents.model import ChoiceBlock, NumberBlock, ScaleBlock, ThemeSection


@pytest.fixture
def src(app):
    build_world(app)
    with app.app_context():
        yield load(app)


def _engine(src):
    tidy = src.built.figures.tidy
    return {
        (r.level, r.unit, r.audience, r.questionnaire, r.question, str(r.value)): (r.n, r.percent, r.status)
        for r in tidy.itertuples(index=False)
    }  # fmt: skip


def _blocks(report):
    for section in report.sections:
        if isinstance(section, ThemeSection):
            for group in section.groups:
                for block in group.blocks:
                    yield group.audience, block


def _same(shown, value) -> bool:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return shown.value is None
    return shown.value == pytest.approx(float(value))


def _questionnaire(audience: str) -> str:
    return audience  # the world's questionnaires are named as their audiences


def every_report(app, src, analyst=False):
    for level in LEVELS:
        for unit in model.units(src, level):
            yield level, unit, model.build(src, level, unit, ["families", "staff"], analyst=analyst)


def test_every_figure_of_every_report_is_the_engines(app, src):
    engine = _engine(src)
    checked = 0
    for level, unit, report in every_report(app, src):
        places = {p.label: (p.level, p.unit) for p in model._places(src, level, unit)}
        for audience, block in _blocks(report):
            key = (audience, _questionnaire(audience), block.variable)
            if isinstance(block, ScaleBlock):
                for row in block.rows:
                    lv, u = places[row.place]
                    key = (audience, _questionnaire(audience), row.variable)
                    n, _p, _s = engine[(lv, u, *key, ALL)]
                    assert _same(row.n, n)
                    for segment in row.segments:
                        if segment.tone.hatched:  # hidden one by one, shown together
                            assert segment.percent.value is None and len(segment.values) >= 1
                            for code in segment.values:
                                assert math.isnan(engine[(lv, u, *key, code)][1])
                        else:
                            (code,) = segment.values
                            assert _same(segment.percent, engine[(lv, u, *key, code)][1])
                        checked += 1
                    if row.dont_know is not None:
                        assert _same(row.dont_know.percent, engine[(lv, u, *key, "99")][1])
            elif isinstance(block, ChoiceBlock):
                for i, place in enumerate(block.places):
                    lv, u = places[place]
                    assert _same(block.n[i], engine[(lv, u, *key, ALL)][0])
                for row in block.rows:
                    for i, cell in enumerate(row.cells):
                        lv, u = places[block.places[i]]
                        found = [v for (l2, u2, a2, q2, v2, c2), v in engine.items()
                                 if (l2, u2, a2, q2, v2) == (lv, u, *key) and c2 != ALL]  # fmt: skip
                        assert cell.percent.value is None or any(
                            _same(cell.percent, p) and _same(cell.n, n) for n, p, _s in found
                        )
                        checked += 1
            elif isinstance(block, NumberBlock):
                for row in block.rows:
                    lv, u = places[row.place]
                    assert _same(row.n, engine[(lv, u, *key, ALL)][0])
                    stats = src.built.figures.stats
                    mine = stats[(stats["level"] == lv) & (stats["unit"] == u)
                                 & (stats["question"] == block.variable)]  # fmt: skip
                    median = mine.loc[mine["statistic"] == "median", "value"]
                    if row.median.value is not None:
                        assert row.median.value == pytest.approx(float(median.iloc[0]))
    assert checked > 100


def test_hidden_figures_carry_no_number(app, src):
    for _level, _unit, report in every_report(app, src, analyst=True):
        for shown in shown_values(report):
            if shown.value is None:
                assert shown.text in ("", "–", f"weniger als {K}"), shown


def test_a_small_school_shows_weniger_als_k_and_no_distribution(app, src):
    small = next(u for u in model.units(src, "school")
                 if src.built.figures.names[("school", u)] == "Kleine Schule")  # fmt: skip
    report = model.build(src, "school", small, ["families"])
    cover = report.sections[0]
    assert cover.audiences[0].respondents.text == f"weniger als {K}"
    assert cover.audiences[0].respondents.value is None
    assert cover.audiences[0].rate.value is None
    for _audience, block in _blocks(report):
        if isinstance(block, ScaleBlock):
            mine = block.rows[0]
            assert mine.place == "diese Schule"
            assert mine.segments == () and mine.n.value is None


def test_sections_come_in_the_issues_order(app, src):
    unit = model.units(src, "school")[0]
    kinds = [
        s.kind
        for s in model.build(src, "school", unit, ["families", "staff"], analyst=True).sections
    ]
    assert kinds[:2] == ["cover", "findings"]
    assert kinds[-2:] == ["freetext", "methods"]
    assert set(kinds[2:-2]) == {"theme"}
    assert "freetext" not in [
        s.kind for s in model.build(src, "school", unit, ["families"]).sections
    ]


def test_a_district_report_compares_with_the_campaign_only(app, src):
    report = model.build(src, "district", "Nord", ["families"])
    places = {row.place for _a, b in _blocks(report) if isinstance(b, ScaleBlock) for row in b.rows}
    assert places == {"Nord", "gesamt"}
    municipality = model.build(src, "municipality", "Musterstadt", ["families"])
    assert {row.place for _a, b in _blocks(municipality) if isinstance(b, ScaleBlock)
            for row in b.rows} == {"gesamt"}  # fmt: skip


def test_diverging_bars_put_disagreement_left_and_dont_know_apart(app, src):
    report = model.build(src, "municipality", "Musterstadt", ["families"])
    block = next(
        b for _a, b in _blocks(report) if isinstance(b, ScaleBlock) and b.variable == "welcome"
    )
    row = block.rows[0]
    low, lower, upper, top = row.segments
    assert top.x0 == pytest.approx(upper.x1) and upper.x0 == 0
    assert lower.x1 == 0 and low.x1 == pytest.approx(lower.x0)
    assert lower.x1 - lower.x0 == pytest.approx(lower.percent.value)
    assert row.dont_know is not None and row.dont_know.x0 == 0
    left, right, dont_know = report.axis
    assert -low.x0 <= left and top.x1 <= right and row.dont_know.x1 <= dont_know
    assert len({s.tone.fill for s in row.segments}) == 4


def test_all_schools_are_units(app, src):
    assert len(model.units(src, "school")) == len(SCHOOLS)


def test_answers_hidden_one_by_one_are_drawn_together_on_their_side():
    import pandas as pd

    from survey.documents import charts

    nan = float("nan")
    rows = [("1", nan, nan, "primary"), ("2", nan, nan, "secondary"),
            ("3", 30.0, 40.0, "published"), ("4", 20.0, 26.7, "published"),
            ("99", 5.0, 6.7, "published"), (ALL, 75.0, nan, "published")]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["value", "n", "percent", "status"])

    class Place:
        label = "diese Schule"

    points = ["1", "2", "3", "4"]
    labels = {"1": "nein", "2": "eher nein", "3": "eher ja", "4": "ja", "99": "weiß nicht"}
    block = model._scale_block("F", "f", labels, points, [Place()], [frame], K)
    (row,) = block.rows
    together = [s for s in row.segments if s.tone.hatched]
    assert [s.values for s in together] == [("1", "2")]
    (hatched,) = together
    # the disagreement side holds what the published shares leave: 100 - 40 - 26.7 - 6.7
    assert hatched.x1 - hatched.x0 == pytest.approx(26.6)
    assert hatched.x1 == pytest.approx(0.0) and hatched.percent.value is None
    assert hatched.percent.text == "–" and "26,6" not in repr(row)
    assert ("zusammen, einzeln geschützt", charts.HIDDEN_TOGETHER) in block.legend
    # hidden on both sides, or "weiß nicht" hidden: where the parts stand is unknown
    for changed in ({"3": (nan, nan, "secondary")}, {"99": (nan, nan, "primary")}):
        other = frame.copy()
        for value, (n, p, status) in changed.items():
            other.loc[other["value"] == value, ["n", "percent", "status"]] = [n, p, status]
        (row,) = model._scale_block("F", "f", labels, points, [Place()], [other], K).rows
        assert (
            row.segments == () and row.note == "Verteilung gesperrt: einzelne Antworten zu selten"
        )
