"""The maps of district and municipality reports: one per indicator and audience, every
published share the engine's, every suppressed district hatched without a value, in the
model, the PDF and the page."""

from __future__ import annotations

import math
import random
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pdfcheck
import pytest
from document_worlds import TODAY
from report_factories import make_responses, make_world
from sqlalchemy import select

from survey.core.numbers import percent_text
from survey.distribution import outlines
from survey.distribution.models import Municipality
from survey.documents import model, services
from survey.extensions import db
from survey.maps.choropleth import State
from survey.questionnaires.registry import registry

K = 5
SCHOOLS = {"Nordschule": ("Nord", "Grundschule"), "Südschule": ("Süd", "Grundschule"),
           "Ostschule": ("Ost", "Grundschule")}  # fmt: skip
SIZES = {"Nordschule": 30, "Südschule": 26, "Ostschule": 3}
SVG = "{http://www.w3.org/2000/svg}"
SHIPPED = str(Path(__file__).parent.parent.parent / "questionnaires")
pytestmark = pytest.mark.parametrize("app", [SHIPPED], indirect=True)


def square(x: float, y: float) -> tuple:
    ring = ((x, y), (x + 0.02, y), (x + 0.02, y + 0.02), (x, y + 0.02), (x, y))
    return ((ring,),)


def _answers(questionnaire, rnd: random.Random) -> dict:
    """An answer to every coded question of a shipped questionnaire, a few left out."""
    found = {}
    for variable, question, kind in questionnaire.variables():
        options = [c.value for c in questionnaire.options.get(question.id, ()) if c.value != 98]
        if rnd.random() < 0.1 or not options:
            continue
        if kind == "code":
            found[variable] = rnd.choice(options)
        elif kind == "codes":
            found[variable] = sorted(rnd.sample(options, min(len(options), rnd.randint(1, 2))))
    return found


@pytest.fixture
def src(app):
    rnd = random.Random(7)
    with app.app_context():
        families = registry().all()["families"]
        world = make_world(db.session, SCHOOLS)
        for school, size in SIZES.items():
            answers = [_answers(families, rnd) for _ in range(size)]
            make_responses(db.session, world, school, answers)
        municipality = db.session.scalar(select(Municipality))
        places = [outlines.Outline(n, square(7 + i * 0.02, 51.5))
                  for i, n in enumerate(["Nord", "Süd", "Ost"])]  # fmt: skip
        outlines.store(db.session, municipality, places)
        db.session.commit()
        yield services.load(db.session, "c1", registry().all(), Path(SHIPPED), K, TODAY)


def _engine_shares(src):
    table = src.indicators
    rows = table[table["level"] == "district"]
    return {(r.audience, r.indicator, r.unit): r.share for r in rows.itertuples(index=False)}


def _maps(report):
    return next((s for s in report.sections if s.kind == "maps"), None)


def test_district_and_municipality_reports_have_one_map_per_indicator(app, src):
    engine = _engine_shares(src)
    with app.app_context():
        for level, unit in (("district", "Nord"), ("municipality", "Musterstadt")):
            section = _maps(model.build(src, level, unit, ["families"]))
            assert section is not None
            indicators = {i for (a, i, _u) in engine if a == "families"}
            assert {e.indicator for e in section.maps} == indicators
            for entry in section.maps:
                assert entry.chart.highlight == ("Nord" if level == "district" else None)
                for area in entry.chart.areas:
                    share = engine[("families", entry.indicator, area.name)]
                    if math.isnan(share):
                        assert area.state in (State.SUPPRESSED, State.EMPTY)
                        assert area.value is None and area.value_text is None
                    else:
                        assert area.state is State.VALUE and area.value == share
        # three families in Ost: fewer than k, so every map hatches it
        ost = [next(a for a in e.chart.areas if a.name == "Ost") for e in section.maps]
        assert {a.state for a in ost} == {State.SUPPRESSED}
        school = model.units(src, "school")[0]
        assert _maps(model.build(src, "school", school, ["families"])) is None


def test_no_outlines_no_maps(app, src):
    import dataclasses

    bare = dataclasses.replace(src, outlines={})
    with app.app_context():
        assert _maps(model.build(bare, "district", "Nord", ["families"])) is None


#: the legend's class bounds ("unter 20 %", …, "80 % und mehr") and its ramp's end
LEGEND = {f"{b} %" for b in (20, 40, 60, 80, 100)}


def test_the_pdf_and_the_page_hatch_the_suppressed_district_and_show_no_value(app, src, tmp_path):
    engine = _engine_shares(src)
    published = {
        percent_text(share).replace("\u00a0", " ")
        for (a, _i, _u), share in engine.items()
        if a == "families" and not math.isnan(share)
    }
    with app.app_context():
        report = services.report(db.session, src, "municipality", "Musterstadt", ["families"])
        section = _maps(report)
        with app.test_request_context():
            pdf = services.render(report, "pdf")
            page = services.render(report, "html").decode()
    path = tmp_path / "bericht.pdf"
    path.write_bytes(pdf)
    pdfcheck.assert_fonts_embedded(path)
    text = pdfcheck.text(path)
    start = text.index("Karten der Sozialräume", text.index("Karten der Sozialräume") + 1)
    maps_text = text[start : text.index("Methoden und Lesehilfe", start)]  # after the contents
    for entry in section.maps:
        assert entry.title.split(": ", 1)[1][:20] in maps_text.replace("\n", " ")
    values = set(re.findall(r"\d+(?:,\d)? %", maps_text.replace("\u00a0", " ")))
    assert values and values <= published | LEGEND
    assert maps_text.count("Ost") >= len(section.maps)
    # in the page: Ost hatched in every map, its label the name alone
    start = page.index('<section id="karten"')
    block = page[start : page.index("</section>", start)]
    svgs = re.findall(r"<svg .*?</svg>", block, flags=re.S)
    assert len(svgs) == len(section.maps)
    for markup in svgs:
        root = ET.fromstring(markup)
        ost = next(p for p in root.iter(f"{SVG}path") if p.get("data-district") == "Ost")
        assert ost.get("data-state") == "suppressed" and ost.get("fill").endswith("-hatch)")
        label = next(g for g in root.iter(f"{SVG}g") if g.get("data-label") == "Ost")
        assert [t.text for t in label.iter(f"{SVG}text")] == ["Ost"]
        words = " ".join(root.itertext())
        assert set(re.findall(r"\d+(?:,\d)? %", words.replace("\u00a0", " "))) <= (
            published | LEGEND
        )
    # ids stay unique with many maps on one page
    ids = re.findall(r'id="(karte-[^"]+)"', block)
    assert len(ids) == len(set(ids))
