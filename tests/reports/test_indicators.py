"""Indicators of the shipped instruments against an independent computation."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from report_factories import make_responses, make_world

from survey.config import PROJECT_ROOT
from survey.extensions import db
from survey.questionnaires.loader import load_directory, load_themes
from survey.questionnaires.model import DONT_KNOW
from survey.reports import indicators, services

SHIPPED = Path(PROJECT_ROOT) / "questionnaires"
QUESTIONNAIRES, _problems = load_directory(SHIPPED)
CATALOGUE = load_themes(SHIPPED / "themes.yaml")
FAMILIES = QUESTIONNAIRES["families"]
SCHOOLS = {"A": ("Nord", "Grundschule"), "B": ("Nord", "Grundschule"), "C": ("Süd", "Gymnasium")}


def _answer(rnd: random.Random) -> dict:
    kinds = {v: (q, kind) for v, q, kind in FAMILIES.variables()}
    found = {}
    for use in FAMILIES.indicators:
        question, kind = kinds[use.variable]
        codes = [c.value for c in FAMILIES.options[question.id] if c.value != 98]
        if rnd.random() < 0.1:
            continue
        if kind == "codes":  # several ticks: a person counts once, whatever they tick
            pool = codes[:-1] or codes
            found[use.variable] = sorted(rnd.sample(pool, min(len(pool), rnd.randint(1, 3))))
        else:
            found[use.variable] = rnd.choice(codes)
    return found


@pytest.fixture
def world(app):
    rnd = random.Random(8)
    with app.app_context():
        world = make_world(db.session, SCHOOLS)
        for school, size in {"A": 30, "B": 25, "C": 40}.items():
            make_responses(db.session, world, school, [_answer(rnd) for _ in range(size)])
        db.session.commit()
        yield world


def test_indicator_shares_equal_an_independent_computation(app, world):
    with app.app_context():
        built = services.build(db.session, "c1", QUESTIONNAIRES, 5)
    found = indicators.compute(built.figures, QUESTIONNAIRES, CATALOGUE)
    muni = found[(found.level == "municipality") & (found.questionnaire == "families")]
    assert not muni.empty
    kinds = {v: kind for v, _q, kind in FAMILIES.variables()}
    for row in muni.itertuples(index=False):
        counted = base = 0
        for use in FAMILIES.indicators:
            if use.indicator != row.indicator:
                continue
            for *_x, answers in world.answers:
                value = answers.get(use.variable)
                if value is None or (kinds[use.variable] == "code" and value == DONT_KNOW):
                    continue
                base += 1
                ticks = value if isinstance(value, list) else [value]
                counted += any(c in use.codes for c in ticks)
        if np.isnan(row.share):
            continue
        assert row.n == base
        assert row.share == round(counted / base * 100, 1)
    assert muni.share.notna().any()
    assert (found.share.dropna() <= 100).all()


def test_context_and_ranking(app, world):
    with app.app_context():
        built = services.build(db.session, "c1", QUESTIONNAIRES, 5)
    found = indicators.compute(built.figures, QUESTIONNAIRES, CATALOGUE)
    context = indicators.with_context(found)
    school = world.schools["A"].number
    mine = context[(context.level == "school") & (context.unit == school)]
    district = found[(found.level == "district") & (found.unit == "Nord")].set_index("indicator")
    for row in mine.itertuples(index=False):
        expected = district.share.get(row.indicator, np.nan)
        assert row.district_share == expected or (
            np.isnan(row.district_share) and np.isnan(expected)
        )
    ranked = indicators.ranking(found, "school", school)
    for kind in ("need", "strength"):
        shares = list(ranked[ranked.kind == kind].share)
        assert shares == sorted(shares, reverse=True)
    side = indicators.perspectives(found, "municipality", "Musterstadt")
    assert "families" in side.columns and not side.empty


def test_a_hidden_count_hides_the_share(app):
    with app.app_context():
        world = make_world(db.session, {"A": ("Nord", "Grundschule"), "B": ("Nord", "Grundschule")})
        use = next(u for u in FAMILIES.indicators if u.variable == "info_well")
        yes, no = (
            use.codes[0],
            next(c.value for c in FAMILIES.options["info_well"] if c.value not in use.codes),
        )
        make_responses(db.session, world, "A", [{"info_well": yes}] * 2 + [{"info_well": no}] * 10)
        make_responses(db.session, world, "B", [{"info_well": yes}] * 9 + [{"info_well": no}] * 9)
        db.session.commit()
        built = services.build(db.session, "c1", QUESTIONNAIRES, 5)
    found = indicators.compute(built.figures, QUESTIONNAIRES, CATALOGUE)
    row = found[(found.unit == world.schools["A"].number) & (found.indicator == use.indicator)]
    assert row.share.isna().all()


def test_identifying_variables_and_district_only_questionnaires_have_no_school_rows(app):
    partners = QUESTIONNAIRES["partners"]
    district_only = [v for v, level in FAMILIES.identifying.items() if level == "district"]
    assert partners.report_level == "district" and district_only
    rnd = random.Random(4)
    with app.app_context():
        world = make_world(
            db.session, SCHOOLS, questionnaires={"families": "families", "partners": "partners"}
        )
        for school in SCHOOLS:
            answers = []
            for _ in range(12):
                given = _answer(rnd)
                for variable in district_only:
                    question = next(q for v, q, _k in FAMILIES.variables() if v == variable)
                    given[variable] = FAMILIES.options[question.id][0].value
                answers.append(given)
            make_responses(db.session, world, school, answers)
            coop = next(
                v
                for v, _q, kind in partners.variables()
                if kind == "code" and v not in partners.identifying
            )
            make_responses(
                db.session, world, school, [{coop: 1}] * 12, audience="partners",
                questionnaire="partners",
            )  # fmt: skip
        db.session.commit()
        built = services.build(db.session, "c1", QUESTIONNAIRES, 5)
    tidy = built.figures.tidy
    assert not tidy[(tidy.questionnaire == "partners") & (tidy.level == "district")].empty
    assert tidy[(tidy.questionnaire == "partners") & (tidy.level == "school")].empty
    for variable in district_only:
        rows = tidy[tidy.question == variable]
        assert not rows.empty and set(rows.level) == {"district", "municipality"}
    # the others are shown per school
    assert "school" in set(tidy[tidy.question == FAMILIES.indicators[0].variable].level)
