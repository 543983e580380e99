"""Reports of a closed campaign are built from the counts frozen when it closed."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from report_factories import make_families, make_responses, make_world
from sqlalchemy import event

from survey.distribution.campaigns import change_state
from survey.distribution.models import CampaignState
from survey.extensions import db
from survey.questionnaires.loader import load_directory
from survey.reports import aggregate, services
from survey.reports import figures as figures_module
from survey.reports.outputs import tidy_csv

FIXTURES = Path(__file__).parent.parent / "fixtures" / "questionnaires"
QUESTIONNAIRES, _problems = load_directory(FIXTURES)
K = 5
SCHOOLS = {
    "Nordschule": ("Nord", "Grundschule"),
    "Hafenschule": ("Nord", "Grundschule"),
    "Kleine Schule": ("Nord", "Förderschule"),
    "Südschule": ("Süd", "Gesamtschule"),
    "Bergschule": ("Süd", "Grundschule"),
}
SIZES = {"Nordschule": 40, "Hafenschule": 23, "Kleine Schule": 3, "Südschule": 31,
         "Bergschule": 9}  # fmt: skip


@pytest.fixture
def world(app):
    """The world of test_figures, but open, then closed the way staff close it."""
    rnd = random.Random(16)
    with app.app_context():
        world = make_world(db.session, SCHOOLS, is_open=True)
        make_families(db.session, world, SIZES, rnd)
        change_state(db.session, None, world.campaign, CampaignState.CLOSED, False)
        db.session.commit()
        yield world


def _statements(app, build):
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()).lower())

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            result = build()
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
    return result, seen


def test_a_closed_campaign_is_built_from_its_frozen_counts_only(app, world):
    built, seen = _statements(app, lambda: services.build(db.session, "c1", QUESTIONNAIRES, K))
    assert not built.preview
    assert any("from frozen_count" in s for s in seen)
    assert not any(" answer" in s for s in seen), seen  # no answer is read
    assert {s.split(None, 1)[0] for s in seen} <= {"select", "pragma"}


def test_frozen_and_live_figures_are_identical(app, world):
    with app.app_context():
        campaign = world.campaign
        frozen = figures_module.compute(db.session, campaign, QUESTIONNAIRES, K, frozen=True)
        live = figures_module.compute(db.session, campaign, QUESTIONNAIRES, K, frozen=False)
        assert tidy_csv(frozen.tidy) == tidy_csv(live.tidy)
        assert frozen.stats.equals(live.stats)
        for breakdown in (None, "language", "school_type"):
            for a, b in zip(
                aggregate.value_counts(db.session, campaign.id, breakdown, frozen=True),
                aggregate.value_counts(db.session, campaign.id, breakdown, frozen=False),
                strict=True,
            ):
                order = list(a.columns)
                a = a.sort_values(order[:-2] if "first" in order else order[:-1])
                b = b.sort_values(order[:-2] if "first" in order else order[:-1])
                assert a.astype(str).values.tolist() == b.astype(str).values.tolist()
            people = [
                aggregate.respondent_counts(db.session, campaign.id, breakdown, frozen=f)
                for f in (True, False)
            ]
            keys = list(people[0].columns[:-1])
            assert (
                people[0].sort_values(keys).astype(str).values.tolist()
                == people[1].sort_values(keys).astype(str).values.tolist()
            )


def test_two_builds_from_frozen_counts_are_byte_identical(app, world, tmp_path):
    with app.app_context():
        assert aggregate.is_frozen(db.session, world.campaign.id)
        first = services.build(db.session, "c1", QUESTIONNAIRES, K)
        second = services.build(db.session, "c1", QUESTIONNAIRES, K)
        assert tidy_csv(first.figures.tidy) == tidy_csv(second.figures.tidy)
        one = world.schools["Nordschule"].number
        a = services.write(first, "school", "xlsx", tmp_path / "a", [one])[0]
        b = services.write(second, "school", "xlsx", tmp_path / "b", [one])[0]
        assert a.read_bytes() == b.read_bytes()


def test_an_open_campaign_is_previewed_live_and_refused_otherwise(app, world):
    with app.app_context():
        change_state(db.session, None, world.campaign, CampaignState.OPEN, True)
        db.session.commit()
        assert not aggregate.is_frozen(db.session, world.campaign.id)
        with pytest.raises(services.CampaignStillOpen):
            services.build(db.session, "c1", QUESTIONNAIRES, K)
        # a new answer while open shows in the analyst's preview at once (counted live)
        make_responses(db.session, world, "Nordschule", [{"welcome": 4}] * 5)
        db.session.commit()
    built, seen = _statements(
        app, lambda: services.build(db.session, "c1", QUESTIONNAIRES, K, preview=True)
    )
    assert built.preview
    assert any(" answer" in s for s in seen) and not any("frozen_count" in s for s in seen)
    tidy = built.figures.tidy
    nord = world.schools["Nordschule"].number
    row = tidy[(tidy.level == "school") & (tidy.unit == nord) & (tidy.question == "welcome")
               & (tidy.value == "(all)")]  # fmt: skip
    expected = sum(1 for s, *_x, a in world.answers if s == "Nordschule" and "welcome" in a)
    assert row.n.iloc[0] == expected


def test_reopened_and_closed_again_the_report_shows_the_new_answers(app, world):
    with app.app_context():
        before = services.build(db.session, "c1", QUESTIONNAIRES, K).figures.tidy
        change_state(db.session, None, world.campaign, CampaignState.OPEN, True)
        make_responses(db.session, world, "Nordschule", [{"welcome": 4}] * 6)
        change_state(db.session, None, world.campaign, CampaignState.CLOSED, False)
        db.session.commit()
        after = services.build(db.session, "c1", QUESTIONNAIRES, K).figures.tidy
    nord = world.schools["Nordschule"].number

    def welcome_all(tidy):
        row = tidy[(tidy.level == "school") & (tidy.unit == nord)
                   & (tidy.question == "welcome") & (tidy.value == "(all)")]  # fmt: skip
        return row.n.iloc[0]

    assert welcome_all(after) == welcome_all(before) + 6
